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

/** Options of {@link encodeIdx} and {@link writeIdx}. */
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
  if (!(t in idxTypes)) fail(op, file, `an IDX type (${Object.keys(idxTypes).join(', ')})`, JSON.stringify(t))
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
 * @example
 * decodeIdxOrThrow(encodeIdx(array([[1, -2], [3, 4]], { dtype: 'int32' }), { type: 'int16' })) // int32 [2,2]
 */
export const encodeIdx = (x: NDArray, options: EncodeIdxOptions = {}): Uint8Array =>
  encode('encodeIdx', '<bytes>', x, options)

/**
 * Writes `x` as an IDX file, as a `TaskEither`: an unwritable path or an array that does
 * not fit the type is a `Left`; running it never rejects.
 * @example
 * await writeIdx('labels-idx1-ubyte.gz', labels, { gzip: true })()
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
 * @example
 * writeIdxSync('images-idx3-ubyte', images)
 */
export const writeIdxSync = (path: string, x: NDArray, options: EncodeIdxOptions = {}): void => {
  const bytes = encode('writeIdxSync', path, x, options)
  try {
    writeFileSync(path, bytes)
  } catch (e) {
    throw new IdxFileError(fsError('writeIdxSync', path, e, 'write'))
  }
}
