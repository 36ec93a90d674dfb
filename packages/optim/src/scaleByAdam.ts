/** scaleByAdam: bias-corrected first and second moment estimates (Keras's arrangement of ε). */
import { add, div, mul, type NDArray, sqrt, square, sub, type Tree, treeMap, zeros } from '@nabla/ndarray'
import type { GradientTransformation } from './transformation.js'

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
  const zerosLike = (params: Tree) => treeMap((p: NDArray) => zeros(p.shape, { dtype: p.dtype }), params) as Tree
  return {
    init: (params) => ({ count: 0, mu: zerosLike(params), nu: zerosLike(params) }),
    update: (grads, state) => {
      const t = state.count + 1
      const mu = treeMap((g: NDArray, m: NDArray) => add(m, mul(sub(g, m), 1 - beta1)), grads, state.mu) as Tree
      const nu = treeMap((g: NDArray, v: NDArray) => add(v, mul(sub(square(g), v), 1 - beta2)), grads, state.nu) as Tree
      const alpha = Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
      const updates = treeMap((m: NDArray, v: NDArray) => div(mul(m, alpha), add(sqrt(v), epsilon)), mu, nu) as Tree
      return [updates, { count: t, mu, nu }]
    },
  }
}
