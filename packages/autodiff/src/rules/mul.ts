/** d(x · y) = dx · y + x · dy. */
import { mul as mulOp, type NDArray } from '@nabla/ndarray'
import { asType, cotangentFor } from '../cotangent.js'
import type { Rule } from '../rule.js'
import { combine } from './add.js'

export const mul: Rule<'mul'> = {
  jvp: ([x, y], [dx = null, dy = null], out) =>
    asType(combine(dx && mulOp(dx, y as NDArray), dy && mulOp(x as NDArray, dy), out.shape), out),
  vjp: (ct, [x, y], _, __, [nx, ny]) => [
    nx ? cotangentFor(mulOp(ct, y as NDArray), x as NDArray) : null,
    ny ? cotangentFor(mulOp(ct, x as NDArray), y as NDArray) : null,
  ],
}
