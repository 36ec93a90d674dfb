/**
 * @nabla/nn/node — `saveModel` / `loadModel` with file paths, the book's `save_model_hdf5` /
 * `load_model_hdf5` (as one safetensors file; see `encodeModel` / `decodeModel` for bytes).
 */
import { readFile } from 'node:fs/promises'
import { fsError, writePrepared } from '@nabla/io/node'
import * as E from 'fp-ts/lib/Either.js'
import type { CompiledModel } from './compile.js'
import {
  decodeModelAs,
  type LoadModelOptions,
  ModelFileError,
  prepareModel,
  type SaveModelOptions,
} from './saveModel.js'

/**
 * Saves a compiled model to `path` as one safetensors file (weights, optimizer state, configuration):
 * Keras's `save_model_hdf5(model, filepath)`. Written through a temporary file renamed into place.
 * Rejects with a {@link ModelFileError} naming the file and the reason.
 * @example
 * await saveModel(trained, 'mnist.safetensors')
 */
export const saveModel = async (model: CompiledModel, path: string, options: SaveModelOptions = {}): Promise<void> => {
  const written = await writePrepared('saveModel', path, prepareModel('saveModel', path, model, options))
  if (E.isLeft(written)) throw new ModelFileError(written.left.message, path, written.left)
}

/**
 * Loads a model `saveModel` wrote: Keras's `load_model_hdf5(filepath)`. Predictions are bit for bit
 * those of the saved model, and `fit` continues its training. Rejects with a {@link ModelFileError}
 * for a missing or malformed file, saying what was expected and found.
 * @example
 * const model = await loadModel('mnist.safetensors')
 */
export const loadModel = async (path: string, options: LoadModelOptions = {}): Promise<CompiledModel> => {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (e) {
    const err = fsError('loadModel', path, e, 'read')
    throw new ModelFileError(err.message, path, err)
  }
  return decodeModelAs('loadModel', bytes, { name: path, ...options })
}
