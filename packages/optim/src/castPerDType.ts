/** castPerDType: a float64 scalar hyperparameter (one computed from the step count) in the dtype of each leaf. */
import { cast, type DType, type NDArray } from '@nabla/ndarray'
import { isFloat } from '@nabla/ndarray/core'

/**
 * `x` cast to a leaf's dtype, once per dtype: for a scalar NDArray, what `mul(g, jsNumber)` does to a number
 * (a scalar of g's float dtype, rounded to nearest for float32, as Math.fround; float32 for other dtypes).
 * @example
 * const alphaIn = castPerDType(alpha) // alpha: a float64 scalar
 * treeMap((g: NDArray) => mul(g, alphaIn(g.dtype)), grads)
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
