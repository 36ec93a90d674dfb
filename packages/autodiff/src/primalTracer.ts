/** PrimalTracer: the base of the autodiff tracers, a tracer standing for a known primal value. */
import type { NDArray } from '@nabla/ndarray'
import { Tracer } from '@nabla/ndarray/core'

/**
 * A tracer that carries its primal value; its shape and dtype are the primal's. JVP tracers
 * add a tangent, VJP tracers a tape node.
 * @example
 * class MyTracer extends PrimalTracer { constructor(readonly trace: MyTrace, primal: NDArray) { super(primal) } }
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
