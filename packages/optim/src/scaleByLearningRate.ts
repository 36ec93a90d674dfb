/** scaleByLearningRate: multiply updates by −lr (descent), with the rate fixed or read from a schedule at each step. */
import { mul, type NDArray, treeMap } from '@nabla/ndarray'
import { checkLearningRate, type LearningRate, learningRateAt } from './schedule.js'
import type { GradientTransformation } from './transformation.js'

/** How many updates have been made (schedules read it). */
export interface ScaleByLearningRateState {
  readonly count: number
}

/**
 * updates ← −lr(count) · updates.
 * @example
 * chain(scaleByRms(), scaleByLearningRate(0.001))
 */
export const scaleByLearningRate = (
  learningRate: LearningRate,
  { flipSign = true }: { readonly flipSign?: boolean } = {},
): GradientTransformation<ScaleByLearningRateState> => {
  checkLearningRate('scaleByLearningRate', learningRate)
  return {
    init: () => ({ count: 0 }),
    update: (grads, { count }) => {
      const lr = learningRateAt(learningRate, count) * (flipSign ? -1 : 1)
      return [treeMap((g: NDArray) => mul(g, lr), grads), { count: count + 1 }]
    },
  }
}
