/** Joining and padding: concat, stack, pad. */

import { promoteTypes } from '../dtype.js'
import { materialize } from '../kernels/elementwise.js'
import { NDArray } from '../ndarray.js'
import { normalizeAxis, showShape } from '../shape.js'
import { bind, concrete } from '../trace.js'
import { array } from './create.js'
import { cast } from './elementwise.js'

const checkList = (op: string, xs: readonly NDArray[]): void => {
  if (!Array.isArray(xs) || xs.length === 0) throw new RangeError(`${op}: expected a non-empty list of arrays`)
  xs.forEach((x, i) => {
    if (!(x instanceof NDArray)) throw new TypeError(`${op}: element ${i} is not an NDArray`)
  })
}

/**
 * Joins arrays along an existing axis (default 0); other axes must match. Mixed dtypes promote.
 * @category Shape
 * @example
 * toArray(concat([zeros([2, 3]), ones([1, 3])]))    // → [[0, 0, 0], [0, 0, 0], [1, 1, 1]]
 * toArray(concat([zeros([2, 1]), ones([2, 2])], 1)) // → [[0, 1, 1], [0, 1, 1]]
 * concat([zeros([2, 3]), ones([1, 2])])             // throws RangeError: incompatible with [2,3] outside axis 0
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
 * @category Shape
 * @example
 * stack([zeros([28, 28]), ones([28, 28])]).shape       // → [2, 28, 28]
 * toArray(stack([array([1, 2]), array([3, 4])], 1))   // → [[1, 3], [2, 4]]
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
 * Pads with zeros: `widths[i] = [before, after]` for axis i, or `[before, after, interior]`
 * to also put `interior` zeros between neighbouring elements (missing axes unpadded).
 * @category Shape
 * @example
 * toArray(pad(ones([2, 2]), [[1, 1], [0, 2]])) // → [[0, 0, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]
 * toArray(pad(array([1, 2, 3]), [[0, 0, 1]]))  // → [1, 0, 2, 0, 3]
 */
export const pad = (x: NDArray, widths: readonly (readonly [number, number, number?])[]): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`pad: expected an NDArray, got ${typeof x}`)
  if (!Array.isArray(widths) || widths.length > x.rank) {
    throw new RangeError(
      `pad: expected at most ${x.rank} [before, after] widths for shape ${showShape(x.shape)}, got ${JSON.stringify(widths)}`,
    )
  }
  const lo = x.shape.map((_, i) => widths[i]?.[0] ?? 0)
  const hi = x.shape.map((_, i) => widths[i]?.[1] ?? 0)
  const interior = x.shape.map((_, i) => widths[i]?.[2] ?? 0)
  if (![...lo, ...hi, ...interior].every((w) => Number.isInteger(w) && w >= 0)) {
    throw new RangeError(`pad: widths must be non-negative integers, got ${JSON.stringify(widths)}`)
  }
  const none = [...lo, ...hi, ...interior].every((w) => w === 0)
  return none ? x : bind('pad', [x], { lo, hi, interior })
}

/**
 * The transpose of `take`: an array with extent `size` along `axis`, zero except that
 * each block of `updates` is added at its index (repeated indices accumulate).
 * @category Indexing
 * @example
 * toArray(scatterAdd(array([1, 2, 3]), [0, 2, 0], 3))        // → [4, 0, 2]
 * toArray(scatterAdd(array([[1, 1], [2, 2]]), [1, 1], 3))    // → [[0, 0], [3, 3], [0, 0]]
 */
export const scatterAdd = (updates: NDArray, indices: NDArray | readonly number[], size: number, axis = 0): NDArray => {
  if (!(updates instanceof NDArray))
    throw new TypeError(`scatterAdd: expected an NDArray of updates, got ${typeof updates}`)
  const idx = indices instanceof NDArray ? indices : array(indices as number[], { dtype: 'int32' })
  if (idx.dtype !== 'int32' && idx.dtype !== 'uint8')
    throw new TypeError(`scatterAdd: indices must be int32, got ${idx.dtype}`)
  if (!Number.isInteger(size) || size < 0)
    throw new RangeError(`scatterAdd: size must be a non-negative integer, got ${size}`)
  const a = normalizeAxis('scatterAdd', axis, updates.rank - idx.rank + 1)
  const block = updates.shape.slice(a, a + idx.rank)
  if (block.length !== idx.rank || block.some((d, i) => d !== idx.shape[i])) {
    throw new RangeError(
      `scatterAdd: updates of shape ${showShape(updates.shape)} do not have the indices' shape ${showShape(idx.shape)} at axis ${a}`,
    )
  }
  const values = materialize(concrete('scatterAdd (indices)', idx))
  for (let k = 0; k < values.size; k++) {
    const i = values.data[k] as number
    if (i < -size || i >= size) throw new RangeError(`scatterAdd: index ${i} is out of range for size ${size}`)
  }
  return bind('scatterAdd', [updates, idx], { axis: a, size })
}
