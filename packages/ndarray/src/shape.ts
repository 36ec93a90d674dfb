/** Shape arithmetic: sizes, row-major strides, broadcasting and axis normalisation, with the errors users see. */

/**
 * The extent of each axis, outermost first.
 * @category Arrays
 * @example
 * const s: Shape = [2, 3]
 * zeros(s).shape       // → [2, 3]
 * sizeOf(s)            // → 6
 * broadcastShapes('add', s, [3]) // → [2, 3]
 * reshape(arange(6), s).shape    // → s
 */
export type Shape = readonly number[]

/**
 * `[3,5]` style rendering used in every error message.
 * @category Shape
 * @example
 * showShape([128, 784]) // → '[128,784]'
 * showShape([])         // → '[]' // a scalar
 */
export const showShape = (shape: Shape): string => `[${shape.join(',')}]`

/**
 * Number of elements of an array of this shape (1 for a scalar).
 * @category Shape
 * @example
 * sizeOf([60000, 28, 28]) // → 47040000
 * sizeOf([])              // → 1
 */
export const sizeOf = (shape: Shape): number => {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/**
 * Row-major (C order) strides of a contiguous array of this shape, in elements.
 * @category Shape
 * @example
 * contiguousStrides([2, 3, 4]) // → [12, 4, 1]
 */
export const contiguousStrides = (shape: Shape): number[] => {
  const strides = new Array<number>(shape.length)
  let s = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s
    s *= shape[i] as number
  }
  return strides
}

/**
 * Equal shapes?
 * @category Shape
 * @example
 * shapesEqual([2, 3], [2, 3]) // → true
 * shapesEqual([6], [2, 3])    // → false
 */
export const shapesEqual = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i])

/** Throws unless `shape` is a list of non-negative integers. */
export const checkShape = (op: string, shape: unknown): Shape => {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`${op}: a shape must be a list of non-negative integers; got ${JSON.stringify(shape)}`)
  }
  return shape as Shape
}

/**
 * The shape two arrays broadcast to under NumPy's rule: align trailing axes; each pair
 * must be equal or contain a 1.
 * @category Shape
 * @example
 * broadcastShapes('add', [64, 3, 32, 10], [32, 10]) // → [64, 3, 32, 10]
 * broadcastShapes('add', [3, 1], [1, 4])             // → [3, 4]
 * broadcastShapes('add', [2, 3], [4])                // throws RangeError: add
 */
export const broadcastShapes = (op: string, a: Shape, b: Shape): number[] => {
  const n = Math.max(a.length, b.length)
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1
    const db = b[b.length - n + i] ?? 1
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: cannot broadcast shapes ${showShape(a)} and ${showShape(b)}: axis ${i - n} has ${da} ≠ ${db} (and neither is 1)`,
      )
    }
    out[i] = da === 1 ? db : da
  }
  return out
}

/**
 * Normalises a possibly negative axis for an array of rank `rank`, or throws.
 * @category Shape
 * @example
 * normalizeAxis('sum', -1, 3) // → 2
 * normalizeAxis('sum', 3, 3)  // throws RangeError: sum: axis 3 is out of range for an array of rank 3 (expected -3…2)
 */
export const normalizeAxis = (op: string, axis: number, rank: number): number => {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(
      `${op}: axis ${axis} is out of range for an array of rank ${rank} (expected ${-rank}…${rank - 1})`,
    )
  }
  return axis < 0 ? axis + rank : axis
}

/**
 * Normalises `axis` (one, several, or all when undefined) to a sorted list of distinct axes.
 * @category Shape
 * @example
 * import { normalizeAxes } from './shape.js'
 * normalizeAxes('sum', [-1, 0], 3)    // → [0, 2]
 * normalizeAxes('mean', undefined, 2) // → [0, 1]
 */
export const normalizeAxes = (op: string, axis: number | readonly number[] | undefined, rank: number): number[] => {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i)
  const list = typeof axis === 'number' ? [axis] : axis
  const out = list.map((a) => normalizeAxis(op, a, rank))
  if (new Set(out).size !== out.length) throw new RangeError(`${op}: repeated axis in ${JSON.stringify(list)}`)
  return out.sort((x, y) => x - y)
}
