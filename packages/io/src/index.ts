/**
 * `@nabla/io` — safetensors for NDArray pytrees, in any JavaScript runtime: `encodeSafetensors` /
 * `decodeSafetensors` (bytes, fp-ts `Either`, with throwing `…OrThrow` forms), strict validation
 * with precise tagged errors, lazy reading (`openSafetensors` over a Blob, File or bytes: the header
 * first, then one ranged read per tensor) and parameter trees in and out (`decodeWeights`,
 * `loadWeights`). File paths and `FileHandle`s are in `@nabla/io/node`.
 * @module @nabla/io
 */
export {
  type DecodeOptions,
  decodeHeader,
  decodeSafetensors,
  decodeSafetensorsOrThrow,
  type Safetensors,
} from './decodeSafetensors.js'
export {
  bitsOf,
  nablaDTypeOf,
  type SafetensorsDType,
  safetensorsDTypeOf,
  safetensorsDTypes,
} from './dtypes.js'
export {
  concatFile,
  type EncodeOptions,
  encodeSafetensors,
  encodeSafetensorsOrThrow,
  type NamedTensor,
  nameTensors,
  type PreparedFile,
  prepareFile,
} from './encodeSafetensors.js'
export { type Header, maxHeaderBytes, type TensorInfo } from './header.js'
export { type NamingOptions, type TreePath, treePaths } from './names.js'
export {
  openSafetensors,
  openSafetensorsOrThrow,
  type SafetensorsFile,
  type TensorEntry,
} from './openSafetensors.js'
export {
  isSafetensorsError,
  type SafetensorsError,
  type SafetensorsErrorKind,
  SafetensorsFileError,
} from './safetensorsError.js'
export { type ByteSource, blobSource, bytesSource, type SourceLike } from './source.js'
export {
  decodeWeights,
  decodeWeightsOrThrow,
  type LoadWeightsOptions,
  loadWeights,
  loadWeightsOrThrow,
  matchTemplate,
  type TemplatePlan,
} from './weights.js'
