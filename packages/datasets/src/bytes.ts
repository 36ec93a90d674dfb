/**
 * @nabla/datasets/bytes — the parts of the package that need no file system, for browsers (no static `node:`
 * import on this path): IDX bytes decoded with every check of the file readers, `toCategorical`, `arrayReshape`.
 * In a browser, inflate gzip first (`DecompressionStream('gzip')`); under Node, `decodeIdx` inflates it itself.
 * @example
 * const bytes = new Uint8Array(await new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer())
 * const images = decodeIdxOrThrow(bytes, { name: 'train-images-idx3-ubyte' }) // uint8 [60000, 28, 28]
 */
export { arrayReshape } from './arrayReshape.js'
export { type DecodeIdxOptions, decodeIdx, decodeIdxOrThrow, maxIdxRank } from './decodeIdx.js'
export { type IdxError, type IdxErrorKind, IdxFileError, isIdxError } from './idxError.js'
export { isGzip } from './idxHeader.js'
export { type IdxType, type IdxTypeInfo, idxTypeOfCode, idxTypes } from './idxType.js'
export { toCategorical } from './toCategorical.js'
