/** d where(c, x, y) = where(c, dx, dy); the condition has no derivative. */
import { broadcastTo, type NDArray, where as whereOp, zeros } from '@nabla/ndarray'
import { asType, cotangentFor } from '../cotangent.js'
import type { Rule } from '../rule.js'

export const where: Rule<'where'> = {
  jvp: ([c], [, dx = null, dy = null], out) => {
    if (dx === null && dy === null) return null
    const zero = zeros([], { dtype: out.dtype })
    return asType(broadcastTo(whereOp(c as NDArray, dx ?? zero, dy ?? zero), out.shape), out)
  },
  vjp: (ct, [c, x, y], _, __, [, nx, ny]) => [
    null,
    nx ? cotangentFor(whereOp(c as NDArray, ct, 0), x as NDArray) : null,
    ny ? cotangentFor(whereOp(c as NDArray, 0, ct), y as NDArray) : null,
  ],
}
