/** Checks shared by the product ops: NDArray operands, contraction extents, and the float dtype they compute in. */
import { cast, NDArray } from '@nabla/ndarray'
import { bind, showShape } from '@nabla/ndarray/core'
import type { DotDims } from '../primitive.js'

/**
 * Throws unless `x` is an NDArray.
 * @example
 * // internal (not exported): the product ops check their operands with it
 * dot(3 as never, array([1, 2])) // throws TypeError: dot: expected x to be an NDArray, got number
 * matmul(array([[1, 2]]), [[3], [4]] as never) // throws TypeError: got a JS array (wrap it with array())
 */
export const checkArray = (op: string, x: unknown, name: string): NDArray => {
  if (!(x instanceof NDArray)) {
    const what = x === null ? 'null' : Array.isArray(x) ? 'a JS array (wrap it with array())' : typeof x
    throw new TypeError(`${op}: expected ${name} to be an NDArray, got ${what}`)
  }
  return x
}

/**
 * Throws unless axes `xAxes` of `x` and `yAxes` of `y` have equal extents, pair by pair.
 * @example
 * // internal (not exported): the product ops check the extents they sum over with it
 * dot(zeros([3, 5]), zeros([4, 2])) // throws RangeError: dot: cannot contract [3,5] with [4,2]: 5 ≠ 4 (axis 1 of x against axis 0 of y)
 */
export const checkContract = (
  op: string,
  x: NDArray,
  y: NDArray,
  xAxes: readonly number[],
  yAxes: readonly number[],
): void => {
  xAxes.forEach((a, i) => {
    const b = yAxes[i] as number
    const dx = x.shape[a] as number
    const dy = y.shape[b] as number
    if (dx !== dy) {
      throw new RangeError(
        `${op}: cannot contract ${showShape(x.shape)} with ${showShape(y.shape)}: ${dx} ≠ ${dy} (axis ${a} of x against axis ${b} of y)`,
      )
    }
  })
}

/**
 * The dtype a product computes in: float64 if either operand is float64, else float32.
 * Integer and boolean operands are promoted (int32·int32 gives float32, like a BLAS sgemm;
 * products of integers above 2²⁴ are then rounded — cast to float64 first to keep them).
 * @example
 * // internal (not exported): the dtype of every product's result
 * dot(zeros([2], { dtype: 'int32' }), zeros([2])).dtype // → 'float32'
 * dot(zeros([2], { dtype: 'int32' }), zeros([2], { dtype: 'int32' })).dtype // → 'float32'
 * dot(zeros([2]), zeros([2], { dtype: 'float64' })).dtype // → 'float64'
 */
export const productType = (x: NDArray, y: NDArray): 'float32' | 'float64' =>
  x.dtype === 'float64' || y.dtype === 'float64' ? 'float64' : 'float32'

/**
 * Casts both operands to their product type (a no-op for the common float32·float32).
 * @example
 * // internal (not exported): int32 and float64 operands are both computed as float64
 * const ints = array([1, 2], { dtype: 'int32' })
 * const floats64 = array([0.5, 0.25], { dtype: 'float64' })
 * dot(ints, floats64) // → array(1, { dtype: 'float64' })
 */
export const promote = (x: NDArray, y: NDArray): [NDArray, NDArray] => {
  const t = productType(x, y)
  return [x.dtype === t ? x : cast(x, t), y.dtype === t ? y : cast(y, t)]
}

/**
 * Binds `dotGeneral` on already-checked operands and normalised dims.
 * @example
 * // internal (not exported): dot, matmul, tensordot and dotGeneral all end in it, so under jit they are one
 * // primitive
 * import { makeJaxpr } from '@nabla/jit'
 * const jaxpr = makeJaxpr((x, w) => dot(x, w))(zeros([2, 3]), zeros([3, 4]))
 * jaxpr.eqns.map((e) => [e.prim, e.params]) // → [['dotGeneral', { contracting: [[1], [0]], batch: [[], []] }]]
 */
export const bindDotGeneral = (x: NDArray, y: NDArray, dims: DotDims): NDArray => {
  const [a, b] = promote(x, y)
  return bind('dotGeneral', [a, b], dims)
}
