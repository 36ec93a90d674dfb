/** scaleByLearningRate: multiply updates by −lr (descent), with the rate fixed or read from a schedule at each step. */
import { add, array, mul, type NDArray, neg, treeMap } from '@nabla/ndarray'
import { castPerDType } from './castPerDType.js'
import { checkLearningRate, type LearningRate, learningRateAt } from './schedule.js'
import type { GradientTransformation } from './transformation.js'

/**
 * How many updates have been made (schedules read it): a float64 scalar NDArray, so a step can be traced.
 * @category Transformations
 * @example
 * const opt = scaleByLearningRate((step) => 1 / (1 + step))
 * const state: ScaleByLearningRateState = opt.init({})
 * item(state.count) // → 0
 * const [, next] = opt.update({ w: array([1]) }, state)
 * const [updates, last] = opt.update({ w: array([1]) }, next)
 * toArray(updates.w) // → [-0.5]
 * item(last.count) // → 2
 */
export interface ScaleByLearningRateState {
  readonly count: NDArray
}

/**
 * updates ← −lr(count) · updates. A fixed rate, or a schedule's value at a concrete count, is a JS number;
 * under `jit` a schedule's `arrayForm` gives it as a float64 scalar, rounded to each leaf's dtype.
 * @category Transformations
 * @example
 * const opt = scaleByLearningRate(0.5)
 * const [updates, state] = opt.update({ w: array([1, -2]) }, opt.init({}))
 * toArray(updates.w) // → [-0.5, 1]
 * item(state.count) // → 1
 * chain(scaleByRms(), scaleByLearningRate(0.001)) // RMSprop
 */
export const scaleByLearningRate = (
  learningRate: LearningRate,
  { flipSign = true }: { readonly flipSign?: boolean } = {},
): GradientTransformation<ScaleByLearningRateState> => {
  checkLearningRate('scaleByLearningRate', learningRate)
  return {
    init: () => ({ count: array(0, { dtype: 'float64' }) }),
    update: (grads, { count }) => {
      const lr = learningRateAt(learningRate, count)
      const next = { count: add(count, 1) }
      if (typeof lr === 'number') {
        const scale = lr * (flipSign ? -1 : 1)
        return [treeMap((g: NDArray) => mul(g, scale), grads), next]
      }
      const scale = castPerDType(flipSign ? neg(lr) : lr)
      return [treeMap((g: NDArray) => mul(g, scale(g.dtype)), grads), next]
    },
  }
}
