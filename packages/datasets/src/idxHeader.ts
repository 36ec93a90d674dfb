/** `IdxHeader`, what the first bytes of an IDX file say, and the checks of those bytes and of the data length that every reader applies. */
import * as E from 'fp-ts/lib/Either.js'
import { type IdxError, idxError } from './idxError.js'
import { hex, type IdxType, idxTypeCodes, idxTypeOfCode, idxTypes } from './idxType.js'

/**
 * The largest rank the reader accepts (NumPy's historical limit); real files have 1 to 4.
 * @category I/O
 * @example
 * maxIdxRank // → 32
 * const x = zeros(Array(33).fill(1))
 * if (x.rank > maxIdxRank) console.log(`rank ${x.rank} does not fit an IDX file`) // prints: rank 33 does not fit an IDX file
 * encodeIdx(x) // throws IdxFileError: an array of rank 1 to 32
 */
export const maxIdxRank = 32

/** What an IDX header says: element type, shape, and where the data begins. */
export interface IdxHeader {
  readonly type: IdxType
  readonly shape: readonly number[]
  /** Header length in bytes: 4 + 4·rank. */
  readonly dataOffset: number
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`

/**
 * Is this gzip data? Gzip streams start with 1f 8b; an IDX file starts with 00 00, so the
 * test is never ambiguous and the file name does not matter.
 * @category I/O
 * @example
 * isGzip(new Uint8Array([0x1f, 0x8b, 8])) // → true
 * isGzip(encodeIdx(array([1]))) // → false
 * isGzip(encodeIdx(array([1]), { gzip: true })) // → true
 */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

/**
 * Validates the header of uncompressed IDX bytes: the magic number (two zero bytes, then
 * the type code and the rank), the rank, and that the dimensions fit in the file.
 * @example
 * // internal (not exported): for MNIST's training images it gives Right({ type: 'uint8', shape: [60000, 28, 28],
 * // dataOffset: 16 }). Every decoder checks headers with it:
 * const bytes = encodeIdx(zeros([2, 3], { dtype: 'uint8' }))
 * bytes.slice(0, 12) // → new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3])
 * decodeIdxOrThrow(bytes.slice(0, 10)) // throws IdxFileError: 12 header bytes (4 + 4 per dimension for rank 2)
 * decodeIdxOrThrow(new Uint8Array([0, 0, 0x0a, 1])) // throws IdxFileError: unknown IDX element type
 */
export const parseIdxHeader = (op: string, file: string, bytes: Uint8Array): E.Either<IdxError, IdxHeader> => {
  const fail = (kind: IdxError['kind'], expected: string, found: string) =>
    E.left(idxError(kind, op, file, expected, found))
  if (bytes.length === 0) return fail('empty', 'an IDX file (at least a 4-byte magic number)', '0 bytes')
  if (bytes.length < 4) return fail('header', 'at least the 4-byte magic number', plural(bytes.length, 'byte'))
  const [b0, b1, code, rank] = bytes as unknown as [number, number, number, number]
  if (b0 !== 0 || b1 !== 0) {
    return fail('magic', 'the first two bytes to be 0x00 0x00', `${hex(b0)} ${hex(b1)}`)
  }
  const info = idxTypeOfCode(code)
  if (info === undefined) return fail('typeCode', `one of the type codes ${idxTypeCodes()}`, hex(code))
  if (rank < 1 || rank > maxIdxRank) return fail('rank', `a rank from 1 to ${maxIdxRank}`, `rank ${rank}`)
  const dataOffset = 4 + 4 * rank
  if (bytes.length < dataOffset) {
    return fail(
      'header',
      `${dataOffset} header bytes (4 + 4 per dimension for rank ${rank})`,
      plural(bytes.length, 'byte'),
    )
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, dataOffset)
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false))
  return E.right({ type: info.type, shape, dataOffset })
}

/**
 * `Left` unless exactly the data bytes the header declares follow it (`found` of them):
 * a shorter file is truncated, a longer one has trailing bytes.
 */
export const checkDataLength = (
  op: string,
  file: string,
  { type, shape, dataOffset }: IdxHeader,
  found: number,
): E.Either<IdxError, number> => {
  const info = idxTypes[type]
  const count = shape.reduce((a, b) => a * b, 1)
  const expected = count * info.bytes
  if (found === expected) return E.right(count)
  const declared = `shape [${shape.join(',')}] of ${type} (${plural(info.bytes, 'byte')} each): ${plural(expected, 'data byte')}`
  const problem =
    found < expected
      ? `${plural(found, 'byte')} after the ${dataOffset}-byte header (truncated: ${expected - found} missing)`
      : `${plural(found, 'byte')} after the ${dataOffset}-byte header (${plural(found - expected, 'trailing byte')})`
  return E.left(idxError('length', op, file, declared, problem))
}
