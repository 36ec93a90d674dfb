/** `matmul`: matrix products over stacks of matrices, with NumPy's batch broadcasting (`np.matmul`, `@`). */
import { broadcastTo, dual, type NDArray } from '@nabla/ndarray'
import { showShape } from '@nabla/ndarray/core'
import { bindDotGeneral, checkArray, checkContract } from './operands.js'

/** The batch shape two stacks broadcast to, or a matmul error naming both shapes. */
const batchShape = (x: NDArray, y: NDArray): number[] => {
  const bx = x.shape.slice(0, -2)
  const by = y.shape.slice(0, -2)
  const n = Math.max(bx.length, by.length)
  return Array.from({ length: n }, (_, i) => {
    const dx = bx[bx.length - n + i] ?? 1
    const dy = by[by.length - n + i] ?? 1
    if (dx !== dy && dx !== 1 && dy !== 1) {
      throw new RangeError(
        `matmul: cannot broadcast the batch dimensions ${showShape(bx)} of ${showShape(x.shape)} and ${showShape(by)} of ${showShape(y.shape)}: ${dx} ≠ ${dy} (and neither is 1)`,
      )
    }
    return dx === 1 ? dy : dx
  })
}

/**
 * The matrix product of the last two axes, over broadcast leading (batch) axes:
 * (…, m, k)·(…, k, n) → (…, m, n), NumPy's `matmul`. A vector x is a row (a 1 prepended to
 * its shape, removed from the result); a vector y is a column (a 1 appended, removed).
 * Rank-0 operands are errors (use `mul`). Float32, or float64 if either operand is.
 * @category Linear algebra
 * @example
 * import { pipe } from 'fp-ts/function'
 * matmul(zeros([128, 784]), zeros([784, 512])).shape // → [128, 512]
 * // the matrix is broadcast
 * matmul(zeros([8, 3, 4]), zeros([4, 5])).shape // → [8, 3, 5]
 * matmul(zeros([2, 1, 3, 4]), zeros([6, 4, 5])).shape // → [2, 6, 3, 5]
 * const x = array([[1, 2], [3, 4]])
 * const w = array([[1, 0], [1, 1]])
 * toArray(matmul(x, w)) // → [[3, 2], [7, 4]]
 * toArray(pipe(x, matmul(w))) // → [[3, 2], [7, 4]]
 * matmul(zeros([2, 3]), zeros([2, 3])) // throws RangeError: 3 ≠ 2
 */
export const matmul: { (y: NDArray): (x: NDArray) => NDArray; (x: NDArray, y: NDArray): NDArray } = dual(
  2,
  (x: NDArray, y: NDArray): NDArray => {
    checkArray('matmul', x, 'x')
    checkArray('matmul', y, 'y')
    for (const [name, z] of [
      ['x', x],
      ['y', y],
    ] as const) {
      if (z.rank === 0) {
        throw new RangeError(
          `matmul: ${name} is a scalar (shape []); matmul needs rank ≥ 1 operands (use mul to scale)`,
        )
      }
    }
    const xa = x.rank - 1
    const ya = y.rank === 1 ? 0 : y.rank - 2
    checkContract('matmul', x, y, [xa], [ya])
    // a vector operand, or a plain matrix y: no batch to pair, the product is np.dot's
    if (x.rank === 1 || y.rank <= 2) return bindDotGeneral(x, y, { contracting: [[xa], [ya]], batch: [[], []] })
    const batch = batchShape(x, y)
    const nb = batch.length
    const xs = broadcastTo(x, [...batch, ...x.shape.slice(-2)])
    const ys = broadcastTo(y, [...batch, ...y.shape.slice(-2)])
    const axes = Array.from({ length: nb }, (_, i) => i)
    return bindDotGeneral(xs, ys, { contracting: [[nb + 1], [nb]], batch: [axes, axes] })
  },
)
