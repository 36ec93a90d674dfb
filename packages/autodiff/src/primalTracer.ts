/** PrimalTracer: the base of the autodiff tracers, a tracer standing for a known primal value. */
import type { NDArray } from '@nabla/ndarray'
import { Tracer } from '@nabla/ndarray/core'

/**
 * A tracer that carries its primal value; its shape and dtype are the primal's. JVP tracers
 * add a tangent, VJP tracers a tape node.
 * @example
 * // internal (not exported): the base of the tracers grad, vjp and jvp hand to the function; a subclass
 * // class MyTracer extends PrimalTracer { constructor(readonly trace: MyTrace, primal: NDArray) { super(primal) } }
 * // has its primal's shape and dtype:
 * import { Tracer } from '@nabla/ndarray/core'
 * let seen
 * grad((x) => {
 *   seen = { tracer: x instanceof Tracer, shape: x.shape, dtype: x.dtype }
 *   return sum(x)
 * })(ones([2, 3]))
 * seen // → { tracer: true, shape: [2, 3], dtype: 'float32' }
 */
export abstract class PrimalTracer extends Tracer {
  constructor(readonly primal: NDArray) {
    super()
  }
  get shape(): readonly number[] {
    return this.primal.shape
  }
  get dtype(): NDArray['dtype'] {
    return this.primal.dtype
  }
}
