/** `dot`: the book's tensor dot (R's `%*%`), with NumPy's `dot` rule for every rank. */
import { dual, mul, type NDArray } from '@nabla/ndarray'
import { bindDotGeneral, checkArray, checkContract, promote } from './operands.js'

/**
 * The tensor dot product, NumPy's `np.dot` rule:
 * - vector·vector → a scalar (rank 0): Σᵢ xᵢ·yᵢ;
 * - matrix·vector → a vector whose entries are the rows of x dotted with y;
 * - vector·matrix, and matrix·matrix when ncol(x) == nrow(y): (m,k)·(k,n) → (m,n);
 * - any ranks: the last axis of x against the second-to-last axis of y (the only axis of a
 *   vector y), e.g. (a,b,c,d)·(d) → (a,b,c) and (a,b,c,d)·(d,e) → (a,b,c,e); in general
 *   dot(x, y)[i…, j…, n] = Σₖ x[i…, k]·y[j…, k, n].
 * A rank-0 operand multiplies element-wise, as in NumPy. Not symmetric: dot(x, y) ≠ dot(y, x).
 * The result is float32, or float64 if either operand is (integers are promoted).
 * @category Linear algebra
 * @example
 * import { pipe } from 'fp-ts/function'
 * // rank 0
 * dot(array([1, 2, 3]), array([4, 5, 6])) // → array(32)
 * toArray(dot(array([[1, 2], [3, 4]]), array([1, 1]))) // → [3, 7]
 * dot(zeros([2, 3, 4, 5]), zeros([5, 6])).shape // → [2, 3, 4, 6]
 * // x·w
 * const x = array([[1, 2]])
 * const w = array([[3], [4]])
 * toArray(pipe(x, dot(w))) // → [[11]]
 */
export const dot: { (y: NDArray): (x: NDArray) => NDArray; (x: NDArray, y: NDArray): NDArray } = dual(
  2,
  (x: NDArray, y: NDArray): NDArray => {
    checkArray('dot', x, 'x')
    checkArray('dot', y, 'y')
    if (x.rank === 0 || y.rank === 0) return mul(...promote(x, y))
    const xa = x.rank - 1
    const ya = y.rank === 1 ? 0 : y.rank - 2
    checkContract('dot', x, y, [xa], [ya])
    return bindDotGeneral(x, y, { contracting: [[xa], [ya]], batch: [[], []] })
  },
)
