/**
 * `conv2d`: 2-D convolution of channels-last images (Keras's `layer_conv_2d`, TensorFlow's `conv2d`, which is a
 * cross-correlation): the image's windows gathered into rows (im2col: one strided view per kernel offset, joined
 * along the channels) and multiplied by the kernel in one `dotGeneral`, so the product runs on the fast kernels
 * and `grad`, `jit` and the other transforms see through it with no rules of its own.
 */
import {
  concat,
  dual,
  isNDArray,
  type NDArray,
  type Padding,
  pad,
  reshape,
  windowGeometry,
  windowViews,
} from '@nabla/ndarray'
import { showShape } from '@nabla/ndarray/core'
import { bindDotGeneral } from './operands.js'

/** Options of {@link conv2d}, Keras's arguments in camelCase. */
export interface Conv2dOptions {
  /** Steps of the window along height and width (default 1). */
  readonly strides?: number | readonly [number, number]
  /** `valid` (default) or `same` (output ⌈input / stride⌉, zero padding split as TensorFlow does). */
  readonly padding?: Padding
  /** Spacing of the kernel's taps (default 1: a dense kernel). */
  readonly dilation?: number | readonly [number, number]
}

/**
 * Convolves images x [batch, height, width, channels] with a kernel [kernelHeight, kernelWidth, channels, filters]
 * (Keras's layout), giving [batch, outHeight, outWidth, filters]: out[n, y, x, f] = Σ over the window and the
 * channels of input · kernel, without flipping the kernel (as Keras and TensorFlow).
 * @example
 * conv2d(zeros([64, 28, 28, 1]), zeros([3, 3, 1, 32])).shape // [64, 26, 26, 32]
 * conv2d(x, k, { padding: 'same', strides: 2 }).shape        // [n, ⌈h/2⌉, ⌈w/2⌉, filters]
 */
export const conv2d: {
  (x: NDArray, kernel: NDArray, options?: Conv2dOptions): NDArray
  (kernel: NDArray, options?: Conv2dOptions): (x: NDArray) => NDArray
} = dual(
  (args) => isNDArray(args[1]),
  (x: NDArray, kernel: NDArray, options: Conv2dOptions = {}): NDArray => {
    const op = 'conv2d'
    if (!isNDArray(x)) throw new TypeError(`${op}: expected an NDArray of images, got ${typeof x}`)
    if (!isNDArray(kernel) || kernel.rank !== 4) {
      throw new RangeError(
        `${op}: expected a kernel [kernelHeight, kernelWidth, channels, filters], got ${isNDArray(kernel) ? `shape ${showShape(kernel.shape)}` : typeof kernel}`,
      )
    }
    const [kh, kw, kc, filters] = kernel.shape as [number, number, number, number]
    const g = windowGeometry(op, x.shape, { size: [kh, kw], ...options })
    if (x.shape[3] !== kc) {
      throw new RangeError(
        `${op}: the images have ${x.shape[3]} channels (shape ${showShape(x.shape)}) but the kernel takes ${kc} (shape ${showShape(kernel.shape)})`,
      )
    }
    const n = x.shape[0] as number
    const [oh, ow] = g.out
    const padded = pad(x, [[0, 0], [...g.pads[0]], [...g.pads[1]], [0, 0]])
    const views = windowViews(padded, g)
    // rows of (kernel offset, channel) in the kernel's own order: [n, oh, ow, kh·kw·c]
    const patches = views.length === 1 ? (views[0] as NDArray) : concat(views, 3)
    const rows = reshape(patches, [n * oh * ow, kh * kw * kc])
    const out = bindDotGeneral(rows, reshape(kernel, [kh * kw * kc, filters]), {
      contracting: [[1], [0]],
      batch: [[], []],
    })
    return reshape(out, [n, oh, ow, filters])
  },
)
