/** The derivative rules of `take` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import { type NDArray, scatterAdd as scatterAddOp } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

/** d take(x, i) = take(dx, i); its transpose scatters the cotangent back, adding at repeated indices. */
export const take: Rule<'take'> = {
  jvp: ([, idx], [dx = null], __, params) => dx && bind('take', [dx, idx as NDArray], params),
  vjp: (ct, [x, idx], _, { axis }, [nx]) => [
    nx ? scatterAddOp(ct, idx as NDArray, (x as NDArray).shape[axis] as number, axis) : null,
    null,
  ],
}
