/** Axis plumbing shared by the batching rules: where a logical axis lives, moving and inserting the batch axis. */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { BatchDim } from './rule.js'

/**
 * The physical axis of logical axis `a` of a value whose batch axis is `d`.
 * @example
 * phys(2, 1) // 3
 */
export const phys = (a: number, d: number): number => (a < d ? a : a + 1)

/**
 * `axes` of a value with batch axis `d` (unchanged for an unbatched value).
 * @example
 * physAll([0, 2], 1) // [0, 3]
 */
export const physAll = (axes: readonly number[], d: BatchDim): number[] =>
  d === null ? [...axes] : axes.map((a) => phys(a, d))

/**
 * `xs` with `v` inserted at `i`.
 * @example
 * insertAt([3, 4], 1, 8) // [3, 8, 4]
 */
export const insertAt = <T>(xs: readonly T[], i: number, v: T): T[] => [...xs.slice(0, i), v, ...xs.slice(i)]

/**
 * A reshape that is skipped when the shape does not change.
 * @example
 * reshapeTo(x, [1, ...x.shape])
 */
export const reshapeTo = (x: NDArray, shape: readonly number[]): NDArray =>
  shape.length === x.rank && shape.every((d, i) => d === x.shape[i]) ? x : bind('reshape', [x], { shape })

/**
 * Axis `from` of `x` moved to position `to` (the others keep their order); no op when they coincide.
 * @example
 * moveAxis(zeros([2, 3, 4]), 2, 0).shape // [4, 2, 3]
 */
export const moveAxis = (x: NDArray, from: number, to: number): NDArray => {
  if (from === to) return x
  const rest = x.shape.map((_, i) => i).filter((i) => i !== from)
  return bind('transpose', [x], { perm: insertAt(rest, to, from) })
}

/**
 * `x` with a batch axis of extent `size` at `to`: moved there, or (unbatched) broadcast into place.
 * @example
 * batchAt(zeros([3]), null, 0, 8).shape // [8, 3]
 */
export const batchAt = (x: NDArray, d: BatchDim, to: number, size: number): NDArray => {
  if (d !== null) return moveAxis(x, d, to)
  const expanded = reshapeTo(x, insertAt(x.shape, to, 1))
  return size === 1 ? expanded : bind('broadcastTo', [expanded], { shape: insertAt(x.shape, to, size) })
}
