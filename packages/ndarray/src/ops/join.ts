/** Joining and padding: concat, stack, pad. */

import { promoteTypes } from '../dtype.js'
import { NDArray } from '../ndarray.js'
import { normalizeAxis, showShape } from '../shape.js'
import { bind } from '../trace.js'
import { cast } from './elementwise.js'

const checkList = (op: string, xs: readonly NDArray[]): void => {
  if (!Array.isArray(xs) || xs.length === 0) throw new RangeError(`${op}: expected a non-empty list of arrays`)
  xs.forEach((x, i) => {
    if (!(x instanceof NDArray)) throw new TypeError(`${op}: element ${i} is not an NDArray`)
  })
}

/**
 * Joins arrays along an existing axis (default 0); other axes must match. Mixed dtypes promote.
 * @example
 * concat([zeros([2, 3]), ones([1, 3])]).shape // [3, 3]
 */
export const concat = (xs: readonly NDArray[], axis = 0): NDArray => {
  checkList('concat', xs)
  const first = xs[0] as NDArray
  if (first.rank === 0) throw new RangeError('concat: cannot join scalars (rank 0); use stack')
  const a = normalizeAxis('concat', axis, first.rank)
  xs.forEach((x, i) => {
    if (x.rank !== first.rank || x.shape.some((d, j) => j !== a && d !== first.shape[j])) {
      throw new RangeError(
        `concat: array ${i} has shape ${showShape(x.shape)}, incompatible with ${showShape(first.shape)} outside axis ${a}`,
      )
    }
  })
  if (xs.length === 1) return first
  const dtype = xs.map((x) => x.dtype).reduce(promoteTypes)
  return bind(
    'concat',
    xs.map((x) => cast(x, dtype)),
    { axis: a },
  )
}

/**
 * Joins equally shaped arrays along a new axis (default 0).
 * @example
 * stack([zeros([28, 28]), ones([28, 28])]).shape // [2, 28, 28]
 */
export const stack = (xs: readonly NDArray[], axis = 0): NDArray => {
  checkList('stack', xs)
  const first = xs[0] as NDArray
  const a = normalizeAxis('stack', axis, first.rank + 1)
  xs.forEach((x, i) => {
    if (x.rank !== first.rank || x.shape.some((d, j) => d !== first.shape[j])) {
      throw new RangeError(`stack: array ${i} has shape ${showShape(x.shape)}, expected ${showShape(first.shape)}`)
    }
  })
  const expanded = xs.map((x) => bind('reshape', [x], { shape: [...x.shape.slice(0, a), 1, ...x.shape.slice(a)] }))
  return expanded.length === 1 ? (expanded[0] as NDArray) : concat(expanded, a)
}

/**
 * Pads with zeros: `widths[i] = [before, after]` for axis i (missing axes unpadded).
 * @example
 * pad(ones([2, 2]), [[1, 1], [0, 2]]).shape // [4, 4]
 */
export const pad = (x: NDArray, widths: readonly (readonly [number, number])[]): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`pad: expected an NDArray, got ${typeof x}`)
  if (widths.length > x.rank) throw new RangeError(`pad: ${widths.length} widths given for an array of rank ${x.rank}`)
  const lo = x.shape.map((_, i) => widths[i]?.[0] ?? 0)
  const hi = x.shape.map((_, i) => widths[i]?.[1] ?? 0)
  if (![...lo, ...hi].every((w) => Number.isInteger(w) && w >= 0)) {
    throw new RangeError(`pad: widths must be non-negative integers, got ${JSON.stringify(widths)}`)
  }
  return lo.every((w) => w === 0) && hi.every((w) => w === 0) ? x : bind('pad', [x], { lo, hi })
}
