/** Cotangent plumbing: undo broadcasting, match dtypes, treat integer inputs as constants. */
import { cast, type NDArray, reshape, sum, zeros } from '@nabla/ndarray'
import { isFloat, shapesEqual } from '@nabla/ndarray/core'
import type { Tangent } from './rule.js'

/**
 * Sums `ct` over the axes along which an input of shape `shape` was broadcast, so the
 * cotangent has the input's shape: d(broadcast x) is transposed by a sum.
 */
export const unbroadcast = (ct: NDArray, shape: readonly number[]): NDArray => {
  if (shapesEqual(ct.shape, shape)) return ct
  const lead = ct.rank - shape.length
  const axes = ct.shape.flatMap((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []))
  const summed = axes.length > 0 ? sum(ct, { axis: axes }) : ct
  return reshape(summed, shape)
}

/**
 * The cotangent of input `x`: `ct` reduced to `x`'s shape and cast to its dtype; `null`
 * for an integer or bool input, which has no derivative.
 */
export const cotangentFor = (ct: NDArray, x: NDArray): Tangent => {
  if (!isFloat(x.dtype)) return null
  const r = unbroadcast(ct, x.shape)
  return r.dtype === x.dtype ? r : cast(r, x.dtype)
}

/** Keeps a tangent's dtype equal to its primal's (tangents of mixed-precision ops). */
export const asType = (t: Tangent, like: NDArray): Tangent =>
  t === null || t.dtype === like.dtype ? t : cast(t, like.dtype)

/**
 * An explicit zero of `x`'s shape and dtype (where a null tangent must become an array).
 * @example
 * // internal (not exported): zeros(x.shape, { dtype: x.dtype }). jvp and vjp fill null tangents with it, e.g. for
 * // an output that does not depend on the input, or an argument the output does not use
 * const [, t] = jvp((x) => ones([2]), [array([1, 2])], [ones([2])])
 * toArray(t) // → [0, 0]
 * const [, pullback] = vjp((x, z) => mul(x, 2), array([1, 2]), array([3]))
 * toArray(pullback(ones([2]))[1]) // → [0]
 */
export const zerosOf = (x: NDArray): NDArray => zeros(x.shape, { dtype: x.dtype })
