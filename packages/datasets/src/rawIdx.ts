/** Reading an IDX file straight into the memory of its NDArray (header first, then the data in one read, then in-place conversion); bytes already in memory: idxBytes.ts. */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs'
import { type FileHandle, open, readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { Concrete } from '@nabla/ndarray/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type RawIdx, rawFromBytes } from './idxBytes.js'
import { type IdxError, idxError } from './idxError.js'
import { checkDataLength, type IdxHeader, isGzip, maxIdxRank, parseIdxHeader } from './idxHeader.js'
import { allocateElements, finishElements, idxTypes } from './idxType.js'

export { gunzipIfNeeded, type RawIdx, rawFromBytes } from './idxBytes.js'

/** The IdxError for a failed file-system call (`missing` for ENOENT, `io` otherwise); `dir`: listing a dataset directory. */
export const fsError = (op: string, file: string, e: unknown, mode: 'read' | 'write' | 'dir' = 'read'): IdxError => {
  const code = (e as NodeJS.ErrnoException).code
  if (mode === 'dir') {
    if (code === 'ENOENT') return idxError('missing', op, file, 'an existing directory', 'no such directory')
    if (code === 'ENOTDIR') return idxError('io', op, file, 'a directory', 'not a directory')
    return idxError('io', op, file, 'a readable directory', (e as Error).message)
  }
  if (code === 'ENOENT') {
    return mode === 'read'
      ? idxError('missing', op, file, 'an existing file', 'no such file')
      : idxError('missing', op, file, 'an existing directory to write into', 'no such directory')
  }
  return idxError('io', op, file, mode === 'read' ? 'a readable file' : 'a writable path', (e as Error).message)
}

const gunzipAsync = promisify(gunzip)
const maxHeader = 4 + 4 * maxIdxRank

/** Storage for the data the header declares, and the RawIdx that converts it in place once `body` is filled. */
const prepare = (header: IdxHeader, head: Uint8Array, count: number) => {
  const { target, body } = allocateElements(header.type, count)
  const raw: RawIdx = {
    header,
    head,
    body,
    finish: () => new Concrete(idxTypes[header.type].dtype, header.shape, finishElements(header.type, target, body)),
  }
  return raw
}

const shrank = (op: string, path: string, wanted: number, got: number): IdxError =>
  idxError('length', op, path, `${wanted} data bytes (as the file size said when opened)`, `${got}: the file shrank`)

/**
 * Reads and validates an IDX file synchronously. A plain file is read straight into the
 * array's memory (no intermediate buffer — on a VM where first-touched memory is slow this
 * halves the load time); a gzipped one is inflated, then copied once.
 */
export const readRawSync = (op: string, path: string): E.Either<IdxError, RawIdx> => {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    return E.left(fsError(op, path, e))
  }
  try {
    const size = fstatSync(fd).size
    const head = new Uint8Array(Math.min(size, maxHeader))
    readSync(fd, head, 0, head.length, 0)
    if (isGzip(head)) return rawFromBytes(op, path, readFileSync(fd))
    const header = parseIdxHeader(op, path, head)
    if (E.isLeft(header)) return header
    const count = checkDataLength(op, path, header.right, size - header.right.dataOffset)
    if (E.isLeft(count)) return count
    const raw = prepare(header.right, head.slice(0, header.right.dataOffset), count.right)
    let done = 0
    while (done < raw.body.length) {
      const n = readSync(fd, raw.body, done, raw.body.length - done, header.right.dataOffset + done)
      if (n === 0) return E.left(shrank(op, path, raw.body.length, done))
      done += n
    }
    return E.right(raw)
  } catch (e) {
    return E.left(fsError(op, path, e))
  } finally {
    closeSync(fd)
  }
}

const readAll = async (handle: FileHandle, body: Uint8Array, position: number): Promise<number> => {
  let done = 0
  while (done < body.length) {
    const { bytesRead } = await handle.read(body, done, body.length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return done
}

/** {@link readRawSync} as a `TaskEither` (reads and inflation run off the main thread; never rejects). */
export const readRawTask =
  (op: string, path: string): TE.TaskEither<IdxError, RawIdx> =>
  async () => {
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (e) {
      return E.left(fsError(op, path, e))
    }
    try {
      const size = (await handle.stat()).size
      const head = new Uint8Array(Math.min(size, maxHeader))
      await readAll(handle, head, 0)
      if (isGzip(head)) {
        let inflated: Uint8Array
        try {
          inflated = await gunzipAsync(await readFile(handle))
        } catch (e) {
          return E.left(idxError('gzip', op, path, 'a gzip stream that inflates', (e as Error).message))
        }
        return rawFromBytes(op, path, inflated)
      }
      const header = parseIdxHeader(op, path, head)
      if (E.isLeft(header)) return header
      const count = checkDataLength(op, path, header.right, size - header.right.dataOffset)
      if (E.isLeft(count)) return count
      const raw = prepare(header.right, head.slice(0, header.right.dataOffset), count.right)
      const got = await readAll(handle, raw.body, header.right.dataOffset)
      return got === raw.body.length ? E.right(raw) : E.left(shrank(op, path, raw.body.length, got))
    } catch (e) {
      return E.left(fsError(op, path, e))
    } finally {
      await handle.close()
    }
  }
