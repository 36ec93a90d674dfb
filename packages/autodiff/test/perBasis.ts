// The Jacobians as they were before vmap: one jvp per input element, one pullback per output element. The tests
// compare the vmap-built ones against these, and the bench times them.
import { type NDArray, reshape, stack, transpose, zeros } from '@nabla/ndarray'
import { fresh } from '@nabla/ndarray/core'
import { jvp, vjp } from '../src/index.js'

/** `f` of each unit array of `shape` and `dtype`, made one at a time. */
const perBasis = <T>(shape: readonly number[], dtype: NDArray['dtype'], n: number, f: (e: NDArray) => T): T[] =>
  Array.from({ length: n }, (_, i) => {
    const e = fresh(dtype, shape)
    e.data[i] = 1
    return f(e)
  })

/** jacrev by one pullback per output element. */
export const jacrevPerBasis =
  (f: (x: NDArray) => NDArray) =>
  (x: NDArray): NDArray => {
    const [y, pullback] = vjp(f as (...a: never[]) => NDArray, x)
    if (y.size === 0 || x.size === 0) return zeros([...y.shape, ...x.shape], { dtype: x.dtype })
    const rows = perBasis(y.shape, y.dtype, y.size, (e) => (pullback(e) as NDArray[])[0] as NDArray)
    return reshape(stack(rows), [...y.shape, ...x.shape])
  }

/** jacfwd by one jvp per input element. */
export const jacfwdPerBasis =
  (f: (x: NDArray) => NDArray) =>
  (x: NDArray): NDArray => {
    const columns = perBasis(x.shape, x.dtype, x.size, (e) => jvp(f as (...a: never[]) => NDArray, [x], [e])[1])
    if (columns.length === 0) {
      const y = f(x)
      return zeros([...y.shape, ...x.shape], { dtype: x.dtype })
    }
    const first = columns[0] as NDArray
    const stacked = reshape(stack(columns), [x.size, first.size])
    return reshape(transpose(stacked), [...first.shape, ...x.shape])
  }

/** The Hessian as jacfwd of jacrev, per basis vector at both levels. */
export const hessianPerBasis = (f: (x: NDArray) => NDArray): ((x: NDArray) => NDArray) =>
  jacfwdPerBasis(jacrevPerBasis(f))
