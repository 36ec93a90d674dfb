/** The error value of every safetensors reader and writer (`Either`/`TaskEither` forms) and the exception the throwing forms raise. */
import type { Either } from 'fp-ts/lib/Either.js'

/**
 * What went wrong:
 * - `missing`: the file does not exist; `io`: another file-system or Blob read error;
 * - `header`: fewer than 8 bytes, or a declared header length past the end of the file or above 100,000,000 bytes;
 * - `utf8`: the header is not valid UTF-8; `json`: not valid JSON (syntax, duplicate key, nesting);
 * - `schema`: valid JSON that is not a safetensors header (not an object, a tensor entry without
 *   `dtype`/`shape`/`data_offsets`, a shape that is not a list of integers, metadata values that are not strings);
 * - `dtype`: a dtype nabla does not know or cannot hold (F4, F6, C64, the F8 variants other than E4M3/E5M2);
 * - `offsets`: tensors that do not tile the data section from byte 0 without gaps or overlaps;
 * - `size`: a tensor whose byte span is not its shape × its element size (or whose size overflows);
 * - `length`: the file's data section is not exactly what the offsets declare (truncated or trailing bytes);
 * - `value`: an element that nabla's dtypes cannot hold exactly (a U32/I64/U64 outside int32, a BOOL byte not 0 or 1);
 * - `notFound`: a tensor name not in the file; `template`: the file does not match the tree it is loaded into;
 * - `encode`: a tree or metadata that cannot be written as safetensors.
 * @category I/O
 * @example
 * const kindOf = (bytes: Uint8Array): SafetensorsErrorKind | undefined => {
 *   const r = decodeSafetensors(bytes)
 *   return r._tag === 'Left' ? r.left.kind : undefined
 * }
 * const bytes = encodeSafetensorsOrThrow({ w: ones([2]) })
 * kindOf(bytes.subarray(0, 3)) // → 'header'
 * kindOf(bytes.subarray(0, 70)) // → 'length' // 2 of the 8 data bytes missing
 */
export type SafetensorsErrorKind =
  | 'missing'
  | 'io'
  | 'header'
  | 'utf8'
  | 'json'
  | 'schema'
  | 'dtype'
  | 'offsets'
  | 'size'
  | 'length'
  | 'value'
  | 'notFound'
  | 'template'
  | 'encode'

/**
 * A precise, typed description of a failed safetensors read or write.
 * @category I/O
 * @example
 * const r = decodeSafetensors(new Uint8Array(3), { name: 'a.safetensors' })
 * const error: SafetensorsError | undefined = r._tag === 'Left' ? r.left : undefined
 * error?.kind // → 'header'
 * error?.found // → '3 bytes'
 * error?.message // → 'decodeSafetensors: a.safetensors: bad header length: expected at least 8 bytes (the little-endian header length), found 3 bytes'
 */
export interface SafetensorsError {
  readonly _tag: 'SafetensorsError'
  readonly kind: SafetensorsErrorKind
  /** The function the user called (`decodeSafetensors`, `loadWeights`, …). */
  readonly op: string
  /** The file: a path, a File's name, or the `name` given to a bytes-level function (default `<bytes>`). */
  readonly file: string
  /** The tensor concerned, when there is one. */
  readonly tensor?: string
  /** What was expected, in words. */
  readonly expected: string
  /** What was found instead. */
  readonly found: string
  /** `op: file: [tensor "name": ]what: expected …, found …` — one line, ready to show to a user. */
  readonly message: string
}

const what: Record<SafetensorsErrorKind, string> = {
  missing: 'file not found',
  io: 'cannot read or write the file',
  header: 'bad header length',
  utf8: 'header is not valid UTF-8',
  json: 'header is not valid JSON',
  schema: 'not a safetensors header',
  dtype: 'unsupported dtype',
  offsets: 'bad data offsets',
  size: 'data size does not match shape and dtype',
  length: 'data section length does not match the header',
  value: 'value out of range',
  notFound: 'tensor not found',
  template: 'file does not match the template',
  encode: 'cannot encode as safetensors',
}

/**
 * Builds a {@link SafetensorsError} with its one-line message.
 * @example
 * // internal (not exported); the errors the decoders return are built with it:
 * // safetensorsError('header', 'decodeSafetensors', 'a.safetensors', 'at least 8 bytes', '3 bytes')
 * const r = decodeSafetensors(new Uint8Array(3), { name: 'a.safetensors' })
 * r._tag === 'Left' && [r.left.kind, r.left.op, r.left.file, r.left.found] // → ['header', 'decodeSafetensors', 'a.safetensors', '3 bytes']
 * // the message: `${op}: ${file}: ${what the kind means}: expected ${expected}, found ${found}`
 * r._tag === 'Left' && r.left.message.startsWith('decodeSafetensors: a.safetensors: bad header length: expected') // → true
 */
export const safetensorsError = (
  kind: SafetensorsErrorKind,
  op: string,
  file: string,
  expected: string,
  found: string,
  tensor?: string,
): SafetensorsError => ({
  _tag: 'SafetensorsError',
  kind,
  op,
  file,
  ...(tensor === undefined ? {} : { tensor }),
  expected,
  found,
  message: `${op}: ${file}: ${tensor === undefined ? '' : `tensor ${JSON.stringify(tensor)}: `}${what[kind]}: expected ${expected}, found ${found}`,
})

/**
 * Is `e` a {@link SafetensorsError} value?
 * @category I/O
 * @example
 * const r = decodeSafetensors(new Uint8Array(0))
 * r._tag === 'Left' && isSafetensorsError(r.left) // → true
 * isSafetensorsError(new Error('not one')) // → false
 */
export const isSafetensorsError = (e: unknown): e is SafetensorsError =>
  typeof e === 'object' && e !== null && (e as SafetensorsError)._tag === 'SafetensorsError'

/**
 * What the throwing forms (`decodeSafetensorsOrThrow`, `loadWeightsOrThrow`, …) throw: an `Error`
 * whose message is the error's one-line message and whose `error` field holds the typed value.
 * @category I/O
 * @example
 * let caught
 * try {
 *   decodeSafetensorsOrThrow(new Uint8Array(3))
 * } catch (e) {
 *   if (e instanceof SafetensorsFileError) caught = e
 * }
 * caught.name // → 'SafetensorsFileError'
 * caught.message === caught.error.message // → true
 * caught.error.kind // → 'header'
 */
export class SafetensorsFileError extends Error {
  override readonly name = 'SafetensorsFileError'
  readonly error: SafetensorsError
  constructor(error: SafetensorsError) {
    super(error.message)
    this.error = error
  }
}

/** Unwraps an `Either` or throws its error as a {@link SafetensorsFileError}. */
export const orThrow = <A>(e: Either<SafetensorsError, A>): A => {
  if (e._tag === 'Left') throw new SafetensorsFileError(e.left)
  return e.right
}

/** Shows a byte count the way every message does: `1 byte`, `12 bytes`. */
export const bytesText = (n: number): string => `${n} byte${n === 1 ? '' : 's'}`
