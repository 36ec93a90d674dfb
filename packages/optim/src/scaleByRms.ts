/** scaleByRms: divide by a running root-mean-square of the gradients (the core of RMSprop). */
import { add, div, mul, type NDArray, sqrt, square, sub, type Tree } from '@nabla/ndarray'
import type { GradientTransformation } from './transformation.js'
import { treeZipWith } from './treeZipWith.js'
import { zerosLike } from './zerosLike.js'

/**
 * Running mean of g² (`nu`) and, only when centered, of g (`mu`).
 * @category Transformations
 * @example
 * const opt = scaleByRms({ rho: 0.5, centered: true })
 * const state: ScaleByRmsState = opt.init({ w: zeros([1]) })
 * const [, next] = opt.update({ w: array([2]) }, state)
 * toArray(next.nu.w) // → [2]
 * toArray(next.mu.w) // → [1]
 * scaleByRms().init({ w: zeros([1]) }).mu // → undefined
 */
export interface ScaleByRmsState {
  readonly nu: Tree
  readonly mu?: Tree
}

/**
 * Options of {@link scaleByRms}: Keras's defaults.
 * @category Transformations
 * @example
 * const options: ScaleByRmsOptions = { rho: 0.5, epsilon: 0 }
 * const opt = scaleByRms(options)
 * const [updates] = opt.update({ w: array([2, -4]) }, opt.init({ w: zeros([2]) }))
 * // ν = 0.5·g², so g/√ν = ±√2
 * toArray(updates.w) // → [Math.SQRT2, -Math.SQRT2]
 * scaleByRms({ rho: 1 }) // throws RangeError: rho must be in [0, 1)
 */
export interface ScaleByRmsOptions {
  readonly rho?: number
  readonly epsilon?: number
  readonly centered?: boolean
}

/**
 * The uncentered step on one leaf, `[update, ν']`: ν' ← ρν + (1−ρ)g²; update ← g / √(ν' + ε).
 * @example
 * // internal (not exported): scaleByRms's uncentered step on each leaf. From ν = 0, with g = 2:
 * const opt = scaleByRms({ rho: 0.9 })
 * const [updates, state] = opt.update({ w: array([2]) }, opt.init({ w: zeros([1]) }))
 * toArray(state.nu.w) // → [0.4]
 * toArray(updates.w) // → [2 / Math.sqrt(0.4 + 1e-7)]
 */
export const rmsLeaf =
  (rho: number, epsilon: number) =>
  (g: NDArray, v: NDArray): [NDArray, NDArray] => {
    const nu = add(mul(v, rho), mul(square(g), 1 - rho))
    return [div(g, sqrt(add(nu, epsilon))), nu]
  }

/**
 * ν ← ρν + (1−ρ)g²; updates ← g / √(ν + ε) — ε inside the square root, as Keras has it
 * (centered: ν − μ² in place of ν, with μ ← ρμ + (1−ρ)g).
 * @category Transformations
 * @example
 * const opt = chain(scaleByRms({ rho: 0.9 }), scaleByLearningRate(1e-3))
 * const [updates] = opt.update({ w: array([2]) }, opt.init({ w: zeros([1]) }))
 * toArray(updates.w) // → [(-1e-3 * 2) / Math.sqrt(0.4 + 1e-7)]
 * scaleByRms({ centered: true }).init({ w: zeros([1]) }).mu !== undefined // → true
 */
export const scaleByRms = ({
  rho = 0.9,
  epsilon = 1e-7,
  centered = false,
}: ScaleByRmsOptions = {}): GradientTransformation<ScaleByRmsState> => {
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`scaleByRms: rho must be in [0, 1), got ${rho}`)
  if (!(epsilon >= 0)) throw new RangeError(`scaleByRms: epsilon must be ≥ 0, got ${epsilon}`)
  // each op rounds to the leaf's dtype (under jit a leaf's ops become one fused loop, with the same bits)
  const plain = rmsLeaf(rho, epsilon)
  const centeredStep = (g: NDArray, v: NDArray, m: NDArray): [NDArray, NDArray, NDArray] => {
    const nu = add(mul(v, rho), mul(square(g), 1 - rho))
    const mu = add(mul(m, rho), mul(g, 1 - rho))
    return [div(g, sqrt(add(sub(nu, square(mu)), epsilon))), nu, mu]
  }
  return {
    init: (params) => (centered ? { nu: zerosLike(params), mu: zerosLike(params) } : { nu: zerosLike(params) }),
    update: (grads, state) => {
      if (state.mu === undefined) {
        const [updates, nu] = treeZipWith(plain, grads, state.nu)
        return [updates, { nu }]
      }
      const [updates, nu, mu] = treeZipWith(centeredStep, grads, state.nu, state.mu)
      return [updates, { nu, mu }]
    },
  }
}
