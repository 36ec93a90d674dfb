/** The derivative rules of `transpose` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import { transpose as transposeOp } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

/** d transpose(x, p) = transpose(dx, p); the cotangent goes back through p⁻¹. */
export const transpose: Rule<'transpose'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('transpose', [dx], params),
  vjp: (ct, _, __, { perm }, [nx]) => {
    const inverse = perm.map((_, i) => perm.indexOf(i))
    return [nx ? transposeOp(ct, inverse) : null]
  },
}
