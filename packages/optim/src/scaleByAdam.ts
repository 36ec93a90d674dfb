/** scaleByAdam: bias-corrected first and second moment estimates (Keras's arrangement of ε). */
import { add, div, fuse, mul, type NDArray, sqrt, square, sub, type Tree } from '@nabla/ndarray'
import type { GradientTransformation } from './transformation.js'
import { treeZipWith } from './treeZipWith.js'
import { zerosLike } from './zerosLike.js'

/** Step count and the running moments. */
export interface ScaleByAdamState {
  readonly count: number
  readonly mu: Tree
  readonly nu: Tree
}

/** Options of {@link scaleByAdam}: Keras's defaults. */
export interface ScaleByAdamOptions {
  readonly beta1?: number
  readonly beta2?: number
  readonly epsilon?: number
}

/**
 * The step on one leaf, `[update, m', v']`: m' ← m + (1−β₁)(g − m); v' ← v + (1−β₂)(g² − v);
 * update ← m'·scale / (√v' + ε), where `scale` holds the bias correction √(1−β₂ᵗ)/(1−β₁ᵗ)
 * (times the learning rate in `adam`'s fused `updateAndApply`, which shares this formula).
 * @example
 * const [update, m, v] = adamLeaf(0.9, 0.999, 1e-7, alpha)(g, m0, v0)
 */
export const adamLeaf =
  (beta1: number, beta2: number, epsilon: number, scale: number) =>
  (g: NDArray, m: NDArray, v: NDArray): [NDArray, NDArray, NDArray] => {
    const mu = add(m, mul(sub(g, m), 1 - beta1))
    const nu = add(v, mul(sub(square(g), v), 1 - beta2))
    return [div(mul(mu, scale), add(sqrt(nu), epsilon)), mu, nu]
  }

/**
 * m ← m + (1−β₁)(g − m); v ← v + (1−β₂)(g² − v);
 * updates ← m · √(1−β₂ᵗ)/(1−β₁ᵗ) / (√v + ε), as Keras computes it (ε not bias-corrected).
 * @example
 * chain(scaleByAdam(), scaleByLearningRate(1e-3))
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
    init: (params) => ({ count: 0, mu: zerosLike(params), nu: zerosLike(params) }),
    update: (grads, state) => {
      const t = state.count + 1
      const alpha = Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
      // one fused pass per leaf: read g, m, v; write the update, m and v (constants are loop arguments, so
      // the generated loop is reused from step to step)
      const [updates, mu, nu] = treeZipWith(fuse(adamLeaf(beta1, beta2, epsilon, alpha)), grads, state.mu, state.nu)
      return [updates, { count: t, mu, nu }]
    },
  }
}
