/** Creating arrays from JS values, and reading them back. */
import { allocate, castScalar, checkDType, type DType, type TypedArray } from '../dtype.js'
import { materialize } from '../kernels/elementwise.js'
import { Concrete, NDArray } from '../ndarray.js'
import { checkShape, type Shape, showShape, sizeOf } from '../shape.js'
import { concrete } from '../trace.js'

/**
 * Nested JS arrays of numbers or booleans, any depth (a bare number is a scalar).
 * @category Creation
 * @example
 * const rows: NestedArray = [[1, 2], [3, 4]]
 * array(rows).shape         // → [2, 2]
 * toArray(array(rows))      // → [[1, 2], [3, 4]]
 * toArray(sum(array(rows))) // → 10
 */
export type NestedArray = number | boolean | readonly NestedArray[]

/**
 * Options shared by the creation functions.
 * @category Creation
 * @example
 * const options: CreateOptions = { dtype: 'int32' }
 * zeros([2], options).dtype        // → 'int32'
 * toArray(ones([2], options))      // → [1, 1]
 * zeros([2]).dtype                 // → 'float32'
 */
export interface CreateOptions {
  /** Element type; `float32` unless said otherwise. */
  readonly dtype?: DType
}

const dtypeOfTyped = (data: TypedArray | ArrayBufferView): DType => {
  if (data instanceof Float32Array) return 'float32'
  if (data instanceof Float64Array) return 'float64'
  if (data instanceof Int32Array) return 'int32'
  if (data instanceof Uint8Array) return 'uint8'
  throw new TypeError(
    `array: unsupported typed array ${data.constructor.name}; expected Float32Array, Float64Array, Int32Array or Uint8Array`,
  )
}

const inferShape = (data: NestedArray): number[] => {
  const shape: number[] = []
  let level: NestedArray = data
  while (Array.isArray(level)) {
    shape.push(level.length)
    if (level.length === 0) break
    level = level[0] as NestedArray
  }
  return shape
}

const fill = (data: NestedArray, shape: Shape, out: TypedArray, dtype: DType): void => {
  let k = 0
  const walk = (x: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof x === 'boolean') out[k++] = x ? 1 : 0
      else if (typeof x === 'number') out[k++] = castScalar(dtype, x)
      else {
        const got = Array.isArray(x) ? 'a list' : x === null ? 'null' : typeof x
        throw new TypeError(`array: ragged nested input: at ${path || 'the top'} expected a number, got ${got}`)
      }
      return
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      const got = Array.isArray(x) ? `a list of length ${x.length}` : typeof x
      throw new RangeError(
        `array: ragged nested input: at ${path || 'the top'} expected a list of length ${shape[depth]} (shape ${showShape(shape)}), got ${got}`,
      )
    }
    x.forEach((v, i) => {
      walk(v, depth + 1, `${path}[${i}]`)
    })
  }
  walk(data, 0, '')
}

const firstLeaf = (data: NestedArray): NestedArray =>
  Array.isArray(data) && data.length > 0 ? firstLeaf(data[0]) : data

/**
 * An array from nested JS arrays, a typed array or a scalar. Numbers give `float32` and
 * booleans `bool` unless `dtype` says otherwise; a typed array keeps its type. With
 * `shape`, the flat data is laid out row-major in that shape.
 * @category Creation
 * @example
 * array([[0, 1], [2, 3], [4, 5]]).shape // → [3, 2]
 * array([[0, 1], [2, 3]]).dtype          // → 'float32'
 * array([true, false]).dtype             // → 'bool'
 * const u = array(new Uint8Array([1, 2, 3, 4]), { shape: [2, 2] })
 * u.dtype      // → 'uint8'
 * toArray(u)   // → [[1, 2], [3, 4]]
 */
export const array = (
  data: NestedArray | TypedArray | NDArray,
  { dtype, shape }: { readonly dtype?: DType; readonly shape?: Shape } = {},
): NDArray => {
  if (dtype !== undefined) checkDType('array', dtype)
  if (shape !== undefined) checkShape('array', shape)
  if (data instanceof NDArray) {
    const c = concrete('array', data)
    const m = materialize(c, dtype ?? c.dtype)
    return shape === undefined ? m : reshapeFlat(m.dtype, m.data, shape, c.size)
  }
  if (ArrayBuffer.isView(data)) {
    const d = dtype ?? dtypeOfTyped(data)
    const flat = allocate(d, data.length)
    if (d === 'bool') for (let i = 0; i < data.length; i++) flat[i] = (data as TypedArray)[i] !== 0 ? 1 : 0
    else flat.set(data as ArrayLike<number>)
    return reshapeFlat(d, flat, shape ?? [data.length], data.length)
  }
  const inferred = inferShape(data)
  const d = dtype ?? (typeof firstLeaf(data) === 'boolean' ? 'bool' : 'float32')
  const out = allocate(d, sizeOf(inferred))
  fill(data, inferred, out, d)
  return reshapeFlat(d, out, shape ?? inferred, out.length)
}

const reshapeFlat = (dtype: DType, data: TypedArray, shape: Shape, size: number): NDArray => {
  if (sizeOf(shape) !== size) {
    throw new RangeError(
      `array: cannot lay out ${size} elements in shape ${showShape(shape)} (${sizeOf(shape)} elements)`,
    )
  }
  return new Concrete(dtype, shape, data)
}

/**
 * An array of `shape` filled with `value`.
 * @category Creation
 * @example
 * toArray(full([2, 3], 7, { dtype: 'int32' })) // → [[7, 7, 7], [7, 7, 7]]
 */
export const full = (shape: Shape, value: number | boolean, { dtype }: CreateOptions = {}): NDArray =>
  filled('full', shape, value, dtype)

// shared by full, zeros and ones, so that each names itself in its errors
const filled = (op: string, shape: Shape, value: number | boolean, dtype: DType | undefined): NDArray => {
  checkShape(op, shape)
  const d = dtype === undefined ? (typeof value === 'boolean' ? 'bool' : 'float32') : checkDType(op, dtype)
  const data = allocate(d, sizeOf(shape))
  const v = castScalar(d, Number(value))
  if (v !== 0) data.fill(v)
  return new Concrete(d, shape, data)
}

/**
 * An array of zeros (the book's `array(rep(0, 2*3*2), dim = c(2,3,2))`).
 * @category Creation
 * @example
 * zeros([3, 5]).shape           // → [3, 5]
 * toArray(zeros([2], { dtype: 'int32' })) // → [0, 0]
 */
export const zeros = (shape: Shape, { dtype }: CreateOptions = {}): NDArray => filled('zeros', shape, 0, dtype)

/**
 * An array of ones.
 * @category Creation
 * @example
 * const o = ones([2], { dtype: 'int32' })
 * toArray(o) // → [1, 1]
 * o.dtype    // → 'int32'
 */
export const ones = (shape: Shape, { dtype }: CreateOptions = {}): NDArray => filled('ones', shape, 1, dtype)

/**
 * Evenly spaced values in the half-open interval [start, stop), as NumPy's `arange`:
 * `int32` when every argument is an integer, else `float32`.
 * @category Creation
 * @example
 * toArray(arange(5))          // → [0, 1, 2, 3, 4]
 * arange(5).dtype             // → 'int32'
 * toArray(arange(1, 2, 0.25)) // → [1, 1.25, 1.5, 1.75]
 * arange(1, 2, 0.25).dtype    // → 'float32'
 */
export const arange = (start: number, stop?: number, step = 1, { dtype }: CreateOptions = {}): NDArray => {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop]
  for (const [name, v] of [
    ['start', lo],
    ['stop', hi],
    ['step', step],
  ] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`arange: ${name} must be a finite number, got ${v}`)
  }
  if (step === 0) throw new RangeError('arange: step must not be 0')
  const d = dtype ?? ([lo, hi, step].every(Number.isInteger) ? 'int32' : 'float32')
  const n = Math.max(0, Math.ceil((hi - lo) / step))
  const data = allocate(checkDType('arange', d), n)
  for (let i = 0; i < n; i++) data[i] = lo + i * step
  return new Concrete(d, [n], data)
}

/**
 * Evenly spaced `num` values from `start` to `stop` inclusive.
 * @category Creation
 * @example
 * toArray(linspace(0, 1, 5)) // → [0, 0.25, 0.5, 0.75, 1]
 */
export const linspace = (
  start: number,
  stop: number,
  num: number,
  { dtype = 'float32' }: CreateOptions = {},
): NDArray => {
  if (!Number.isInteger(num) || num < 0)
    throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`)
  const data = allocate(checkDType('linspace', dtype), num)
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1)
  return new Concrete(dtype, [num], data)
}

/**
 * The n×m identity matrix (square when m is omitted).
 * @category Creation
 * @example
 * toArray(eye(3))    // → [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
 * toArray(eye(2, 3)) // → [[1, 0, 0], [0, 1, 0]]
 */
export const eye = (n: number, m: number = n, { dtype = 'float32' }: CreateOptions = {}): NDArray => {
  checkShape('eye', [n, m])
  const data = allocate(checkDType('eye', dtype), n * m)
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1
  return new Concrete(dtype, [n, m], data)
}

/**
 * A fresh contiguous typed-array copy of the elements, in row-major order.
 * @category Arrays
 * @example
 * toTypedArray(array([1, 2])) // → new Float32Array([1, 2])
 * toTypedArray(transpose(reshape(arange(4), [2, 2]))) // → new Int32Array([0, 2, 1, 3])
 */
export const toTypedArray = (x: NDArray): TypedArray => {
  const c = concrete('toTypedArray', x)
  const m = materialize(c)
  // a copy that owns its whole buffer (small arrays live in shared slabs)
  return m === c || m.data.byteLength !== m.data.buffer.byteLength ? m.data.slice(m.offset, m.offset + m.size) : m.data
}

/**
 * The elements as nested JS arrays (booleans for `bool`); a scalar gives a number.
 * @category Arrays
 * @example
 * toArray(reshape(arange(6), [3, 2])) // → [[0, 1], [2, 3], [4, 5]]
 * toArray(array([1, 0], { dtype: 'bool' })) // → [true, false]
 * toArray(sum(arange(4)))             // → 6
 */
export const toArray = (x: NDArray): NestedArray => {
  const flat = toTypedArray(concrete('toArray', x))
  const asValue = x.dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v
  if (x.rank === 0) return asValue(flat[0] as number)
  let k = 0
  const build = (depth: number): NestedArray[] =>
    Array.from({ length: x.shape[depth] as number }, () =>
      depth === x.rank - 1 ? asValue(flat[k++] as number) : build(depth + 1),
    )
  return build(0)
}

/**
 * The single element of a size-1 array, as a JS number.
 * @category Arrays
 * @example
 * item(sum(array([1, 2, 3]))) // → 6
 * item(arange(3))             // throws RangeError: exactly one element
 */
export const item = (x: NDArray): number => {
  const c = concrete('item', x)
  if (c.size !== 1)
    throw new RangeError(`item: expected an array with exactly one element, got shape ${showShape(c.shape)}`)
  return c.data[c.offset] as number
}
