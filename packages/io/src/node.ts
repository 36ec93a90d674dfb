/**
 * @nabla/io/node — safetensors files by path or `FileHandle` (node:fs/promises): ranged reads for
 * lazy opening, and writes through a temporary file renamed into place (a failed write never leaves
 * a half-written file under the name). Everything of `@nabla/io` is re-exported; `openSafetensors`
 * and `loadWeights` here also take paths and FileHandles.
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

/** What the Node forms read from: a path, an open `FileHandle`, or anything `@nabla/io` reads. */
export type NodeSource = string | FileHandle | SourceLike

const isFileHandle = (x: unknown): x is FileHandle =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as FileHandle).fd === 'number' &&
  typeof (x as FileHandle).stat === 'function'

/** The error of a failed file-system call on `path`. */
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
 * @example
 * const src = await fileSource('model.safetensors')
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
 * @example
 * const opened = await openSafetensors('model.safetensors')()
 * if (E.isRight(opened)) { const kernel = await opened.right.read('dense.kernel')(); await opened.right.close() }
 */
export const openSafetensors =
  (source: NodeSource): TE.TaskEither<SafetensorsError, SafetensorsFile> =>
  async () => {
    const src = await nodeSource('openSafetensors', source)
    return E.isLeft(src) ? src : openSource('openSafetensors', src.right)
  }

/** {@link openSafetensors}, rejecting with a `SafetensorsFileError`; the file gains `readOrThrow`. */
export const openSafetensorsOrThrow = async (source: NodeSource) => withThrowing(await openSafetensors(source)())

/**
 * Reads a parameter tree shaped like `template` from a file (path, FileHandle, Blob or bytes),
 * checking names, shapes and dtypes before reading any tensor.
 * @example
 * const params = await loadWeights('weights.safetensors', model.params)()
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

/** {@link loadWeights}, rejecting with a `SafetensorsFileError` instead of returning `Left`. */
export const loadWeightsOrThrow = async <T extends Tree>(
  source: NodeSource,
  template: T,
  options: LoadWeightsOptions = {},
): Promise<T> => {
  const r = await loadWeights(source, template, options)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
  return r.right
}

/** Writes a prepared file to `path` through a temporary sibling renamed into place. */
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
    return E.left(fsError(op, path, e, 'write'))
  }
}

/**
 * Writes a pytree of arrays as a safetensors file (names from paths, as `encodeSafetensors`), as a
 * `TaskEither`; the tensors are written one by one, never gathered into one buffer.
 * @example
 * await writeSafetensors('params.safetensors', params, { metadata: { epoch: '5' } })()
 */
export const writeSafetensors =
  (path: string, tree: Tree, { metadata, naming }: EncodeOptions = {}): TE.TaskEither<SafetensorsError, void> =>
  async () => {
    const op = 'writeSafetensors'
    const prepared = E.flatMap(nameTensors(op, path, tree, naming), (ts) => prepareFile(op, path, ts, metadata))
    return E.isLeft(prepared) ? prepared : writePrepared(op, path, prepared.right)
  }

/** {@link writeSafetensors}, rejecting with a `SafetensorsFileError` instead of returning `Left`. */
export const writeSafetensorsOrThrow = async (path: string, tree: Tree, options: EncodeOptions = {}): Promise<void> => {
  const r = await writeSafetensors(path, tree, options)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
}

/**
 * Saves a parameter tree (a model's weights) as a safetensors file: {@link writeSafetensors} under
 * the name a reader of the book looks for.
 * @example
 * await saveWeights('weights.safetensors', getWeights(model))()
 */
export const saveWeights =
  (path: string, params: Tree, options: EncodeOptions = {}): TE.TaskEither<SafetensorsError, void> =>
  async () => {
    const r = await writeSafetensors(path, params, options)()
    return E.isLeft(r) ? E.left(relabel(r.left, 'saveWeights')) : r
  }

/** {@link saveWeights}, rejecting with a `SafetensorsFileError` instead of returning `Left`. */
export const saveWeightsOrThrow = async (path: string, params: Tree, options: EncodeOptions = {}): Promise<void> => {
  const r = await saveWeights(path, params, options)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
}

/**
 * Reads and decodes a whole safetensors file (as `decodeSafetensors`), as a `TaskEither`.
 * @example
 * const all = await readSafetensors('model.safetensors')() // Right({ tensors, names, metadata })
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

/** {@link readSafetensors}, rejecting with a `SafetensorsFileError` instead of returning `Left`. */
export const readSafetensorsOrThrow = async (path: string): Promise<Safetensors> => {
  const r = await readSafetensors(path)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
  return r.right
}

const relabel = (e: SafetensorsError, op: string): SafetensorsError =>
  safetensorsError(e.kind, op, e.file, e.expected, e.found, e.tensor)
