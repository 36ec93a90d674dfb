/** Writing NDArrays as IDX: `encodeIdx` (bytes, optionally gzipped) and `writeIdx` / `writeIdxSync` (files). */
import { writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import type { DType, NDArray } from '@nabla/ndarray'
import { concrete, materialize } from '@nabla/ndarray/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { maxIdxRank } from './decodeIdx.js'
import { type IdxError, IdxFileError, idxError } from './idxError.js'
import { type IdxType, idxTypes, writeElements } from './idxType.js'
import { fsError } from './rawIdx.js'

/**
 * Options of {@link encodeIdx} and {@link writeIdx}.
 * @category I/O
 * @example
 * import { gunzipSync } from 'node:zlib'
 * const options: EncodeIdxOptions = { type: 'int16', gzip: true }
 * const bytes = encodeIdx(array([-1, 2], { dtype: 'int32' }), options)
 * isGzip(bytes) // → true
 * // inflated: the 8-byte header (type code 0x0b: int16), then 2 bytes per element
 * gunzipSync(bytes) // → Buffer.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xff, 0, 2])
 * decodeIdxOrThrow(bytes) // → array([-1, 2], { dtype: 'int32' })
 */
export interface EncodeIdxOptions {
  /**
   * The IDX element type. Default from the dtype: uint8 and bool → `uint8`, int32 →
   * `int32`, float32 → `float32`, float64 → `float64`.
   */
  readonly type?: IdxType
  /** Gzip the result (default false). */
  readonly gzip?: boolean
}

const defaultType: Record<DType, IdxType> = {
  bool: 'uint8',
  uint8: 'uint8',
  int32: 'int32',
  float32: 'float32',
  float64: 'float64',
}

const fail = (op: string, file: string, expected: string, found: string): never => {
  throw new IdxFileError(idxError('encode', op, file, expected, found))
}

// Integer types store integers in their range exactly; float32 rounds, as storing in a Float32Array would.
const checkValues = (op: string, file: string, type: IdxType, data: ArrayLike<number>, shape: readonly number[]) => {
  const { min, max } = idxTypes[type]
  if (type === 'float32' || type === 'float64') return
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number
    if (!(Number.isInteger(v) && v >= min && v <= max)) {
      fail(op, file, `integers in ${min}…${max} for IDX type ${type}`, `${v} at flat index ${i} of shape [${shape}]`)
    }
  }
}

const encode = (op: string, file: string, x: NDArray, { type, gzip = false }: EncodeIdxOptions): Uint8Array => {
  const c = materialize(concrete(op, x))
  const t = type ?? defaultType[c.dtype]
  if (!Object.hasOwn(idxTypes, t)) {
    fail(op, file, `an IDX type (${Object.keys(idxTypes).join(', ')})`, JSON.stringify(t))
  }
  if (c.rank < 1 || c.rank > maxIdxRank) {
    fail(op, file, `an array of rank 1 to ${maxIdxRank} (use expandDims for a scalar)`, `rank ${c.rank}`)
  }
  const big = c.shape.find((d) => d > 0xffffffff)
  if (big !== undefined) fail(op, file, 'every extent below 2³²', `shape [${c.shape}]`)
  checkValues(op, file, t, c.data, c.shape)
  const info = idxTypes[t]
  const headerBytes = 4 + 4 * c.rank
  const out = new Uint8Array(headerBytes + c.size * info.bytes)
  const view = new DataView(out.buffer)
  out[2] = info.code
  out[3] = c.rank
  c.shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false)
  })
  writeElements(t, c.data, view, headerBytes)
  return gzip ? new Uint8Array(gzipSync(out)) : out
}

/**
 * The IDX bytes of `x`: header (0x00 0x00, type code, rank, big-endian uint32 extents) and
 * big-endian data, gzipped when `gzip` is set. Throws an {@link IdxFileError} (kind
 * `encode`) when a value does not fit the type (e.g. 300 as `uint8`, 1.5 as `int16`).
 * @category I/O
 * @example
 * const x = decodeIdxOrThrow(encodeIdx(array([[1, -2], [3, 4]], { dtype: 'int32' }), { type: 'int16' }))
 * x // → array([[1, -2], [3, 4]], { dtype: 'int32' })
 * // magic 00 00, type code 0x08 (uint8), rank 1, extent 2 (big-endian), then the data
 * encodeIdx(array([1, 2], { dtype: 'uint8' })) // → new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 2, 1, 2])
 * encodeIdx(array([300]), { type: 'uint8' }) // throws IdxFileError: integers in 0…255 for IDX type uint8
 */
export const encodeIdx = (x: NDArray, options: EncodeIdxOptions = {}): Uint8Array =>
  encode('encodeIdx', '<bytes>', x, options)

/**
 * Writes `x` as an IDX file, as a `TaskEither`: an unwritable path or an array that does
 * not fit the type is a `Left`; running it never rejects.
 * @category I/O
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-idx-'))
 * const labels = array([5, 0, 4], { dtype: 'uint8' })
 * await writeIdx(join(dir, 'labels-idx1-ubyte.gz'), labels, { gzip: true })() // → { _tag: 'Right', right: undefined }
 * toArray(readIdxSync(join(dir, 'labels-idx1-ubyte.gz'))) // → [5, 0, 4]
 * const bad = await writeIdx(join(dir, 'x-idx1'), array([1.5]), { type: 'int16' })()
 * bad._tag === 'Left' && bad.left.kind // → 'encode'
 * await rm(dir, { recursive: true })
 */
export const writeIdx =
  (path: string, x: NDArray, options: EncodeIdxOptions = {}): TE.TaskEither<IdxError, void> =>
  async () => {
    let bytes: Uint8Array
    try {
      bytes = encode('writeIdx', path, x, options)
    } catch (e) {
      if (e instanceof IdxFileError) return E.left(e.error)
      throw e
    }
    try {
      await writeFile(path, bytes)
      return E.right(undefined)
    } catch (e) {
      return E.left(fsError('writeIdx', path, e, 'write'))
    }
  }

/**
 * Writes `x` as an IDX file synchronously, throwing an {@link IdxFileError} on failure.
 * @category I/O
 * @example
 * import { mkdtempSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const dir = mkdtempSync(join(tmpdir(), 'nabla-idx-'))
 * const images = zeros([2, 28, 28], { dtype: 'uint8' })
 * writeIdxSync(join(dir, 'images-idx3-ubyte'), images)
 * readIdxSync(join(dir, 'images-idx3-ubyte')).shape // → [2, 28, 28]
 * writeIdxSync(join(dir, 'no-such-dir', 'images-idx3-ubyte'), images) // throws IdxFileError: no-such-dir
 * rmSync(dir, { recursive: true })
 */
export const writeIdxSync = (path: string, x: NDArray, options: EncodeIdxOptions = {}): void => {
  const bytes = encode('writeIdxSync', path, x, options)
  try {
    writeFileSync(path, bytes)
  } catch (e) {
    throw new IdxFileError(fsError('writeIdxSync', path, e, 'write'))
  }
}
