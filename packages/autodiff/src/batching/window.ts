/**
 * Batching the image primitives (convolutions and windowed reductions over [batch, height, width, channels]): a
 * batch axis folds into an axis along which the primitive treats every entry on its own — the images' batch axis,
 * or a channel or filter axis — so the batched call is one call of the same primitive, and the result's merged
 * axis is split back. A batch axis that sits just before or just after that axis merges without moving.
 * Convolutions with both operands batched (each example its own kernel) run example by example: one call per
 * example, stacked (a grouped convolution would do it in one, but none of the kernels takes groups).
 */
import { type NDArray, slice, stack } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import { batchAt, phys, reshapeTo } from './axes.js'
import type { BatchDim, BatchRule } from './rule.js'

/** Where a batch folds into logical axis `axis`: ahead of it (merged index b·n + i) or behind it (i·size + b). */
interface Fold {
  readonly axis: number
  readonly ahead: boolean
}

/** The fold for a batch at physical axis `d`: behind `axis` when it already sits just after it, else ahead. */
const foldFor = (d: number, axis: number): Fold => ({ axis, ahead: d !== axis + 1 })

/** `x` (batch at `d`, or unbatched: broadcast) with its batch merged into logical axis `fold.axis`. */
const folded = (x: NDArray, d: BatchDim, { axis, ahead }: Fold, size: number): NDArray => {
  const v = batchAt(x, d, ahead ? axis : axis + 1, size)
  const shape = [...v.shape]
  shape.splice(axis, 2, (shape[axis] as number) * (shape[axis + 1] as number))
  return reshapeTo(v, shape)
}

/** A result whose axis `fold.axis` (logical extent `extent`) holds the merged batch, split back: [value, batch axis]. */
const unfolded = (out: NDArray, { axis, ahead }: Fold, extent: number, size: number): readonly [NDArray, BatchDim] => {
  const shape = [...out.shape]
  shape.splice(axis, 1, ...(ahead ? [size, extent] : [extent, size]))
  return [reshapeTo(out, shape), ahead ? axis : axis + 1]
}

/** The logical extent of axis `a` of `x`, whose batch axis is `d`. */
const extentOf = (x: NDArray, d: BatchDim, a: number): number => x.shape[d === null ? a : phys(a, d)] as number

/** Example by example: `f` on each example's slices (unbatched operands shared), stacked along axis 0. */
const perExample = (
  vals: readonly NDArray[],
  dims: readonly BatchDim[],
  size: number,
  f: (...xs: NDArray[]) => NDArray,
): readonly [NDArray, BatchDim] => {
  const pick = (x: NDArray, d: BatchDim, b: number) => (d === null ? x : slice(x, ...Array<null>(d).fill(null), b))
  const outs = Array.from({ length: size }, (_, b) => f(...vals.map((x, i) => pick(x, dims[i] ?? null, b))))
  return [stack(outs, 0), 0]
}

/**
 * A two-operand image primitive batched by folding: operand 0's batch into its logical axis `axes[0]`, operand 1's
 * into `axes[1]`, the result's merged axis `outAxes[i]` of logical extent `extents[i]` split back. Both batched:
 * example by example.
 */
const foldingRule =
  <P extends 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter'>(
    prim: P,
    axes: readonly [number, number],
    outAxes: readonly [number, number],
  ): BatchRule<P> =>
  (vals, dims, params, size) => {
    const [x, y] = vals as [NDArray, NDArray]
    const [dx = null, dy = null] = dims
    const apply = (a: NDArray, b: NDArray) => bind(prim, [a, b], params)
    if (dx !== null && dy !== null) return perExample([x, y], [dx, dy], size, apply)
    const i = dx !== null ? 0 : 1
    const d = (dx ?? dy) as number
    const fold = foldFor(d, axes[i] as number)
    const out = i === 0 ? apply(folded(x, dx, fold, size), y) : apply(x, folded(y, dy, fold, size))
    const outFold = { axis: outAxes[i] as number, ahead: fold.ahead }
    const extent = extentOf(i === 0 ? x : y, d, axes[i] as number)
    return unfolded(out, outFold, extent, size)
  }

/**
 * conv2d batched: batched images fold into the batch of images, a batched kernel into its filters (the output's
 * channels); both batched, example by example.
 * @example
 * import { conv2d } from './window.js'
 * const dims = { strides: [1, 1], padding: [[0, 0], [0, 0]], dilation: [1, 1] } as const
 * // three batches of two 5×5 images (batch axis 0) against one 3×3 kernel: one convolution of six images
 * const [out, axis] = conv2d([zeros([3, 2, 5, 5, 4]), zeros([3, 3, 4, 8])], [0, null], dims, 3)
 * out.shape // → [3, 2, 3, 3, 8]
 * axis      // → 0
 * // one batch of images against three kernels (batch axis 4, just after the filters): one convolution of 24 filters
 * const [byKernel, at] = conv2d([zeros([2, 5, 5, 4]), zeros([3, 3, 4, 8, 3])], [null, 4], dims, 3)
 * byKernel.shape // → [2, 3, 3, 8, 3]
 * at             // → 4
 */
export const conv2d: BatchRule<'conv2d'> = foldingRule('conv2d', [0, 3], [0, 3])
/**
 * conv2dBackpropInput batched: a batched cotangent folds into the images' batch, a batched kernel into its input
 * channels (the result's channels); both batched, example by example.
 * @example
 * import { conv2dBackpropInput } from './window.js'
 * const dims = { strides: [1, 1], padding: [[0, 0], [0, 0]], dilation: [1, 1], inputSize: [5, 5] } as const
 * const [out, axis] = conv2dBackpropInput([zeros([2, 3, 3, 8]), zeros([3, 3, 3, 4, 8])], [null, 0], dims, 3)
 * out.shape // → [2, 5, 5, 3, 4]
 * axis      // → 3
 */
export const conv2dBackpropInput: BatchRule<'conv2dBackpropInput'> = foldingRule('conv2dBackpropInput', [0, 2], [0, 3])
/**
 * conv2dBackpropFilter batched: batched images fold into their channels (the kernel's third axis), a batched
 * cotangent into its filters; both batched, example by example.
 * @example
 * import { conv2dBackpropFilter } from './window.js'
 * const dims = { strides: [1, 1], padding: [[0, 0], [0, 0]], dilation: [1, 1], kernelSize: [3, 3] } as const
 * // per-example kernel gradients: images and cotangents both batched
 * const [out, axis] = conv2dBackpropFilter([zeros([3, 2, 5, 5, 4]), zeros([3, 2, 3, 3, 8])], [0, 0], dims, 3)
 * out.shape // → [3, 3, 3, 4, 8]
 * axis      // → 0
 */
export const conv2dBackpropFilter: BatchRule<'conv2dBackpropFilter'> = foldingRule(
  'conv2dBackpropFilter',
  [3, 3],
  [2, 3],
)

/** The fold of a windowed primitive: into the images' batch, or into the channels when the batch sits after them. */
const windowFold = (dims: readonly BatchDim[]): Fold => {
  const d = dims.find((x) => x !== null) as number
  return d >= 3 ? foldFor(d, 3) : foldFor(d, 0)
}

/**
 * reduceWindow batched: the batch folds into the images' batch, or into the channels when it sits after them.
 * @example
 * import { reduceWindow } from './window.js'
 * const p = { op: 'max', window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], baseDilation: [1, 1] } as const
 * const [out, axis] = reduceWindow([zeros([2, 4, 4, 3, 5])], [4], p, 5)
 * out.shape // → [2, 2, 2, 3, 5]
 * axis      // → 4
 */
export const reduceWindow: BatchRule<'reduceWindow'> = ([x], [d], params, size) => {
  const fold = windowFold([d ?? null])
  const out = bind('reduceWindow', [folded(x as NDArray, d ?? null, fold, size)], params)
  return unfolded(out, fold, extentOf(x as NDArray, d ?? null, fold.axis), size)
}

/** Both operands fold the same way (an unbatched one is broadcast along the batch: the selection is per example). */
const selection =
  <P extends 'selectAndGather' | 'selectAndScatterAdd'>(prim: P): BatchRule<P> =>
  (vals, dims, params, size) => {
    const fold = windowFold(dims)
    const [a, b] = vals as [NDArray, NDArray]
    const [da = null, db = null] = dims
    const out = bind(prim, [folded(a, da, fold, size), folded(b, db, fold, size)], params)
    const extent = da !== null ? extentOf(a, da, fold.axis) : extentOf(b, db, fold.axis)
    return unfolded(out, fold, extent, size)
  }

/**
 * selectAndGather batched: both operands fold the same way (an unbatched one broadcast along the batch).
 * @example
 * import { selectAndGather } from './window.js'
 * const p = { window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], baseDilation: [1, 1] } as const
 * const [out, axis] = selectAndGather([zeros([3, 2, 4, 4, 1]), zeros([2, 4, 4, 1])], [0, null], p, 3)
 * out.shape // → [3, 2, 2, 2, 1]
 * axis      // → 0
 */
export const selectAndGather: BatchRule<'selectAndGather'> = selection('selectAndGather')
/**
 * selectAndScatterAdd batched: both operands fold the same way (an unbatched one broadcast along the batch).
 * @example
 * import { selectAndScatterAdd } from './window.js'
 * const p = { window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], baseDilation: [1, 1] } as const
 * const [out, axis] = selectAndScatterAdd([zeros([2, 2, 2, 1]), zeros([2, 4, 4, 1, 3])], [null, 4], p, 3)
 * out.shape // → [2, 4, 4, 1, 3]
 * axis      // → 4
 */
export const selectAndScatterAdd: BatchRule<'selectAndScatterAdd'> = selection('selectAndScatterAdd')
