/** evaluate: the loss and metrics of a compiled model on data, averaged over samples, and their R printout. */
import { jit } from '@nabla/jit'
import { dual, isNDArray, item, type NDArray } from '@nabla/ndarray'
import { type CompiledModel, checkCompiled } from './compile.js'
import {
  checkBatchSize,
  checkData,
  checkJit,
  checkPreprocess,
  inputBatch,
  networkInput,
  type Preprocess,
  rows,
} from './kerasData.js'
import { modelPenalty } from './regularizers.js'
import { rFormat } from './rFormat.js'
import type { SerialParams } from './serial.js'

/**
 * The loss and metrics of `params` on checked data (`y` as `checkData` returns it), batch
 * by batch, each batch weighted by its size: inference mode (no dropout), the loss from
 * logits when the model trains that way.
 * @example
 * // internal (not exported): evaluate (and fit's validation) compute { loss, …metrics } with it, batch by batch,
 * // each batch weighted by its size; so the batch size does not change the result
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] }))
 * const weights = [{ kernel: array([[1], [2]]), bias: array([0]) }]
 * const model = compile(network, { optimizer: 'sgd', loss: 'mse', metrics: ['mae'], weights })
 * const x = array([[1, 1], [2, 0], [0, 1]])
 * const y = array([[3], [1], [2]])
 * evaluate(model, x, y, { batchSize: 2 }) // → { loss: 1 / 3, mae: 1 / 3 }
 * evaluate(model, x, y, { batchSize: 1 }) // → evaluate(model, x, y)
 */
export const evaluateLogs = (
  model: CompiledModel,
  params: SerialParams,
  x: NDArray,
  y: NDArray,
  batchSize: number,
  compiled = true,
  preprocess?: Preprocess,
): Record<string, number> => {
  const n = x.shape[0] as number
  const sums = [0, ...model.metrics.map(() => 0)]
  const batchLogs = compiled ? jittedLogs(model, preprocess) : eagerLogs(model, preprocess)
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize)
    const values = batchLogs(
      params,
      inputBatch(model, x, undefined, start, end, preprocess),
      rows(y, undefined, start, end),
    )
    const size = end - start
    values.forEach((v, i) => {
      sums[i] = (sums[i] as number) + item(v) * size
    })
  }
  // the weight penalties are the same for every batch: added once to the mean, as Keras's per-batch sum averages
  const reg = modelPenalty(model.layers, params)
  const logs: Record<string, number> = { loss: (sums[0] as number) / n + (reg === undefined ? 0 : item(reg)) }
  model.metrics.forEach((m, i) => {
    logs[m.name] = (sums[i + 1] as number) / n
  })
  return logs
}

type BatchLogs = (params: SerialParams, xb: NDArray, yb: NDArray) => NDArray[]

/** A batch's loss and metrics, from one forward pass in inference mode. */
const eagerLogs =
  (model: CompiledModel, preprocess: Preprocess | undefined): BatchLogs =>
  (params, xb, yb) => {
    const out = model.trainNetwork.apply(params, networkInput('evaluate', model, preprocess, xb))
    return [model.loss.fn(yb, out), ...model.metrics.map((m) => m.fn(yb, out))]
  }

// one compiled program per network, loss and metrics (and batch shape), kept as long as the network is: a model
// that fit returns shares its network with the model it trained, and so its programs
interface Compiled {
  readonly loss: CompiledModel['loss']
  readonly metrics: CompiledModel['metrics']
  readonly preprocess: Preprocess | undefined
  readonly logs: BatchLogs
}
const compiledLogs = new WeakMap<object, Compiled>()
const jittedLogs = (model: CompiledModel, preprocess: Preprocess | undefined): BatchLogs => {
  const c = compiledLogs.get(model.trainNetwork)
  if (c !== undefined && c.loss === model.loss && c.metrics === model.metrics && c.preprocess === preprocess)
    return c.logs
  const logs = jit(eagerLogs(model, preprocess)) as BatchLogs
  compiledLogs.set(model.trainNetwork, { loss: model.loss, metrics: model.metrics, preprocess, logs })
  return logs
}

/**
 * Options of {@link evaluate}.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const weights = [{ kernel: array([[1], [2]]), bias: array([0]) }]
 *
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse', weights })
 * const x = array([[1, 1], [2, 0], [0, 1]])
 * const y = array([[3], [1], [2]])
 * const options: EvaluateOptions = { batchSize: 2, jit: false }
 * evaluate(model, x, y, options) // → { loss: 1 / 3 }
 * evaluate(model, x, y, { batchSize: 0 }) // throws RangeError: batchSize must be a positive integer
 */
export interface EvaluateOptions {
  /** Samples per batch (default 32, as Keras); only memory and speed depend on it. */
  readonly batchSize?: number
  /** Run each batch compiled with `jit` (default true), or op by op (`false`). */
  readonly jit?: boolean
  /** Applied to every batch of inputs before the network sees it, as fit's `preprocess` (give the same one). */
  readonly preprocess?: Preprocess
}

/**
 * What `evaluate` returns: the loss and each metric as plain numbers. The accuracy is also
 * readable under its other name (`acc` for `accuracy` and back, a non-enumerable alias), so
 * the book's `metrics$acc` reads `result.acc`.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const network = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [2] }))
 * const weights = [{ kernel: array([[1, -1], [-1, 1]]), bias: array([0, 0]) }]
 * const model = compile(network, { optimizer: 'sgd', loss: 'categorical_crossentropy', metrics: ['acc'], weights })
 * const result: EvaluateResult = evaluate(model, array([[2, 0], [0, 2]]), array([[1, 0], [1, 0]]))
 * result.loss // → (Math.log(1 + Math.exp(-4)) + Math.log(1 + Math.exp(4))) / 2
 * result.acc // → 0.5
 * // the alias, not among the keys
 * result.accuracy // → 0.5
 * Object.keys(result) // → ['loss', 'acc']
 */
export type EvaluateResult = Readonly<Record<string, number>> & {
  readonly loss: number
  readonly accuracy?: number
  readonly acc?: number
}

const evaluateImpl = (model: CompiledModel, x: NDArray, y: NDArray, options: EvaluateOptions = {}): EvaluateResult => {
  const m = checkCompiled('evaluate', model)
  const batchSize = checkBatchSize('evaluate', options.batchSize ?? 32)
  const labels = checkData('evaluate', m, x, y)
  if ((x.shape[0] as number) === 0) throw new RangeError('evaluate: x has no samples')
  const preprocess = checkPreprocess('evaluate', options.preprocess)
  const logs = evaluateLogs(m, m.params, x, labels, batchSize, checkJit('evaluate', options.jit), preprocess)
  const alias = { accuracy: 'acc', acc: 'accuracy' } as const
  for (const name of ['accuracy', 'acc'] as const) {
    const value = logs[name]
    if (value !== undefined && !(alias[name] in logs)) {
      Object.defineProperty(logs, alias[name], { value, enumerable: false })
    }
  }
  return Object.freeze(logs) as EvaluateResult
}

/**
 * Keras's `evaluate()`: the loss and metrics on (x, y), averaged over all samples.
 * Data-first, or data-last for `pipe(model, evaluate(x, y))`.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [2] }))
 * const weights = [{ kernel: array([[1, -1], [-1, 1]]), bias: array([0, 0]) }]
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'], weights })
 * const testImages = array([[2, 0], [0, 2], [1, 0]])
 * const testLabels = array([[1, 0], [0, 1], [0, 1]])
 * // for the book's MNIST network: loss 0.0752, accuracy 0.9785
 * const metrics = evaluate(model, testImages, testLabels)
 * metrics.loss // → (2 * Math.log(1 + Math.exp(-4)) + Math.log(1 + Math.exp(2))) / 3
 * metrics.accuracy // → 2 / 3
 * // also metrics.acc
 * metrics.acc // → metrics.accuracy
 * // data-last, for pipe
 * pipe(model, evaluate(testImages, testLabels)) // → metrics
 */
export const evaluate: {
  (x: NDArray, y: NDArray, options?: EvaluateOptions): (model: CompiledModel) => EvaluateResult
  (model: CompiledModel, x: NDArray, y: NDArray, options?: EvaluateOptions): EvaluateResult
} = dual((args) => !isNDArray(args[0]), evaluateImpl)

/**
 * Options of {@link formatEvaluate}.
 * @category Training
 * @example
 * const options: FormatEvaluateOptions = { accuracyName: 'accuracy' }
 * formatEvaluate({ loss: 0.5, acc: 0.75 }, options) // → '$loss\n[1] 0.5\n\n$accuracy\n[1] 0.75'
 * formatEvaluate({ loss: 0.5, acc: 0.75 }) // → '$loss\n[1] 0.5\n\n$acc\n[1] 0.75'
 */
export interface FormatEvaluateOptions {
  /** The name shown for the accuracy: 'acc' as in the book (Keras before 2.3), or 'accuracy'. */
  readonly accuracyName?: 'acc' | 'accuracy'
}

/**
 * An evaluate result as R prints the list: each value with 7 significant digits.
 * @category Training
 * @example
 * formatEvaluate({ loss: 0.07519608341, accuracy: 0.9785 }) // → '$loss\n[1] 0.07519608\n\n$acc\n[1] 0.9785'
 * console.log(formatEvaluate({ loss: 0.07519608341, accuracy: 0.9785 }, { accuracyName: 'accuracy' }))
 * // prints:
 * //   $loss
 * //   [1] 0.07519608
 * //
 * //   $accuracy
 * //   [1] 0.9785
 */
export const formatEvaluate = (result: EvaluateResult, { accuracyName = 'acc' }: FormatEvaluateOptions = {}): string =>
  Object.entries(result)
    .map(([name, v]) => `$${name === 'accuracy' || name === 'acc' ? accuracyName : name}\n[1] ${rFormat(v)}`)
    .join('\n\n')
