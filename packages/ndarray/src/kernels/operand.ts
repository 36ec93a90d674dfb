/** `Operand`, a typed array seen through an offset and strides: what the JavaScript loop and its SIMD path both take. */
import type { TypedArray } from '../dtype.js'

/**
 * A typed array seen through an offset and strides.
 * @category Kernels
 */
export interface Operand {
  readonly data: TypedArray
  readonly offset: number
  readonly strides: readonly number[]
}
