/** Shape ops: reshape, transpose, expandDims, squeeze, broadcastTo, flatten. Views where the layout allows. */
import { dual } from '../dual.js'
import { NDArray } from '../ndarray.js'
import { checkShape, normalizeAxes, normalizeAxis, type Shape, shapesEqual, showShape, sizeOf } from '../shape.js'
import { bind } from '../trace.js'

const isDataFirst = (args: readonly unknown[]): boolean => args[0] instanceof NDArray

const checkArray = (op: string, x: unknown): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`${op}: expected an NDArray, got ${typeof x}`)
  return x
}

/**
 * The same elements in a new shape, read and written in row-major order (the book's
 * `array_reshape`, not R's column-major `dim<-`). One extent may be −1, inferred.
 * @category Shape
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * toArray(reshape(array([[0, 1], [2, 3], [4, 5]]), [6, 1])) // → [[0], [1], [2], [3], [4], [5]]
 * toArray(pipe(arange(6), reshape([2, -1])))                // → [[0, 1, 2], [3, 4, 5]]
 * reshape(arange(6), [4])                                   // throws RangeError: cannot reshape [6]
 */
export const reshape: { (shape: Shape): (x: NDArray) => NDArray; (x: NDArray, shape: Shape): NDArray } = dual(
  2,
  (x: NDArray, shape: Shape): NDArray => {
    checkArray('reshape', x)
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
      throw new RangeError(
        `reshape: a shape must be a list of non-negative integers (one may be -1), got ${JSON.stringify(shape)}`,
      )
    }
    const unknown = shape.filter((d) => d === -1).length
    if (unknown > 1) throw new RangeError(`reshape: only one extent may be -1, got ${showShape(shape)}`)
    const known = sizeOf(shape.filter((d) => d !== -1))
    let target = shape
    if (unknown === 1) {
      if (known === 0 || x.size % known !== 0) {
        throw new RangeError(
          `reshape: cannot infer -1 in ${showShape(shape)} for ${x.size} elements of shape ${showShape(x.shape)}`,
        )
      }
      target = shape.map((d) => (d === -1 ? x.size / known : d))
    }
    if (sizeOf(target) !== x.size) {
      throw new RangeError(
        `reshape: cannot reshape ${showShape(x.shape)} (${x.size} elements) into ${showShape(target)} (${sizeOf(target)} elements)`,
      )
    }
    return shapesEqual(target, x.shape) ? x : bind('reshape', [x], { shape: [...target] })
  },
)

/**
 * Flattens every axis after the first (samples × features), in row-major order.
 * @category Shape
 * @example
 * flatten(zeros([60000, 28, 28])).shape // → [60000, 784]
 */
export const flatten = (x: NDArray): NDArray =>
  reshape(checkArray('flatten', x), x.rank === 0 ? [1] : [x.shape[0] as number, -1])

/**
 * Permutes axes (reverses them when `perm` is omitted: the book's `t()` for a matrix).
 * @category Shape
 * @example
 * transpose(zeros([300, 20])).shape              // → [20, 300]
 * toArray(transpose(reshape(arange(6), [2, 3]))) // → [[0, 3], [1, 4], [2, 5]]
 * transpose(zeros([2, 3, 4]), [2, 0, 1]).shape   // → [4, 2, 3]
 */
export const transpose: {
  (perm?: readonly number[]): (x: NDArray) => NDArray
  (x: NDArray, perm?: readonly number[]): NDArray
} = dual(isDataFirst, (x: NDArray, perm?: readonly number[]): NDArray => {
  checkArray('transpose', x)
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i)
  const sorted = [...p].sort((a, b) => a - b)
  if (p.length !== x.rank || !sorted.every((v, i) => v === i)) {
    throw new RangeError(
      `transpose: ${JSON.stringify(p)} is not a permutation of the ${x.rank} axes of shape ${showShape(x.shape)}`,
    )
  }
  return p.every((v, i) => v === i) ? x : bind('transpose', [x], { perm: [...p] })
})

/**
 * Inserts a size-1 axis at `axis` (negative counts from the end of the result).
 * @category Shape
 * @example
 * expandDims(zeros([28, 28]), 0).shape  // → [1, 28, 28]
 * expandDims(zeros([28, 28]), -1).shape // → [28, 28, 1]
 */
export const expandDims: { (axis: number): (x: NDArray) => NDArray; (x: NDArray, axis: number): NDArray } = dual(
  2,
  (x: NDArray, axis: number): NDArray => {
    checkArray('expandDims', x)
    const a = normalizeAxis('expandDims', axis, x.rank + 1)
    return bind('reshape', [x], { shape: [...x.shape.slice(0, a), 1, ...x.shape.slice(a)] })
  },
)

/**
 * Removes size-1 axes: the given ones (each must have size 1) or all of them.
 * @category Shape
 * @example
 * squeeze(zeros([1, 28, 1])).shape    // → [28]
 * squeeze(zeros([1, 28, 1]), 0).shape // → [28, 1]
 * squeeze(zeros([1, 28, 1]), 1)       // throws RangeError: has size 28, expected 1
 */
export const squeeze: {
  (axis?: number | readonly number[]): (x: NDArray) => NDArray
  (x: NDArray, axis?: number | readonly number[]): NDArray
} = dual(isDataFirst, (x: NDArray, axis?: number | readonly number[]): NDArray => {
  checkArray('squeeze', x)
  const axes =
    axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axis, x.rank)
  for (const a of axes) {
    if (x.shape[a] !== 1)
      throw new RangeError(`squeeze: axis ${a} of shape ${showShape(x.shape)} has size ${x.shape[a]}, expected 1`)
  }
  return axes.length === 0 ? x : bind('reshape', [x], { shape: x.shape.filter((_, i) => !axes.includes(i)) })
})

/**
 * `x` repeated along new or size-1 axes to `shape` (NumPy rule), without copying.
 * @category Shape
 * @example
 * toArray(broadcastTo(array([1, 2]), [3, 2])) // → [[1, 2], [1, 2], [1, 2]]
 */
export const broadcastTo: { (shape: Shape): (x: NDArray) => NDArray; (x: NDArray, shape: Shape): NDArray } = dual(
  2,
  (x: NDArray, shape: Shape): NDArray => {
    checkArray('broadcastTo', x)
    checkShape('broadcastTo', shape)
    const lead = shape.length - x.rank
    const ok = lead >= 0 && x.shape.every((d, i) => d === 1 || d === shape[lead + i])
    if (!ok) throw new RangeError(`broadcastTo: cannot broadcast shape ${showShape(x.shape)} to ${showShape(shape)}`)
    return shapesEqual(shape, x.shape) ? x : bind('broadcastTo', [x], { shape: [...shape] })
  },
)
