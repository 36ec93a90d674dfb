/** The six IDX element types: their type codes, sizes, the dtype each decodes to, and big-endian element reading and writing. */
import type { DType, TypedArray } from '@nabla/ndarray'

/**
 * An IDX element type, named after its width (the IDX spec's names in brackets):
 * `uint8` (0x08, unsigned byte), `int8` (0x09, signed byte), `int16` (0x0B, short),
 * `int32` (0x0C, int), `float32` (0x0D, float), `float64` (0x0E, double). Multi-byte
 * values are big-endian.
 * @category I/O
 * @example
 * const type: IdxType = 'int16'
 * idxTypes[type].code // → 0x0b
 * decodeIdxOrThrow(encodeIdx(array([-300, 7], { dtype: 'int32' }), { type })).dtype // → 'int32'
 * encodeIdx(array([40000], { dtype: 'int32' }), { type }) // throws IdxFileError: integers in -32768…32767 for IDX type int16
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'

/**
 * Facts about one {@link IdxType}.
 * @category I/O
 * @example
 * const info: IdxTypeInfo | undefined = idxTypeOfCode(0x0d)
 * info // → { type: 'float32', code: 0x0d, bytes: 4, dtype: 'float32', min: -Infinity, max: Infinity }
 * // a file of 3 float32: 4 bytes of magic, 4 per extent, then info.bytes per element
 * encodeIdx(zeros([3], { dtype: 'float32' })).length // → 4 + 4 + 3 * 4
 */
export interface IdxTypeInfo {
  readonly type: IdxType
  /** The type code, the third byte of the file. */
  readonly code: number
  /** Bytes per element. */
  readonly bytes: number
  /**
   * The dtype it decodes to. NDArray has no 8- or 16-bit signed type, so `int8` and
   * `int16` widen to `int32` (exactly); `uint8` stays `uint8`, `int32` is `int32`,
   * `float32` is `float32`, `float64` is `float64`. No value is ever rounded.
   */
  readonly dtype: DType
  /** Smallest and largest storable value (integers only; ±Infinity for floats). */
  readonly min: number
  readonly max: number
}

/**
 * Every IDX element type by name.
 * @category I/O
 * @example
 * idxTypes.int16 // → { type: 'int16', code: 0x0b, bytes: 2, dtype: 'int32', min: -32768, max: 32767 }
 * idxTypes.uint8.dtype // → 'uint8'
 */
export const idxTypes: { readonly [T in IdxType]: IdxTypeInfo } = {
  uint8: { type: 'uint8', code: 0x08, bytes: 1, dtype: 'uint8', min: 0, max: 255 },
  int8: { type: 'int8', code: 0x09, bytes: 1, dtype: 'int32', min: -128, max: 127 },
  int16: { type: 'int16', code: 0x0b, bytes: 2, dtype: 'int32', min: -32768, max: 32767 },
  int32: { type: 'int32', code: 0x0c, bytes: 4, dtype: 'int32', min: -(2 ** 31), max: 2 ** 31 - 1 },
  float32: { type: 'float32', code: 0x0d, bytes: 4, dtype: 'float32', min: -Infinity, max: Infinity },
  float64: { type: 'float64', code: 0x0e, bytes: 8, dtype: 'float64', min: -Infinity, max: Infinity },
}

const byCode = new Map(Object.values(idxTypes).map((info) => [info.code, info]))

/**
 * The element type of a type code, or `undefined` for an unknown code.
 * @category I/O
 * @example
 * idxTypeOfCode(0x08)?.type // → 'uint8'
 * idxTypeOfCode(0x0a) // → undefined
 */
export const idxTypeOfCode = (code: number): IdxTypeInfo | undefined => byCode.get(code)

/** Every valid type code as `0x08, 0x09, …` (for error messages). */
export const idxTypeCodes = (): string => [...byCode.keys()].map(hex).join(', ')

/** `0x0b`-style rendering of a byte. */
export const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`

const wideArrays = { int32: Int32Array, float32: Float32Array, float64: Float64Array } as const

/**
 * Storage for `n` elements of `type`: the typed array of its dtype (`target`) and the
 * bytes the raw big-endian file data must be copied or read into (`body`). For uint8 and
 * the 4- and 8-byte types `body` is `target`'s own memory, so a file can be read straight
 * into the array and converted in place; int8 and int16 widen, so they get a scratch buffer.
 */
export const allocateElements = (type: IdxType, n: number): { target: TypedArray; body: Uint8Array } => {
  switch (type) {
    case 'uint8': {
      const target = new Uint8Array(n)
      return { target, body: target }
    }
    case 'int8':
    case 'int16':
      return { target: new Int32Array(n), body: new Uint8Array(n * idxTypes[type].bytes) }
    case 'int32':
    case 'float32':
    case 'float64': {
      const target = new wideArrays[type](n)
      return { target, body: new Uint8Array(target.buffer) }
    }
  }
}

/**
 * Turns the big-endian bytes in `body` into native values in `target` (both from
 * {@link allocateElements}, `body` filled). In place where they share memory: each
 * element is read whole before it is overwritten. DataView reads with
 * `littleEndian = false` are big-endian on every host, and V8 inlines them.
 */
export const finishElements = (type: IdxType, target: TypedArray, body: Uint8Array): TypedArray => {
  const n = target.length
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  switch (type) {
    case 'uint8':
      break
    case 'int8':
      target.set(new Int8Array(body.buffer, body.byteOffset, n)) // sign-extends
      break
    case 'int16':
      for (let i = 0; i < n; i++) target[i] = view.getInt16(2 * i, false)
      break
    case 'int32':
      for (let i = 0; i < n; i++) target[i] = view.getInt32(4 * i, false)
      break
    case 'float32':
      for (let i = 0; i < n; i++) target[i] = view.getFloat32(4 * i, false)
      break
    case 'float64':
      for (let i = 0; i < n; i++) target[i] = view.getFloat64(8 * i, false)
      break
  }
  return target
}

/** Writes the elements of `data` big-endian as `type` into `view` from byte `offset` (values already checked). */
export const writeElements = (type: IdxType, data: ArrayLike<number>, view: DataView, offset: number): void => {
  const n = data.length
  switch (type) {
    case 'uint8':
      for (let i = 0; i < n; i++) view.setUint8(offset + i, data[i] as number)
      return
    case 'int8':
      for (let i = 0; i < n; i++) view.setInt8(offset + i, data[i] as number)
      return
    case 'int16':
      for (let i = 0; i < n; i++) view.setInt16(offset + 2 * i, data[i] as number, false)
      return
    case 'int32':
      for (let i = 0; i < n; i++) view.setInt32(offset + 4 * i, data[i] as number, false)
      return
    case 'float32':
      for (let i = 0; i < n; i++) view.setFloat32(offset + 4 * i, data[i] as number, false)
      return
    case 'float64':
      for (let i = 0; i < n; i++) view.setFloat64(offset + 8 * i, data[i] as number, false)
      return
  }
}
