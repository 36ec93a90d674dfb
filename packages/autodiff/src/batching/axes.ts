/** Axis plumbing shared by the batching rules: where a logical axis lives, moving and inserting the batch axis. */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { BatchDim } from './rule.js'

/**
 * The physical axis of logical axis `a` of a value whose batch axis is `d`.
 * @example
 * // internal (not exported): phys(2, 1) is 3. So batchRules.reduceSum, summing logical axis 1 of a value whose
 * // batch axis is 1, sums physical axis 2:
 * const [out, bdim] = batchRules.reduceSum([zeros([3, 8, 4])], [1], { axes: [1] }, 8)
 * out.shape // → [3, 8]
 * bdim // → 1
 */
export const phys = (a: number, d: number): number => (a < d ? a : a + 1)

/**
 * `axes` of a value with batch axis `d` (unchanged for an unbatched value).
 * @example
 * // internal (not exported): physAll([0, 2], 1) is [0, 3]. Summing logical axes 0 and 2 of a [2, 3, 4] value
 * // batched at axis 1 sums physical axes 0 and 3:
 * const [out, bdim] = batchRules.reduceSum([zeros([2, 8, 3, 4])], [1], { axes: [0, 2] }, 8)
 * out.shape // → [8, 3]
 * bdim // → 0
 */
export const physAll = (axes: readonly number[], d: BatchDim): number[] =>
  d === null ? [...axes] : axes.map((a) => phys(a, d))

/**
 * `xs` with `v` inserted at `i`.
 * @example
 * // internal (not exported): insertAt([3, 4], 1, 8) is [3, 8, 4]. The transpose rule inserts the batch axis
 * // into the permutation with it:
 * const [out, bdim] = batchRules.transpose([zeros([2, 8, 3])], [1], { perm: [1, 0] }, 8)
 * out.shape // → [3, 8, 2]
 * bdim // → 1
 */
export const insertAt = <T>(xs: readonly T[], i: number, v: T): T[] => [...xs.slice(0, i), v, ...xs.slice(i)]

/**
 * A reshape that is skipped when the shape does not change.
 * @example
 * // internal (not exported): reshapeTo(x, [1, ...x.shape]) adds a leading axis; reshapeTo(x, x.shape) is x itself.
 * // The reshape rule reshapes a batch-first value with it:
 * const [out, bdim] = batchRules.reshape([zeros([8, 6])], [0], { shape: [2, 3] }, 8)
 * out.shape // → [8, 2, 3]
 * bdim // → 0
 */
export const reshapeTo = (x: NDArray, shape: readonly number[]): NDArray =>
  shape.length === x.rank && shape.every((d, i) => d === x.shape[i]) ? x : bind('reshape', [x], { shape })

/**
 * Axis `from` of `x` moved to position `to` (the others keep their order); no op when they coincide.
 * @example
 * // internal (not exported): moveAxis(zeros([2, 3, 4]), 2, 0).shape is [4, 2, 3]. The reshape rule moves a
 * // batch axis to the front with it:
 * const [out, bdim] = batchRules.reshape([zeros([6, 8])], [1], { shape: [2, 3] }, 8)
 * out.shape // → [8, 2, 3]
 * bdim // → 0
 */
export const moveAxis = (x: NDArray, from: number, to: number): NDArray => {
  if (from === to) return x
  const rest = x.shape.map((_, i) => i).filter((i) => i !== from)
  return bind('transpose', [x], { perm: insertAt(rest, to, from) })
}

/**
 * `x` with a batch axis of extent `size` at `to`: moved there, or (unbatched) broadcast into place.
 * @example
 * // internal (not exported): batchAt(zeros([3]), null, 0, 8).shape is [8, 3]. When two operands keep their batch
 * // axes at different places, the element-wise rules bring both to the front with it:
 * const [out, bdim] = batchRules.add([zeros([3, 8]), zeros([8, 3])], [1, 0], {}, 8)
 * out.shape // → [8, 3]
 * bdim // → 0
 */
export const batchAt = (x: NDArray, d: BatchDim, to: number, size: number): NDArray => {
  if (d !== null) return moveAxis(x, d, to)
  const expanded = reshapeTo(x, insertAt(x.shape, to, 1))
  return size === 1 ? expanded : bind('broadcastTo', [expanded], { shape: insertAt(x.shape, to, size) })
}
