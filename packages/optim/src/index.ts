/**
 * `@nabla/optim` — optimizers as pure gradient transformations over pytrees, after optax:
 * small transforms (`scaleByRms`, `scaleByAdam`, `trace`, `scaleByLearningRate`…) composed
 * with `chain` into the named optimizers, with Keras's defaults and formulas.
 * @module @nabla/optim
 */
export {
  adagrad,
  adam,
  learningRateOf,
  type OptimizerName,
  optimizer,
  type RmspropOptions,
  rmsprop,
  type SgdOptions,
  sgd,
  withLearningRate,
} from './aliases.js'
export { applyUpdates } from './applyUpdates.js'
export { chain } from './chain.js'
export { type TraceState, trace } from './momentum.js'
export { type ScaleByAdagradState, scaleByAdagrad } from './scaleByAdagrad.js'
export { type ScaleByAdamOptions, type ScaleByAdamState, scaleByAdam } from './scaleByAdam.js'
export { type ScaleByLearningRateState, scaleByLearningRate } from './scaleByLearningRate.js'
export { type ScaleByRmsOptions, type ScaleByRmsState, scaleByRms } from './scaleByRms.js'
export {
  type ExponentialDecayOptions,
  exponentialDecay,
  type LearningRate,
  learningRateAt,
  type PiecewiseConstantOptions,
  piecewiseConstant,
  type Schedule,
} from './schedule.js'
export type { GradientTransformation, OptimizerConfig, StateOf } from './transformation.js'
