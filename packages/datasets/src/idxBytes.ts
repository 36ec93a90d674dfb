/**
 * Validating IDX bytes already in memory, with no static `node:` import, so browser bundles load it (the
 * `@nabla/datasets/bytes` entry). Gzip inflates through Node's zlib where there is one; a browser inflates with
 * `DecompressionStream` before calling.
 */
import type { NDArray } from '@nabla/ndarray'
import { Concrete } from '@nabla/ndarray/core'
import * as E from 'fp-ts/lib/Either.js'
import { type IdxError, idxError } from './idxError.js'
import { checkDataLength, type IdxHeader, isGzip, parseIdxHeader } from './idxHeader.js'
import { allocateElements, finishElements, idxTypes } from './idxType.js'

/**
 * An IDX file validated and read, not yet converted: its header, the header bytes, and
 * the raw big-endian data bytes (`head` + `body` are the uncompressed file, for
 * checksums). `finish` makes the NDArray — call it once.
 */
export interface RawIdx {
  readonly header: IdxHeader
  readonly head: Uint8Array
  readonly body: Uint8Array
  readonly finish: () => NDArray
}

type NodeZlib = typeof import('node:zlib')

/** Node's zlib without a static import (Node ≥ 20.16 has `process.getBuiltinModule`); undefined in a browser. */
const nodeZlib = (): NodeZlib | undefined =>
  (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
    'node:zlib',
  ) as NodeZlib | undefined

/** Inflates gzip data (sync); other bytes pass through unchanged. */
export const gunzipIfNeeded = (op: string, file: string, bytes: Uint8Array): E.Either<IdxError, Uint8Array> => {
  if (!isGzip(bytes)) return E.right(bytes)
  const zlib = nodeZlib()
  if (zlib === undefined) {
    return E.left(
      idxError(
        'gzip',
        op,
        file,
        'IDX bytes (this runtime has no zlib: inflate gzip first, e.g. with DecompressionStream)',
        'gzip data',
      ),
    )
  }
  try {
    return E.right(zlib.gunzipSync(bytes))
  } catch (e) {
    return E.left(idxError('gzip', op, file, 'a gzip stream that inflates', (e as Error).message))
  }
}

/** Validates IDX bytes (gzipped or not) into a {@link RawIdx} whose `finish` copies the data once. */
export const rawFromBytes = (op: string, file: string, raw: Uint8Array): E.Either<IdxError, RawIdx> => {
  const inflated = gunzipIfNeeded(op, file, raw)
  if (E.isLeft(inflated)) return inflated
  const bytes = inflated.right
  const parsed = parseIdxHeader(op, file, bytes)
  if (E.isLeft(parsed)) return parsed
  const header = parsed.right
  const count = checkDataLength(op, file, header, bytes.length - header.dataOffset)
  if (E.isLeft(count)) return count
  const head = bytes.subarray(0, header.dataOffset)
  const body = bytes.subarray(header.dataOffset)
  return E.right({
    header,
    head,
    body,
    finish: () => {
      const storage = allocateElements(header.type, count.right)
      storage.body.set(body)
      const data = finishElements(header.type, storage.target, storage.body)
      return new Concrete(idxTypes[header.type].dtype, header.shape, data)
    },
  })
}
