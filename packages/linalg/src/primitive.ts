/** The `dotGeneral` and convolution primitives, added to ndarray's closed set by augmenting `PrimitiveParams`. */

/**
 * Which axes of a product pair up, as in JAX's `lax.dot_general`: `contracting[0][i]` of
 * the left operand is summed against `contracting[1][i]` of the right one; `batch[0][i]`
 * and `batch[1][i]` are kept and run in lockstep. Every other axis is free. The result's
 * axes are the batch axes, then the left operand's free axes, then the right one's, each
 * in their original order.
 * @category Linear algebra
 * @example
 * // a matrix product [m,k]·[k,n] → [m,n]
 * const mm: DotDims = { contracting: [[1], [0]], batch: [[], []] }
 * dotGeneral(zeros([2, 3]), zeros([3, 4]), mm).shape // → [2, 4]
 * // xᵀ·g without materialising xᵀ: [b,m]ᵀ·[b,n] → [m,n]
 * const xtg: DotDims = { contracting: [[0], [0]], batch: [[], []] }
 * dotGeneral(zeros([32, 3]), zeros([32, 4]), xtg).shape // → [3, 4]
 */
export interface DotDims {
  readonly contracting: readonly [lhs: readonly number[], rhs: readonly number[]]
  readonly batch: readonly [lhs: readonly number[], rhs: readonly number[]]
}

/**
 * A 2-D convolution's geometry over channels-last images, per spatial axis [height, width]: the window's step,
 * the zero padding before and after, and the spacing of the kernel's taps. An image [n, h, w, c] and a kernel
 * [kh, kw, c, f] give [n, ⌊(h + top + bottom − dilation·(kh − 1) − 1) / stride⌋ + 1, …, f].
 * @category Linear algebra
 * @example
 * // Keras's padding 'same' for a 3×3 kernel, stride 1
 * const dims: Conv2dDims = { strides: [1, 1], padding: [[1, 1], [1, 1]], dilation: [1, 1] }
 * // what conv2d binds for { padding: 'same' }
 * import { makeJaxpr } from '@nabla/jit'
 * const jaxpr = makeJaxpr((x, k) => conv2d(x, k, { padding: 'same' }))(zeros([1, 5, 5, 1]), zeros([3, 3, 1, 1]))
 * jaxpr.eqns[0].params // → dims
 */
export interface Conv2dDims {
  readonly strides: readonly [number, number]
  readonly padding: readonly [readonly [number, number], readonly [number, number]]
  readonly dilation: readonly [number, number]
}

declare module '@nabla/ndarray/core' {
  interface PrimitiveParams {
    /** Generalised tensor product (JAX's `dot_general`); axes are normalised (non-negative). */
    dotGeneral: DotDims
    /**
     * Inputs [images [n, h, w, c], kernel [kh, kw, c, f]]: out[n, y, x, f] = Σ over i, j, c of
     * image[n, y·sh + i·dh − top, x·sw + j·dw − left, c] · kernel[i, j, c, f], zero outside the image (a
     * cross-correlation, as TensorFlow's conv2d).
     */
    conv2d: Conv2dDims
    /**
     * Inputs [cotangent [n, oh, ow, f], kernel [kh, kw, c, f]]: the transpose of `conv2d` in its images, of
     * spatial size `inputSize` (TensorFlow's conv2d_backprop_input, a transposed convolution).
     */
    conv2dBackpropInput: Conv2dDims & { readonly inputSize: readonly [number, number] }
    /**
     * Inputs [images [n, h, w, c], cotangent [n, oh, ow, f]]: the transpose of `conv2d` in its kernel, of spatial
     * size `kernelSize` (TensorFlow's conv2d_backprop_filter).
     */
    conv2dBackpropFilter: Conv2dDims & { readonly kernelSize: readonly [number, number] }
  }
}
