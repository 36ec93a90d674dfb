/**
 * d max(x, y) = dx where x > y, dy where x < y, and (dx + dy)/2 at ties — JAX's
 * convention, so neither operand is favoured. (nn's relu uses where(x > 0, …): 0 at 0.)
 */
import { add, cast, equal, greater, less, mul, type NDArray, sub } from '@nabla/ndarray'
import { asType, cotangentFor } from '../cotangent.js'
import type { Rule } from '../rule.js'
import { combine } from './add.js'

/** Weight of x in d max(x, y) (or d min with `wins` = less): 1, ½ at ties, 0. */
export const selectWeight = (x: NDArray, y: NDArray, out: NDArray, wins: typeof greater): NDArray =>
  add(cast(wins(x, y), out.dtype), mul(cast(equal(x, y), out.dtype), 0.5))

const extremum = (wins: typeof greater) => ({
  jvp: ([x, y]: readonly NDArray[], [dx = null, dy = null]: readonly (NDArray | null)[], out: NDArray) => {
    const w = selectWeight(x as NDArray, y as NDArray, out, wins)
    return asType(combine(dx && mul(dx, w), dy && mul(dy, sub(1, w)), out.shape), out)
  },
  vjp: (ct: NDArray, [x, y]: readonly NDArray[], out: NDArray, _: unknown, [nx, ny]: readonly boolean[]) => {
    const w = selectWeight(x as NDArray, y as NDArray, out, wins)
    return [
      nx ? cotangentFor(mul(ct, w), x as NDArray) : null,
      ny ? cotangentFor(mul(ct, sub(1, w)), y as NDArray) : null,
    ]
  },
})

export const maximum: Rule<'maximum'> = extremum(greater)
/** d min(x, y): the mirror of maximum, ties split evenly. */
export const minimum: Rule<'minimum'> = extremum(less)
