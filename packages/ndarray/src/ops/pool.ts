/**
 * Windows over the two spatial axes of channels-last images [batch, height, width, channels] (Keras's NHWC):
 * the geometry shared by convolution and pooling (`windowGeometry`), the shifted strided views a window is made
 * of (`windowViews`), and max and average pooling, each one `reduceWindow` primitive (a windowed max or sum with
 * its own derivative and batching rules in @nabla/autodiff).
 */
import { axisTaps } from '../kernels/window.js'
import { NDArray } from '../ndarray.js'
import type { WindowParams } from '../primitive.js'
import { showShape } from '../shape.js'
import { bind } from '../trace.js'
import { array } from './create.js'
import { div } from './elementwise.js'
import { slice } from './slice.js'

/**
 * Keras's padding: `valid` (no padding) or `same` (output size ⌈input / stride⌉, padding split as TensorFlow does).
 * @category Pooling
 * @example
 * const padding: Padding = 'same'
 * const g = windowGeometry('maxPool2d', [1, 5, 5, 1], { size: 2, strides: 2, padding })
 * g.out  // → [3, 3] // ⌈5 / 2⌉
 * g.pads // → [[0, 1], [0, 1]] // the odd padding after
 * maxPool2d(zeros([1, 5, 5, 1]), { padding: 'valid' }).shape // → [1, 2, 2, 1]
 */
export type Padding = 'valid' | 'same'

/**
 * Where a window of `size` (with `dilation`) steps by `stride` over each spatial axis, and how the input is padded.
 * @category Pooling
 * @example
 * const g: WindowGeometry = windowGeometry('conv2d', [1, 5, 5, 1], { size: 2, dilation: 2 })
 * g.out      // → [3, 3] // each window spans 3 inputs with dilation 2
 * g.strides  // → [1, 1]
 * g.pads     // → [[0, 0], [0, 0]]
 * windowViews(zeros([1, 5, 5, 1]), g).length // → 4 // one view per tap of the 2×2 window
 */
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
 * @category Pooling
 * @example
 * windowGeometry('maxPool2d', [64, 28, 28, 32], { size: 2, strides: 2, padding: 'valid' }).out // → [14, 14]
 * const same = windowGeometry('conv2d', [1, 5, 5, 1], { size: 3, strides: 2, padding: 'same' })
 * same.out  // → [3, 3]
 * same.pads // → [[1, 1], [1, 1]]
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
 * @category Pooling
 * @example
 * const images = reshape(arange(0, 16, 1, { dtype: 'float32' }), [1, 4, 4, 1])
 * const views = windowViews(images, windowGeometry('maxPool2d', images.shape, { size: 2, strides: 2 }))
 * views.length                        // → 4 // size[0] · size[1]
 * toArray(reshape(views[0]!, [2, 2])) // → [[0, 2], [8, 10]] // offset (0, 0) of each window
 * toArray(reshape(views[3]!, [2, 2])) // → [[5, 7], [13, 15]] // offset (1, 1)
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

/**
 * Options of {@link maxPool2d} and {@link avgPool2d}, Keras's `pool_size`, `strides` (default: the pool size), `padding`.
 * @category Pooling
 * @example
 * const options: Pool2dOptions = { poolSize: [1, 2], strides: [1, 2] }
 * const images = reshape(arange(0, 8, 1, { dtype: 'float32' }), [1, 2, 4, 1])
 * toArray(reshape(maxPool2d(images, options), [2, 2])) // → [[1, 3], [5, 7]]
 * toArray(reshape(avgPool2d(images, options), [2, 2])) // → [[0.5, 2.5], [4.5, 6.5]]
 */
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

/** The `reduceWindow` parameters of a window geometry (no holes between the input's elements). */
const windowParams = (g: WindowGeometry): WindowParams => ({
  window: g.size,
  strides: g.strides,
  padding: g.pads,
  dilation: g.dilation,
  baseDilation: [1, 1],
})

/**
 * Max pooling over windows of the two spatial axes (Keras's `layer_max_pooling_2d`): the largest value in each
 * window; with `same` padding, positions outside the image never win. NaN propagates. The gradient goes to each
 * window's first maximum in row-major order (as TensorFlow's and XLA's select-and-scatter).
 * @category Pooling
 * @example
 * maxPool2d(zeros([8, 28, 28, 3]), { poolSize: 2 }).shape // → [8, 14, 14, 3]
 * const images = reshape(arange(0, 16, 1, { dtype: 'float32' }), [1, 4, 4, 1])
 * toArray(reshape(maxPool2d(images), [2, 2]))           // → [[5, 7], [13, 15]]
 * // with `same` padding the padded positions never win, even over negative values
 * toArray(reshape(maxPool2d(full([1, 2, 2, 1], -5), { poolSize: 2, strides: 1, padding: 'same' }), [2, 2])) // → [[-5, -5], [-5, -5]]
 */
export const maxPool2d = (x: NDArray, options: Pool2dOptions = {}): NDArray => {
  const op = 'maxPool2d'
  checkImages(op, x)
  const size = options.poolSize ?? 2
  const g = windowGeometry(op, x.shape, { size, strides: options.strides ?? size, padding: options.padding })
  return bind('reduceWindow', [x], { op: 'max', ...windowParams(g) })
}

/**
 * Average pooling over windows of the two spatial axes (Keras's `layer_average_pooling_2d`): the mean of each
 * window; with `same` padding, of the positions inside the image only (as Keras counts them).
 * @category Pooling
 * @example
 * avgPool2d(zeros([8, 28, 28, 3]), { poolSize: 2 }).shape // → [8, 14, 14, 3]
 * const images = reshape(arange(0, 16, 1, { dtype: 'float32' }), [1, 4, 4, 1])
 * toArray(reshape(avgPool2d(images), [2, 2]))           // → [[2.5, 4.5], [10.5, 12.5]]
 * // `same` on a 3×3 image: padded after (TensorFlow's rule), each window the mean of its real positions
 * const small = reshape(arange(0, 9, 1, { dtype: 'float32' }), [1, 3, 3, 1]) // [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
 * toArray(reshape(avgPool2d(small, { padding: 'same' }), [2, 2])) // → [[2, 3.5], [6.5, 8]]
 * avgPool2d(arange(16))                                  // throws TypeError: expected float32 or float64 images
 */
export const avgPool2d = (x: NDArray, options: Pool2dOptions = {}): NDArray => {
  const op = 'avgPool2d'
  checkImages(op, x)
  const size = options.poolSize ?? 2
  const g = windowGeometry(op, x.shape, { size, strides: options.strides ?? size, padding: options.padding })
  const p = windowParams(g)
  const total = bind('reduceWindow', [x], { op: 'sum', ...p })
  if (!g.pads.flat().some((q) => q > 0)) return div(total, g.size[0] * g.size[1])
  // how many real positions each window covers: a constant of the geometry, rows times columns
  const rows = axisTaps(x.shape[1] as number, p, 0)
  const cols = axisTaps(x.shape[2] as number, p, 1)
  const counts = new Float64Array(rows.out * cols.out)
  for (let i = 0; i < rows.out; i++) {
    for (let j = 0; j < cols.out; j++) {
      counts[i * cols.out + j] =
        ((rows.start[i + 1] as number) - (rows.start[i] as number)) *
        ((cols.start[j + 1] as number) - (cols.start[j] as number))
    }
  }
  return div(total, array(counts, { shape: [1, rows.out, cols.out, 1], dtype: x.dtype }))
}
