/** d(x / y) = dx / y − dy · (x / y) / y. */
import { div as divOp, mul, type NDArray, neg } from '@nabla/ndarray'
import { asType, cotangentFor } from '../cotangent.js'
import type { Rule } from '../rule.js'
import { combine } from './add.js'

export const div: Rule<'div'> = {
  jvp: ([, y], [dx = null, dy = null], out) =>
    asType(combine(dx && divOp(dx, y as NDArray), dy && mul(dy, divOp(out, y as NDArray)), out.shape, true), out),
  vjp: (ct, [x, y], out, _, [nx, ny]) => [
    nx ? cotangentFor(divOp(ct, y as NDArray), x as NDArray) : null,
    ny ? cotangentFor(neg(mul(ct, divOp(out, y as NDArray))), y as NDArray) : null,
  ],
}
