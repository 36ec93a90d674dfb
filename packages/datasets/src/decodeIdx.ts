/** Decoding IDX bytes (optionally gzipped) held in memory into an NDArray, validating every header field and the exact length. */
import type { NDArray } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { type RawIdx, rawFromBytes } from './idxBytes.js'
import { type IdxError, orThrow } from './idxError.js'

export { maxIdxRank } from './idxHeader.js'

/**
 * Options of {@link decodeIdx}.
 * @category I/O
 * @example
 * const options: DecodeIdxOptions = { name: 'train-labels-idx1-ubyte' }
 * decodeIdxOrThrow(new Uint8Array([0, 0, 8]), options) // throws IdxFileError: decodeIdx: train-labels-idx1-ubyte: truncated IDX header
 * decodeIdxOrThrow(new Uint8Array([0, 0, 8])) // throws IdxFileError: decodeIdx: <bytes>: truncated IDX header
 */
export interface DecodeIdxOptions {
  /** How errors name the bytes (a file name or path); default `'<bytes>'`. */
  readonly name?: string
}

const decodeBytes = (op: string, file: string, raw: Uint8Array): E.Either<IdxError, NDArray> =>
  E.map((r: RawIdx) => r.finish())(rawFromBytes(op, file, raw))

/**
 * Decodes IDX bytes, gzipped or not, into an NDArray of the header's shape. Element types
 * map to dtypes without loss: unsigned byte → uint8; signed byte, short and int → int32;
 * float → float32; double → float64 (see {@link IdxTypeInfo.dtype}). Any malformed input
 * gives `Left` with a precise {@link IdxError}; the bytes are copied once, never aliased.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * // for MNIST's train-labels-idx1-ubyte, Right([60000])
 * const bytes = encodeIdx(array([5, 0, 4], { dtype: 'uint8' }))
 * pipe(decodeIdx(bytes, { name: 'train-labels-idx1-ubyte' }), E.map((y) => y.shape)) // → E.right([3])
 * pipe(decodeIdx(bytes.subarray(0, 10)), E.mapLeft((e) => e.kind)) // → E.left('length')
 */
export const decodeIdx = (
  bytes: Uint8Array,
  { name = '<bytes>' }: DecodeIdxOptions = {},
): E.Either<IdxError, NDArray> => decodeBytes('decodeIdx', name, bytes)

/**
 * {@link decodeIdx}, throwing an {@link IdxFileError} instead of returning `Left`.
 * @category I/O
 * @example
 * decodeIdxOrThrow(encodeIdx(arange(6, undefined, 1, { dtype: 'int32' }))).shape // → [6]
 * decodeIdxOrThrow(new Uint8Array([0, 0])) // throws IdxFileError: truncated IDX header
 */
export const decodeIdxOrThrow = (bytes: Uint8Array, options: DecodeIdxOptions = {}): NDArray =>
  orThrow(decodeIdx(bytes, options))
