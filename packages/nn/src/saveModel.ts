/**
 * Saving and loading a compiled Keras-face model as one safetensors file (the book's
 * `save_model_hdf5` / `load_model_hdf5`): the weights as tensors named `<layer>.<weight>`, the
 * optimizer state as `optimizer.<path>`, and in `__metadata__` the architecture, the compile
 * settings and the training position (seed, epochs trained) as JSON, with a format version.
 * Bytes in and out here (any runtime); file paths in `@nabla/nn/node`.
 */
import {
  concatFile,
  decodeHeader,
  decodeWeights,
  type NamedTensor,
  nameTensors,
  type PreparedFile,
  prepareFile,
  type SafetensorsError,
} from '@nabla/io'
import type { Tree } from '@nabla/ndarray'
import { type OptimizerName, optimizer as optimizerByName } from '@nabla/optim'
import * as E from 'fp-ts/lib/Either.js'
import { type CompiledModel, type CompileOptions, checkCompiled, compile } from './compile.js'
import {
  layerAveragePooling2d,
  layerConv2d,
  layerDense,
  layerDropout,
  layerFlatten,
  layerMaxPooling2d,
} from './kerasLayers.js'
import type { LossFunction, LossName, MetricName } from './kerasLoss.js'
import { kerasModelSequential, type Sequential } from './model.js'
import type { SerialParams } from './serial.js'

/** The `__metadata__` key naming the format, and its value. */
export const modelFormatKey = 'nabla.format'
export const modelFormat = 'keras-sequential'
/** The `__metadata__` key of the format version, and the newest version this nabla reads and writes. */
export const modelVersionKey = 'nabla.format_version'
/**
 * The newest model format version (`nabla.format_version`) this nabla writes and reads; newer files are refused.
 * @category Saving
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * modelFormatVersion // → 1
 * const { metadata } = decodeSafetensorsOrThrow(encodeModel(model))
 * metadata['nabla.format_version'] // → String(modelFormatVersion)
 */
export const modelFormatVersion = 1
/** The `__metadata__` key of the model's configuration (JSON). */
export const modelConfigKey = 'nabla.model'
/** Optimizer-state tensors are named with this prefix. */
export const optimizerPrefix = 'optimizer.'

/**
 * The configuration a saved model carries (version 1), as JSON in `__metadata__`.
 * @category Saving
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const network = pipe(kerasModelSequential({ name: 'tiny' }), layerDense({ units: 1, inputShape: [2] }))
 * const model = compile(network, { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
 * const config: SavedModelConfig = modelConfig(model)
 * config.compile // → { optimizer: { name: 'sgd', options: {} }, loss: 'mse', metrics: ['mae'], seed: 0 }
 * config.name // → 'tiny'
 * config.optimizerState // → true
 * // what the file holds
 * JSON.parse(decodeSafetensorsOrThrow(encodeModel(model)).metadata['nabla.model']) // → config
 */
export interface SavedModelConfig {
  readonly class: 'Sequential'
  readonly name: string
  readonly layers: readonly {
    readonly class: string
    readonly name: string
    readonly config: Record<string, unknown>
  }[]
  readonly compile: {
    /** null: a gradient transformation not made by a named optimizer (give it to loadModel). */
    readonly optimizer: { readonly name: string; readonly options: Record<string, unknown> } | null
    /** A loss name, or `{ custom: name }` for a function (give it to loadModel). */
    readonly loss: string | { readonly custom: string }
    readonly metrics: readonly string[]
    readonly seed: number
  }
  readonly epochsTrained: number
  /** Whether the file holds the optimizer state (`optimizer.…` tensors). */
  readonly optimizerState: boolean
}

/**
 * A saved model that cannot be read or a model that cannot be saved: the message says what was
 * expected and what was found. When the file itself is malformed, `error` is the safetensors error.
 * @category Saving
 * @example
 * let caught
 * try {
 *   decodeModel(encodeSafetensorsOrThrow({ w: ones([2]) }))
 * } catch (e) {
 *   if (e instanceof ModelFileError) caught = e
 * }
 * caught.name // → 'ModelFileError'
 * caught.message.startsWith('decodeModel: <bytes>:') // → true
 * decodeModel(new Uint8Array(3)) // throws ModelFileError: bad header length
 */
export class ModelFileError extends Error {
  override readonly name = 'ModelFileError'
  constructor(
    message: string,
    readonly file: string,
    readonly error?: SafetensorsError,
  ) {
    super(message)
  }
}

/**
 * Options of {@link encodeModel} and `saveModel`.
 * @category Saving
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), { optimizer: 'adam', loss: 'mse' })
 * const options: SaveModelOptions = { includeOptimizer: false }
 * const bytes = encodeModel(model, options)
 * decodeSafetensorsOrThrow(bytes).names // → ['dense.bias', 'dense.kernel']
 * // the optimizer is rebuilt from the configuration, with a fresh state
 * decodeModel(bytes).optimizer.config // → { name: 'adam', options: {} }
 * modelConfig(model, false).optimizerState // → false
 */
export interface SaveModelOptions {
  /** Store the optimizer state, so that training resumes exactly where it stopped (default true, as Keras). */
  readonly includeOptimizer?: boolean
}

/**
 * Options of {@link decodeModel} and `loadModel`.
 * @category Saving
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const myLoss = (yTrue, yPred) => meanSquaredError(yTrue, yPred)
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: myLoss })
 * const bytes = encodeModel(model)
 * decodeModel(bytes) // throws ModelFileError: the model was compiled with a function
 * const options: LoadModelOptions = { loss: myLoss, name: 'model.safetensors' }
 * decodeModel(bytes, options).loss.name // → 'myLoss'
 * decodeModel(new Uint8Array(3), options) // throws ModelFileError: model.safetensors
 */
export interface LoadModelOptions {
  /** The loss, when the model was compiled with a loss function (a function cannot be stored). */
  readonly loss?: LossName | LossFunction
  /** The optimizer, when the model was compiled with a transformation not made by a named optimizer; or to override. */
  readonly optimizer?: CompileOptions['optimizer']
  /** How errors name the bytes (default `<bytes>`). */
  readonly name?: string
}

const jsonSafe = (v: unknown): boolean => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true
  if (typeof v === 'number') return Number.isFinite(v)
  if (Array.isArray(v)) return v.every(jsonSafe)
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every(jsonSafe)
  return false
}

/**
 * The configuration `saveModel` stores for `model`.
 * @category Saving
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 4, activation: 'relu', inputShape: [3] }),
 *   layerDense({ units: 2, activation: 'softmax' }),
 * )
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] })
 * modelConfig(model).layers.map((l) => l.class) // → ['Dense', 'Dense']
 * modelConfig(model).layers[0].config.units // → 4
 */
export const modelConfig = (model: CompiledModel, includeOptimizer = true): SavedModelConfig => {
  const m = checkCompiled('saveModel', model)
  const layers = m.layers.map((l) => {
    if (l.config === undefined) {
      throw new ModelFileError(
        `saveModel: layer ${l.name} (${l.kind}) has no configuration to save; expected layers made by layerDense, layerConv2d, layerMaxPooling2d, layerAveragePooling2d, layerDropout or layerFlatten`,
        '<model>',
      )
    }
    return { class: l.kind, name: l.name, config: { ...l.config } }
  })
  const cfg = m.optimizer.config
  const optimizer = cfg !== undefined && jsonSafe(cfg.options) ? { name: cfg.name, options: { ...cfg.options } } : null
  const loss = m.loss.labels === 'any' ? { custom: m.loss.name } : m.loss.name
  return {
    class: 'Sequential',
    name: m.name,
    layers,
    compile: { optimizer, loss, metrics: m.metrics.map((x) => x.name), seed: m.seed },
    epochsTrained: m.epochsTrained,
    optimizerState: includeOptimizer,
  }
}

const weightsByLayer = (model: Sequential, params: SerialParams): Record<string, Tree> =>
  Object.fromEntries(model.layers.map((l, i) => [l.name, params[i] as Tree]))

const optimizerNaming = { name: (path: readonly (string | number)[]) => optimizerPrefix + path.join('.') }

const ioFail = (e: SafetensorsError): never => {
  throw new ModelFileError(e.message, e.file, e)
}

/**
 * The file `encodeModel` writes, ready to be written in parts (`@nabla/nn/node` streams it to disk).
 * @example
 * // internal (not exported): encodeModel joins the parts of the file it prepares, saveModel writes them one
 * // by one. The tensors: weights as <layer>.<weight>, optimizer state as optimizer.<path> (float64 first)
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), {
 *   optimizer: 'rmsprop',
 *   loss: 'mse',
 * })
 * const names = decodeSafetensorsOrThrow(encodeModel(model)).names
 * names // → ['optimizer.1.count', 'dense.bias', 'dense.kernel', 'optimizer.0.nu.0.bias', 'optimizer.0.nu.0.kernel']
 * decodeSafetensorsOrThrow(encodeModel(model, { includeOptimizer: false })).names // → ['dense.bias', 'dense.kernel']
 */
export const prepareModel = (
  op: string,
  file: string,
  model: CompiledModel,
  { includeOptimizer = true }: SaveModelOptions = {},
): PreparedFile => {
  const m = checkCompiled(op, model)
  const config = modelConfig(m, includeOptimizer)
  const weights = nameTensors(op, file, weightsByLayer(m, m.params))
  if (E.isLeft(weights)) return ioFail(weights.left)
  let tensors: readonly NamedTensor[] = weights.right
  if (includeOptimizer) {
    const state = nameTensors(op, file, m.optState as Tree, optimizerNaming)
    if (E.isLeft(state)) return ioFail(state.left)
    const taken = new Set(tensors.map((t) => t.name))
    const clash = state.right.find((t) => taken.has(t.name))
    if (clash !== undefined) {
      throw new ModelFileError(
        `${op}: a layer's weight and the optimizer state are both named ${JSON.stringify(clash.name)}; expected layer names that do not start with "optimizer."`,
        file,
      )
    }
    tensors = [...tensors, ...state.right]
  }
  const prepared = prepareFile(op, file, tensors, {
    [modelFormatKey]: modelFormat,
    [modelVersionKey]: String(modelFormatVersion),
    [modelConfigKey]: JSON.stringify(config),
  })
  return E.isLeft(prepared) ? ioFail(prepared.left) : prepared.right
}

/**
 * A compiled model as safetensors bytes: weights, optimizer state (unless `includeOptimizer: false`),
 * and the configuration `decodeModel` needs to rebuild it. Throws a {@link ModelFileError} for a model
 * that cannot be saved (a layer without a configuration).
 * @category Saving
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), {
 *   optimizer: 'rmsprop',
 *   loss: 'mse',
 * })
 * const x = ones([4, 3])
 * const { model: trained } = await fit(model, x, ones([4, 2]), { epochs: 2, verbose: 0 })
 * // e.g. for IndexedDB or a download in a browser
 * const bytes = encodeModel(trained)
 * const back = decodeModel(bytes)
 * back.epochsTrained // → 2
 * toArray(predict(back, x)) // → toArray(predict(trained, x))
 */
export const encodeModel = (model: CompiledModel, options: SaveModelOptions = {}): Uint8Array =>
  concatFile(prepareModel('encodeModel', '<bytes>', model, options))

const fail = (op: string, file: string, expected: string, found: string): never => {
  throw new ModelFileError(`${op}: ${file}: not a loadable model: expected ${expected}, found ${found}`, file)
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

const parseConfig = (op: string, file: string, metadata: Readonly<Record<string, string>>): SavedModelConfig => {
  const format = metadata[modelFormatKey]
  if (format !== modelFormat) {
    fail(
      op,
      file,
      `__metadata__ "${modelFormatKey}": "${modelFormat}" (a file written by saveModel)`,
      format === undefined
        ? 'no such key (a safetensors file of tensors only? read it with loadWeights from @nabla/io)'
        : JSON.stringify(format),
    )
  }
  const versionText = metadata[modelVersionKey]
  const version = versionText !== undefined && /^[1-9]\d*$/.test(versionText) ? Number(versionText) : Number.NaN
  if (!Number.isSafeInteger(version)) {
    fail(op, file, `__metadata__ "${modelVersionKey}": a positive integer`, JSON.stringify(versionText ?? null))
  }
  if (version > modelFormatVersion) {
    fail(
      op,
      file,
      `a model format version up to ${modelFormatVersion} (what this @nabla/nn reads)`,
      `version ${version}, written by a newer nabla: upgrade @nabla/nn to load it`,
    )
  }
  let config: unknown
  try {
    config = JSON.parse(metadata[modelConfigKey] ?? '')
  } catch (e) {
    fail(op, file, `__metadata__ "${modelConfigKey}": the model's configuration as JSON`, (e as Error).message)
  }
  const c = config as SavedModelConfig
  if (!isRecord(config) || c.class !== 'Sequential' || !Array.isArray(c.layers) || !isRecord(c.compile)) {
    fail(
      op,
      file,
      'a configuration { class: "Sequential", name, layers: [...], compile: {...} }',
      JSON.stringify(config)?.slice(0, 80) ?? 'nothing',
    )
  }
  if (c.layers.length === 0) fail(op, file, 'at least one layer', 'none')
  if (!Number.isSafeInteger(c.epochsTrained) || c.epochsTrained < 0) {
    fail(op, file, 'epochsTrained: a non-negative integer', JSON.stringify(c.epochsTrained))
  }
  if (!Number.isSafeInteger(c.compile.seed)) fail(op, file, 'compile.seed: an integer', JSON.stringify(c.compile.seed))
  return c
}

const rebuild = (op: string, file: string, c: SavedModelConfig, zeroInit = false): Sequential => {
  let network = kerasModelSequential({ name: typeof c.name === 'string' ? c.name : 'sequential' })
  c.layers.forEach((l, i) => {
    if (!isRecord(l) || !isRecord(l.config) || typeof l.name !== 'string') {
      fail(op, file, `layer ${i + 1}: { class, name, config }`, JSON.stringify(l))
    }
    const init = (v: unknown, fallback: string) =>
      zeroInit ? 'zeros' : v === 'custom' || v === undefined ? fallback : v
    const options = { ...l.config, name: l.name } as Record<string, unknown>
    try {
      switch (l.class) {
        case 'Dense':
          network = layerDense(network, {
            ...(options as never as Parameters<typeof layerDense>[1]),
            kernelInitializer: init(options.kernelInitializer, 'glorot_uniform') as never,
            biasInitializer: init(options.biasInitializer, 'zeros') as never,
          })
          break
        case 'Conv2D':
          network = layerConv2d(network, {
            ...(options as never as Parameters<typeof layerConv2d>[1]),
            kernelInitializer: init(options.kernelInitializer, 'glorot_uniform') as never,
            biasInitializer: init(options.biasInitializer, 'zeros') as never,
          })
          break
        case 'MaxPooling2D':
          network = layerMaxPooling2d(network, options as never)
          break
        case 'AveragePooling2D':
          network = layerAveragePooling2d(network, options as never)
          break
        case 'Dropout':
          network = layerDropout(network, options as never)
          break
        case 'Flatten':
          network = layerFlatten(network, options as never)
          break
        default:
          fail(
            op,
            file,
            `layer ${i + 1}: a class Dense, Conv2D, MaxPooling2D, AveragePooling2D, Dropout or Flatten`,
            JSON.stringify(l.class),
          )
      }
    } catch (e) {
      if (e instanceof ModelFileError) throw e
      fail(op, file, `layer ${i + 1} (${l.name}) to rebuild`, (e as Error).message)
    }
  })
  return network
}

const compileOptions = (op: string, file: string, c: SavedModelConfig, options: LoadModelOptions): CompileOptions => {
  const { optimizer: saved, loss: savedLoss, metrics, seed } = c.compile
  let optimizer: CompileOptions['optimizer']
  if (options.optimizer !== undefined) optimizer = options.optimizer
  else if (saved === null || saved === undefined) {
    return fail(
      op,
      file,
      'an optimizer: the model was compiled with a custom gradient transformation, which a file cannot hold',
      'none given; pass it: loadModel(file, { optimizer })',
    )
  } else {
    try {
      optimizer = optimizerByName(saved.name as OptimizerName, saved.options)
    } catch (e) {
      return fail(op, file, 'an optimizer this nabla knows', (e as Error).message)
    }
  }
  let loss: LossName | LossFunction
  if (options.loss !== undefined) loss = options.loss
  else if (typeof savedLoss === 'string') loss = savedLoss as LossName
  else {
    return fail(
      op,
      file,
      `the loss function ${JSON.stringify(savedLoss?.custom)}: the model was compiled with a function, which a file cannot hold`,
      'none given; pass it: loadModel(file, { loss })',
    )
  }
  return { optimizer, loss, metrics: (metrics ?? []) as MetricName[], seed }
}

/**
 * Rebuilds a compiled model from the bytes {@link encodeModel} (or `saveModel`) wrote: the same
 * layers, optimizer, loss, metrics, seed and epochs trained, the saved weights (every tensor checked
 * against the architecture: a missing, extra or differently shaped one is named) and, when saved,
 * the optimizer state — so `predict` gives the same bits and `fit` continues as if never stopped.
 * Throws a {@link ModelFileError} saying what was expected and found.
 * @category Saving
 * @example
 * import { pipe } from 'fp-ts/function'
 * const saved = compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), {
 *   optimizer: 'adam',
 *   loss: 'mse',
 *   metrics: ['mae'],
 * })
 * // a File from <input type="file"> in a browser; here a Blob holding a saved model
 * const file = new Blob([encodeModel(saved)])
 * const model = decodeModel(new Uint8Array(await file.arrayBuffer()))
 * model.optimizer.config // → { name: 'adam', options: {} }
 * model.metrics.map((m) => m.name) // → ['mae']
 * decodeModel(encodeSafetensorsOrThrow({ w: ones([2]) })) // throws ModelFileError: decodeModel: <bytes>
 */
export const decodeModel = (bytes: Uint8Array, options: LoadModelOptions = {}): CompiledModel =>
  decodeModelAs('decodeModel', bytes, options)

/** {@link decodeModel} under the name of the function the user called. */
export const decodeModelAs = (op: string, bytes: Uint8Array, options: LoadModelOptions = {}): CompiledModel => {
  const file = options.name ?? '<bytes>'
  const header = decodeHeader(op, bytes, file)
  if (E.isLeft(header)) return ioFail(header.left)
  const config = parseConfig(op, file, header.right.metadata)
  const network = rebuild(op, file, config)
  // compiled from the same layers initialized with zeros: the weights come from the file, and drawing
  // 400,000 random numbers only to overwrite them would be most of the load time
  const zeroed = rebuild(op, file, config, true)
  let fresh: CompiledModel
  try {
    fresh = compile(zeroed, compileOptions(op, file, config, options))
  } catch (e) {
    if (e instanceof ModelFileError) throw e
    return fail(op, file, 'a configuration compile accepts', (e as Error).message)
  }
  const withState = config.optimizerState === true
  const template = {
    weights: weightsByLayer(fresh, fresh.params),
    ...(withState ? { optimizer: fresh.optState as Tree } : {}),
  }
  const loaded = decodeWeights(bytes, template, {
    name: file,
    naming: {
      name: (path) => (path[0] === 'optimizer' ? optimizerNaming.name(path.slice(1)) : path.slice(1).join('.')),
    },
  })
  if (E.isLeft(loaded)) {
    const message = loaded.left.message.replace(/^decodeWeights/, op).replace('; pass allowExtra to ignore them', '')
    return ioFail({ ...loaded.left, op, message })
  }
  const params = fresh.layers.map((l) => loaded.right.weights[l.name] as Tree)
  const optState = withState ? loaded.right.optimizer : fresh.optimizer.init(params)
  // the layers (and so summary, a later compile) are the saved ones; apply does not depend on the initializer
  return Object.freeze({ ...fresh, layers: network.layers, params, optState, epochsTrained: config.epochsTrained })
}
