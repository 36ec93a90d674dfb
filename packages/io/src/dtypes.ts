/** safetensors element types: their sizes, how each becomes a nabla dtype, and which one each nabla dtype is written as. */
import type { DType } from '@nabla/ndarray'

/**
 * Every dtype name of the safetensors format (the reference implementation's `Dtype`, in its order).
 * @category Data types
 * @example
 * safetensorsDTypes.length // → 22
 * safetensorsDTypes.slice(0, 5) // → ['BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8']
 * // the ones nabla cannot read
 * safetensorsDTypes.filter((d) => nablaDTypeOf[d] === undefined) // → ['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ', 'C64']
 */
export const safetensorsDTypes = [
  'BOOL',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'F8_E8M0',
  'F8_E4M3FNUZ',
  'F8_E5M2FNUZ',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'C64',
  'F64',
  'I64',
  'U64',
] as const

/**
 * A safetensors dtype name.
 * @category Data types
 * @example
 * const dtype: SafetensorsDType = 'BF16'
 * safetensorsDTypes.includes(dtype) // → true
 * bitsOf[dtype] // → 16
 * nablaDTypeOf[dtype] // → 'float32'
 */
export type SafetensorsDType = (typeof safetensorsDTypes)[number]

/**
 * Bits per element of each safetensors dtype.
 * @category Data types
 * @example
 * bitsOf.F32 // → 32
 * bitsOf.F4 // → 4
 * // a tensor's size in bytes: elements × bits / 8, e.g. a [2, 3] BF16 tensor
 * const bytes = (2 * 3 * bitsOf.BF16) / 8
 * bytes // → 12
 */
export const bitsOf: Record<SafetensorsDType, number> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
}

/**
 * The nabla dtype each safetensors dtype is read as: exact for BOOL, U8, I32, F32, F64; widened
 * without loss for I8, I16, U16 (int32) and F16, BF16, F8_E4M3, F8_E5M2 (float32); U32, I64 and U64
 * become int32 when every element fits (else the read fails naming the tensor and the value).
 * The others (F4, F6_*, F8_E8M0, the FNUZ variants, C64) have no nabla dtype: reading them is an error.
 * @category Data types
 * @example
 * nablaDTypeOf.F16 // → 'float32'
 * nablaDTypeOf.I64 // → 'int32'
 * nablaDTypeOf.C64 // → undefined
 */
export const nablaDTypeOf: Partial<Record<SafetensorsDType, DType>> = {
  BOOL: 'bool',
  U8: 'uint8',
  I8: 'int32',
  I16: 'int32',
  U16: 'int32',
  I32: 'int32',
  U32: 'int32',
  I64: 'int32',
  U64: 'int32',
  F8_E4M3: 'float32',
  F8_E5M2: 'float32',
  F16: 'float32',
  BF16: 'float32',
  F32: 'float32',
  F64: 'float64',
}

/**
 * The safetensors dtype each nabla dtype is written as.
 * @category Data types
 * @example
 * safetensorsDTypeOf.float32 // → 'F32'
 * safetensorsDTypeOf.uint8 // → 'U8'
 * const file = await openSafetensorsOrThrow(encodeSafetensorsOrThrow({ mask: array([true, false]) }))
 * file.tensors[0].fileDType // → safetensorsDTypeOf.bool
 */
export const safetensorsDTypeOf: Record<DType, SafetensorsDType> = {
  bool: 'BOOL',
  uint8: 'U8',
  int32: 'I32',
  float32: 'F32',
  float64: 'F64',
}

/** Is `name` a safetensors dtype name? */
export const isSafetensorsDType = (name: string): name is SafetensorsDType =>
  (safetensorsDTypes as readonly string[]).includes(name)

/** The position in the reference's dtype order, which its writer sorts by (descending) before the names. */
export const dtypeRank = (d: SafetensorsDType): number => safetensorsDTypes.indexOf(d)
