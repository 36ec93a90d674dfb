/** The closed set of primitive operations and their parameters: what `bind` dispatches and transforms intercept. */
import type { DType } from './dtype.js'
import type { Shape } from './shape.js'

/**
 * Where a window slides over the spatial axes (1 and 2) of channels-last images [batch, height, width, channels]
 * (XLA's `reduce_window` geometry, for NHWC images), per axis [height, width]: the window's size, its step, the
 * padding before and after (negative crops), the spacing of its taps (`dilation`) and the spacing of the input's
 * elements (`baseDilation`: holes between them, which the transpose of a strided window needs). Padding and holes
 * are not elements: they never win a max and add nothing to a sum.
 * @category Primitives
 * @example
 * import { axisTaps } from './kernels/window.js'
 * import type { WindowParams } from '@nabla/ndarray/core'
 * // a 2×2 pool with stride 2 and no padding (Keras's max_pooling2d default)
 * const w: WindowParams = { window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], baseDilation: [1, 1] }
 * axisTaps(28, w, 0).out // → 14 // output rows of a 28-row image
 */
export interface WindowParams {
  readonly window: readonly [number, number]
  readonly strides: readonly [number, number]
  readonly padding: readonly [readonly [number, number], readonly [number, number]]
  readonly dilation: readonly [number, number]
  readonly baseDilation: readonly [number, number]
}

/**
 * Comparison carried by the `compare` primitive.
 * @category Primitives
 * @example
 * const op: Comparison = 'less'
 * toArray(bind('compare', [array([1, 3]), array([2, 2])], { op })) // → [true, false]
 * toArray(bind('compare', [array([1, 3]), array([2, 2])], { op: 'greaterEqual' })) // → [false, true]
 */
export type Comparison = 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual'

/**
 * Parameters of each primitive, by name. Other packages add primitives by augmenting this
 * interface (`declare module '@nabla/ndarray/core'`), so a rule table typed
 * `{ [P in PrimitiveName]: Rule<P> }` fails to compile when a rule is missing.
 *
 * Element-wise binary primitives broadcast their operands (NumPy rule); a transform's
 * rule undoes that in cotangents.
 * @category Primitives
 * @example
 * const perm: PrimitiveParams['transpose'] = { perm: [1, 0] }
 * toArray(bind('transpose', [reshape(arange(4), [2, 2])], perm)) // → [[0, 2], [1, 3]]
 * const toInt: PrimitiveParams['cast'] = { dtype: 'int32' }
 * toArray(bind('cast', [array([1.5, -2.5])], toInt)) // → [1, -2]
 */
export interface PrimitiveParams {
  add: Record<string, never>
  sub: Record<string, never>
  mul: Record<string, never>
  div: Record<string, never>
  pow: Record<string, never>
  maximum: Record<string, never>
  minimum: Record<string, never>
  neg: Record<string, never>
  sign: Record<string, never>
  exp: Record<string, never>
  log: Record<string, never>
  sqrt: Record<string, never>
  tanh: Record<string, never>
  sin: Record<string, never>
  cos: Record<string, never>
  compare: { readonly op: Comparison }
  where: Record<string, never>
  cast: { readonly dtype: DType }
  reduceSum: { readonly axes: readonly number[] }
  reduceMax: { readonly axes: readonly number[] }
  argmax: { readonly axis: number }
  reshape: { readonly shape: Shape }
  broadcastTo: { readonly shape: Shape }
  transpose: { readonly perm: readonly number[] }
  slice: { readonly starts: readonly number[]; readonly stops: readonly number[]; readonly steps: readonly number[] }
  pad: { readonly lo: readonly number[]; readonly hi: readonly number[]; readonly interior: readonly number[] }
  concat: { readonly axis: number }
  take: { readonly axis: number }
  /** Inputs [updates, indices]: zeros of extent `size` along `axis`, with updates summed in at the indices (take's transpose). */
  scatterAdd: { readonly axis: number; readonly size: number }
  /** The max or the sum of each window of NHWC images: [batch, outHeight, outWidth, channels]. */
  reduceWindow: WindowParams & { readonly op: 'max' | 'sum' }
  /**
   * Inputs [source, operand]: zeros of the operand's shape, with each window's source value added at the window's
   * first maximum of the operand (row-major order within the window; a NaN wins): max pooling's transpose.
   */
  selectAndScatterAdd: WindowParams
  /** Inputs [tangent, operand]: each window's tangent value at the window's first maximum of the operand (0 for an empty window). */
  selectAndGather: WindowParams
}

/**
 * Name of a primitive.
 * @category Primitives
 * @example
 * const names: PrimitiveName[] = ['neg', 'exp']
 * toArray(names.reduce((x, p) => bind(p, [x], {}), array([0]))) // → [1] // exp(neg(0))
 * evalPrimitive('noSuchPrimitive' as PrimitiveName, [], {} as never) // throws: no evaluation rule
 */
export type PrimitiveName = keyof PrimitiveParams

/**
 * Parameters of primitive `P`.
 * @category Primitives
 * @example
 * const p: Params<'reshape'> = { shape: [2, 3] }
 * bind('reshape', [arange(6)], p).shape       // → [2, 3]
 * shapeOf('reshape', [{ shape: [6], dtype: 'int32' }], p) // → { shape: [2, 3], dtype: 'int32' }
 */
export type Params<P extends PrimitiveName> = PrimitiveParams[P]
