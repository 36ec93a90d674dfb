/**
 * Windows over the two spatial axes of channels-last images [batch, height, width, channels] (Keras's NHWC):
 * the geometry shared by convolution and pooling (`windowGeometry`), the shifted strided views a window is made
 * of (`windowViews`), and max and average pooling built from them. Every step is an existing primitive (pad,
 * slice, maximum, add), so `grad`, `jit` and the other transforms see through pooling with no rules of its own.
 */
import { NDArray } from '../ndarray.js'
import { showShape } from '../shape.js'
import { ones } from './create.js'
import { add, div, maximum, where } from './elementwise.js'
import { pad } from './join.js'
import { slice } from './slice.js'

/** Keras's padding: `valid` (no padding) or `same` (output size ⌈input / stride⌉, padding split as TensorFlow does). */
export type Padding = 'valid' | 'same'

/** Where a window of `size` (with `dilation`) steps by `stride` over each spatial axis, and how the input is padded. */
export interface WindowGeometry {
  readonly out: readonly [number, number]
  /** Padding before and after, per spatial axis. */
  readonly pads: readonly [readonly [number, number], readonly [number, number]]
  readonly size: readonly [number, number]
  readonly strides: readonly [number, number]
  readonly dilation: readonly [number, number]
}

const pair = (op: string, name: string, v: unknown, fallback: number): [number, number] => {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v
  if (!Array.isArray(p) || p.length !== 2 || !p.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`${op}: ${name} must be a positive integer or two of them, got ${JSON.stringify(v)}`)
  }
  return [p[0] as number, p[1] as number]
}

/**
 * Checks an image batch and window options, and works out the output size and padding (TensorFlow's rule for
 * `same`: total padding max((out − 1)·stride + dilation·(size − 1) + 1 − input, 0), the odd one after).
 * @example
 * windowGeometry('maxPool2d', [64, 28, 28, 32], { size: 2, strides: 2, padding: 'valid' }).out // [14, 14]
 */
export const windowGeometry = (
  op: string,
  shape: readonly number[],
  options: {
    readonly size: unknown
    readonly strides?: unknown
    readonly padding?: unknown
    readonly dilation?: unknown
  },
): WindowGeometry => {
  if (shape.length !== 4) {
    throw new RangeError(`${op}: expected images [batch, height, width, channels], got shape ${showShape(shape)}`)
  }
  const size = pair(op, 'the window size', options.size, 1)
  const strides = pair(op, 'strides', options.strides, 1)
  const dilation = pair(op, 'dilation', options.dilation, 1)
  const padding = options.padding ?? 'valid'
  if (padding !== 'valid' && padding !== 'same') {
    throw new RangeError(`${op}: padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`)
  }
  const axes = [0, 1].map((a) => {
    const n = shape[a + 1] as number
    const span = (dilation[a] as number) * ((size[a] as number) - 1) + 1
    const s = strides[a] as number
    if (padding === 'valid') {
      if (n < span) {
        throw new RangeError(
          `${op}: a window spanning ${span} does not fit an input of ${n} along spatial axis ${a + 1} (shape ${showShape(shape)}); use padding 'same' or a smaller window`,
        )
      }
      return { out: Math.floor((n - span) / s) + 1, lo: 0, hi: 0 }
    }
    const out = Math.ceil(n / s)
    const total = Math.max((out - 1) * s + span - n, 0)
    return { out, lo: Math.floor(total / 2), hi: total - Math.floor(total / 2) }
  }) as [{ out: number; lo: number; hi: number }, { out: number; lo: number; hi: number }]
  return {
    out: [axes[0].out, axes[1].out],
    pads: [
      [axes[0].lo, axes[0].hi],
      [axes[1].lo, axes[1].hi],
    ],
    size,
    strides,
    dilation,
  }
}

/**
 * The window's shifted strided views of a padded image batch: view (i, j) holds, for every output position, the
 * input at window offset (i, j); each is [batch, outHeight, outWidth, channels], in row-major order of (i, j).
 * @example
 * windowViews(padded, geometry).length // size[0] · size[1]
 */
export const windowViews = (padded: NDArray, g: WindowGeometry): NDArray[] => {
  const views: NDArray[] = []
  const [oh, ow] = g.out
  for (let i = 0; i < g.size[0]; i++) {
    for (let j = 0; j < g.size[1]; j++) {
      const r = i * g.dilation[0]
      const c = j * g.dilation[1]
      views.push(
        slice(
          padded,
          null,
          [r, r + (oh - 1) * g.strides[0] + 1, g.strides[0]],
          [c, c + (ow - 1) * g.strides[1] + 1, g.strides[1]],
        ),
      )
    }
  }
  return views
}

/** Options of {@link maxPool2d} and {@link avgPool2d}, Keras's `pool_size`, `strides` (default: the pool size), `padding`. */
export interface Pool2dOptions {
  readonly poolSize?: number | readonly [number, number]
  readonly strides?: number | readonly [number, number]
  readonly padding?: Padding
}

const checkImages = (op: string, x: unknown): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`${op}: expected an NDArray of images, got ${typeof x}`)
  if (x.dtype !== 'float32' && x.dtype !== 'float64') {
    throw new TypeError(`${op}: expected float32 or float64 images, got ${x.dtype}`)
  }
  return x
}

const spatialPads = (g: WindowGeometry): [number, number][] => [[0, 0], [...g.pads[0]], [...g.pads[1]], [0, 0]]

/**
 * Max pooling over windows of the two spatial axes (Keras's `layer_max_pooling_2d`): the largest value in each
 * window; with `same` padding, positions outside the image never win. NaN propagates.
 * @example
 * maxPool2d(images, { poolSize: 2 }).shape // [n, 14, 14, c] for [n, 28, 28, c]
 */
export const maxPool2d = (x: NDArray, options: Pool2dOptions = {}): NDArray => {
  const op = 'maxPool2d'
  checkImages(op, x)
  const size = options.poolSize ?? 2
  const g = windowGeometry(op, x.shape, { size, strides: options.strides ?? size, padding: options.padding })
  const padded = g.pads.flat().some((p) => p > 0)
    ? where(pad(ones(x.shape, { dtype: 'bool' }), spatialPads(g)), pad(x, spatialPads(g)), Number.NEGATIVE_INFINITY)
    : x
  return windowViews(padded, g).reduce((a, b) => maximum(a, b))
}

/**
 * Average pooling over windows of the two spatial axes (Keras's `layer_average_pooling_2d`): the mean of each
 * window; with `same` padding, of the positions inside the image only (as Keras counts them).
 * @example
 * avgPool2d(images, { poolSize: 2 }).shape // [n, 14, 14, c] for [n, 28, 28, c]
 */
export const avgPool2d = (x: NDArray, options: Pool2dOptions = {}): NDArray => {
  const op = 'avgPool2d'
  checkImages(op, x)
  const size = options.poolSize ?? 2
  const g = windowGeometry(op, x.shape, { size, strides: options.strides ?? size, padding: options.padding })
  const padded = pad(x, spatialPads(g))
  const total = windowViews(padded, g).reduce((a, b) => add(a, b))
  if (!g.pads.flat().some((p) => p > 0)) return div(total, g.size[0] * g.size[1])
  // how many real positions each window covers: the same windows over a padded image of ones
  const counts = windowViews(
    pad(ones([1, x.shape[1] as number, x.shape[2] as number, 1], { dtype: x.dtype }), spatialPads(g)),
    g,
  ).reduce((a, b) => add(a, b))
  return div(total, counts)
}
