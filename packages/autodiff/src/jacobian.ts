/**
 * Jacobians and Hessians built on vmap, as JAX does: `jacfwd` is `jvp` mapped over the basis of the input
 * space, `jacrev` the pullback mapped over the basis of the output space — one batched pass each, not one
 * pass per basis vector.
 */
import { eye, type NDArray, reshape, zeros } from '@nabla/ndarray'
import { jvp } from './jvp.js'
import { checkFloatInputs } from './transform.js'
import { vjp } from './vjp.js'
import { vmap } from './vmap.js'

/** The n unit arrays of `shape` stacked along a new first axis: the standard basis, as one array. */
const basis = (shape: readonly number[], n: number, dtype: NDArray['dtype']): NDArray =>
  reshape(eye(n, n, { dtype }), [n, ...shape])

/**
 * The Jacobian of `f: NDArray → NDArray` by reverse mode (the pullback vmapped over the output basis),
 * shaped `[...out.shape, ...x.shape]`.
 * @category Transforms
 * @example
 * toArray(jacrev((x) => mul(x, x))(array([1, 2]))) // → [[2, 0], [0, 4]]
 * jacrev((x) => sum(x))(ones([2, 3])).shape // → [2, 3]
 */
export const jacrev =
  (f: (x: NDArray) => NDArray) =>
  (x: NDArray): NDArray => {
    checkFloatInputs('jacrev', [x])
    const [y, pullback] = vjp(f as (...a: never[]) => NDArray, x)
    if (y.size === 0 || x.size === 0) return zeros([...y.shape, ...x.shape], { dtype: x.dtype })
    const rows = vmap((ct: NDArray) => (pullback(ct) as NDArray[])[0] as NDArray)(basis(y.shape, y.size, y.dtype))
    return reshape(rows, [...y.shape, ...x.shape])
  }

/**
 * The Jacobian of `f: NDArray → NDArray` by forward mode (`jvp` vmapped over the input basis),
 * shaped `[...out.shape, ...x.shape]`.
 * @category Transforms
 * @example
 * // diag(cos x)
 * toArray(jacfwd(sin)(array([0, 1]))) // → [[1, 0], [0, Math.cos(1)]]
 * jacfwd((x) => mul(x, 2))(ones([2, 3])).shape // → [2, 3, 2, 3]
 */
export const jacfwd =
  (f: (x: NDArray) => NDArray) =>
  (x: NDArray): NDArray => {
    checkFloatInputs('jacfwd', [x])
    if (x.size === 0) {
      const y = f(x)
      return zeros([...y.shape, ...x.shape], { dtype: x.dtype })
    }
    const pushforward = (t: NDArray): NDArray => jvp(f as (...a: never[]) => NDArray, [x], [t])[1]
    // the basis index goes last, so the columns land in place: [...out.shape, n]
    const columns = vmap(pushforward, { outAxes: -1 })(basis(x.shape, x.size, x.dtype))
    return reshape(columns, [...columns.shape.slice(0, -1), ...x.shape])
  }

/**
 * The Hessian of a scalar-valued `f`, as forward-over-reverse (jacfwd of jacrev): two nested vmaps.
 * @category Transforms
 * @example
 * // diag(6x)
 * toArray(hessian((x) => sum(pow(x, 3)))(array([1, 2]))) // → [[6, 0], [0, 12]]
 */
export const hessian = (f: (x: NDArray) => NDArray): ((x: NDArray) => NDArray) => jacfwd(jacrev(f))
