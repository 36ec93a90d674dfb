/** The options of `fit`, checked and resolved (defaults, validation split, data checks) before any training. */
import { isNDArray, type NDArray, slice } from '@nabla/ndarray'
import { callbackList, type FitCallbacks } from './callbacks.js'
import type { CompiledModel } from './compile.js'
import { checkBatchSize, checkData, checkJit, checkPreprocess, type Preprocess } from './kerasData.js'
import type { ProgressOutput } from './progressLogger.js'

/**
 * Options of `fit`, Keras's arguments in camelCase.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * const x = ones([10, 2])
 * const y = ones([10, 1])
 * const options: FitOptions = { epochs: 2, batchSize: 4, validationData: [x, y], shuffle: false, verbose: 0 }
 * const { history } = await fit(model, x, y, options)
 * history.params // → { epochs: 2, steps: 3, batchSize: 4, samples: 10, validationSamples: 10 }
 * Object.keys(history.metrics) // → ['loss', 'val_loss']
 * await fit(model, x, y, { epochs: 0 }) // throws RangeError: epochs must be a positive integer
 */
export interface FitOptions {
  /** Passes over the training data (default 1). */
  readonly epochs?: number
  /** Samples per gradient step (default 32); the last batch of an epoch keeps the remainder. */
  readonly batchSize?: number
  /** Reshuffle the training samples every epoch (default true). */
  readonly shuffle?: boolean
  /** Seed of the shuffles and dropout masks (default: the model's compile seed): same seed, same weights. */
  readonly seed?: number
  /** Hold out this last fraction of the samples (before shuffling) for validation, as Keras. */
  readonly validationSplit?: number
  /** Validation inputs and labels (takes precedence over validationSplit). */
  readonly validationData?: readonly [NDArray, NDArray] | { readonly x: NDArray; readonly y: NDArray }
  /** 0 silent, 1 progress bar (default), 2 one line per epoch. */
  readonly verbose?: 0 | 1 | 2
  /**
   * Compile each training step with `jit` (default true): one program per batch shape, fused and planned once.
   * `false` runs the steps op by op. A model with dropout runs eagerly either way for now (its masks are drawn
   * per step).
   */
  readonly jit?: boolean
  /** One callback record or a list of them (Keras's `callbacks = list(...)`), called in order. */
  readonly callbacks?: FitCallbacks | readonly FitCallbacks[]
  /** Where progress goes (default process.stdout; where there is none, as in a browser, nowhere). */
  readonly output?: ProgressOutput
  /**
   * Applied to every batch of inputs, training and validation, before the network sees it (inside the compiled
   * step under jit, so it fuses with the rest), as a map over a tf.data pipeline or a PyTorch transform: the data
   * can stay in a compact dtype, e.g. MNIST's images as uint8 with `(x) => div(x, 255)`, 47 MB instead of
   * 188 MB of float32. It gets a batch as stored and must return the network's inputs (its dtype, the model's
   * input shape). Give the same function to evaluate and predict.
   */
  readonly preprocess?: Preprocess
}

const defaultOutput = (): ProgressOutput =>
  (globalThis as { process?: { stdout?: ProgressOutput } }).process?.stdout ?? { write: () => true }

/** Everything `fit` needs, checked. */
export interface FitPlan {
  readonly x: NDArray
  readonly y: NDArray
  readonly samples: number
  readonly validation?: { readonly x: NDArray; readonly y: NDArray }
  readonly epochs: number
  readonly batchSize: number
  readonly steps: number
  readonly shuffle: boolean
  readonly seed: number
  readonly verbose: 0 | 1 | 2
  readonly jit: boolean
  readonly callbacks: readonly FitCallbacks[]
  readonly output: ProgressOutput
  readonly preprocess: Preprocess | undefined
}

const validationPair = (data: unknown): [unknown, unknown] => {
  if (Array.isArray(data) && data.length === 2) return [data[0], data[1]]
  if (typeof data === 'object' && data !== null && 'x' in data && 'y' in data) {
    return [(data as { x: unknown }).x, (data as { y: unknown }).y]
  }
  throw new TypeError('fit: validationData must be [x, y] or { x, y }')
}

const splitValidation = (x: NDArray, y: NDArray, fraction: unknown) => {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction < 1)) {
    throw new RangeError(`fit: validationSplit must be a number in [0, 1), got ${String(fraction)}`)
  }
  const n = x.shape[0] as number
  if (fraction === 0) return { x, y }
  // Keras holds out the last samples, before any shuffling
  const at = Math.floor(n * (1 - fraction))
  if (at === 0 || at === n) {
    throw new RangeError(
      `fit: validationSplit ${fraction} of ${n} samples leaves ${at === 0 ? 'no training' : 'no validation'} samples`,
    )
  }
  return { x: slice(x, [0, at]), y: slice(y, [0, at]), validation: { x: slice(x, [at, n]), y: slice(y, [at, n]) } }
}

/**
 * Checks `fit`'s arguments against the model and resolves the defaults: every error a user
 * can make is thrown here, before any training.
 * @example
 * // internal (not exported): fit checks its options with it before training; the plan's numbers are the
 * // history's params (469 steps for MNIST's 60000 samples in batches of 128)
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * const x = ones([10, 2])
 * const y = ones([10, 1])
 * const { history } = await fit(model, x, y, { epochs: 1, batchSize: 4, validationSplit: 0.2, verbose: 0 })
 * history.params // → { epochs: 1, steps: 2, batchSize: 4, samples: 8, validationSamples: 2 }
 * await fit(model, x, y, { validationSplit: 1 }) // throws RangeError: validationSplit must be a number in [0, 1)
 */
export const planFit = (model: CompiledModel, x: NDArray, y: NDArray, options: FitOptions = {}): FitPlan => {
  const { epochs = 1, shuffle = true, seed = model.seed, verbose = 1, jit = true } = options
  const callbacks = callbackList('fit', options.callbacks)
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`)
  const batchSize = checkBatchSize('fit', options.batchSize ?? 32)
  if (!Number.isSafeInteger(seed)) throw new RangeError(`fit: seed must be an integer, got ${seed}`)
  if (verbose !== 0 && verbose !== 1 && verbose !== 2)
    throw new RangeError(`fit: verbose must be 0, 1 or 2, got ${verbose}`)
  checkJit('fit', jit)
  const preprocess = checkPreprocess('fit', options.preprocess)
  const labels = checkData('fit', model, x, y)
  let validation: { x: NDArray; y: NDArray } | undefined
  let train = { x, y: labels }
  if (options.validationData !== undefined) {
    const [vx, vy] = validationPair(options.validationData)
    if (isNDArray(vx) && (vx.shape[0] ?? 0) === 0) throw new RangeError('fit: validationData has no samples')
    validation = { x: vx as NDArray, y: checkData('fit', model, vx, vy, ['validationData x', 'validationData y']) }
  } else if (options.validationSplit !== undefined) {
    const s = splitValidation(x, labels, options.validationSplit)
    train = { x: s.x, y: s.y }
    validation = s.validation
  }
  const samples = train.x.shape[0] as number
  if (samples === 0) throw new RangeError('fit: x has no samples')
  return {
    ...train,
    samples,
    ...(validation === undefined ? {} : { validation }),
    epochs,
    batchSize,
    steps: Math.ceil(samples / batchSize),
    shuffle,
    seed,
    verbose,
    jit,
    callbacks,
    output: options.output ?? defaultOutput(),
    preprocess,
  }
}
