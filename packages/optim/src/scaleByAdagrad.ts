/** scaleByAdagrad: divide by the root of the accumulated squared gradients. */
import { add, div, full, type NDArray, sqrt, square, type Tree, treeMap } from '@nabla/ndarray'
import type { GradientTransformation } from './transformation.js'

/**
 * The running sum of g² (started at `initialAccumulatorValue`).
 * @category Transformations
 * @example
 * const opt = scaleByAdagrad({ initialAccumulatorValue: 1 })
 * const state: ScaleByAdagradState = opt.init({ w: zeros([2]) })
 * toArray(state.sumOfSquares.w) // → [1, 1]
 * const [, next] = opt.update({ w: array([1, 2]) }, state)
 * toArray(next.sumOfSquares.w) // → [2, 5]
 */
export interface ScaleByAdagradState {
  readonly sumOfSquares: Tree
}

/**
 * s ← s + g²; updates ← g / √(s + ε) (Keras's form, ε inside the root).
 * @category Transformations
 * @example
 * const opt = scaleByAdagrad()
 * const [updates, state] = opt.update({ w: array([3]) }, opt.init({ w: zeros([1]) }))
 * toArray(state.sumOfSquares.w) // → [9.1]
 * toArray(updates.w) // → [3 / Math.sqrt(9.1 + 1e-7)]
 * chain(scaleByAdagrad(), scaleByLearningRate(1e-3)) // Adagrad
 */
export const scaleByAdagrad = ({
  initialAccumulatorValue = 0.1,
  epsilon = 1e-7,
}: {
  readonly initialAccumulatorValue?: number
  readonly epsilon?: number
} = {}): GradientTransformation<ScaleByAdagradState> => {
  if (!(initialAccumulatorValue >= 0)) {
    throw new RangeError(`scaleByAdagrad: initialAccumulatorValue must be ≥ 0, got ${initialAccumulatorValue}`)
  }
  return {
    init: (params) => ({
      sumOfSquares: treeMap((p: NDArray) => full(p.shape, initialAccumulatorValue, { dtype: p.dtype }), params),
    }),
    update: (grads, state) => {
      const s = treeMap((g: NDArray, a: NDArray) => add(a, square(g)), grads, state.sumOfSquares)
      return [treeMap((g: NDArray, a: NDArray) => div(g, sqrt(add(a, epsilon))), grads, s), { sumOfSquares: s }]
    },
  }
}
