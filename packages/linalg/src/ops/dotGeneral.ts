/** `dotGeneral`: the one product primitive, for power users (JAX's `lax.dot_general`). */
import { dual, NDArray } from '@nabla/ndarray'
import { normalizeAxis, showShape } from '@nabla/ndarray/core'
import type { DotDims } from '../primitive.js'
import { bindDotGeneral, checkArray, checkContract } from './operands.js'

const isAxisList = (v: unknown): v is readonly number[] => Array.isArray(v) && v.every((a) => Number.isInteger(a))

const isPair = (v: unknown): v is readonly [readonly number[], readonly number[]] =>
  Array.isArray(v) && v.length === 2 && isAxisList(v[0]) && isAxisList(v[1])

/** Validates `dims` against the operands' shapes and returns them with non-negative axes. */
const normalizeDims = (x: NDArray, y: NDArray, dims: DotDims): DotDims => {
  const op = 'dotGeneral'
  if (typeof dims !== 'object' || dims === null || !isPair(dims.contracting) || !isPair(dims.batch)) {
    throw new TypeError(
      `${op}: dims must be { contracting: [xAxes, yAxes], batch: [xAxes, yAxes] } with lists of integer axes, got ${JSON.stringify(dims)}`,
    )
  }
  const norm = (axes: readonly number[], z: NDArray) => axes.map((a) => normalizeAxis(op, a, z.rank))
  const [xc, yc] = [norm(dims.contracting[0], x), norm(dims.contracting[1], y)]
  const [xb, yb] = [norm(dims.batch[0], x), norm(dims.batch[1], y)]
  for (const [what, xs, ys] of [
    ['contracting', xc, yc],
    ['batch', xb, yb],
  ] as const) {
    if (xs.length !== ys.length) {
      throw new RangeError(
        `${op}: ${what} axes must pair up one to one, got ${xs.length} of x ${JSON.stringify(xs)} and ${ys.length} of y ${JSON.stringify(ys)}`,
      )
    }
  }
  for (const [name, z, used] of [
    ['x', x, [...xb, ...xc]],
    ['y', y, [...yb, ...yc]],
  ] as const) {
    const twice = used.find((a, i) => used.indexOf(a) !== i)
    if (twice !== undefined) {
      throw new RangeError(
        `${op}: axis ${twice} of ${name} (shape ${showShape(z.shape)}) is listed twice among the batch and contracting axes`,
      )
    }
  }
  xb.forEach((a, i) => {
    const b = yb[i] as number
    if (x.shape[a] !== y.shape[b]) {
      throw new RangeError(
        `${op}: batch axes must have equal extents: axis ${a} of x ${showShape(x.shape)} has ${x.shape[a]}, axis ${b} of y ${showShape(y.shape)} has ${y.shape[b]} (broadcast them first)`,
      )
    }
  })
  checkContract(op, x, y, xc, yc)
  return { contracting: [xc, yc], batch: [xb, yb] }
}

/**
 * The general tensor product, as JAX's `lax.dot_general`: axes `dims.contracting[0]` of x are
 * summed against `dims.contracting[1]` of y, axes `dims.batch[0]` of x and `dims.batch[1]` of
 * y run in lockstep, and the result's axes are the batch axes, then x's free axes, then y's.
 * `dot`, `matmul` and `tensordot` are all this primitive with particular dims (and so are
 * their derivatives). Operands of different or integer dtypes compute in float64 if either
 * is float64, else float32.
 * @category Linear algebra
 * @example
 * import { pipe } from 'fp-ts/function'
 * const x = array([[1, 2], [3, 4]])
 * const w = array([[1, 0], [1, 1]])
 * // x·w, [m,k]·[k,n] → [m,n]
 * toArray(dotGeneral(x, w, { contracting: [[1], [0]], batch: [[], []] })) // → [[3, 2], [7, 4]]
 * // xᵀ·g, no transpose copied
 * const g = array([[1, 1], [0, 1]])
 * toArray(dotGeneral(x, g, { contracting: [[0], [0]], batch: [[], []] })) // → toArray(matmul(transpose(x), g))
 * // [b,s,d]·[b,t,d] → [b,s,t]
 * const q = zeros([8, 5, 16])
 * const k = zeros([8, 7, 16])
 * dotGeneral(q, k, { contracting: [[2], [2]], batch: [[0], [0]] }).shape // → [8, 5, 7]
 * toArray(pipe(x, dotGeneral(w, { contracting: [[1], [0]], batch: [[], []] }))) // → [[3, 2], [7, 4]]
 */
export const dotGeneral: {
  (y: NDArray, dims: DotDims): (x: NDArray) => NDArray
  (x: NDArray, y: NDArray, dims: DotDims): NDArray
} = dual(
  (args: readonly unknown[]) => args.length >= 3 || args[1] instanceof NDArray,
  (x: NDArray, y: NDArray, dims: DotDims): NDArray => {
    checkArray('dotGeneral', x, 'x')
    checkArray('dotGeneral', y, 'y')
    return bindDotGeneral(x, y, normalizeDims(x, y, dims))
  },
)
