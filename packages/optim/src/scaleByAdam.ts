/** scaleByAdam: bias-corrected first and second moment estimates (Keras's arrangement of ε). */
import { add, array, div, mul, type NDArray, type Operand, pow, sqrt, square, sub, type Tree } from '@nabla/ndarray'
import { castPerDType } from './castPerDType.js'
import type { GradientTransformation } from './transformation.js'
import { treeZipWith } from './treeZipWith.js'
import { zerosLike } from './zerosLike.js'

/**
 * Step count (a float64 scalar NDArray, so the state is all arrays and a step can be traced) and the running moments.
 * @category Transformations
 * @example
 * const opt = scaleByAdam()
 * const state: ScaleByAdamState = opt.init({ w: zeros([2]) })
 * state.count.dtype // → 'float64'
 * const [, next] = opt.update({ w: array([1, -1]) }, state)
 * item(next.count) // → 1
 * toArray(next.mu.w) // → [0.1, -0.1]
 * toArray(next.nu.w) // → [0.001, 0.001]
 */
export interface ScaleByAdamState {
  readonly count: NDArray
  readonly mu: Tree
  readonly nu: Tree
}

/**
 * Options of {@link scaleByAdam}: Keras's defaults.
 * @category Transformations
 * @example
 * const options: ScaleByAdamOptions = { beta1: 0.5, beta2: 0.5 }
 * const opt = scaleByAdam(options)
 * const [updates, state] = opt.update({ w: array([2]) }, opt.init({ w: zeros([1]) }))
 * toArray(state.mu.w) // → [1]
 * toArray(state.nu.w) // → [2]
 * // m·√(1−β₂)/(1−β₁) / (√v + ε)
 * toArray(updates.w) // → [(1 * (Math.sqrt(0.5) / 0.5)) / (Math.sqrt(2) + 1e-7)]
 * scaleByAdam({ beta1: 1 }) // throws RangeError: beta1 must be in [0, 1)
 */
export interface ScaleByAdamOptions {
  readonly beta1?: number
  readonly beta2?: number
  readonly epsilon?: number
}

/**
 * The step on one leaf, `[update, m', v']`: m' ← m + (1−β₁)(g − m); v' ← v + (1−β₂)(g² − v);
 * update ← m'·scale / (√v' + ε), where `scale` holds the bias correction √(1−β₂ᵗ)/(1−β₁ᵗ) (a scalar
 * of the leaf's dtype).
 * @example
 * // internal (not exported): scaleByAdam's step on each leaf. From zero moments, with g = 2:
 * const opt = scaleByAdam()
 * const [updates, state] = opt.update({ w: array([2]) }, opt.init({ w: zeros([1]) }))
 * toArray(state.mu.w) // → [0.2]
 * toArray(state.nu.w) // → [0.004]
 * // m'·scale/(√v' + ε), scale = √(1−β₂)/(1−β₁) at t = 1
 * toArray(updates.w) // → [(0.2 * (Math.sqrt(0.001) / 0.1)) / (Math.sqrt(0.004) + 1e-7)]
 */
export const adamLeaf =
  (beta1: number, beta2: number, epsilon: number, scale: Operand) =>
  (g: NDArray, m: NDArray, v: NDArray): [NDArray, NDArray, NDArray] => {
    const mu = add(m, mul(sub(g, m), 1 - beta1))
    const nu = add(v, mul(sub(square(g), v), 1 - beta2))
    return [div(mul(mu, scale), add(sqrt(nu), epsilon)), mu, nu]
  }

/**
 * m ← m + (1−β₁)(g − m); v ← v + (1−β₂)(g² − v);
 * updates ← m · √(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε), as Keras computes it (ε not bias-corrected).
 * The state's `count` is a float64 scalar; the bias correction is computed from it in float64 (the
 * doubles JavaScript would compute) and rounded to each leaf's dtype.
 * @category Transformations
 * @example
 * const opt = chain(scaleByAdam(), scaleByLearningRate(1e-3))
 * const [updates] = opt.update({ w: array([4, -0.1]) }, opt.init({ w: zeros([2]) }))
 * // the first bias-corrected step is about −lr·sign(g)
 * toArray(updates.w) // → [-1e-3, 1e-3]
 */
export const scaleByAdam = ({
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon = 1e-7,
}: ScaleByAdamOptions = {}): GradientTransformation<ScaleByAdamState> => {
  for (const [name, b] of [
    ['beta1', beta1],
    ['beta2', beta2],
  ] as const) {
    if (!(b >= 0 && b < 1)) throw new RangeError(`scaleByAdam: ${name} must be in [0, 1), got ${b}`)
  }
  return {
    init: (params) => ({ count: array(0, { dtype: 'float64' }), mu: zerosLike(params), nu: zerosLike(params) }),
    update: (grads, state) => {
      const t = add(state.count, 1)
      // √(1 − β₂ᵗ) / (1 − β₁ᵗ) in float64, then in each leaf's dtype (as a JS number would be)
      const alpha = castPerDType(div(sqrt(sub(1, pow(beta2, t))), sub(1, pow(beta1, t))))
      // each op rounds to the leaf's dtype (under jit the leaf's ops become one fused loop, with the same bits)
      const [updates, mu, nu] = treeZipWith(
        (g: NDArray, m: NDArray, v: NDArray) => adamLeaf(beta1, beta2, epsilon, alpha(g.dtype))(g, m, v),
        grads,
        state.mu,
        state.nu,
      )
      return [updates, { count: t, mu, nu }]
    },
  }
}
