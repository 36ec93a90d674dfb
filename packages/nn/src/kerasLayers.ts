/** Keras's layer functions (`layer_dense`, `layer_dropout`, `layer_flatten`): each adds a layer to a Sequential model. */
import { add, type NDArray, type Padding, type Shape } from '@nabla/ndarray'
import { type ActivationName, activationByName } from './activations.js'
import { avgPool2d, checkPadding, conv2d, maxPool2d, poolOptions, size2 } from './conv.js'
import { dense } from './dense.js'
import { dropout } from './dropout.js'
import { flatten } from './flatten.js'
import { type Initializer, type InitializerName, initializerByName } from './initializers.js'
import { type KerasLayer, type LayerFunction, layerFunction, type Sequential } from './model.js'
import { checkRegularizer, penalty, type Regularizer } from './regularizers.js'

const checkShape = (op: string, shape: Shape | undefined): Shape | undefined => {
  if (shape === undefined) return undefined
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new RangeError(
      `${op}: inputShape must be a non-empty list of positive integers (the shape of one sample, e.g. [784]), got ${JSON.stringify(shape)}`,
    )
  }
  return Object.freeze([...shape])
}

const initializer = (op: string, init: Initializer | InitializerName): Initializer => {
  if (typeof init === 'function') return init
  try {
    return initializerByName(init)
  } catch (e) {
    throw new RangeError(`${op}: ${(e as Error).message}`)
  }
}

const initializerName = (init: Initializer | InitializerName): InitializerName | 'custom' =>
  typeof init === 'function' ? 'custom' : init

const checkActivation = (op: string, name: ActivationName): ActivationName => {
  try {
    activationByName(name)
  } catch (e) {
    throw new RangeError(`${op}: ${(e as Error).message}`)
  }
  return name
}

/**
 * Options of {@link layerDense} (Keras's arguments, camelCase).
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const options: LayerDenseOptions = { units: 2, inputShape: [3], useBias: false, kernelInitializer: 'zeros', name: 'logits' }
 * const model = compile(pipe(kerasModelSequential(), layerDense(options)), { optimizer: 'sgd', loss: 'mse' })
 * model.layers[0].name // → 'logits'
 * Object.keys(getWeights(model)[0]) // → ['kernel']
 * toArray(predict(model, ones([1, 3]))) // → [[0, 0]]
 * layerDense({ units: 2.5 }) // throws RangeError: units must be a positive integer
 */
export interface LayerDenseOptions {
  readonly units: number
  /** 'relu', 'softmax', 'sigmoid', 'tanh' or 'linear' (the default). */
  readonly activation?: ActivationName
  /** The shape of one sample; required on a model's first layer. */
  readonly inputShape?: Shape
  /** Default 'glorot_uniform', as Keras. */
  readonly kernelInitializer?: Initializer | InitializerName
  /** Default 'zeros', as Keras. */
  readonly biasInitializer?: Initializer | InitializerName
  /** Add a bias (default true). */
  readonly useBias?: boolean
  /** The layer's name (default dense, dense_1, …). */
  readonly name?: string
  /** A penalty on the kernel added to the loss: `regularizerL1`, `regularizerL2` or `regularizerL1L2`. */
  readonly kernelRegularizer?: Regularizer
  /** A penalty on the bias added to the loss. */
  readonly biasRegularizer?: Regularizer
}

/**
 * What a layer with a kernel and a bias (dense, conv2d) shares: its initializers checked, its regularizers as the
 * penalty training adds to the loss, and their part of the saved configuration.
 */
const weightLayer = (
  op: string,
  options: {
    readonly kernelInitializer?: Initializer | InitializerName
    readonly biasInitializer?: Initializer | InitializerName
    readonly kernelRegularizer?: Regularizer
    readonly biasRegularizer?: Regularizer
  },
) => {
  const kernelInitializer = initializer(op, options.kernelInitializer ?? 'glorot_uniform')
  const biasInitializer = initializer(op, options.biasInitializer ?? 'zeros')
  const kernelRegularizer = checkRegularizer(op, 'kernelRegularizer', options.kernelRegularizer)
  const biasRegularizer = checkRegularizer(op, 'biasRegularizer', options.biasRegularizer)
  const regularization =
    kernelRegularizer === undefined && biasRegularizer === undefined
      ? undefined
      : (p: unknown): NDArray => {
          const { kernel, bias } = p as { readonly kernel: NDArray; readonly bias?: NDArray }
          const terms = [
            kernelRegularizer === undefined ? undefined : penalty(kernelRegularizer, kernel),
            biasRegularizer === undefined || bias === undefined ? undefined : penalty(biasRegularizer, bias),
          ].filter((t): t is NDArray => t !== undefined)
          return terms.reduce((a, b) => add(a, b))
        }
  return {
    kernelInitializer,
    biasInitializer,
    regularization: regularization === undefined ? {} : { regularization },
    // a function initializer is stored as 'custom': a loaded model's weights come from the file
    config: {
      kernelInitializer: initializerName(options.kernelInitializer ?? 'glorot_uniform'),
      biasInitializer: initializerName(options.biasInitializer ?? 'zeros'),
      ...(kernelRegularizer === undefined ? {} : { kernelRegularizer: { ...kernelRegularizer } }),
      ...(biasRegularizer === undefined ? {} : { biasRegularizer: { ...biasRegularizer } }),
    },
  }
}

/**
 * Adds a densely connected layer, `activation(dot(input, kernel) + bias)`: Keras's
 * `layer_dense`. Data-last for `pipe`, or data-first `layerDense(model, options)`.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 512, activation: 'relu', inputShape: [28 * 28] }),
 *   layerDense({ units: 10, activation: 'softmax' }),
 * )
 * network.layers.map((l) => [l.name, l.activation]) // → [['dense', 'relu'], ['dense_1', 'softmax']]
 * compile(network, { optimizer: 'rmsprop', loss: 'mse' }).outputShape // → [10]
 */
export const layerDense: LayerFunction<LayerDenseOptions> = layerFunction((options: LayerDenseOptions): KerasLayer => {
  const op = 'layerDense'
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${op}: expected options { units, activation?, inputShape? }, got ${String(options)}`)
  }
  const { units, activation = 'linear', useBias = true, name } = options
  if (!Number.isInteger(units) || units <= 0)
    throw new RangeError(`${op}: units must be a positive integer, got ${units}`)
  checkActivation(op, activation)
  const inputShape = checkShape(op, options.inputShape)
  const { kernelInitializer, biasInitializer, regularization, config } = weightLayer(op, options)
  return {
    kind: 'Dense',
    ...regularization,
    activation,
    ...(name === undefined ? {} : { name }),
    ...(inputShape === undefined ? {} : { inputShape }),
    build: (act = activation) => dense(units, { activation: act, kernelInitializer, biasInitializer, useBias }),
    config: {
      units,
      activation,
      useBias,
      ...(inputShape === undefined ? {} : { inputShape: [...inputShape] }),
      ...config,
    },
  }
})

/**
 * Options of {@link layerDropout}.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const options: LayerDropoutOptions = { rate: 0.25, inputShape: [4], name: 'drop' }
 * const network = pipe(kerasModelSequential(), layerDropout(options), layerDense({ units: 1 }))
 * network.layers[0].name // → 'drop'
 * network.layers[0].config // → { rate: 0.25, inputShape: [4] }
 * compile(network, { optimizer: 'sgd', loss: 'mse' }).inputShape // → [4]
 */
export interface LayerDropoutOptions {
  /** The fraction of inputs dropped while training, in [0, 1). */
  readonly rate: number
  readonly inputShape?: Shape
  readonly name?: string
}

/**
 * Adds dropout: while fitting, each input is zeroed with probability `rate` (the rest
 * scaled by 1/(1 − rate)); identity in evaluate and predict. Keras's `layer_dropout`.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 16, activation: 'relu', inputShape: [10000] }),
 *   layerDropout({ rate: 0.5 }),
 * )
 * network.layers[1].kind // → 'Dropout'
 * layerDropout({ rate: 1 }) // throws RangeError: rate must be a number in [0, 1)
 */
export const layerDropout: LayerFunction<LayerDropoutOptions> = layerFunction((options: LayerDropoutOptions) => {
  const op = 'layerDropout'
  const rate = options?.rate
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new RangeError(`${op}: rate must be a number in [0, 1), got ${String(rate)}`)
  }
  const inputShape = checkShape(op, options.inputShape)
  return {
    kind: 'Dropout',
    activation: 'linear',
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(inputShape === undefined ? {} : { inputShape }),
    build: () => dropout(rate),
    config: { rate, ...(inputShape === undefined ? {} : { inputShape: [...inputShape] }) },
  }
})

/**
 * Options of {@link layerFlatten}.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const options: LayerFlattenOptions = { inputShape: [4, 4, 2], name: 'to_vector' }
 * const network = pipe(kerasModelSequential(), layerFlatten(options), layerDense({ units: 1 }))
 * network.layers[0].name // → 'to_vector'
 * getWeights(compile(network, { optimizer: 'sgd', loss: 'mse' }))[1].kernel.shape // → [32, 1]
 */
export interface LayerFlattenOptions {
  readonly inputShape?: Shape
  readonly name?: string
}

/**
 * Adds a flatten layer: each sample becomes a vector ([batch, 28, 28] → [batch, 784]).
 * Keras's `layer_flatten`.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerFlatten({ inputShape: [28, 28] }),
 *   layerDense({ units: 10, activation: 'softmax' }),
 * )
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy' })
 * getWeights(model)[1].kernel.shape // → [784, 10]
 * predict(model, ones([2, 28, 28])).shape // → [2, 10]
 */
export const layerFlatten: {
  (options?: LayerFlattenOptions): (model: Sequential) => Sequential
  (model: Sequential, options?: LayerFlattenOptions): Sequential
} = layerFunction((options: LayerFlattenOptions | undefined = {}) => {
  const inputShape = checkShape('layerFlatten', options.inputShape)
  return {
    kind: 'Flatten',
    activation: 'linear',
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(inputShape === undefined ? {} : { inputShape }),
    build: () => flatten(),
    config: inputShape === undefined ? {} : { inputShape: [...inputShape] },
  }
})

/**
 * Options of {@link layerConv2d}, Keras's arguments in camelCase.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const options: LayerConv2dOptions = { filters: 8, kernelSize: [3, 3], strides: 2, padding: 'same', inputShape: [28, 28, 1] }
 * const model = compile(pipe(kerasModelSequential(), layerConv2d(options)), { optimizer: 'sgd', loss: 'mse' })
 * model.outputShape // → [14, 14, 8]
 * model.layers[0].config.strides // → [2, 2]
 * layerConv2d({ filters: 0, kernelSize: 3 }) // throws RangeError: layerConv2d: filters must be a positive integer
 * layerConv2d({ filters: 8, kernelSize: 3, strides: 0 }) // throws RangeError: layerConv2d: strides must be a positive integer or two of them, got 0
 */
export interface LayerConv2dOptions {
  readonly filters: number
  /** The window's height and width (one number for a square window). */
  readonly kernelSize: number | readonly [number, number]
  /** Default 1. */
  readonly strides?: number | readonly [number, number]
  /** 'valid' (default) or 'same'. */
  readonly padding?: Padding
  /** Default 1. */
  readonly dilationRate?: number | readonly [number, number]
  /** 'relu', 'softmax', 'sigmoid', 'tanh' or 'linear' (the default). */
  readonly activation?: ActivationName
  /** The shape of one image, [height, width, channels]; required on a model's first layer. */
  readonly inputShape?: Shape
  readonly kernelInitializer?: Initializer | InitializerName
  readonly biasInitializer?: Initializer | InitializerName
  readonly useBias?: boolean
  readonly kernelRegularizer?: Regularizer
  readonly biasRegularizer?: Regularizer
  readonly name?: string
}

const sizeConfig = (v: number | readonly [number, number] | undefined, fallback: number) =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [...v]

/**
 * Adds a 2-D convolution over channels-last images: Keras's `layer_conv_2d` (chapter 5's convnet).
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerConv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
 * )
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'mse' })
 * model.outputShape // → [26, 26, 32]
 * getWeights(model)[0].kernel.shape // → [3, 3, 1, 32]
 */
export const layerConv2d: LayerFunction<LayerConv2dOptions> = layerFunction((options: LayerConv2dOptions) => {
  const op = 'layerConv2d'
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${op}: expected options { filters, kernelSize, activation?, inputShape? }, got ${String(options)}`,
    )
  }
  const { filters, kernelSize, activation = 'linear', useBias = true, name } = options
  if (!Number.isInteger(filters) || filters <= 0)
    throw new RangeError(`${op}: filters must be a positive integer, got ${filters}`)
  size2(op, 'kernelSize', kernelSize)
  size2(op, 'strides', options.strides, 1)
  size2(op, 'dilationRate', options.dilationRate, 1)
  const padding = checkPadding(op, options.padding)
  checkActivation(op, activation)
  const inputShape = checkShape(op, options.inputShape)
  const { kernelInitializer, biasInitializer, regularization, config } = weightLayer(op, options)
  const window = {
    ...(options.strides === undefined ? {} : { strides: options.strides }),
    ...(options.dilationRate === undefined ? {} : { dilation: options.dilationRate }),
    padding,
  }
  // every option is checked above, under this function's name and Keras's spelling of it, not at compile
  const build = (act: ActivationName = activation) =>
    conv2d(filters, kernelSize, { activation: act, kernelInitializer, biasInitializer, useBias, ...window })
  return {
    kind: 'Conv2D',
    activation,
    ...(name === undefined ? {} : { name }),
    ...(inputShape === undefined ? {} : { inputShape }),
    ...regularization,
    build,
    config: {
      filters,
      kernelSize: sizeConfig(kernelSize, 1),
      strides: sizeConfig(options.strides, 1),
      padding,
      dilationRate: sizeConfig(options.dilationRate, 1),
      activation,
      useBias,
      ...(inputShape === undefined ? {} : { inputShape: [...inputShape] }),
      ...config,
    },
  }
})

/**
 * Options of {@link layerMaxPooling2d} and {@link layerAveragePooling2d}, Keras's arguments in camelCase.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const options: LayerPooling2dOptions = { poolSize: 3, strides: 1, inputShape: [5, 5, 2] }
 * const network = pipe(kerasModelSequential(), layerMaxPooling2d(options), layerFlatten(), layerDense({ units: 1 }))
 * getWeights(compile(network, { optimizer: 'sgd', loss: 'mse' }))[2].kernel.shape // → [3 * 3 * 2, 1]
 * network.layers[0].config // → { poolSize: [3, 3], strides: [1, 1], padding: 'valid', inputShape: [5, 5, 2] }
 * // the options are checked when the layer is made, not when the model is built
 * layerAveragePooling2d({ poolSize: 0, inputShape: [5, 5, 2] }) // throws RangeError: layerAveragePooling2d: poolSize must be a positive integer or two of them, got 0
 */
export interface LayerPooling2dOptions {
  /** Default 2 (a 2×2 window). */
  readonly poolSize?: number | readonly [number, number]
  /** Default: the pool size. */
  readonly strides?: number | readonly [number, number]
  readonly padding?: Padding
  readonly inputShape?: Shape
  readonly name?: string
}

const poolingLayer =
  (kind: 'MaxPooling2D' | 'AveragePooling2D', op: string, make: typeof maxPool2d) =>
  (options: LayerPooling2dOptions | undefined = {}): KerasLayer => {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `${op}: expected options { poolSize?, strides?, padding?, inputShape? }, got ${String(options)}`,
      )
    }
    // checked now, under this function's name, not when the model is built
    const pool = poolOptions(op, options)
    const inputShape = checkShape(op, options.inputShape)
    return {
      kind,
      activation: 'linear',
      ...(options.name === undefined ? {} : { name: options.name }),
      ...(inputShape === undefined ? {} : { inputShape }),
      build: () => make(pool),
      config: {
        poolSize: [...pool.poolSize],
        strides: [...pool.strides],
        padding: pool.padding,
        ...(inputShape === undefined ? {} : { inputShape: [...inputShape] }),
      },
    }
  }

/**
 * Adds max pooling over 2-D windows (default 2×2, stride 2): Keras's `layer_max_pooling_2d`.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerConv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
 * )
 * const pooled = pipe(network, layerMaxPooling2d({ poolSize: 2 }))
 * compile(pooled, { optimizer: 'rmsprop', loss: 'mse' }).outputShape // → [13, 13, 32]
 * pooled.layers[1].name // → 'max_pooling2d'
 */
export const layerMaxPooling2d: {
  (options?: LayerPooling2dOptions): (model: Sequential) => Sequential
  (model: Sequential, options?: LayerPooling2dOptions): Sequential
} = layerFunction(poolingLayer('MaxPooling2D', 'layerMaxPooling2d', maxPool2d))

/**
 * Adds average pooling over 2-D windows (default 2×2, stride 2): Keras's `layer_average_pooling_2d`.
 * @category Layers
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerConv2d({ filters: 8, kernelSize: 3, inputShape: [28, 28, 1] }),
 * )
 * const pooled = pipe(network, layerAveragePooling2d())
 * compile(pooled, { optimizer: 'rmsprop', loss: 'mse' }).outputShape // → [13, 13, 8]
 */
export const layerAveragePooling2d: {
  (options?: LayerPooling2dOptions): (model: Sequential) => Sequential
  (model: Sequential, options?: LayerPooling2dOptions): Sequential
} = layerFunction(poolingLayer('AveragePooling2D', 'layerAveragePooling2d', avgPool2d))
