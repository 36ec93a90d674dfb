/** d(x + y) = dx + dy; the cotangent of each operand is ct summed over its broadcast axes. */
import { add as addOp, broadcastTo, type NDArray, neg } from '@nabla/ndarray'
import { asType, cotangentFor } from '../cotangent.js'
import type { Rule, Tangent } from '../rule.js'

/** dx ± dy in the output's shape, treating null as zero. */
export const combine = (dx: Tangent, dy: Tangent, outShape: readonly number[], negateY = false): Tangent => {
  const y = dy !== null && negateY ? neg(dy) : dy
  if (dx === null) return y === null ? null : broadcastTo(y, outShape)
  if (y === null) return broadcastTo(dx, outShape)
  return addOp(dx, y)
}

export const add: Rule<'add'> = {
  jvp: (_, [dx = null, dy = null], out) => asType(combine(dx, dy, out.shape), out),
  vjp: (ct, [x, y], _, __, [nx, ny]) => [
    nx ? cotangentFor(ct, x as NDArray) : null,
    ny ? cotangentFor(ct, y as NDArray) : null,
  ],
}
