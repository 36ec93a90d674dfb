/**
 * `conv2d`: 2-D convolution of channels-last images (Keras's `layer_conv_2d`, TensorFlow's `conv2d`, which is a
 * cross-correlation), one `conv2d` primitive: evaluated as im2col into the fast product, with JVP, VJP and batching
 * rules in @nabla/autodiff (its transposes are the `conv2dBackpropInput` and `conv2dBackpropFilter` primitives).
 */
import '../kernels/conv2d.js'
import { dual, isNDArray, type NDArray, type Padding, windowGeometry } from '@nabla/ndarray'
import { bind, showShape } from '@nabla/ndarray/core'
import { promote } from './operands.js'

/**
 * Options of {@link conv2d}, Keras's arguments in camelCase.
 * @category Convolution
 * @example
 * const options: Conv2dOptions = { strides: 2, padding: 'same' }
 * conv2d(ones([1, 5, 5, 1]), ones([3, 3, 1, 1]), options).shape // → [1, 3, 3, 1] // ⌈5 / 2⌉
 * const dilated: Conv2dOptions = { dilation: 2 } // taps two apart: the 3×3 kernel spans 5×5
 * toArray(conv2d(ones([1, 5, 5, 1]), ones([3, 3, 1, 1]), dilated)) // → [[[[9]]]]
 */
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
 * @category Convolution
 * @example
 * import { pipe } from 'fp-ts/function'
 * conv2d(zeros([64, 28, 28, 1]), zeros([3, 3, 1, 32])).shape // → [64, 26, 26, 32]
 * // [n, ⌈h/2⌉, ⌈w/2⌉, filters]
 * const x = ones([2, 7, 7, 3])
 * const k = ones([3, 3, 3, 8])
 * conv2d(x, k, { padding: 'same', strides: 2 }).shape // → [2, 4, 4, 8]
 * // a cross-correlation: the kernel is not flipped, so a kernel with a 1 at its top left picks each window's first pixel
 * const image = reshape(cast(arange(9), 'float32'), [1, 3, 3, 1])
 * const topLeft = reshape(array([1, 0, 0, 0]), [2, 2, 1, 1])
 * toArray(reshape(conv2d(image, topLeft), [2, 2])) // → [[0, 1], [3, 4]]
 * pipe(x, conv2d(k)).shape // → [2, 5, 5, 8]
 * conv2d(ones([1, 5, 5, 2]), ones([3, 3, 1, 4])) // throws RangeError: the images have 2 channels
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
    const [kh, kw, kc] = kernel.shape as [number, number, number, number]
    const g = windowGeometry(op, x.shape, { size: [kh, kw], ...options })
    if (x.shape[3] !== kc) {
      throw new RangeError(
        `${op}: the images have ${x.shape[3]} channels (shape ${showShape(x.shape)}) but the kernel takes ${kc} (shape ${showShape(kernel.shape)})`,
      )
    }
    const [a, b] = promote(x, kernel)
    return bind('conv2d', [a, b], { strides: g.strides, padding: g.pads, dilation: g.dilation })
  },
)
