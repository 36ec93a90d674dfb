/**
 * `@nabla/nn/node` — `saveModel` / `loadModel` with file paths, the book's `save_model_hdf5` /
 * `load_model_hdf5` (as one safetensors file; see `encodeModel` / `decodeModel` for bytes).
 * @module @nabla/nn/node
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
 * @category Saving
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { pipe } from 'fp-ts/function'
 * const trained = compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), {
 *   optimizer: 'rmsprop',
 *   loss: 'mse',
 * })
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-nn-'))
 * await saveModel(trained, join(dir, 'mnist.safetensors'))
 * const file = await readSafetensorsOrThrow(join(dir, 'mnist.safetensors'))
 * file.names.includes('dense.kernel') // → true
 * await saveModel(trained, join(dir, 'no-such-dir', 'mnist.safetensors')) // throws ModelFileError: no-such-dir
 * await rm(dir, { recursive: true })
 */
export const saveModel = async (model: CompiledModel, path: string, options: SaveModelOptions = {}): Promise<void> => {
  const written = await writePrepared('saveModel', path, prepareModel('saveModel', path, model, options))
  if (E.isLeft(written)) throw new ModelFileError(written.left.message, path, written.left)
}

/**
 * Loads a model `saveModel` wrote: Keras's `load_model_hdf5(filepath)`. Predictions are bit for bit
 * those of the saved model, and `fit` continues its training. Rejects with a {@link ModelFileError}
 * for a missing or malformed file, saying what was expected and found.
 * @category Saving
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { pipe } from 'fp-ts/function'
 * const trained = compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), {
 *   optimizer: 'rmsprop',
 *   loss: 'mse',
 * })
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-nn-'))
 * await saveModel(trained, join(dir, 'mnist.safetensors'))
 * const model = await loadModel(join(dir, 'mnist.safetensors'))
 * const x = ones([2, 3])
 * toArray(predict(model, x)) // → toArray(predict(trained, x))
 * await loadModel(join(dir, 'none.safetensors')) // throws ModelFileError: no such file
 * await rm(dir, { recursive: true })
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

/**
 * Options of {@link callbackModelCheckpoint}, Keras's arguments in camelCase.
 * @category Saving
 * @example
 * import { readdir } from 'node:fs/promises'
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * // every epoch, weights only, into the block's working directory
 * const options: ModelCheckpointOptions = { filepath: 'epoch{epoch}.safetensors', monitor: 'loss', saveWeightsOnly: true }
 * await fit(model, ones([4, 2]), ones([4, 1]), { epochs: 2, verbose: 0, callbacks: callbackModelCheckpoint(options) })
 * const files = await readdir('.')
 * files.sort() // → ['epoch1.safetensors', 'epoch2.safetensors']
 * const last = await loadModel('epoch2.safetensors')
 * last.epochsTrained // → 2
 * callbackModelCheckpoint({ filepath: '' }) // throws TypeError: filepath must be a file name
 */
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
 * @category Saving
 * @example
 * import { mkdtemp, readdir, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { pipe } from 'fp-ts/function'
 * const network = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * const x = array([[0, 1], [1, 0], [1, 1], [2, 1], [1, 2]])
 * const y = array([[1], [1], [2], [3], [3]])
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-nn-'))
 * await fit(network, x, y, {
 *   epochs: 10,
 *   validationSplit: 0.2,
 *   verbose: 0,
 *   callbacks: [callbackModelCheckpoint({ filepath: join(dir, 'best.safetensors'), saveBestOnly: true })],
 * })
 * const best = await loadModel(join(dir, 'best.safetensors'))
 * best.inputShape // → [2]
 * // every epoch, one file each
 * const every = callbackModelCheckpoint({ filepath: join(dir, 'model.{epoch:02d}.safetensors') })
 * await fit(network, x, y, { epochs: 3, verbose: 0, callbacks: [every] })
 * const files = await readdir(dir)
 * files.sort() // → ['best.safetensors', 'model.01.safetensors', 'model.02.safetensors', 'model.03.safetensors']
 * await rm(dir, { recursive: true })
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
