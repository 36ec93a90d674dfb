/** TrainingError: fit stopped on a non-finite loss; it carries the last good model and the history so far. */
import type { CompiledModel } from './compile.js'
import type { History } from './history.js'

/**
 * Thrown by `fit` when the loss becomes NaN or infinite. Nothing is lost: `model` holds the
 * weights from before the step that failed (all finite), `history` the completed epochs.
 * `epoch` and `step` are 1-based, as the progress bar shows them.
 * @example
 * try {
 *   await fit(model, x, y, { epochs: 5 })
 * } catch (e) {
 *   if (e instanceof TrainingError) useInstead(e.model)
 * }
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
