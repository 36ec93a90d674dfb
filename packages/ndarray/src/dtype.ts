/** Element types, their typed-array storage, and the promotion rule between them. */

/**
 * The element types an {@link NDArray} can hold.
 * @category Data types
 * @example
 * const d: DType = array([1, 2], { dtype: 'int32' }).dtype
 * d                       // → 'int32'
 * promoteTypes(d, 'bool') // → 'int32'
 */
export type DType = 'float32' | 'float64' | 'int32' | 'uint8' | 'bool'

/**
 * Every dtype, in promotion order (a later one can hold every earlier one's values).
 * @category Data types
 * @example
 * dtypes // → ['bool', 'uint8', 'int32', 'float32', 'float64']
 */
export const dtypes: readonly DType[] = ['bool', 'uint8', 'int32', 'float32', 'float64']

/**
 * The typed array behind each dtype (`bool` is stored as 0/1 bytes).
 * @category Data types
 * @example
 * const flags: TypedArrayOf['bool'] = allocate('bool', 3)
 * flags                         // → new Uint8Array(3)
 * allocate('float64', 2).length // → 2
 */
export interface TypedArrayOf {
  float32: Float32Array
  float64: Float64Array
  int32: Int32Array
  uint8: Uint8Array
  bool: Uint8Array
}

/**
 * Any typed array an NDArray can be stored in.
 * @category Data types
 * @example
 * const t: TypedArray = toTypedArray(array([1, 2], { dtype: 'int32' }))
 * t                                // → new Int32Array([1, 2])
 * toTypedArray(array([true, false])) // → new Uint8Array([1, 0])
 */
export type TypedArray = TypedArrayOf[DType]

const constructors = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
} as const

/**
 * Is `name` a dtype?
 * @category Data types
 * @example
 * isDType('float32') // → true
 * isDType('float16') // → false
 */
export const isDType = (name: unknown): name is DType =>
  typeof name === 'string' && (dtypes as readonly string[]).includes(name)

/** Throws a clear error unless `name` is a dtype. */
export const checkDType = (op: string, name: unknown): DType => {
  if (!isDType(name)) {
    throw new TypeError(`${op}: unknown dtype ${JSON.stringify(name)}; expected one of ${dtypes.join(', ')}`)
  }
  return name
}

/**
 * Allocates zeroed storage of `size` elements for `dtype`. `zero: false` says the caller writes every element, so
 * the contents may be left unspecified (today every buffer is fresh, hence zero, either way).
 * @category Storage
 * @example
 * allocate('float32', 128 * 10) // → new Float32Array(1280) // zeros
 * allocate('bool', 2)           // → new Uint8Array(2) // bool is stored as bytes
 */
export const allocate = <D extends DType>(dtype: D, size: number, _zero = true): TypedArrayOf[D] => {
  const ctor = constructors[dtype]
  const bytes = size * ctor.BYTES_PER_ELEMENT
  if (bytes > 0 && bytes <= smallBytes) {
    // small arrays are carved from shared 64 KiB slabs: a fresh ArrayBuffer costs ~3 µs, a view ~0.3 µs.
    // A slab lives while any array carved from it does, so one live scalar can pin 64 KiB.
    slabUsed = Math.ceil(slabUsed / 8) * 8
    if (slabUsed + bytes > slab.byteLength) {
      slab = new ArrayBuffer(slabBytes)
      slabUsed = 0
    }
    const view = new ctor(slab, slabUsed, size)
    slabUsed += bytes
    return view as TypedArrayOf[D]
  }
  return new ctor(size) as TypedArrayOf[D]
}

const smallBytes = 8 * 1024
const slabBytes = 64 * 1024
let slab = new ArrayBuffer(0)
let slabUsed = 0

/**
 * Is this dtype a floating-point type?
 * @category Data types
 * @example
 * isFloat('float64') // → true
 * isFloat('int32')   // → false
 */
export const isFloat = (dtype: DType): dtype is 'float32' | 'float64' => dtype === 'float32' || dtype === 'float64'

/** Is this dtype an integer or boolean type? */
export const isIntegral = (dtype: DType): boolean => !isFloat(dtype)

const rank = (d: DType): number => dtypes.indexOf(d)

/**
 * The dtype that holds both `a` and `b` (bool < uint8 < int32 < float32 < float64).
 * @category Data types
 * @example
 * promoteTypes('int32', 'float32') // → 'float32'
 * promoteTypes('uint8', 'int32')   // → 'int32'
 * promoteTypes('bool', 'uint8')    // → 'uint8'
 */
export const promoteTypes = (a: DType, b: DType): DType => (rank(a) >= rank(b) ? a : b)

/**
 * The dtype of an arithmetic result (add, sub, mul, neg…): like {@link promoteTypes},
 * but `bool` and `uint8` arithmetic is done in `int32`, so 200 + 100 is 300, never a
 * wrapped 44 (R, which the book uses, has no 8-bit arithmetic either).
 * @category Data types
 * @example
 * import { arithmeticType } from './dtype.js'
 * arithmeticType('uint8')   // → 'int32'
 * arithmeticType('bool')    // → 'int32'
 * arithmeticType('float32') // → 'float32'
 */
export const arithmeticType = (d: DType): DType => (d === 'bool' || d === 'uint8' ? 'int32' : d)

/**
 * The dtype of a result that is real-valued whatever the input (div, exp, log, sqrt…).
 * @category Data types
 * @example
 * import { floatType } from './dtype.js'
 * floatType('int32')   // → 'float32'
 * floatType('float64') // → 'float64'
 */
export const floatType = (d: DType): 'float32' | 'float64' => (d === 'float64' ? 'float64' : 'float32')

/** Rounds/wraps a JS number the way storing it in `dtype` would. */
export const castScalar = (dtype: DType, v: number): number => {
  switch (dtype) {
    case 'float32':
      return Math.fround(v)
    case 'float64':
      return v
    case 'int32':
      return v | 0
    case 'uint8':
      return v & 255
    case 'bool':
      return v !== 0 ? 1 : 0
  }
}
