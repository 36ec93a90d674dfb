/** History: what `fit` records per epoch (loss, metrics, their validation twins) and its R-style printout. */
import { rFormat } from './rFormat.js'

/**
 * The settings of the fit that produced a history.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * const { history } = await fit(model, ones([10, 2]), ones([10, 1]), { batchSize: 3, validationSplit: 0.2, verbose: 0 })
 * const params: HistoryParams = history.params
 * params // → { epochs: 1, steps: 3, batchSize: 3, samples: 8, validationSamples: 2 }
 * formatHistory(history).split('\n')[0] // → 'Trained on 8 samples, validated on 2 samples (batch_size=3, epochs=1)'
 */
export interface HistoryParams {
  readonly epochs: number
  /** Steps (batches) per epoch: ⌈samples / batchSize⌉. */
  readonly steps: number
  readonly batchSize: number
  /** Training samples (after a validation split). */
  readonly samples: number
  /** Validation samples, when validating. */
  readonly validationSamples?: number
}

/**
 * Per-epoch values of the loss and metrics (`loss`, `accuracy`, and `val_loss`,
 * `val_accuracy` when validating), one entry per completed epoch, plus the fit's settings.
 * Keras's `history.history` and R's `history$metrics`.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [2] }))
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] })
 * const x = array([[0, 1], [1, 0], [0, 2], [2, 0]])
 * const y = array([[1, 0], [0, 1], [1, 0], [0, 1]])
 * // with MNIST and { epochs: 5, batchSize: 128 }, history.metrics.loss is [0.2575, 0.1038, …]
 * const { history } = await fit(model, x, y, { epochs: 3, batchSize: 2, validationSplit: 0.5, verbose: 0 })
 * Object.keys(history.metrics) // → ['loss', 'accuracy', 'val_loss', 'val_accuracy']
 * history.metrics.loss.length // → 3
 * history.params.validationSamples // → 2
 */
export interface History {
  readonly params: HistoryParams
  readonly metrics: Readonly<Record<string, readonly number[]>>
}

/**
 * A history as R's keras prints it: the fit's settings, then each metric's final value with
 * 4 significant digits, names right-aligned.
 * @category Training
 * @example
 * const history = {
 *   params: { epochs: 5, steps: 469, batchSize: 128, samples: 60000 },
 *   metrics: { loss: [0.2575, 0.1038, 0.0689, 0.0497, 0.0371712], accuracy: [0.9255, 0.9697, 0.9794, 0.985, 0.9888] },
 * }
 * console.log(formatHistory(history))
 * // prints:
 * //   Trained on 60,000 samples (batch_size=128, epochs=5)
 * //   Final epoch (plot to see history):
 * //       loss: 0.03717
 * //   accuracy: 0.9888
 */
export const formatHistory = (history: History): string => {
  const { samples, validationSamples, batchSize, epochs } = history.params
  const big = (n: number) => rFormat(n, { digits: 15, scientific: false, bigMark: ',' })
  const validated = validationSamples === undefined ? '' : `, validated on ${big(validationSamples)} samples`
  const head = `Trained on ${big(samples)} samples${validated} (batch_size=${batchSize}, epochs=${epochs})`
  const names = Object.keys(history.metrics)
  const width = Math.max(0, ...names.map((n) => n.length))
  const lines = names.map((name) => {
    const values = history.metrics[name] ?? []
    const last = values[values.length - 1]
    const shown = last === undefined ? 'NA' : rFormat(last, { digits: 4, scientific: false, bigMark: ',' })
    return `${name.padStart(width)}: ${shown}`
  })
  return [head, 'Final epoch (plot to see history):', ...lines].join('\n')
}
