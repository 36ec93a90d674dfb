/** d cast(x) = cast(dx) between float types; casting to or from an integer type cuts the derivative. */
import { cast as castOp, type NDArray } from '@nabla/ndarray'
import { isFloat } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

export const cast: Rule<'cast'> = {
  jvp: ([x], [dx = null], out) =>
    dx === null || !isFloat(out.dtype) || !isFloat((x as NDArray).dtype) ? null : castOp(dx, out.dtype),
  vjp: (ct, [x], out, _, [nx]) => [
    nx && isFloat(out.dtype) && isFloat((x as NDArray).dtype) ? castOp(ct, (x as NDArray).dtype) : null,
  ],
}
