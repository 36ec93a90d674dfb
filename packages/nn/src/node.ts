/**
 * @nabla/nn/node — `saveModel` / `loadModel` with file paths, the book's `save_model_hdf5` /
 * `load_model_hdf5` (as one safetensors file; see `encodeModel` / `decodeModel` for bytes).
 */
import { readFile } from 'node:fs/promises'
import { fsError, writePrepared } from '@nabla/io/node'
import * as E from 'fp-ts/lib/Either.js'
import { type FitCallbacks, type MonitorMode, monitorTracker } from './callbacks.js'
import type { CompiledModel } from './compile.js'
import type { Logs } from './progress.js'
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

/** Options of {@link callbackModelCheckpoint}, Keras's arguments in camelCase. */
export interface ModelCheckpointOptions {
  /**
   * Where to save. `{epoch}` (1-based, as Keras names files) and any log (`{val_loss}`) are filled in, with an
   * optional format: `{epoch:02d}`, `{val_loss:.4f}`.
   */
  readonly filepath: string
  /** The log that decides what is best (default `'val_loss'`). */
  readonly monitor?: string
  /** Save only when the monitored log improves on the best so far (default false: every epoch). */
  readonly saveBestOnly?: boolean
  readonly mode?: MonitorMode
  /** Leave the optimizer state out of the file (default false: a checkpoint resumes exactly). */
  readonly saveWeightsOnly?: boolean
}

const fillPath = (op: string, template: string, epoch: number, logs: Logs): string =>
  template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::(0?\d+)d|:\.(\d+)f)?\}/g, (_, name: string, width, digits) => {
    const v = name === 'epoch' ? epoch + 1 : logs[name]
    if (typeof v !== 'number') {
      throw new RangeError(
        `${op}: the file name's {${name}} is neither epoch nor one of this fit's logs (${Object.keys(logs).join(', ')})`,
      )
    }
    if (digits !== undefined) return v.toFixed(Number(digits))
    if (width !== undefined) return String(Math.trunc(v)).padStart(Number(width), '0')
    return String(v)
  })

/**
 * Keras's `callback_model_checkpoint()`: saves the model (`saveModel`: weights, optimizer state, configuration)
 * at the end of every epoch, or with `saveBestOnly` only when `monitor` improves. Each save goes through a
 * temporary file renamed into place, so a crash never leaves a truncated checkpoint.
 * @example
 * await fit(network, x, y, { epochs: 10, validationSplit: 0.2,
 *   callbacks: [callbackModelCheckpoint({ filepath: 'best.safetensors', saveBestOnly: true })] })
 */
export const callbackModelCheckpoint = (options: ModelCheckpointOptions): FitCallbacks => {
  const op = 'callbackModelCheckpoint'
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.filepath !== 'string' ||
    options.filepath === ''
  ) {
    throw new TypeError(`${op}: filepath must be a file name such as 'model.{epoch:02d}.safetensors'`)
  }
  const { filepath, monitor = 'val_loss', saveBestOnly = false, mode = 'auto', saveWeightsOnly = false } = options
  if (typeof saveBestOnly !== 'boolean')
    throw new TypeError(`${op}: saveBestOnly must be true or false, got ${String(saveBestOnly)}`)
  if (typeof saveWeightsOnly !== 'boolean') {
    throw new TypeError(`${op}: saveWeightsOnly must be true or false, got ${String(saveWeightsOnly)}`)
  }
  let tracker = monitorTracker(op, monitor, mode, 0)
  return {
    onTrainBegin: () => {
      tracker = monitorTracker(op, monitor, mode, 0)
    },
    onEpochEnd: async (epoch, logs, model) => {
      if (saveBestOnly && !tracker.improved(tracker.value(logs))) return
      await saveModel(model, fillPath(op, filepath, epoch, logs), { includeOptimizer: !saveWeightsOnly })
    },
  }
}
