/** d(x − y) = dx − dy. */
import { type NDArray, neg } from '@nabla/ndarray'
import { asType, cotangentFor } from '../cotangent.js'
import type { Rule } from '../rule.js'
import { combine } from './add.js'

export const sub: Rule<'sub'> = {
  jvp: (_, [dx = null, dy = null], out) => asType(combine(dx, dy, out.shape, true), out),
  vjp: (ct, [x, y], _, __, [nx, ny]) => [
    nx ? cotangentFor(ct, x as NDArray) : null,
    ny ? cotangentFor(neg(ct), y as NDArray) : null,
  ],
}
