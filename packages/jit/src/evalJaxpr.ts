/** evalJaxpr: runs a program op by op through `bind` — how a program is inlined under another transform, and the compiler's oracle. */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { Atom, Jaxpr } from './jaxpr.js'

/**
 * The program's outputs for these inputs (one array per input var), each primitive applied with `bind`, so an
 * active transform (grad, jvp, an enclosing jit) sees every op.
 * @category Jaxprs
 * @example
 * const f = (x) => add(mul(x, 2), 1)
 * const x = array([1, 2, 3])
 * const [y] = evalJaxpr(makeJaxpr(f)(x), [x])
 * toArray(y) // → [3, 5, 7]
 * evalJaxpr(makeJaxpr(f)(x), []) // throws RangeError: the program takes 1 inputs, 0 were given
 */
export const evalJaxpr = (jaxpr: Jaxpr, inputs: readonly NDArray[]): NDArray[] => {
  if (inputs.length !== jaxpr.inputs.length) {
    throw new RangeError(`evalJaxpr: the program takes ${jaxpr.inputs.length} inputs, ${inputs.length} were given`)
  }
  const env = new Map<number, NDArray>()
  jaxpr.inputs.forEach((v, i) => {
    env.set(v.id, inputs[i] as NDArray)
  })
  jaxpr.consts.forEach((v, i) => {
    env.set(v.id, jaxpr.constValues[i] as NDArray)
  })
  const read = (a: Atom): NDArray => (a.kind === 'literal' ? a.value : (env.get(a.id) as NDArray))
  for (const e of jaxpr.eqns) env.set(e.out.id, bind(e.prim, e.inputs.map(read), e.params as never))
  return jaxpr.outputs.map(read)
}
