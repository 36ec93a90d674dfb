/**
 * `@nabla/io/node` — safetensors files by path or `FileHandle` (node:fs/promises): ranged reads for
 * lazy opening, and writes through a temporary file renamed into place (a failed write never leaves
 * a half-written file under the name). Everything of `@nabla/io` is re-exported; `openSafetensors`
 * and `loadWeights` here also take paths and FileHandles.
 * @module @nabla/io/node
 */
import { type FileHandle, open, rename, unlink } from 'node:fs/promises'
import type { Tree } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Safetensors } from './decodeSafetensors.js'
import { type EncodeOptions, nameTensors, type PreparedFile, prepareFile } from './encodeSafetensors.js'
import { openSource, reason, type SafetensorsFile, withThrowing } from './openSafetensors.js'
import { type SafetensorsError, SafetensorsFileError, safetensorsError } from './safetensorsError.js'
import { type ByteSource, type SourceLike, toSource } from './source.js'
import { type LoadWeightsOptions, loadFrom } from './weights.js'

export * from './index.js'

/**
 * What the Node forms read from: a path, an open `FileHandle`, or anything `@nabla/io` reads.
 * @category I/O
 * @example
 * import { open } from 'node:fs/promises'
 * import { openSafetensorsOrThrow } from '@nabla/io/node'
 * await writeSafetensorsOrThrow('w.safetensors', { w: ones([2]) })
 * const handle = await open('w.safetensors')
 * const sources: NodeSource[] = ['w.safetensors', handle] // or a Blob, bytes, a ByteSource
 * const files = await Promise.all(sources.map((s) => openSafetensorsOrThrow(s)))
 * files.map((f) => f.file) // → ['w.safetensors', `<FileHandle ${handle.fd}>`]
 * for (const f of files) await f.close() // closes the file opened from the path; the given handle stays open
 * await handle.close()
 */
export type NodeSource = string | FileHandle | SourceLike

const isFileHandle = (x: unknown): x is FileHandle =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as FileHandle).fd === 'number' &&
  typeof (x as FileHandle).stat === 'function'

/**
 * The error of a failed file-system call on `path`.
 * @category I/O
 * @example
 * import { readFile } from 'node:fs/promises'
 * const e = await readFile('none.safetensors').catch((err: unknown) => err)
 * fsError('myReader', 'none.safetensors', e, 'read').message // → 'myReader: none.safetensors: file not found: expected an existing safetensors file, found no such file'
 * fsError('myWriter', 'none.safetensors', e, 'write').kind // → 'io'
 */
export const fsError = (op: string, path: string, e: unknown, doing: 'read' | 'write'): SafetensorsError => {
  const code = (e as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' && doing === 'read') {
    return safetensorsError('missing', op, path, 'an existing safetensors file', 'no such file')
  }
  return safetensorsError('io', op, path, `to ${doing} the file`, reason(e))
}

/**
 * A ByteSource over a file: a path is opened (and closed by `close()`), a FileHandle is read as it
 * is (and left open). Reads go straight into fresh buffers with `filehandle.read` at an offset.
 * @category I/O
 * @example
 * import { mkdtemp, rm, writeFile } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-io-'))
 * const path = join(dir, 'model.safetensors')
 * await writeFile(path, encodeSafetensorsOrThrow({ w: ones([2]) }))
 * const src = await fileSource('myReader', path)
 * E.isRight(src) && src.right.size // → 72
 * E.isRight(src) && (await src.right.read(64, 8)) // → new Uint8Array([0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f])
 * E.isRight(src) && (await src.right.close())
 * const none = await fileSource('myReader', join(dir, 'none.safetensors'))
 * E.isLeft(none) && none.left.kind // → 'missing'
 * await rm(dir, { recursive: true })
 */
export const fileSource = async (
  op: string,
  file: string | FileHandle,
): Promise<E.Either<SafetensorsError, ByteSource>> => {
  const name = typeof file === 'string' ? file : `<FileHandle ${file.fd}>`
  let fh: FileHandle
  try {
    fh = typeof file === 'string' ? await open(file, 'r') : file
  } catch (e) {
    return E.left(fsError(op, name, e, 'read'))
  }
  let size: number
  try {
    const st = await fh.stat()
    if (!st.isFile()) {
      if (typeof file === 'string') await fh.close()
      return E.left(
        safetensorsError('io', op, name, 'a regular file', st.isDirectory() ? 'a directory' : 'not a regular file'),
      )
    }
    size = st.size
  } catch (e) {
    if (typeof file === 'string') await fh.close().catch(() => {})
    return E.left(fsError(op, name, e, 'read'))
  }
  return E.right({
    name,
    size,
    read: async (offset, length) => {
      const out = new Uint8Array(length)
      let got = 0
      while (got < length) {
        const { bytesRead } = await fh.read(out, got, length - got, offset + got)
        if (bytesRead === 0) return out.subarray(0, got)
        got += bytesRead
      }
      return out
    },
    close: async () => {
      if (typeof file === 'string') await fh.close()
    },
  })
}

const nodeSource = async (op: string, source: unknown): Promise<E.Either<SafetensorsError, ByteSource>> => {
  if (typeof source === 'string' || isFileHandle(source)) return fileSource(op, source)
  const src = toSource(source)
  if (src !== undefined) return E.right(src)
  return E.left(
    safetensorsError(
      'io',
      op,
      '<source>',
      'a path, a FileHandle, a Blob or File, an ArrayBuffer, a Uint8Array or a ByteSource',
      source === null ? 'null' : typeof source,
    ),
  )
}

/**
 * Opens a safetensors file lazily by path or FileHandle (or Blob, bytes): only the 8-byte length and
 * the header are read; `read(name)` reads one tensor's bytes. Close it when done (`close()`).
 * @category I/O
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * import { openSafetensors } from '@nabla/io/node'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-io-'))
 * const path = join(dir, 'model.safetensors')
 * await writeSafetensorsOrThrow(path, { dense: { kernel: ones([3, 2]), bias: zeros([2]) } })
 * const opened = await openSafetensors(path)()
 * if (E.isRight(opened)) {
 *   const kernel = await opened.right.read('dense.kernel')()
 *   E.isRight(kernel) && kernel.right.shape // → [3, 2]
 *   await opened.right.close()
 * }
 * opened._tag // → 'Right'
 * await rm(dir, { recursive: true })
 */
export const openSafetensors =
  (source: NodeSource): TE.TaskEither<SafetensorsError, SafetensorsFile> =>
  async () => {
    const src = await nodeSource('openSafetensors', source)
    return E.isLeft(src) ? src : openSource('openSafetensors', src.right)
  }

/**
 * {@link openSafetensors}, rejecting with a `SafetensorsFileError`; the file gains `readOrThrow(name)`, which
 * resolves to the tensor or rejects with a `SafetensorsFileError`.
 * @category I/O
 * @example
 * import { openSafetensorsOrThrow } from '@nabla/io/node'
 * await writeSafetensorsOrThrow('model.safetensors', { dense: { kernel: ones([3, 2]) } })
 * const file = await openSafetensorsOrThrow('model.safetensors')
 * const kernel = await file.readOrThrow('dense.kernel')
 * kernel.shape // → [3, 2]
 * await file.close()
 * await openSafetensorsOrThrow('none.safetensors') // throws SafetensorsFileError: openSafetensors: none.safetensors: file not found
 */
export const openSafetensorsOrThrow = async (source: NodeSource) => withThrowing(await openSafetensors(source)())

/**
 * Reads a parameter tree shaped like `template` from a file (path, FileHandle, Blob or bytes),
 * checking names, shapes and dtypes before reading any tensor.
 * @category I/O
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { loadWeights } from '@nabla/io/node'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-io-'))
 * const path = join(dir, 'weights.safetensors')
 * await saveWeightsOrThrow(path, { kernel: array([[1, 2]]), bias: zeros([2]) })
 * // the template: e.g. a freshly initialized model's params
 * const params = await loadWeights(path, { kernel: zeros([1, 2]), bias: zeros([2]) })()
 * params._tag === 'Right' && toArray(params.right.kernel) // → [[1, 2]]
 * const wrong = await loadWeights(path, { kernel: zeros([2, 1]), bias: zeros([2]) })()
 * wrong._tag === 'Left' && wrong.left.kind // → 'template'
 * await rm(dir, { recursive: true })
 */
export const loadWeights =
  <T extends Tree>(
    source: NodeSource,
    template: T,
    options: LoadWeightsOptions = {},
  ): TE.TaskEither<SafetensorsError, T> =>
  async () => {
    const src = await nodeSource('loadWeights', source)
    if (E.isLeft(src)) return src
    return loadFrom('loadWeights', await openSource('loadWeights', src.right), template, options)
  }

/**
 * {@link loadWeights}, rejecting with a `SafetensorsFileError` instead of returning `Left`.
 * @category I/O
 * @example
 * import { loadWeightsOrThrow } from '@nabla/io/node'
 * await saveWeightsOrThrow('weights.safetensors', { kernel: array([[1, 2]]), bias: zeros([2]) })
 * // the template: e.g. a freshly initialized model's params
 * const params = await loadWeightsOrThrow('weights.safetensors', { kernel: zeros([1, 2]), bias: zeros([2]) })
 * toArray(params.kernel) // → [[1, 2]]
 * await loadWeightsOrThrow('none.safetensors', { kernel: zeros([1, 2]) }) // throws SafetensorsFileError: loadWeights: none.safetensors: file not found
 */
export const loadWeightsOrThrow = async <T extends Tree>(
  source: NodeSource,
  template: T,
  options: LoadWeightsOptions = {},
): Promise<T> => {
  const r = await loadWeights(source, template, options)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
  return r.right
}

/**
 * Writes a prepared file to `path` through a temporary sibling renamed into place.
 * @category I/O
 * @example
 * import { readdirSync, readFileSync } from 'node:fs'
 * import * as E from 'fp-ts/Either'
 * const prepared = prepareFile('myWriter', 'w.safetensors', [{ name: 'w', path: ['w'], array: ones([2]) }], undefined)
 * if (E.isRight(prepared)) await writePrepared('myWriter', 'w.safetensors', prepared.right)
 * new Uint8Array(readFileSync('w.safetensors')) // → encodeSafetensorsOrThrow({ w: ones([2]) })
 * const failed = E.isRight(prepared) && (await writePrepared('myWriter', 'no-such-dir/w.safetensors', prepared.right))
 * failed && E.isLeft(failed) && failed.left.kind // → 'io'
 * readdirSync('.') // → ['w.safetensors'] // no temporary file left behind
 */
export const writePrepared = async (
  op: string,
  path: string,
  file: PreparedFile,
): Promise<E.Either<SafetensorsError, void>> => {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  let fh: FileHandle | undefined
  try {
    fh = await open(temp, 'w')
    // one gathered write (writev) for the header and every tensor, resumed where a partial write stopped
    let pending: Uint8Array[] = [file.head, ...file.parts].filter((p) => p.length > 0)
    while (pending.length > 0) {
      let { bytesWritten } = await fh.writev(pending)
      while (pending.length > 0 && bytesWritten >= (pending[0] as Uint8Array).length) {
        bytesWritten -= (pending[0] as Uint8Array).length
        pending = pending.slice(1)
      }
      if (bytesWritten > 0) pending = [(pending[0] as Uint8Array).subarray(bytesWritten), ...pending.slice(1)]
    }
    await fh.close()
    fh = undefined
    await rename(temp, path)
    return E.right(undefined)
  } catch (e) {
    await fh?.close().catch(() => {})
    await unlink(temp).catch(() => {})
    return E.left(writeError(op, path, temp, e))
  }
}

/** The error of a failed write to `path` through `temp`: Node's message names `temp`, so it follows in parentheses. */
const writeError = (op: string, path: string, temp: string, e: unknown): SafetensorsError => {
  const { syscall } = e as NodeJS.ErrnoException
  const found = reason(e)
  const tail = typeof syscall === 'string' ? found.indexOf(`, ${syscall} '${temp}'`) : -1
  if (tail < 0) return fsError(op, path, e, 'write')
  return safetensorsError(
    'io',
    op,
    path,
    'to write the file',
    `${found.slice(0, tail)} (${syscall} of the temporary file ${temp})`,
  )
}

/**
 * Writes a pytree of arrays as a safetensors file (names from paths, as `encodeSafetensors`), as a
 * `TaskEither`; the tensors are written one by one, never gathered into one buffer.
 * @category I/O
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-io-'))
 * const path = join(dir, 'params.safetensors')
 * const params = { w: ones([2, 2]), b: zeros([2]) }
 * await writeSafetensors(path, params, { metadata: { epoch: '5' } })() // → { _tag: 'Right', right: undefined }
 * const file = await readSafetensorsOrThrow(path)
 * file.metadata // → { epoch: '5' }
 * const failed = await writeSafetensors(join(dir, 'no-such-dir', 'params.safetensors'), params)()
 * failed._tag === 'Left' && failed.left.kind // → 'io'
 * await rm(dir, { recursive: true })
 */
export const writeSafetensors =
  (path: string, tree: Tree, { metadata, naming }: EncodeOptions = {}): TE.TaskEither<SafetensorsError, void> =>
  async () => {
    const op = 'writeSafetensors'
    const prepared = E.flatMap(nameTensors(op, path, tree, naming), (ts) => prepareFile(op, path, ts, metadata))
    return E.isLeft(prepared) ? prepared : writePrepared(op, path, prepared.right)
  }

/**
 * {@link writeSafetensors}, rejecting with a `SafetensorsFileError` instead of returning `Left`.
 * @category I/O
 * @example
 * await writeSafetensorsOrThrow('params.safetensors', { w: ones([2, 2]) }, { metadata: { epoch: '5' } })
 * const file = await readSafetensorsOrThrow('params.safetensors')
 * file.tensors.w.shape // → [2, 2]
 * file.metadata // → { epoch: '5' }
 * await writeSafetensorsOrThrow('no-such-dir/params.safetensors', { w: ones([2]) }) // throws SafetensorsFileError: cannot read or write the file
 */
export const writeSafetensorsOrThrow = async (path: string, tree: Tree, options: EncodeOptions = {}): Promise<void> => {
  const r = await writeSafetensors(path, tree, options)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
}

/**
 * Saves a parameter tree (a model's weights) as a safetensors file: {@link writeSafetensors} under
 * the name a reader of the book looks for.
 * @category I/O
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-io-'))
 * const path = join(dir, 'weights.safetensors')
 * // with a model of '@nabla/nn': saveWeights(path, getWeights(model))
 * const weights = [{ kernel: ones([2, 3]), bias: zeros([3]) }]
 * const saved = await saveWeights(path, weights)()
 * saved._tag // → 'Right'
 * const file = await readSafetensorsOrThrow(path)
 * file.names // → ['0.bias', '0.kernel']
 * await rm(dir, { recursive: true })
 */
export const saveWeights =
  (path: string, params: Tree, options: EncodeOptions = {}): TE.TaskEither<SafetensorsError, void> =>
  async () => {
    const r = await writeSafetensors(path, params, options)()
    return E.isLeft(r) ? E.left(relabel(r.left, 'saveWeights')) : r
  }

/**
 * {@link saveWeights}, rejecting with a `SafetensorsFileError` instead of returning `Left`.
 * @category I/O
 * @example
 * // with a model of '@nabla/nn': saveWeightsOrThrow(path, getWeights(model))
 * const weights = [{ kernel: ones([2, 3]), bias: zeros([3]) }]
 * await saveWeightsOrThrow('weights.safetensors', weights)
 * const file = await readSafetensorsOrThrow('weights.safetensors')
 * file.names // → ['0.bias', '0.kernel']
 * await saveWeightsOrThrow('weights.safetensors', { w: 3 } as never) // throws SafetensorsFileError: saveWeights: weights.safetensors: cannot encode as safetensors
 */
export const saveWeightsOrThrow = async (path: string, params: Tree, options: EncodeOptions = {}): Promise<void> => {
  const r = await saveWeights(path, params, options)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
}

/**
 * Reads and decodes a whole safetensors file (as `decodeSafetensors`), as a `TaskEither`.
 * @category I/O
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-io-'))
 * const path = join(dir, 'model.safetensors')
 * await writeSafetensorsOrThrow(path, { w: array([1, 2]) }, { metadata: { format: 'pt' } })
 * // Right({ tensors, names, metadata })
 * const all = await readSafetensors(path)()
 * E.isRight(all) && toArray(all.right.tensors.w) // → [1, 2]
 * E.isRight(all) && all.right.metadata // → { format: 'pt' }
 * const none = await readSafetensors(join(dir, 'none.safetensors'))()
 * E.isLeft(none) && none.left.kind // → 'missing'
 * await rm(dir, { recursive: true })
 */
export const readSafetensors =
  (path: string): TE.TaskEither<SafetensorsError, Safetensors> =>
  async () => {
    const src = await fileSource('readSafetensors', path)
    if (E.isLeft(src)) return src
    // header checked first, then each tensor read straight into its own storage
    const opened = await openSource('readSafetensors', src.right)
    if (E.isLeft(opened)) return opened
    try {
      const all = await opened.right.readAll()()
      if (E.isLeft(all)) return E.left(relabel(all.left, 'readSafetensors'))
      return E.right({
        tensors: all.right,
        names: opened.right.tensors.map((t) => t.name),
        metadata: opened.right.metadata,
      })
    } finally {
      await opened.right.close()
    }
  }

/**
 * {@link readSafetensors}, rejecting with a `SafetensorsFileError` instead of returning `Left`.
 * @category I/O
 * @example
 * await writeSafetensorsOrThrow('model.safetensors', { w: array([1, 2]) }, { metadata: { format: 'pt' } })
 * const file = await readSafetensorsOrThrow('model.safetensors')
 * toArray(file.tensors.w) // → [1, 2]
 * file.metadata // → { format: 'pt' }
 * await readSafetensorsOrThrow('none.safetensors') // throws SafetensorsFileError: readSafetensors: none.safetensors: file not found
 */
export const readSafetensorsOrThrow = async (path: string): Promise<Safetensors> => {
  const r = await readSafetensors(path)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
  return r.right
}

const relabel = (e: SafetensorsError, op: string): SafetensorsError =>
  safetensorsError(e.kind, op, e.file, e.expected, e.found, e.tensor)
