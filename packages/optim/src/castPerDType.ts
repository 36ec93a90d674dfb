/** castPerDType: a float64 scalar hyperparameter (one computed from the step count) in the dtype of each leaf. */
import { cast, type DType, type NDArray } from '@nabla/ndarray'
import { isFloat } from '@nabla/ndarray/core'

/**
 * `x` cast to a leaf's dtype, once per dtype: for a scalar NDArray, what `mul(g, jsNumber)` does to a number
 * (a scalar of g's float dtype, rounded to nearest for float32, as Math.fround; float32 for other dtypes).
 * @example
 * // internal (not exported): scaleByAdam casts its float64 bias correction to each leaf's dtype with it
 * const opt = scaleByAdam()
 * const grads = { a: array([2]), b: array([2], { dtype: 'float64' }) }
 * const [updates] = opt.update(grads, opt.init(grads))
 * updates.a.dtype // → 'float32'
 * updates.b.dtype // → 'float64'
 */
export const castPerDType = (x: NDArray): ((dtype: DType) => NDArray) => {
  const cache = new Map<DType, NDArray>()
  return (dtype) => {
    const to = isFloat(dtype) ? dtype : 'float32'
    let c = cache.get(to)
    if (c === undefined) {
      c = cast(x, to)
      cache.set(to, c)
    }
    return c
  }
}
