/** d(xʸ) = y·xʸ⁻¹·dx + log(x)·xʸ·dy, with log(0) taken as 0 there (as JAX does). */
import { equal, log, mul, type NDArray, pow as powOp, sub, where } from '@nabla/ndarray'
import { asType, cotangentFor } from '../cotangent.js'
import type { Rule } from '../rule.js'
import { combine } from './add.js'

const dBase = (x: NDArray, y: NDArray): NDArray => mul(y, powOp(x, sub(y, 1)))
const dExponent = (x: NDArray, out: NDArray): NDArray => mul(log(where(equal(x, 0), 1, x)), out)

export const pow: Rule<'pow'> = {
  jvp: ([x, y], [dx = null, dy = null], out) =>
    asType(
      combine(dx && mul(dx, dBase(x as NDArray, y as NDArray)), dy && mul(dy, dExponent(x as NDArray, out)), out.shape),
      out,
    ),
  vjp: (ct, [x, y], out, _, [nx, ny]) => [
    nx ? cotangentFor(mul(ct, dBase(x as NDArray, y as NDArray)), x as NDArray) : null,
    ny ? cotangentFor(mul(ct, dExponent(x as NDArray, out)), y as NDArray) : null,
  ],
}
