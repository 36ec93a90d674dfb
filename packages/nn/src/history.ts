/** History: what `fit` records per epoch (loss, metrics, their validation twins) and its R-style printout. */
import { rFormat } from './rFormat.js'

/** The settings of the fit that produced a history. */
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
 * @example
 * const { history } = await fit(model, x, y, { epochs: 5, batchSize: 128 })
 * history.metrics.loss // [0.2575, 0.1038, …]
 */
export interface History {
  readonly params: HistoryParams
  readonly metrics: Readonly<Record<string, readonly number[]>>
}

/**
 * A history as R's keras prints it: the fit's settings, then each metric's final value with
 * 4 significant digits, names right-aligned.
 * @example
 * formatHistory(history)
 * // Trained on 60,000 samples (batch_size=128, epochs=5)
 * // Final epoch (plot to see history):
 * //     loss: 0.03717
 * // accuracy: 0.9888
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
