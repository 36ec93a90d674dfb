/** progressLogger: writes Keras's fit progress to a stream — a live bar on a terminal, one line per epoch otherwise. */
import { formatEpochLine, formatProgressLine, type Logs } from './progress.js'

/**
 * Where progress goes: anything with `write` (process.stdout, a file stream, a test's collector).
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * const chunks = []
 * const output: ProgressOutput = { write: (chunk) => chunks.push(chunk) }
 * await fit(model, ones([4, 2]), ones([4, 1]), { epochs: 2, verbose: 2, output })
 * chunks.length // → 4
 * chunks[0] // → 'Epoch 1/2\n'
 * chunks[1].startsWith('1/1 - ') // → true
 */
export interface ProgressOutput {
  /** Writes `chunk` (text, with its own `\r` and `\n`); what it returns is ignored. */
  write(chunk: string): unknown
  /** A terminal: the bar is redrawn in place with `\r`. */
  readonly isTTY?: boolean
}

/** Options of {@link progressLogger}. */
export interface ProgressLoggerOptions {
  /** 0 silent, 1 bar (live on a TTY, else one final line per epoch), 2 one line per epoch. */
  readonly verbose: 0 | 1 | 2
  readonly output: ProgressOutput
  readonly epochs: number
  readonly steps: number
  /** Minimum seconds between redraws of the live bar (Keras's 0.05). */
  readonly interval?: number
  /** Clock in seconds (injectable for tests). */
  readonly now?: () => number
}

/** The logger `fit` drives. */
export interface ProgressLogger {
  epochBegin(epoch: number): void
  batchEnd(step: number, logs: Logs): void
  epochEnd(logs: Logs): void
}

/**
 * A progress logger for one fit. Epochs are 0-based here and shown 1-based ("Epoch 1/5").
 * @example
 * import { progressLogger } from './progressLogger.js'
 * // to a terminal: progressLogger({ verbose: 1, output: process.stdout, epochs: 5, steps: 469 }); here to a
 * // collector (not a TTY: one final line per epoch), with a clock that says 2.1 s have passed at the end
 * let text = ''
 * let seconds = 0
 * const output = { write: (s: string) => (text += s) }
 * const log = progressLogger({ verbose: 1, output, epochs: 5, steps: 469, now: () => seconds })
 * log.epochBegin(0)
 * log.batchEnd(1, { loss: 2.3 })
 * seconds = 2.1
 * log.batchEnd(469, { loss: 0.26, accuracy: 0.93 })
 * log.epochEnd({ loss: 0.26, accuracy: 0.93 })
 * text // → 'Epoch 1/5\n469/469 [==============================] - 2s 4ms/step - loss: 0.2600 - accuracy: 0.9300\n'
 */
export const progressLogger = ({
  verbose,
  output,
  epochs,
  steps,
  interval = 0.05,
  now = () => performance.now() / 1000,
}: ProgressLoggerOptions): ProgressLogger => {
  const live = verbose === 1 && output.isTTY === true
  let start = 0
  let lastDraw = -Infinity
  let width = 0
  // redraw in place: back to column 0, and blank out what a longer previous line left behind
  const draw = (line: string, end: string) => {
    output.write(`\r${line}${' '.repeat(Math.max(0, width - line.length))}${end}`)
    width = end === '' ? line.length : 0
  }
  return {
    epochBegin: (epoch) => {
      start = now()
      lastDraw = -Infinity
      if (verbose !== 0) output.write(`Epoch ${epoch + 1}/${epochs}\n`)
    },
    batchEnd: (step, logs) => {
      if (!live || step >= steps) return
      const t = now()
      if (t - lastDraw < interval) return
      lastDraw = t
      draw(formatProgressLine({ step, steps, seconds: t - start, logs }), '')
    },
    epochEnd: (logs) => {
      const state = { step: steps, steps, seconds: now() - start, logs }
      if (verbose === 1 && live) draw(formatProgressLine(state), '\n')
      else if (verbose === 1) output.write(`${formatProgressLine(state)}\n`)
      else if (verbose === 2) output.write(`${formatEpochLine(state)}\n`)
    },
  }
}
