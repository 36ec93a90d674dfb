/** The derivative rules of `broadcastTo` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import { unbroadcast } from '../cotangent.js'
import type { Rule } from '../rule.js'

/** d broadcast(x) = broadcast(dx); its transpose sums over the broadcast axes. */
export const broadcastTo: Rule<'broadcastTo'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('broadcastTo', [dx], params),
  vjp: (ct, [x], _, __, [nx]) => [nx ? unbroadcast(ct, (x as NDArray).shape) : null],
}
