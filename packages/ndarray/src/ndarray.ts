/** The NDArray type: an immutable array value, either concrete (a buffer) or a tracer inside a transform. */
import type { DType, TypedArray } from './dtype.js'
import { contiguousStrides, type Shape, sizeOf } from './shape.js'

/**
 * An immutable n-dimensional array. Every op takes and returns NDArrays; none mutates
 * one. Inside a transform such as `grad`, the arrays a function sees are tracers — the
 * same type, with a shape and dtype but no readable values.
 * @category Arrays
 * @example
 * const x = array([[0, 1], [2, 3], [4, 5]])
 * x.shape // → [3, 2]
 * x.rank  // → 2
 * x.size  // → 6
 * x.dtype // → 'float32'
 */
export abstract class NDArray {
  /** Extent of each axis, outermost first. */
  abstract readonly shape: Shape
  /** Element type. */
  abstract readonly dtype: DType
  /** Number of axes (the book's `length(dim(x))`). */
  get rank(): number {
    return this.shape.length
  }
  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape)
  }
}

/**
 * An NDArray backed by a typed array: `data[offset + Σ index[i]·strides[i]]` is the
 * element at `index`. Views (transpose, slice, broadcast, reshape) share `data`; since no
 * op ever writes into an existing array, sharing is never observable.
 * @category Storage
 * @example
 * const c = new Concrete('float32', [2, 3], new Float32Array([0, 1, 2, 3, 4, 5]))
 * c.strides    // → [3, 1]
 * c.contiguous // → true
 * const t = new Concrete('float32', [3, 2], c.data, [1, 3]) // its transpose, sharing c.data
 * t.contiguous // → false
 * toArray(t)   // → [[0, 3], [1, 4], [2, 5]]
 */
export class Concrete extends NDArray {
  readonly shape: Shape
  readonly dtype: DType
  readonly data: TypedArray
  readonly strides: readonly number[]
  readonly offset: number
  /** True when elements are laid out row-major from `offset` with no gaps. */
  readonly contiguous: boolean

  constructor(dtype: DType, shape: Shape, data: TypedArray, strides?: readonly number[], offset = 0) {
    super()
    this.dtype = dtype
    this.shape = Object.freeze([...shape])
    this.data = data
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape))
    this.offset = offset
    this.contiguous = strides === undefined || isContiguous(shape, this.strides)
  }
}

const isContiguous = (shape: Shape, strides: readonly number[]): boolean => {
  let s = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i] as number
    if (d !== 1 && strides[i] !== s) return false
    s *= d
  }
  return true
}

/**
 * Is `x` an NDArray (concrete or traced)?
 * @category Arrays
 * @example
 * isNDArray(zeros([2])) // → true
 * isNDArray([1, 2])     // → false
 */
export const isNDArray = (x: unknown): x is NDArray => x instanceof NDArray
