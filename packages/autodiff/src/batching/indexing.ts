/**
 * Gathers and scatters. With unbatched indices the batch axis of the data just sits among the other
 * axes; with batched indices (each example picks its own) the batch axis is merged with the indexed axis
 * and each example's indices are offset into its own block, so it stays one take / scatterAdd.
 */
import { arange, full, type NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import { batchAt, moveAxis, phys, reshapeTo } from './axes.js'
import type { BatchRule } from './rule.js'

/** Batched indices (batch axis first), made non-negative for extent `n` and offset by `b·n` for example `b`. */
const offsetIndices = (idx: NDArray, d: number, n: number, size: number): NDArray => {
  const front = moveAxis(idx.dtype === 'int32' ? idx : bind('cast', [idx], { dtype: 'int32' }), d, 0)
  const negative = bind('compare', [front, scalarInt(0)], { op: 'less' })
  const wrapped = bind('where', [negative, bind('add', [front, scalarInt(n)], {}), front], {})
  const offsets = reshapeTo(arange(0, size * n, n === 0 ? 1 : n), [size, ...Array<number>(front.rank - 1).fill(1)])
  return bind('add', [wrapped, n === 0 ? scalarInt(0) : offsets], {})
}

const scalarInt = (v: number): NDArray => full([], v, { dtype: 'int32' })

export const take: BatchRule<'take'> = ([x, idx], [dx = null, di = null], { axis }, size) => {
  const a = x as NDArray
  const i = idx as NDArray
  if (di === null) {
    const b = dx as number
    const at = phys(axis, b)
    return [bind('take', [a, i], { axis: at }), b < at ? b : b + i.rank - 1]
  }
  if (dx === null) return [bind('take', [a, i], { axis }), axis + di]
  // each example gathers from its own block: [pre, B, n, post] → [pre, B·n, post]
  const n = a.shape[phys(axis, dx)] as number
  const moved = moveAxis(a, dx, axis)
  const merged = reshapeTo(moved, [...moved.shape.slice(0, axis), size * n, ...moved.shape.slice(axis + 2)])
  return [bind('take', [merged, offsetIndices(i, di, n, size)], { axis }), axis]
}

export const scatterAdd: BatchRule<'scatterAdd'> = ([u, idx], [du = null, di = null], { axis, size: extent }, size) => {
  const upd = u as NDArray
  const i = idx as NDArray
  if (di === null) {
    const b = du as number
    const rank = i.rank
    if (b < axis) return [bind('scatterAdd', [upd, i], { axis: axis + 1, size: extent }), b]
    if (b >= axis + rank) return [bind('scatterAdd', [upd, i], { axis, size: extent }), b - rank + 1]
    // the batch axis sits among the indexed block: put it first
    return [bind('scatterAdd', [moveAxis(upd, b, 0), i], { axis: axis + 1, size: extent }), 0]
  }
  // each example scatters into its own block of the result: [pre, B, ishape, post] → [pre, B·extent, post]
  const placed = batchAt(upd, du, axis, size)
  const summed = bind('scatterAdd', [placed, offsetIndices(i, di, extent, size)], { axis, size: size * extent })
  return [reshapeTo(summed, [...summed.shape.slice(0, axis), size, extent, ...summed.shape.slice(axis + 1)]), axis]
}
