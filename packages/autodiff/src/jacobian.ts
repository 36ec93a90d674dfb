/** Jacobians and Hessians built from jvp and vjp: one pass per input (forward) or output (reverse) element. */
import { type NDArray, reshape, stack, transpose, zeros } from '@nabla/ndarray'
import { fresh } from '@nabla/ndarray/core'
import { jvp } from './jvp.js'
import { checkFloatInputs } from './transform.js'
import { vjp } from './vjp.js'

/** `f` of each unit array of `shape` and `dtype`, made one at a time (no n × n identity). */
const perBasis = <T>(shape: readonly number[], dtype: NDArray['dtype'], n: number, f: (e: NDArray) => T): T[] =>
  Array.from({ length: n }, (_, i) => {
    const e = fresh(dtype, shape)
    e.data[i] = 1
    return f(e)
  })

/**
 * The Jacobian of `f: NDArray → NDArray` by reverse mode (one pullback per output
 * element), shaped `[...out.shape, ...x.shape]`.
 * @example
 * jacrev((x) => mul(x, x))(array([1, 2])) // [[2, 0], [0, 4]]
 */
export const jacrev =
  (f: (x: NDArray) => NDArray) =>
  (x: NDArray): NDArray => {
    checkFloatInputs('jacrev', [x])
    const [y, pullback] = vjp(f as (...a: never[]) => NDArray, x)
    if (y.size === 0 || x.size === 0) return zeros([...y.shape, ...x.shape], { dtype: x.dtype })
    const rows = perBasis(y.shape, y.dtype, y.size, (e) => (pullback(e) as NDArray[])[0] as NDArray)
    return reshape(stack(rows), [...y.shape, ...x.shape])
  }

/**
 * The Jacobian of `f: NDArray → NDArray` by forward mode (one jvp per input element),
 * shaped `[...out.shape, ...x.shape]`.
 * @example
 * jacfwd(sin)(x) // diag(cos x)
 */
export const jacfwd =
  (f: (x: NDArray) => NDArray) =>
  (x: NDArray): NDArray => {
    checkFloatInputs('jacfwd', [x])
    const columns = perBasis(x.shape, x.dtype, x.size, (e) => jvp(f as (...a: never[]) => NDArray, [x], [e])[1])
    if (columns.length === 0) {
      const y = f(x)
      return zeros([...y.shape, ...x.shape], { dtype: x.dtype })
    }
    const first = columns[0] as NDArray
    const stacked = reshape(stack(columns), [x.size, first.size]) // [input, output]
    return reshape(transpose(stacked), [...first.shape, ...x.shape])
  }

/**
 * The Hessian of a scalar-valued `f`, as forward-over-reverse (jacfwd of jacrev).
 * @example
 * hessian((x) => sum(pow(x, 3)))(x) // diag(6x)
 */
export const hessian = (f: (x: NDArray) => NDArray): ((x: NDArray) => NDArray) => jacfwd(jacrev(f))
