/** Tensor bytes (little-endian, as safetensors stores them) to NDArrays and back, widening the dtypes nabla lacks. */
import type { DType, NDArray, TypedArray } from '@nabla/ndarray'
import { Concrete, concrete, materialize } from '@nabla/ndarray/core'
import * as E from 'fp-ts/lib/Either.js'
import { nablaDTypeOf } from './dtypes.js'
import type { TensorInfo } from './header.js'
import { type SafetensorsError, safetensorsError } from './safetensorsError.js'

/** Is this machine little-endian (as safetensors data is)? Then same-type tensors are plain byte copies. */
export const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

const ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array }

/** IEEE binary16 bits → the number (exact in float32). */
export const halfToNumber = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 31) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

// OCP float8 E4M3 ("FN": no infinities, S.1111.111 is NaN), as PyTorch's float8_e4m3fn
const e4m3 = Float32Array.from({ length: 256 }, (_, b) => {
  const sign = b & 0x80 ? -1 : 1
  const exp = (b >> 3) & 0xf
  const frac = b & 7
  if (exp === 15 && frac === 7) return Number.NaN
  return exp === 0 ? sign * frac * 2 ** -9 : sign * (1 + frac / 8) * 2 ** (exp - 7)
})
// float8 E5M2: the top byte of a binary16
const e5m2 = Float32Array.from({ length: 256 }, (_, b) => halfToNumber(b << 8))

const int32Range = 'every element within int32 (−2147483648…2147483647), the widest integer dtype nabla has'

/**
 * The NDArray of one tensor from exactly its bytes. With `owned`, the bytes are the caller's to
 * give away and an aligned same-type tensor is viewed without a copy; otherwise they are copied.
 * @example
 * // internal (not exported): decoding a file converts each tensor with it, e.g. float16 (F16) to float32
 * const head = new TextEncoder().encode('{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}')
 * const bytes = new Uint8Array(8 + head.length + 4)
 * new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true)
 * bytes.set(head, 8)
 * // 1 and −2 in float16: 0x3c00 and 0xc000, little-endian
 * bytes.set([0x00, 0x3c, 0x00, 0xc0], 8 + head.length)
 * decodeSafetensorsOrThrow(bytes).tensors.h // → array([1, -2])
 */
export const decodeTensor = (
  op: string,
  file: string,
  info: TensorInfo,
  bytes: Uint8Array,
  owned: boolean,
): E.Either<SafetensorsError, NDArray> => {
  const dtype = nablaDTypeOf[info.fileDType]
  if (dtype === undefined) {
    return E.left(
      safetensorsError(
        'dtype',
        op,
        file,
        'a dtype nabla can hold or widen: BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F8_E4M3, F8_E5M2, F16, BF16, F32, F64',
        `${info.fileDType}${info.fileDType === 'C64' ? ' (complex)' : ''}`,
        info.name,
      ),
    )
  }
  const size = info.shape.reduce((a, d) => a * d, 1)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const outOfRange = (v: bigint | number, i: number) =>
    E.left(
      safetensorsError(
        'value',
        op,
        file,
        `${int32Range} (${info.fileDType} is read as int32)`,
        `${v} at flat index ${i} of shape [${info.shape.join(', ')}]`,
        info.name,
      ),
    )
  let data: TypedArray
  switch (info.fileDType) {
    case 'BOOL': {
      for (let i = 0; i < size; i++) {
        const b = bytes[i] as number
        if (b > 1) {
          return E.left(
            safetensorsError(
              'value',
              op,
              file,
              'BOOL bytes 0 or 1',
              `0x${b.toString(16).padStart(2, '0')} at flat index ${i} of shape [${info.shape.join(', ')}]`,
              info.name,
            ),
          )
        }
      }
      data = owned ? bytes : bytes.slice()
      break
    }
    case 'U8':
      data = owned ? bytes : bytes.slice()
      break
    case 'I32':
    case 'F32':
    case 'F64': {
      const C = ctor[dtype]
      if (littleEndian) {
        if (owned && bytes.byteOffset % C.BYTES_PER_ELEMENT === 0)
          data = new C(bytes.buffer as ArrayBuffer, bytes.byteOffset, size)
        else {
          data = new C(size)
          new Uint8Array(data.buffer).set(bytes)
        }
      } else {
        data = new C(size)
        const get =
          info.fileDType === 'I32'
            ? (i: number) => view.getInt32(4 * i, true)
            : info.fileDType === 'F32'
              ? (i: number) => view.getFloat32(4 * i, true)
              : (i: number) => view.getFloat64(8 * i, true)
        for (let i = 0; i < size; i++) data[i] = get(i)
      }
      break
    }
    case 'I8': {
      const out = new Int32Array(size)
      for (let i = 0; i < size; i++) out[i] = view.getInt8(i)
      data = out
      break
    }
    case 'I16':
    case 'U16': {
      const out = new Int32Array(size)
      const signed = info.fileDType === 'I16'
      for (let i = 0; i < size; i++) out[i] = signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true)
      data = out
      break
    }
    case 'U32': {
      const out = new Int32Array(size)
      for (let i = 0; i < size; i++) {
        const v = view.getUint32(4 * i, true)
        if (v > 0x7fffffff) return outOfRange(v, i)
        out[i] = v
      }
      data = out
      break
    }
    case 'I64':
    case 'U64': {
      const out = new Int32Array(size)
      const signed = info.fileDType === 'I64'
      for (let i = 0; i < size; i++) {
        const lo = view.getUint32(8 * i, true)
        const hi = view.getInt32(8 * i + 4, true)
        const fits = signed
          ? (hi === 0 && lo <= 0x7fffffff) || (hi === -1 && lo > 0x7fffffff)
          : hi === 0 && lo <= 0x7fffffff
        if (!fits) return outOfRange(signed ? view.getBigInt64(8 * i, true) : view.getBigUint64(8 * i, true), i)
        out[i] = lo | 0
      }
      data = out
      break
    }
    case 'F16': {
      const out = new Float32Array(size)
      for (let i = 0; i < size; i++) out[i] = halfToNumber(view.getUint16(2 * i, true))
      data = out
      break
    }
    case 'BF16': {
      const bits = new Uint32Array(size)
      for (let i = 0; i < size; i++) bits[i] = view.getUint16(2 * i, true) << 16
      data = new Float32Array(bits.buffer)
      break
    }
    case 'F8_E4M3':
    case 'F8_E5M2': {
      const table = info.fileDType === 'F8_E4M3' ? e4m3 : e5m2
      const out = new Float32Array(size)
      for (let i = 0; i < size; i++) out[i] = table[bytes[i] as number] as number
      data = out
      break
    }
    default:
      // every dtype with a nabla dtype is handled above
      throw new Error(`decodeTensor: no conversion for ${info.fileDType}`)
  }
  return E.right(new Concrete(dtype, info.shape, data))
}

/**
 * The little-endian bytes of `x` (row-major; bool as 0/1 bytes), a view when `x` already is one
 * contiguous run of storage.
 * @example
 * // internal (not exported): encoding a file writes each tensor's bytes with it, after the header
 * const bytes = encodeSafetensorsOrThrow({ x: array([1, 2], { dtype: 'int32' }) })
 * bytes.slice(-8) // → new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0])
 */
export const tensorBytes = (op: string, x: NDArray): Uint8Array => {
  const c = materialize(concrete(op, x))
  const d = c.data.subarray(c.offset, c.offset + c.size) as TypedArray
  if (littleEndian) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
  const out = new Uint8Array(d.byteLength)
  const view = new DataView(out.buffer)
  const dtype: DType = c.dtype
  for (let i = 0; i < d.length; i++) {
    const v = d[i] as number
    if (dtype === 'int32') view.setInt32(4 * i, v, true)
    else if (dtype === 'float32') view.setFloat32(4 * i, v, true)
    else if (dtype === 'float64') view.setFloat64(8 * i, v, true)
    else out[i] = v
  }
  return out
}
