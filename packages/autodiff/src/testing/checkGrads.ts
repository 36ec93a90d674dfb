/**
 * checkGrads: JAX's numerical check — forward and reverse mode against central finite
 * differences in float64 along random directions, and the identity ⟨ȳ, J·ẋ⟩ = ⟨Jᵀ·ȳ, ẋ⟩.
 */
import {
  add,
  cast,
  item,
  type Key,
  key as makeKey,
  mul,
  type NDArray,
  normal,
  split,
  sub,
  sum,
  zeros,
} from '@nabla/ndarray'
import { jvp } from '../jvp.js'
import { vjp } from '../vjp.js'

/**
 * Options of {@link checkGrads}.
 * @category Testing
 * @example
 * const options: CheckGradsOptions = { order: 2, key: key(1), rtol: 1e-5 }
 * const x = array([0.5, -1], { dtype: 'float64' })
 * checkGrads((x) => sum(mul(x, mul(x, x))), [x], options) // → undefined // first and second derivatives agree
 * checkGrads((x) => sum(x), [x], { modes: [] })          // throws RangeError: modes must name 'fwd' and/or 'rev'
 */
export interface CheckGradsOptions {
  /** Which modes to check (default both). */
  readonly modes?: readonly ('fwd' | 'rev')[]
  /** Finite-difference step (default 1e-4, central differences in float64). */
  readonly eps?: number
  /** Relative/absolute tolerance (default 1e-6 / 1e-6); comparisons with finite differences allow 10× rtol for their truncation error. */
  readonly rtol?: number
  readonly atol?: number
  /** Key for the random directions (default key(0)). */
  readonly key?: Key
  /**
   * Also check the derivatives of the derivatives up to this order (default 1), in the modes asked:
   * with `modes: ['rev']` reverse over reverse, forward mode never running.
   */
  readonly order?: 1 | 2
}

const vdot = (a: NDArray, b: NDArray): number => item(sum(mul(cast(a, 'float64'), cast(b, 'float64'))))

const close = (what: string, got: number, want: number, rtol: number, atol: number): void => {
  if (!(Math.abs(got - want) <= atol + rtol * Math.abs(want))) {
    throw new Error(`checkGrads: ${what}: got ${got}, expected ${want} (|diff| ${Math.abs(got - want)})`)
  }
}

/**
 * Throws with a precise message unless `f`'s derivatives at `args` (float64 arrays) agree
 * with finite differences. Returns nothing on success.
 * @category Testing
 * @example
 * checkGrads((x) => sum(tanh(x)), [normal(key(0), [3, 4], { dtype: 'float64' })]) // → undefined
 * // a wrong hand-written derivative is caught
 * const wrong = customVjp((x) => sum(tanh(x)), {
 *   fwd: (x) => [sum(tanh(x)), x],
 *   bwd: (x, ct) => [mul(ct, ones(x.shape, { dtype: 'float64' }))],
 * })
 * checkGrads(wrong, [normal(key(0), [3], { dtype: 'float64' })]) // throws: vjp vs finite differences
 * checkGrads((x) => sum(x), [ones([3])]) // throws TypeError: finite differences need float64
 */
export const checkGrads = (
  f: (...args: NDArray[]) => NDArray,
  args: readonly NDArray[],
  { modes = ['fwd', 'rev'], eps = 1e-4, rtol = 1e-6, atol = 1e-6, key = makeKey(0), order = 1 }: CheckGradsOptions = {},
): void => {
  if (modes.length === 0 || modes.some((m) => m !== 'fwd' && m !== 'rev')) {
    throw new RangeError(`checkGrads: modes must name 'fwd' and/or 'rev', got ${JSON.stringify(modes)}`)
  }
  for (const [i, a] of args.entries()) {
    if (a.dtype !== 'float64')
      throw new TypeError(`checkGrads: argument ${i} is ${a.dtype}; finite differences need float64`)
  }
  const [kIn, kOut, kNext] = split(key, 3) as [Key, Key, Key]
  const dirKeys = split(kIn, args.length)
  const dirs = args.map((a, i) => normal(dirKeys[i] as Key, a.shape, { dtype: 'float64' }))
  const shifted = (s: number) => f(...args.map((a, i) => add(a, mul(dirs[i] as NDArray, s))))
  const fd = mul(sub(shifted(eps), shifted(-eps)), 1 / (2 * eps))
  // forward mode only when asked: a rule under test may exist in one mode alone
  const [out, tangent] = modes.includes('fwd')
    ? jvp(f as (...a: never[]) => NDArray, args, dirs)
    : [f(...args), undefined]
  const ct = normal(kOut, out.shape, { dtype: 'float64' })
  const scale = Math.max(1, Math.sqrt(vdot(fd, fd)))
  if (tangent !== undefined)
    close('jvp vs finite differences ⟨ȳ, J·ẋ⟩', vdot(ct, tangent) / scale, vdot(ct, fd) / scale, rtol * 10, atol)
  if (modes.includes('rev')) {
    const [, pullback] = vjp(f as (...a: never[]) => NDArray, ...args)
    const cts = pullback(ct) as NDArray[]
    const lhs = cts.reduce((s, c, i) => s + vdot(c, dirs[i] as NDArray), 0)
    close('vjp vs finite differences ⟨Jᵀ·ȳ, ẋ⟩', lhs / scale, vdot(ct, fd) / scale, rtol * 10, atol)
    if (tangent !== undefined) close('vjp vs jvp ⟨Jᵀ·ȳ, ẋ⟩ = ⟨ȳ, J·ẋ⟩', lhs, vdot(ct, tangent), rtol, atol)
  }
  if (order === 2) {
    // the derivative along the random direction is itself a function of the inputs: check it too.
    // With forward mode asked, it is J·ẋ by jvp; with reverse mode alone it is ⟨Jᵀ·ȳ, ẋ⟩ by vjp
    // (checked by vjp again: reverse over reverse), so a rule that exists in reverse mode only is checkable
    const directional = modes.includes('fwd')
      ? (...xs: NDArray[]) => {
          const [, t] = jvp(f as (...a: never[]) => NDArray, xs, dirs)
          return t
        }
      : (...xs: NDArray[]) => {
          const [, pullback] = vjp(f as (...a: never[]) => NDArray, ...xs)
          const cts = pullback(ct) as NDArray[]
          return cts.reduce<NDArray>(
            (s, c, i) => add(s, sum(mul(c, dirs[i] as NDArray))),
            zeros([], { dtype: 'float64' }),
          )
        }
    checkGrads(directional, args, { modes, eps, rtol, atol, key: kNext, order: 1 })
  }
}
