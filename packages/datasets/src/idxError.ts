/** The error value of every IDX and dataset loader (`Either`/`TaskEither` forms) and the exception the throwing forms raise. */
import type { Either } from 'fp-ts/lib/Either.js'

/**
 * What went wrong:
 * - `missing`: the file does not exist; `io`: another file-system error;
 * - `gzip`: the file starts with the gzip magic bytes but does not inflate;
 * - `empty`, `header`, `magic`, `typeCode`, `rank`, `length`: a malformed IDX file
 *   (no bytes; header cut short; first two bytes not zero; unknown element type;
 *   rank outside 1…32; data bytes not exactly what the dimensions declare);
 * - `count`: images and labels of a dataset have different sample counts;
 * - `size`, `checksum`, `content`: a file of a known dataset (MNIST) is not the expected one;
 * - `encode`: an array cannot be written as the requested IDX type.
 * @category I/O
 * @example
 * const kindOf = (bytes: Uint8Array): IdxErrorKind | undefined => {
 *   const r = decodeIdx(bytes)
 *   return r._tag === 'Left' ? r.left.kind : undefined
 * }
 * kindOf(encodeIdx(array([1, 2], { dtype: 'uint8' }))) // → undefined
 * kindOf(new Uint8Array(0)) // → 'empty'
 * kindOf(new Uint8Array([1, 0, 8, 1])) // → 'magic'
 * kindOf(new Uint8Array([0, 0, 8, 0])) // → 'rank'
 */
export type IdxErrorKind =
  | 'missing'
  | 'io'
  | 'gzip'
  | 'empty'
  | 'header'
  | 'magic'
  | 'typeCode'
  | 'rank'
  | 'length'
  | 'count'
  | 'size'
  | 'checksum'
  | 'content'
  | 'encode'

/**
 * A precise, typed description of a failed read or write.
 * @category I/O
 * @example
 * const r = decodeIdx(new Uint8Array([0, 0, 0x0a, 1]), { name: 'a.idx' })
 * const error: IdxError | undefined = r._tag === 'Left' ? r.left : undefined
 * error?.kind // → 'typeCode'
 * error?.found // → '0x0a'
 * error?.message // → 'decodeIdx: a.idx: unknown IDX element type: expected one of the type codes 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, found 0x0a'
 */
export interface IdxError {
  readonly _tag: 'IdxError'
  readonly kind: IdxErrorKind
  /** The function the user called (`readIdx`, `datasetMnist`, …). */
  readonly op: string
  /** The file (a path, or the `name` given to `decodeIdx`); several joined by `, ` when the error spans files. */
  readonly file: string
  /** What the reader expected, in words. */
  readonly expected: string
  /** What it found instead. */
  readonly found: string
  /** `op: file: what: expected …, found …` — one line, ready to show to a user. */
  readonly message: string
}

const what: Record<IdxErrorKind, string> = {
  missing: 'file not found',
  io: 'cannot read or write the file',
  gzip: 'corrupt gzip data',
  empty: 'empty file',
  header: 'truncated IDX header',
  magic: 'bad IDX magic number',
  typeCode: 'unknown IDX element type',
  rank: 'bad IDX rank',
  length: 'IDX data length does not match the dimensions',
  count: 'images and labels differ in count',
  size: 'unexpected file size',
  checksum: 'MD5 checksum mismatch',
  content: 'unexpected content',
  encode: 'cannot encode as IDX',
}

/**
 * Builds an {@link IdxError} with its one-line message.
 * @example
 * // internal (not exported); the readers build their errors with it, e.g.
 * // idxError('magic', 'readIdx', 'a.idx', 'the first two bytes 00 00', '1f 8c').message is
 * // 'readIdx: a.idx: bad IDX magic number: expected the first two bytes 00 00, found 1f 8c'
 * const r = decodeIdx(new Uint8Array([1, 2, 8, 1]), { name: 'a.idx' })
 * r._tag === 'Left' && [r.left.kind, r.left.op, r.left.file] // → ['magic', 'decodeIdx', 'a.idx']
 * r._tag === 'Left' && r.left.message.startsWith('decodeIdx: a.idx: bad IDX magic number: expected') // → true
 */
export const idxError = (kind: IdxErrorKind, op: string, file: string, expected: string, found: string): IdxError => ({
  _tag: 'IdxError',
  kind,
  op,
  file,
  expected,
  found,
  message: `${op}: ${file}: ${what[kind]}: expected ${expected}, found ${found}`,
})

/**
 * Is `e` an {@link IdxError} value?
 * @category I/O
 * @example
 * const r = decodeIdx(new Uint8Array(0))
 * r._tag === 'Left' && isIdxError(r.left) // → true
 * isIdxError(new Error('not one')) // → false
 */
export const isIdxError = (e: unknown): e is IdxError =>
  typeof e === 'object' && e !== null && (e as IdxError)._tag === 'IdxError'

/**
 * What the throwing forms (`readIdxSync`, `decodeIdxOrThrow`, `datasetMnist`, …) throw:
 * an `Error` whose message is the error's one-line message and whose `error` field
 * holds the typed value. A command-line app can print `message` without a stack trace.
 * @category I/O
 * @example
 * let caught
 * try {
 *   readIdxSync('nope.idx')
 * } catch (e) {
 *   if (e instanceof IdxFileError) caught = e
 * }
 * caught.error.kind // → 'missing'
 * caught.message === caught.error.message // → true
 */
export class IdxFileError extends Error {
  override readonly name = 'IdxFileError'
  readonly error: IdxError
  constructor(error: IdxError) {
    super(error.message)
    this.error = error
  }
}

/** Unwraps an `Either` or throws its error as an {@link IdxFileError}. */
export const orThrow = <A>(e: Either<IdxError, A>): A => {
  if (e._tag === 'Left') throw new IdxFileError(e.left)
  return e.right
}
