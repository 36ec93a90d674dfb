/** TrainingError: fit stopped on a non-finite loss; it carries the last good model and the history so far. */
import type { CompiledModel } from './compile.js'
import type { History } from './history.js'

/**
 * Thrown by `fit` when the loss becomes NaN or infinite. Nothing is lost: `model` holds the
 * weights from before the step that failed (all finite), `history` the completed epochs.
 * `epoch` and `step` are 1-based, as the progress bar shows them.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * // inputs of about 1000 and plain SGD: the steps grow until the loss overflows
 * const x = array([[1000, 1000], [1, 0]])
 * const y = array([[1000], [1]])
 * let useInstead
 * try {
 *   await fit(model, x, y, { epochs: 30, batchSize: 1, verbose: 0 })
 * } catch (e) {
 *   if (e instanceof TrainingError) useInstead = e
 * }
 * useInstead.message.startsWith('fit: the loss became Infinity') // → true
 * // the epochs completed before the one that failed
 * useInstead.history.metrics.loss.length // → useInstead.epoch - 1
 * getWeights(useInstead.model)[0].kernel.shape // → [2, 1]
 */
export class TrainingError extends Error {
  override readonly name = 'TrainingError'
  constructor(
    message: string,
    readonly model: CompiledModel,
    readonly history: History,
    readonly epoch: number,
    readonly step: number,
  ) {
    super(message)
  }
}
