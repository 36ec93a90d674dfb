/**
 * Element-wise functions of one argument: each is ẏ = f′(x)·ẋ and x̄ = f′(x)·ȳ, with f′
 * written in public ops (and from the output where that is cheaper).
 */
import { cos as cosOp, div, mul, type NDArray, neg as negOp, sin as sinOp, square, sub } from '@nabla/ndarray'
import { cotangentFor } from '../cotangent.js'
import type { Rule } from '../rule.js'

type UnaryPrim = 'neg' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'sin' | 'cos'

/** A rule from the derivative as a multiplier of the (co)tangent. */
const scale = <P extends UnaryPrim>(times: (t: NDArray, x: NDArray, out: NDArray) => NDArray): Rule<P> => ({
  jvp: ([x], [dx = null], out) => (dx === null ? null : times(dx, x as NDArray, out)),
  vjp: (ct, [x], out, _, [nx]) => [nx ? cotangentFor(times(ct, x as NDArray, out), x as NDArray) : null],
})

/** d(−x) = −dx */
export const neg: Rule<'neg'> = scale((t) => negOp(t))
/** d eˣ = eˣ·dx */
export const exp: Rule<'exp'> = scale((t, _, out) => mul(t, out))
/** d log x = dx / x */
export const log: Rule<'log'> = scale((t, x) => div(t, x))
/** d √x = dx / (2√x) */
export const sqrt: Rule<'sqrt'> = scale((t, _, out) => div(t, mul(out, 2)))
/** d tanh x = (1 − tanh²x)·dx */
export const tanh: Rule<'tanh'> = scale((t, _, out) => mul(t, sub(1, square(out))))
/** d sin x = cos x·dx */
export const sin: Rule<'sin'> = scale((t, x) => mul(t, cosOp(x)))
/** d cos x = −sin x·dx */
export const cos: Rule<'cos'> = scale((t, x) => negOp(mul(t, sinOp(x))))
