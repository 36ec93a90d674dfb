/** `tensordot`: sums products over chosen axes of two tensors (NumPy's `np.tensordot`). */
import { dual, NDArray } from '@nabla/ndarray'
import { normalizeAxis, showShape } from '@nabla/ndarray/core'
import { bindDotGeneral, checkArray, checkContract } from './operands.js'

/**
 * Which axes `tensordot` sums over: the last n of x with the first n of y, or explicit lists (or single axes).
 * @category Linear algebra
 * @example
 * const x = reshape(arange(0, 6, 1, { dtype: 'float32' }), [2, 3]) // [[0, 1, 2], [3, 4, 5]]
 * const y = ones([2, 3])
 * const rows: TensordotAxes = [0, 0] // x's axis 0 against y's axis 0
 * toArray(tensordot(x, y, rows))             // → [[3, 3, 3], [5, 5, 5], [7, 7, 7]]
 * toArray(tensordot(x, y, [[0, 1], [0, 1]])) // → 15 // every axis: the sum of x · y
 * tensordot(x, y, 3)                         // throws RangeError: axes=3 sums over the last 3 axes
 */
export type TensordotAxes = number | readonly [number | readonly number[], number | readonly number[]]

const isAxes = (v: unknown): boolean => Number.isInteger(v) || (Array.isArray(v) && v.every(Number.isInteger))

/** The axes to contract, normalised and checked. */
const resolveAxes = (x: NDArray, y: NDArray, axes: TensordotAxes): [number[], number[]] => {
  const op = 'tensordot'
  if (typeof axes === 'number') {
    if (!Number.isInteger(axes) || axes < 0) {
      throw new RangeError(`${op}: axes must be a non-negative integer or a pair of axis lists, got ${axes}`)
    }
    if (axes > x.rank || axes > y.rank) {
      throw new RangeError(
        `${op}: axes=${axes} sums over the last ${axes} axes of x and the first ${axes} of y, but the shapes are ${showShape(x.shape)} and ${showShape(y.shape)}`,
      )
    }
    return [Array.from({ length: axes }, (_, i) => x.rank - axes + i), Array.from({ length: axes }, (_, i) => i)]
  }
  if (!Array.isArray(axes) || axes.length !== 2 || !isAxes(axes[0]) || !isAxes(axes[1])) {
    throw new TypeError(
      `${op}: axes must be a non-negative integer or a pair of axis lists, got ${JSON.stringify(axes)}`,
    )
  }
  const list = (v: number | readonly number[], z: NDArray, name: string): number[] => {
    const out = (typeof v === 'number' ? [v] : v).map((a) => normalizeAxis(op, a, z.rank))
    const twice = out.find((a, i) => out.indexOf(a) !== i)
    if (twice !== undefined)
      throw new RangeError(`${op}: axis ${twice} of ${name} is listed twice in ${JSON.stringify(v)}`)
    return out
  }
  const xs = list(axes[0], x, 'x')
  const ys = list(axes[1], y, 'y')
  if (xs.length !== ys.length) {
    throw new RangeError(
      `${op}: the axis lists must have the same length, got ${JSON.stringify(axes[0])} for x and ${JSON.stringify(axes[1])} for y`,
    )
  }
  return [xs, ys]
}

/**
 * Σ over paired axes of x·y: the result's axes are x's remaining axes then y's, in order.
 * `axes = n` pairs the last n axes of x with the first n of y (default 2, as in NumPy);
 * `axes = [xAxes, yAxes]` pairs them explicitly. `tensordot(x, y, 1)` of matrices is x·y;
 * `tensordot(x, y, 0)` is the outer product.
 * @category Linear algebra
 * @example
 * import { pipe } from 'fp-ts/function'
 * tensordot(zeros([3, 4, 5]), zeros([4, 5, 2])).shape // → [3, 2]
 * tensordot(zeros([3, 4, 5]), zeros([5, 3]), [[0, 2], [1, 0]]).shape // → [4]
 * toArray(tensordot(array([1, 2]), array([3, 4]), 0)) // → [[3, 4], [6, 8]]
 * // axes 1 of matrices: the matrix product
 * const x = array([[1, 2], [3, 4]])
 * const y = array([[1, 0], [1, 1]])
 * toArray(pipe(x, tensordot(y, 1))) // → toArray(matmul(x, y))
 */
export const tensordot: {
  (y: NDArray, axes?: TensordotAxes): (x: NDArray) => NDArray
  (x: NDArray, y: NDArray, axes?: TensordotAxes): NDArray
} = dual(
  (args: readonly unknown[]) => args.length >= 3 || args[1] instanceof NDArray,
  (x: NDArray, y: NDArray, axes: TensordotAxes = 2): NDArray => {
    checkArray('tensordot', x, 'x')
    checkArray('tensordot', y, 'y')
    const [xs, ys] = resolveAxes(x, y, axes)
    checkContract('tensordot', x, y, xs, ys)
    return bindDotGeneral(x, y, { contracting: [xs, ys], batch: [[], []] })
  },
)
