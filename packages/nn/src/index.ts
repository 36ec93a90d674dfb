/**
 * @nabla/nn — layers as pure `{ init, apply }` pairs (after stax), activations, losses,
 * metrics and initializers, a functional `trainStep`, and on top the Keras face readers of
 * *Deep Learning with R* know: `kerasModelSequential`, `layerDense`, `compile`, `fit`,
 * `evaluate`, `predict`, `summary`.
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
export { type DenseOptions, type DenseParams, dense } from './dense.js'
export { dropout } from './dropout.js'
export { flatten } from './flatten.js'
export {
  glorotUniform,
  heNormal,
  type Initializer,
  type InitializerName,
  initializerByName,
  zeros,
} from './initializers.js'
export { type ApplyOptions, checkInput, type Layer, type NoParams } from './layer.js'
export {
  binaryCrossentropy,
  type CrossentropyOptions,
  categoricalCrossentropy,
  meanSquaredError,
  softmaxCrossentropy,
  sparseCategoricalCrossentropy,
} from './losses.js'
export { categoricalAccuracy, sparseCategoricalAccuracy } from './metrics.js'
export { type SerialParams, serial } from './serial.js'
export { type TrainState, type TrainStepSpec, trainStep } from './trainStep.js'
