/** The derivative rules of `reshape` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

/** d reshape(x) = reshape(dx); the cotangent is reshaped back. */
export const reshape: Rule<'reshape'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('reshape', [dx], params),
  vjp: (ct, [x], _, __, [nx]) => [nx ? bind('reshape', [ct], { shape: (x as NDArray).shape }) : null],
}
