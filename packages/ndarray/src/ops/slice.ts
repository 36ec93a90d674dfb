/** Indexing: `slice` (per axis an index, a half-open range or the whole axis) and `take` (gather along an axis). */
import { materialize } from '../kernels/elementwise.js'
import { NDArray } from '../ndarray.js'
import { normalizeAxis, showShape } from '../shape.js'
import { bind, concrete } from '../trace.js'
import { array } from './create.js'

/**
 * How to index one axis:
 * - a number `i`: that index, dropping the axis (negative counts from the end);
 * - `[start, stop]` or `[start, stop, step]`: the half-open range start ≤ i < stop
 *   (`null` or omitted ends mean the ends of the axis; negative values count from the end);
 * - `null`: the whole axis. Axes after the last spec are taken whole.
 * @category Indexing
 * @example
 * const m = reshape(arange(12), [3, 4])
 * const specs: SliceSpec[] = [1, [null, null, 2]] // row 1, every other column
 * toArray(slice(m, ...specs))     // → [4, 6]
 * toArray(slice(m, null, -1))     // → [3, 7, 11] // the last column
 * toArray(slice(m, [-1]))         // → [[8, 9, 10, 11]] // from the last row on
 */
export type SliceSpec = number | null | readonly [start?: number | null, stop?: number | null, step?: number]

const isDataFirst = (args: readonly unknown[]): boolean => args[0] instanceof NDArray

type Range = readonly [start?: number | null, stop?: number | null, step?: number]

const resolveRange = (op: string, spec: Range, n: number, axis: number): [number, number, number] => {
  const [start = null, stop = null, step = 1] = spec
  if (!Number.isInteger(step) || step === 0)
    throw new RangeError(`${op}: step on axis ${axis} must be a non-zero integer, got ${step}`)
  const bound = (v: number | null, dflt: number, name: string): number => {
    if (v === null) return dflt
    if (!Number.isInteger(v) || v < -n || v > n) {
      throw new RangeError(`${op}: ${name} ${v} is out of range for axis ${axis} of length ${n} (expected ${-n}…${n})`)
    }
    return v < 0 ? v + n : v
  }
  if (step > 0) return [bound(start, 0, 'start'), bound(stop, n, 'stop'), step]
  // a negative step walks down from start (default: the last element) to just above stop
  const s = start === null ? n - 1 : Math.min(bound(start, n - 1, 'start'), n - 1)
  const e = stop === null ? -1 : bound(stop, -1, 'stop')
  return [s, e, step]
}

/**
 * A view of part of `x`. R's 1-based inclusive `train_images[10:99,,]` is
 * `slice(trainImages, [9, 99])` (shape [90, 28, 28]); `train_images[, 15:28, 15:28]` is
 * `slice(trainImages, null, [14, 28], [14, 28])`; `train_images[5,,]` is
 * `slice(trainImages, 4)` (shape [28, 28]). Out-of-range indices are errors, never clipped.
 * @category Indexing
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * toArray(slice(arange(10), [2, 5]))            // → [2, 3, 4]
 * toArray(slice(arange(5), [null, null, -1]))   // → [4, 3, 2, 1, 0]
 * const m = reshape(arange(12), [3, 4])
 * toArray(slice(m, 1))                          // → [4, 5, 6, 7] // an integer drops the axis
 * toArray(slice(m, null, [1, 3]))               // → [[1, 2], [5, 6], [9, 10]]
 * pipe(zeros([1000, 28, 28]), slice([0, 128])).shape // → [128, 28, 28] // the first batch of 128
 * slice(arange(10), [0, 11])                    // throws RangeError: stop 11 is out of range
 */
export const slice: {
  (...specs: readonly SliceSpec[]): (x: NDArray) => NDArray
  (x: NDArray, ...specs: readonly SliceSpec[]): NDArray
} = ((...args: unknown[]) => {
  if (isDataFirst(args)) return sliceImpl(args[0] as NDArray, args.slice(1) as SliceSpec[])
  return (x: NDArray) => sliceImpl(x, args as SliceSpec[])
}) as never

const sliceImpl = (x: NDArray, specs: readonly SliceSpec[]): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`slice: expected an NDArray, got ${typeof x}`)
  if (specs.length > x.rank) {
    throw new RangeError(
      `slice: ${specs.length} index specs given for an array of rank ${x.rank} (shape ${showShape(x.shape)})`,
    )
  }
  const starts: number[] = []
  const stops: number[] = []
  const steps: number[] = []
  const dropped: number[] = []
  x.shape.forEach((n, axis) => {
    const spec = specs[axis] ?? null
    if (spec === null) {
      starts.push(0)
      stops.push(n)
      steps.push(1)
    } else if (typeof spec === 'number') {
      if (!Number.isInteger(spec) || spec < -n || spec >= n) {
        throw new RangeError(
          `slice: index ${spec} is out of range for axis ${axis} of length ${n} (expected ${-n}…${n - 1})`,
        )
      }
      const i = spec < 0 ? spec + n : spec
      starts.push(i)
      stops.push(i + 1)
      steps.push(1)
      dropped.push(axis)
    } else if (Array.isArray(spec)) {
      const [s, e, st] = resolveRange('slice', spec as Range, n, axis)
      starts.push(s)
      stops.push(e)
      steps.push(st)
    } else {
      throw new TypeError(
        `slice: spec for axis ${axis} must be a number, null or [start, stop, step?], got ${JSON.stringify(spec)}`,
      )
    }
  })
  const whole = starts.every((s, i) => s === 0 && stops[i] === x.shape[i] && steps[i] === 1)
  const viewed = whole ? x : bind('slice', [x], { starts, stops, steps })
  if (dropped.length === 0) return viewed
  return bind('reshape', [viewed], { shape: viewed.shape.filter((_, i) => !dropped.includes(i)) })
}

/**
 * Gathers the entries at `indices` along `axis` (default 0): the way to pull a shuffled
 * batch out of a dataset. Negative indices count from the end; out-of-range ones are errors.
 * @category Indexing
 * @example
 * take(zeros([10, 28, 28]), [5, 0, 3]).shape              // → [3, 28, 28]
 * const m = reshape(arange(12), [3, 4])
 * toArray(take(m, [2, 0]))                                // → [[8, 9, 10, 11], [0, 1, 2, 3]]
 * toArray(take(m, array([3, 0], { dtype: 'int32' }), 1)) // → [[3, 0], [7, 4], [11, 8]]
 * toArray(take(arange(5), [-1]))                          // → [4]
 */
export const take: {
  (indices: NDArray | readonly number[], axis?: number): (x: NDArray) => NDArray
  (x: NDArray, indices: NDArray | readonly number[], axis?: number): NDArray
} = ((...args: unknown[]) => {
  if (isDataFirst(args) && args.length >= 2 && (args[1] instanceof NDArray || Array.isArray(args[1]))) {
    return takeImpl(args[0] as NDArray, args[1] as NDArray | number[], args[2] as number | undefined)
  }
  return (x: NDArray) => takeImpl(x, args[0] as NDArray | number[], args[1] as number | undefined)
}) as never

const takeImpl = (x: NDArray, indices: NDArray | readonly number[], axis = 0): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`take: expected an NDArray, got ${typeof x}`)
  const a = normalizeAxis('take', axis, x.rank)
  if (!(indices instanceof NDArray)) {
    const bad = Array.isArray(indices) ? indices.find((i) => !Number.isInteger(i)) : indices
    if (!Array.isArray(indices) || bad !== undefined) {
      throw new TypeError(`take: indices must be integers (a list or an int32 array), got ${JSON.stringify(bad)}`)
    }
  }
  const idx = indices instanceof NDArray ? indices : array(indices as number[], { dtype: 'int32' })
  if (idx.dtype !== 'int32' && idx.dtype !== 'uint8') {
    throw new TypeError(`take: indices must be int32 (or uint8), got ${idx.dtype}`)
  }
  const n = x.shape[a] as number
  const values = materialize(concrete('take (indices)', idx))
  for (let k = 0; k < values.size; k++) {
    const i = values.data[k] as number
    if (i < -n || i >= n) {
      throw new RangeError(
        `take: index ${i} is out of range for axis ${a} of length ${n} (shape ${showShape(x.shape)})`,
      )
    }
  }
  return bind('take', [x, idx], { axis: a })
}
