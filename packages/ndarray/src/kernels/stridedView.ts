/** `StridedView`, a typed array seen through an offset and strides: what the JavaScript loop and its SIMD path both take. */
import type { TypedArray } from '../dtype.js'

/**
 * A typed array seen through an offset and strides (not to be confused with `Operand`, an op's array-or-number
 * argument).
 * @category Kernels
 */
export interface StridedView {
  readonly data: TypedArray
  readonly offset: number
  readonly strides: readonly number[]
}
