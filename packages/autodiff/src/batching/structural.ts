/** Reductions and shape primitives: their axis parameters are renumbered around the batch axis, which stays put where it can. */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import { batchAt, insertAt, phys, physAll, reshapeTo } from './axes.js'
import type { BatchRule } from './rule.js'

/** reduceSum / reduceMax: reduce the same logical axes; the batch axis shifts left past the reduced ones before it. */
const reduction =
  (prim: 'reduceSum' | 'reduceMax'): BatchRule<typeof prim> =>
  ([x], [d], { axes }) => {
    const b = d as number
    return [bind(prim, [x as NDArray], { axes: physAll(axes, b) }), b - axes.filter((a) => a < b).length]
  }

export const reduceSum: BatchRule<'reduceSum'> = reduction('reduceSum')
export const reduceMax: BatchRule<'reduceMax'> = reduction('reduceMax')

export const argmax: BatchRule<'argmax'> = ([x], [d], { axis }) => {
  const b = d as number
  return [bind('argmax', [x as NDArray], { axis: phys(axis, b) }), axis < b ? b - 1 : b]
}

/** reshape: row-major order only has a meaning per example with the batch axis first. */
export const reshape: BatchRule<'reshape'> = ([x], [d], { shape }, size) => [
  bind('reshape', [batchAt(x as NDArray, d as number, 0, size)], { shape: [size, ...shape] }),
  0,
]

/** broadcastTo: new axes are added in front (a view), so the batch axis moves right by their number, nothing is copied. */
export const broadcastTo: BatchRule<'broadcastTo'> = ([x], [d], { shape }, size) => {
  const a = x as NDArray
  const added = shape.length - (a.rank - 1)
  const b = (d as number) + added
  const expanded = reshapeTo(a, [...Array<number>(added).fill(1), ...a.shape])
  return [bind('broadcastTo', [expanded], { shape: insertAt(shape, b, size) }), b]
}

/** transpose: the logical permutation around a batch axis that stays where it is. */
export const transpose: BatchRule<'transpose'> = ([x], [d], { perm }) => {
  const b = d as number
  return [bind('transpose', [x as NDArray], { perm: insertAt(physAll(perm, b), b, b) }), b]
}

export const slice: BatchRule<'slice'> = ([x], [d], { starts, stops, steps }, size) => {
  const b = d as number
  return [
    bind('slice', [x as NDArray], {
      starts: insertAt(starts, b, 0),
      stops: insertAt(stops, b, size),
      steps: insertAt(steps, b, 1),
    }),
    b,
  ]
}

export const pad: BatchRule<'pad'> = ([x], [d], { lo, hi, interior }) => {
  const b = d as number
  return [
    bind('pad', [x as NDArray], { lo: insertAt(lo, b, 0), hi: insertAt(hi, b, 0), interior: insertAt(interior, b, 0) }),
    b,
  ]
}

/** concat: every piece gets the first batched piece's batch axis (moved or broadcast there only if it lacks it). */
export const concat: BatchRule<'concat'> = (vals, dims, { axis }, size) => {
  const b = dims.find((d) => d !== null) as number
  const pieces = vals.map((x, i) => (dims[i] === b ? x : batchAt(x, dims[i] ?? null, b, size)))
  return [bind('concat', pieces, { axis: phys(axis, b) }), b]
}
