/**
 * `@nabla/nn` — layers as pure `{ init, apply }` pairs (after stax), activations, losses,
 * metrics and initializers, a functional `trainStep`, and on top the Keras face readers of
 * *Deep Learning with R* know: `kerasModelSequential`, `layerDense`, `compile`, `fit`,
 * `evaluate`, `predict`, `summary`.
 * @module @nabla/nn
 */
export {
  type ActivationName,
  activation,
  activationByName,
  linear,
  logSoftmax,
  relu,
  sigmoid,
  softmax,
  tanh,
} from './activations.js'
export {
  callbackEarlyStopping,
  callbackReduceLrOnPlateau,
  type EarlyStoppingOptions,
  type FitCallbacks,
  type MonitorMode,
  type ReduceLrOnPlateauOptions,
  type TrainingControl,
} from './callbacks.js'
export {
  type CompiledModel,
  type CompileOptions,
  compile,
  getWeights,
  setWeights,
} from './compile.js'
export {
  avgPool2d,
  type Conv2dLayerOptions,
  type Conv2dParams,
  conv2d,
  maxPool2d,
} from './conv.js'
export { type DenseOptions, type DenseParams, dense } from './dense.js'
export { dropout } from './dropout.js'
export {
  type EvaluateOptions,
  type EvaluateResult,
  evaluate,
  type FormatEvaluateOptions,
  formatEvaluate,
} from './evaluate.js'
export { type FitResult, fit } from './fit.js'
export type { FitOptions } from './fitOptions.js'
export { flatten } from './flatten.js'
export { formatHistory, type History, type HistoryParams } from './history.js'
export {
  glorotUniform,
  heNormal,
  type Initializer,
  type InitializerName,
  initializerByName,
  zeros,
} from './initializers.js'
export type { Preprocess } from './kerasData.js'
export {
  type LayerConv2dOptions,
  type LayerDenseOptions,
  type LayerDropoutOptions,
  type LayerFlattenOptions,
  type LayerPooling2dOptions,
  layerAveragePooling2d,
  layerConv2d,
  layerDense,
  layerDropout,
  layerFlatten,
  layerMaxPooling2d,
} from './kerasLayers.js'
export type { LossFunction, LossName, MetricName } from './kerasLoss.js'
export { type ApplyOptions, checkInput, type Layer, type NoParams } from './layer.js'
export {
  binaryCrossentropy,
  type CrossentropyOptions,
  categoricalCrossentropy,
  meanAbsoluteError,
  meanSquaredError,
  softmaxCrossentropy,
  sparseCategoricalCrossentropy,
} from './losses.js'
export { categoricalAccuracy, sparseCategoricalAccuracy } from './metrics.js'
export {
  isSequential,
  type KerasLayer,
  kerasModelSequential,
  type LayerFunction,
  type NamedLayer,
  type Sequential,
  type SequentialOptions,
} from './model.js'
export { type PredictOptions, predict, predictClasses } from './predict.js'
export type { Logs } from './progress.js'
export type { ProgressOutput } from './progressLogger.js'
export {
  modelPenalty,
  penalty,
  type Regularizer,
  regularizerL1,
  regularizerL1L2,
  regularizerL2,
} from './regularizers.js'
export { type RFormatOptions, rFormat } from './rFormat.js'
export {
  decodeModel,
  encodeModel,
  type LoadModelOptions,
  ModelFileError,
  modelConfig,
  modelFormatVersion,
  type SavedModelConfig,
  type SaveModelOptions,
} from './saveModel.js'
export { type SerialParams, serial } from './serial.js'
export { summary } from './summary.js'
export { TrainingError } from './trainingError.js'
export { type TrainState, type TrainStepSpec, type TrainStepWithAuxSpec, trainStep } from './trainStep.js'
