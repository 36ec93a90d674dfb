/** Lazy reading: open a safetensors file by its header alone, then read tensors one by one with ranged reads. */
import type { DType, NDArray } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { decodeTensor } from './convert.js'
import type { SafetensorsDType } from './dtypes.js'
import { type Header, headerLength, parseHeader, type TensorInfo } from './header.js'
import { bytesText, type SafetensorsError, SafetensorsFileError, safetensorsError } from './safetensorsError.js'
import { type ByteSource, type SourceLike, toSource } from './source.js'

/**
 * What the header says of one tensor.
 * @category I/O
 * @example
 * const file = await openSafetensorsOrThrow(encodeSafetensorsOrThrow({ kernel: ones([3, 2]) }))
 * const entry: TensorEntry | undefined = file.entry('kernel')
 * entry // → { name: 'kernel', dtype: 'float32', fileDType: 'F32', shape: [3, 2], byteLength: 24 }
 * file.entry('bias') // → undefined
 */
export interface TensorEntry {
  readonly name: string
  /** The nabla dtype it reads as (undefined: nabla cannot hold its file dtype, and reading it fails). */
  readonly dtype: DType | undefined
  readonly fileDType: SafetensorsDType
  readonly shape: readonly number[]
  /** Its size in the file. */
  readonly byteLength: number
}

/**
 * An open safetensors file: header known, tensors read on demand.
 * @category I/O
 * @example
 * const bytes = encodeSafetensorsOrThrow({ w: ones([2, 3]), step: array([7], { dtype: 'int32' }) })
 * const file: SafetensorsFile = await openSafetensorsOrThrow(bytes)
 * file.tensors.map((t) => `${t.name}: ${t.fileDType} [${t.shape}]`) // → ['w: F32 [2,3]', 'step: I32 [1]']
 * file.entry('step')?.byteLength // → 4
 * const all = await file.readAll()()
 * all._tag === 'Right' && toArray(all.right.step) // → [7]
 * await file.close()
 */
export interface SafetensorsFile {
  /** How errors name the file. */
  readonly file: string
  readonly metadata: Readonly<Record<string, string>>
  /** The tensors, in file order. */
  readonly tensors: readonly TensorEntry[]
  /** The entry of tensor `name`, if the file has one. */
  entry(name: string): TensorEntry | undefined
  /** Reads one tensor (one ranged read of exactly its bytes). */
  read(name: string): TE.TaskEither<SafetensorsError, NDArray>
  /** Reads every tensor, by name. */
  readAll(): TE.TaskEither<SafetensorsError, Readonly<Record<string, NDArray>>>
  /** Closes what was opened for it (a file opened from a path); a given FileHandle is left open. */
  close(): Promise<void>
}

/** The message of a failed read, for an `io` error: the code (or name) once, then Node's message. */
export const reason = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e)
  const code = (e as NodeJS.ErrnoException).code ?? e.name
  // Node's file-system messages already begin with their code (`ENOENT: no such file or directory, open '…'`)
  return e.message.startsWith(`${code}: `) ? e.message : `${code}: ${e.message}`
}

const readExactly = async (
  op: string,
  src: ByteSource,
  offset: number,
  length: number,
): Promise<E.Either<SafetensorsError, Uint8Array>> => {
  let bytes: Uint8Array
  try {
    bytes = await src.read(offset, length)
  } catch (e) {
    return E.left(safetensorsError('io', op, src.name, `to read ${bytesText(length)} at byte ${offset}`, reason(e)))
  }
  if (bytes.length !== length) {
    return E.left(
      safetensorsError(
        'io',
        op,
        src.name,
        `${bytesText(length)} at byte ${offset} (did the file change while open?)`,
        bytesText(bytes.length),
      ),
    )
  }
  return E.right(bytes)
}

/**
 * Reads and validates the header of `src` (two reads: the 8-byte length, then the header once its
 * length is known to fit in the file).
 */
export const readHeader = async (op: string, src: ByteSource): Promise<E.Either<SafetensorsError, Header>> => {
  const first = await readExactly(op, src, 0, Math.min(8, src.size))
  if (E.isLeft(first)) return first
  const n = headerLength(op, src.name, first.right, src.size)
  if (E.isLeft(n)) return n
  const head = await readExactly(op, src, 8, n.right)
  if (E.isLeft(head)) return head
  return parseHeader(op, src.name, head.right, src.size - 8 - n.right)
}

const entryOf = (t: TensorInfo): TensorEntry => ({
  name: t.name,
  dtype: t.dtype,
  fileDType: t.fileDType,
  shape: t.shape,
  byteLength: t.end - t.begin,
})

/** The names of a file's tensors for a message: all of them up to 10, then how many more. */
export const namesText = (names: readonly string[]): string =>
  names.length === 0
    ? 'none'
    : names
        .slice(0, 10)
        .map((n) => JSON.stringify(n))
        .join(', ') + (names.length > 10 ? ` and ${names.length - 10} more` : '')

/** An open file over `src` whose header is `header`. */
export const fileOver = (src: ByteSource, header: Header, op = 'openSafetensors'): SafetensorsFile => {
  const byName = new Map(header.tensors.map((t) => [t.name, t]))
  const readOne =
    (name: string): TE.TaskEither<SafetensorsError, NDArray> =>
    async () => {
      const t = byName.get(name)
      if (t === undefined) {
        return E.left(
          safetensorsError(
            'notFound',
            `${op}().read`,
            src.name,
            `one of the file's ${header.tensors.length} tensors (${namesText(header.tensors.map((x) => x.name))})`,
            JSON.stringify(name),
          ),
        )
      }
      const bytes = await readExactly(`${op}().read`, src, header.dataStart + t.begin, t.end - t.begin)
      return E.flatMap(bytes, (b) => decodeTensor(`${op}().read`, src.name, t, b, true))
    }
  return {
    file: src.name,
    metadata: header.metadata,
    tensors: header.tensors.map(entryOf),
    entry: (name) => {
      const t = byName.get(name)
      return t === undefined ? undefined : entryOf(t)
    },
    read: readOne,
    readAll: () => async () => {
      const out: [string, NDArray][] = []
      for (const t of header.tensors) {
        const r = await readOne(t.name)()
        if (E.isLeft(r)) return r
        out.push([t.name, r.right])
      }
      return E.right(Object.fromEntries(out))
    },
    close: () => src.close(),
  }
}

/** Opens any source, closing it again when its header is bad. */
export const openSource = async (op: string, src: ByteSource): Promise<E.Either<SafetensorsError, SafetensorsFile>> => {
  let header: E.Either<SafetensorsError, Header>
  try {
    header = await readHeader(op, src)
  } catch (e) {
    header = E.left(safetensorsError('io', op, src.name, 'a readable file', reason(e)))
  }
  if (E.isLeft(header)) {
    await src.close().catch(() => {})
    return header
  }
  return E.right(fileOver(src, header.right, op))
}

const notASource = (op: string, source: unknown): SafetensorsError =>
  safetensorsError(
    'io',
    op,
    '<source>',
    'a Blob or File, an ArrayBuffer, a Uint8Array or a ByteSource (in Node, @nabla/io/node also takes a path or FileHandle)',
    source === null ? 'null' : typeof source === 'object' ? (source.constructor?.name ?? 'an object') : typeof source,
  )

/**
 * Opens a safetensors file lazily, as a `TaskEither`: only the header is read and validated (its
 * length checked against the file's size before it is read); `read(name)` then fetches one tensor
 * with one ranged read. Works in a browser (Blob, File, bytes) and in Node; for file paths and
 * `FileHandle`s use `openSafetensors` from `@nabla/io/node`.
 * @category I/O
 * @example
 * // in a browser: openSafetensors(input.files[0])(), a File from <input type="file">; here a Blob, in Node
 * import * as E from 'fp-ts/Either'
 * const blob = new Blob([encodeSafetensorsOrThrow({ dense: { kernel: ones([3, 2]), bias: zeros([2]) } })])
 * const opened = await openSafetensors(blob)()
 * if (E.isRight(opened)) console.log(opened.right.tensors.map((t) => `${t.name} ${t.fileDType} [${t.shape}]`))
 * // prints: [ 'dense.bias F32 [2]', 'dense.kernel F32 [3,2]' ]
 * const kernel = E.isRight(opened) && (await opened.right.read('dense.kernel')())
 * kernel && E.isRight(kernel) && kernel.right.shape // → [3, 2]
 * const missing = E.isRight(opened) && (await opened.right.read('dense.scale')())
 * missing && E.isLeft(missing) && missing.left.kind // → 'notFound'
 * E.isLeft(await openSafetensors('model.safetensors' as never)()) // → true
 */
export const openSafetensors =
  (source: SourceLike): TE.TaskEither<SafetensorsError, SafetensorsFile> =>
  async () => {
    const src = toSource(source)
    return src === undefined ? E.left(notASource('openSafetensors', source)) : openSource('openSafetensors', src)
  }

/** The ByteSource of `source`, or the error naming what was given. */
export const sourceOrError = (op: string, source: unknown): E.Either<SafetensorsError, ByteSource> => {
  const src = toSource(source)
  return src === undefined ? E.left(notASource(op, source)) : E.right(src)
}

/**
 * {@link openSafetensors}, rejecting with a `SafetensorsFileError` instead of returning `Left`; the
 * returned file gains `readOrThrow(name)`, which resolves to the tensor or rejects with a `SafetensorsFileError`
 * (its `read` and `readAll` still return `TaskEither`s).
 * @category I/O
 * @example
 * const blob = new Blob([encodeSafetensorsOrThrow({ dense: { kernel: ones([3, 2]) } })])
 * const f = await openSafetensorsOrThrow(blob)
 * const w = await f.readOrThrow('dense.kernel')
 * w.shape // → [3, 2]
 * await f.readOrThrow('dense.bias') // throws SafetensorsFileError: tensor not found
 * await openSafetensorsOrThrow(new Blob([new Uint8Array(4)])) // throws SafetensorsFileError: bad header length
 */
export const openSafetensorsOrThrow = async (
  source: SourceLike,
): Promise<SafetensorsFile & { readOrThrow(name: string): Promise<NDArray> }> =>
  withThrowing(await openSafetensors(source)())

/** Adds `readOrThrow` to an opened file, or throws its error. */
export const withThrowing = (
  opened: E.Either<SafetensorsError, SafetensorsFile>,
): SafetensorsFile & { readOrThrow(name: string): Promise<NDArray> } => {
  if (E.isLeft(opened)) throw new SafetensorsFileError(opened.left)
  const f = opened.right
  return {
    ...f,
    readOrThrow: async (name) => {
      const r = await f.read(name)()
      if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
      return r.right
    },
  }
}
