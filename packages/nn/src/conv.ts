/**
 * Convolution and pooling layers, after stax: `conv2d` (kernel [kh, kw, channels, filters] + bias, then an
 * activation), `maxPool2d` and `avgPool2d` over channels-last images. Shapes exclude the batch axis, as every
 * layer's do: an image is [height, width, channels].
 */
import { type Conv2dOptions, conv2d as convolve } from '@nabla/linalg'
import {
  add,
  avgPool2d as avgPool,
  maxPool2d as maxPool,
  type NDArray,
  type Padding,
  type Pool2dOptions,
  split,
  windowGeometry,
} from '@nabla/ndarray'
import { type ActivationName, activationByName } from './activations.js'
import { glorotUniform, type Initializer, zeros } from './initializers.js'
import type { Layer, NoParams } from './layer.js'

/**
 * A convolution's parameters: kernel [kernelHeight, kernelWidth, channels, filters] and bias [filters].
 * @category Layers
 * @example
 * // a 1×1 window over one channel, two filters
 * const params: Conv2dParams = { kernel: ones([1, 1, 1, 2]), bias: array([0, 1]) }
 * const y = conv2d(2, 1).apply(params, ones([1, 2, 2, 1]))
 * y.shape // → [1, 2, 2, 2]
 * toArray(y)[0][0][0] // → [1, 2]
 */
export type Conv2dParams = { readonly kernel: NDArray; readonly bias?: NDArray }

/**
 * Options of the {@link conv2d} layer.
 * @category Layers
 * @example
 * const options: Conv2dLayerOptions = { activation: 'relu', padding: 'same', strides: 2, useBias: false }
 * const [shape, params] = conv2d(4, 3, options).init(key(0), [8, 8, 1])
 * shape // → [4, 4, 4]
 * params.kernel.shape // → [3, 3, 1, 4]
 * params.bias // → undefined
 */
export interface Conv2dLayerOptions extends Conv2dOptions {
  readonly activation?: ActivationName
  readonly kernelInitializer?: Initializer
  readonly biasInitializer?: Initializer
  readonly useBias?: boolean
}

/**
 * Checks a window option of `op` (a size, strides or dilation): one positive integer or two, named `name` in the
 * message; `undefined` is `fallback` in both axes. Internal: shared with the Keras layers.
 */
export const size2 = (op: string, name: string, v: unknown, fallback?: number): [number, number] => {
  const p = v === undefined && fallback !== undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v
  if (!Array.isArray(p) || p.length !== 2 || !p.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`${op}: ${name} must be a positive integer or two of them, got ${show(v)}`)
  }
  return [p[0] as number, p[1] as number]
}

const show = (v: unknown): string => (v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v)))

/** Checks the padding option of `op` ('valid' when undefined). Internal: shared with the Keras layers. */
export const checkPadding = (op: string, padding: unknown): Padding => {
  const p = padding ?? 'valid'
  if (p !== 'valid' && p !== 'same')
    throw new RangeError(`${op}: padding must be 'valid' or 'same', got ${show(padding)}`)
  return p
}

/**
 * Checks pooling options for `op`, Keras's defaults filled in: a 2×2 window, strides the pool size, `valid`.
 * Internal: shared with the Keras layers.
 */
export const poolOptions = (
  op: string,
  options: Pool2dOptions,
): { readonly poolSize: [number, number]; readonly strides: [number, number]; readonly padding: Padding } => {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${op}: expected options { poolSize?, strides?, padding? }, got ${show(options)}`)
  }
  const poolSize = size2(op, 'poolSize', options.poolSize, 2)
  const strides = options.strides === undefined ? poolSize : size2(op, 'strides', options.strides)
  return { poolSize, strides, padding: checkPadding(op, options.padding) }
}

const imageShape = (op: string, shape: readonly number[]): [number, number, number] => {
  if (shape.length !== 3) {
    throw new RangeError(
      `${op}: expected an image input shape [height, width, channels], got [${shape.join(', ')}]; reshape flat inputs first`,
    )
  }
  return shape as [number, number, number]
}

/**
 * A 2-D convolution layer of `filters` filters with windows of `kernelSize`: `activation(conv2d(x, kernel) +
 * bias)`, kernel glorot-uniform (its fans count the window) and bias zeros, as in Keras.
 * @category Layers
 * @example
 * const layer = conv2d(32, 3, { activation: 'relu' })
 * const [shape, params] = layer.init(key(0), [28, 28, 1])
 * shape // → [26, 26, 32]
 * params.kernel.shape // → [3, 3, 1, 32]
 * params.bias.shape // → [32]
 * // a batch of two images
 * layer.apply(params, ones([2, 28, 28, 1])).shape // → [2, 26, 26, 32]
 * conv2d(8, 3, { padding: 'same' }).init(key(0), [28, 28, 1])[0] // → [28, 28, 8]
 * // the options are checked when the layer is made, not at init
 * conv2d(8, 3, { strides: 0 }) // throws RangeError: conv2d: strides must be a positive integer or two of them, got 0
 */
export const conv2d = (
  filters: number,
  kernelSize: number | readonly [number, number],
  {
    activation = 'linear',
    kernelInitializer = glorotUniform,
    biasInitializer = zeros,
    useBias = true,
    ...window
  }: Conv2dLayerOptions = {},
): Layer<Conv2dParams> => {
  const op = 'conv2d'
  if (!Number.isInteger(filters) || filters <= 0)
    throw new RangeError(`${op}: filters must be a positive integer, got ${filters}`)
  const [kh, kw] = size2(op, 'kernelSize', kernelSize)
  size2(op, 'strides', window.strides, 1)
  size2(op, 'dilation', window.dilation, 1)
  checkPadding(op, window.padding)
  const f = activationByName(activation)
  return {
    kind: 'Conv2D',
    init: (key, inputShape) => {
      const [h, w, c] = imageShape(op, inputShape)
      const g = windowGeometry(op, [1, h, w, c], { size: [kh, kw], ...window })
      const [k1, k2] = split(key)
      const kernel = kernelInitializer(k1!, [kh, kw, c, filters])
      return [[g.out[0], g.out[1], filters], useBias ? { kernel, bias: biasInitializer(k2!, [filters]) } : { kernel }]
    },
    // conv2d checks the images' rank and channels against the kernel, and names both shapes
    apply: ({ kernel, bias }, x) => {
      const z = convolve(x, kernel, window)
      return f(bias === undefined ? z : add(z, bias))
    },
  }
}

const poolLayer = (
  kind: 'MaxPooling2D' | 'AveragePooling2D',
  op: string,
  run: (x: NDArray, o: Pool2dOptions) => NDArray,
  options: Pool2dOptions,
): Layer<NoParams> => {
  const o = poolOptions(op, options) // checked now, not at init
  return {
    kind,
    init: (_, inputShape) => {
      const [h, w, c] = imageShape(op, inputShape)
      const g = windowGeometry(op, [1, h, w, c], { size: o.poolSize, strides: o.strides, padding: o.padding })
      return [[g.out[0], g.out[1], c], []]
    },
    apply: (_, x) => run(x, o),
  }
}

/**
 * Max pooling (default 2×2, stride = pool size, `valid`): Keras's `layer_max_pooling_2d`.
 * @category Layers
 * @example
 * maxPool2d().init(key(0), [26, 26, 32])[0] // → [13, 13, 32]
 * const x = reshape(cast(arange(16), 'float32'), [1, 4, 4, 1])
 * toArray(reshape(maxPool2d().apply([], x), [2, 2])) // → [[5, 7], [13, 15]]
 * // the options are checked when the layer is made, not at init
 * maxPool2d({ poolSize: 0 }) // throws RangeError: maxPool2d: poolSize must be a positive integer or two of them, got 0
 */
export const maxPool2d = (options: Pool2dOptions = {}): Layer<NoParams> =>
  poolLayer('MaxPooling2D', 'maxPool2d', maxPool, options)

/**
 * Average pooling (default 2×2, stride = pool size, `valid`): Keras's `layer_average_pooling_2d`.
 * @category Layers
 * @example
 * avgPool2d({ poolSize: 2 }).init(key(0), [26, 26, 32])[0] // → [13, 13, 32]
 * const x = reshape(cast(arange(16), 'float32'), [1, 4, 4, 1])
 * toArray(reshape(avgPool2d().apply([], x), [2, 2])) // → [[2.5, 4.5], [10.5, 12.5]]
 * avgPool2d({ padding: 'full' as Padding }) // throws RangeError: avgPool2d: padding must be 'valid' or 'same', got "full"
 */
export const avgPool2d = (options: Pool2dOptions = {}): Layer<NoParams> =>
  poolLayer('AveragePooling2D', 'avgPool2d', avgPool, options)

export type { Padding }
