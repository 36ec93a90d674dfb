/** Keras's progress lines as pure functions of the numbers: the bar, the logs, the times, the epoch lines. */

/**
 * Loss and metric values by name, in the order they are shown.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] })
 * const epochs: Logs[] = []
 * const record = { onEpochEnd: (_epoch, logs: Logs) => void epochs.push(logs) }
 * await fit(model, ones([4, 2]), ones([4, 1]), { epochs: 2, validationSplit: 0.5, verbose: 0, callbacks: record })
 * epochs.length // → 2
 * Object.keys(epochs[1]) // → ['loss', 'mae', 'val_loss', 'val_mae']
 */
export type Logs = Readonly<Record<string, number>>

/**
 * The step counter and bar, as Keras's Progbar draws it (the count right-aligned to the
 * total's width, `>` at the head while running).
 * @example
 * import { progressBar } from './progress.js'
 * progressBar(469, 469) // → '469/469 [==============================]'
 * progressBar(100, 469) // → '100/469 [=====>........................]'
 * progressBar(3, 10, 10) // → ' 3/10 [==>.......]'
 */
export const progressBar = (current: number, total: number, width = 30): string => {
  const digits = String(total).length
  const done = Math.floor((width * Math.min(current, total)) / total)
  const head = done > 0 ? '='.repeat(done - 1) + (current < total ? '>' : '=') : ''
  return `${String(current).padStart(digits)}/${total} [${head}${'.'.repeat(width - done)}]`
}

/**
 * One value as Keras shows it: 4 decimals, or 4-digit scientific below 1e-3 (Python's `%.4e`).
 * @example
 * import { formatLogValue } from './progress.js'
 * formatLogValue(0.25749) // → '0.2575'
 * formatLogValue(1.5e-5) // → '1.5000e-05'
 * formatLogValue(Number.NaN) // → 'nan'
 */
export const formatLogValue = (v: number): string => {
  if (Number.isNaN(v)) return 'nan'
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf'
  if (Math.abs(v) > 1e-3) return v.toFixed(4)
  const [m, e = '0'] = v.toExponential(4).split('e')
  const n = Number(e)
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`
}

/**
 * The logs as Keras appends them to a progress line.
 * @example
 * import { formatLogs } from './progress.js'
 * formatLogs({ loss: 0.2575, accuracy: 0.9255 }) // → ' - loss: 0.2575 - accuracy: 0.9255'
 */
export const formatLogs = (logs: Logs): string =>
  Object.entries(logs)
    .map(([name, v]) => ` - ${name}: ${formatLogValue(v)}`)
    .join('')

/**
 * A duration per unit as Keras shows it: whole seconds, else milliseconds, else microseconds.
 * @example
 * import { formatTimePerUnit } from './progress.js'
 * formatTimePerUnit(0.0043, 'step') // → '4ms/step'
 * formatTimePerUnit(2.1, 'epoch') // → '2s/epoch'
 * formatTimePerUnit(0.00025, 'step') // → '250us/step'
 */
export const formatTimePerUnit = (seconds: number, unit: string): string => {
  if (seconds >= 1 || seconds === 0) return `${seconds.toFixed(0)}s/${unit}`
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(0)}ms/${unit}`
  return `${(seconds * 1e6).toFixed(0)}us/${unit}`
}

/** Keras's ETA: h:mm:ss over an hour, m:ss over a minute, else whole seconds. */
const formatEta = (eta: number): string => {
  const two = (n: number) => String(Math.floor(n)).padStart(2, '0')
  if (eta > 3600) return `${Math.floor(eta / 3600)}:${two((eta % 3600) / 60)}:${two(eta % 60)}`
  if (eta > 60) return `${Math.floor(eta / 60)}:${two(eta % 60)}`
  return `${Math.floor(eta)}s`
}

/** What a progress line shows. */
export interface ProgressState {
  /** Steps done so far in this epoch (1-based). */
  readonly step: number
  /** Steps in the epoch. */
  readonly steps: number
  /** Seconds since the epoch began. */
  readonly seconds: number
  /** The running averages (and, at the end, the validation values). */
  readonly logs: Logs
}

/**
 * Keras's `verbose = 1` line: while running, the bar with an ETA; at the last step, the
 * epoch's final line with its time and time per step.
 * @example
 * import { formatProgressLine } from './progress.js'
 * console.log(formatProgressLine({ step: 469, steps: 469, seconds: 2.1, logs: { loss: 0.2575, accuracy: 0.9255 } }))
 * // prints: 469/469 [==============================] - 2s 4ms/step - loss: 0.2575 - accuracy: 0.9255
 * console.log(formatProgressLine({ step: 100, steps: 469, seconds: 0.5, logs: { loss: 0.5 } }))
 * // prints: 100/469 [=====>........................] - ETA: 1s - loss: 0.5000
 */
export const formatProgressLine = ({ step, steps, seconds, logs }: ProgressState): string => {
  const perStep = step > 0 ? seconds / step : 0
  const time =
    step < steps
      ? ` - ETA: ${formatEta(perStep * (steps - step))}`
      : ` - ${seconds.toFixed(0)}s ${formatTimePerUnit(perStep, 'step')}`
  return progressBar(step, steps) + time + formatLogs(logs)
}

/**
 * Keras's `verbose = 2` line, one per epoch, without a bar.
 * @example
 * import { formatEpochLine } from './progress.js'
 * console.log(formatEpochLine({ step: 128, steps: 128, seconds: 5.4, logs: { loss: 3.1494, accuracy: 0.1463 } }))
 * // prints: 128/128 - 5s - loss: 3.1494 - accuracy: 0.1463 - 5s/epoch - 42ms/step
 */
export const formatEpochLine = ({ step, steps, seconds, logs }: ProgressState): string => {
  const count = `${String(step).padStart(String(steps).length)}/${steps}`
  const perStep = step > 0 ? seconds / step : 0
  return `${count} - ${seconds.toFixed(0)}s${formatLogs(logs)} - ${formatTimePerUnit(seconds, 'epoch')} - ${formatTimePerUnit(perStep, 'step')}`
}
