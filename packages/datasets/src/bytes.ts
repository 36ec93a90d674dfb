/**
 * `@nabla/datasets/bytes` — the parts of the package that need no file system, for browsers (no static `node:`
 * import on this path): IDX bytes decoded with every check of the file readers, `toCategorical`, `arrayReshape`.
 * In a browser, inflate gzip first (`DecompressionStream('gzip')`); under Node, `decodeIdx` inflates it itself.
 * @module @nabla/datasets/bytes
 * @example
 * // in a browser, from a fetch response `res`:
 * // new Uint8Array(await new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())
 * // here the same with a gzipped file made in Node, as a Blob:
 * import { gzipSync } from 'node:zlib'
 * const gz = new Blob([gzipSync(encodeIdx(zeros([3, 28, 28], { dtype: 'uint8' })))])
 * const bytes = new Uint8Array(await new Response(gz.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())
 * const images = decodeIdxOrThrow(bytes, { name: 'train-images-idx3-ubyte' })
 * // for MNIST's file, uint8 [60000, 28, 28]
 * images.shape // → [3, 28, 28]
 * images.dtype // → 'uint8'
 */
export { arrayReshape } from './arrayReshape.js'
export { type DecodeIdxOptions, decodeIdx, decodeIdxOrThrow, maxIdxRank } from './decodeIdx.js'
export { type IdxError, type IdxErrorKind, IdxFileError, isIdxError } from './idxError.js'
export { isGzip } from './idxHeader.js'
export { type IdxType, type IdxTypeInfo, idxTypeOfCode, idxTypes } from './idxType.js'
export { toCategorical } from './toCategorical.js'
