/**
 * Keras's callbacks for `fit`: a plain interface users implement, and the two the book's readers meet first —
 * early stopping (`callback_early_stopping`) and model checkpointing (`callback_model_checkpoint`, in
 * `@nabla/nn/node`, since it writes files).
 */
import type { CompiledModel } from './compile.js'
import type { Logs } from './progress.js'

/**
 * What a callback may ask of the `fit` that calls it.
 * @category Callbacks
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'rmsprop', loss: 'mse' })
 * const rates = []
 * const halveThenStop = {
 *   onEpochEnd: (epoch, _logs, _model, control: TrainingControl) => {
 *     rates.push(control.learningRate)
 *     control.setLearningRate(control.learningRate / 2)
 *     if (epoch === 1) control.stop()
 *   },
 * }
 * const { history, model: trained } = await fit(model, ones([4, 2]), ones([4, 1]), { epochs: 10, verbose: 0, callbacks: halveThenStop })
 * history.metrics.loss.length // → 2
 * rates // → [0.001, 0.0005]
 * learningRateOf(trained.optimizer) // → 0.00025
 */
export interface TrainingControl {
  /** Ends training after the current epoch (Keras's `model$stop_training <- TRUE`). */
  stop(): void
  /** Makes `fit` resolve to this model instead of the last one (early stopping's restored best weights). */
  resolveTo(model: CompiledModel): void
  /** Whether `stop` has been called. */
  readonly stopped: boolean
  /** The optimizer's constant learning rate, or undefined when it has none (a schedule, a custom chain). */
  readonly learningRate: number | undefined
  /**
   * Trains the next epochs with this learning rate (Keras's `optimizer$learning_rate <- lr`): the same named
   * optimizer and state, rebuilt with the new constant. Throws for an optimizer without a constant rate.
   */
  setLearningRate(learningRate: number): void
}

/**
 * Functions `fit` calls as it goes (epochs and batches 0-based, as Keras's callbacks); each may return a promise,
 * which fit awaits. `callbacks` takes one such record or a list of them, called in order.
 * @category Callbacks
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * const seen = []
 * const trail: FitCallbacks = {
 *   onEpochBegin: (epoch) => void seen.push(`epoch ${epoch}`),
 *   onBatchEnd: (batch) => void seen.push(`batch ${batch}`),
 *   onTrainEnd: (logs) => void seen.push(`end ${Object.keys(logs)}`),
 * }
 * await fit(model, ones([6, 2]), ones([6, 1]), { epochs: 2, batchSize: 4, verbose: 0, callbacks: trail })
 * seen // → ['epoch 0', 'batch 0', 'batch 1', 'epoch 1', 'batch 0', 'batch 1', 'end loss']
 * await fit(model, ones([6, 2]), ones([6, 1]), { callbacks: { onEpochStart: () => {} } }) // throws TypeError: unknown hook 'onEpochStart'
 */
export interface FitCallbacks {
  /** Before the first epoch, with the control that stops training or changes the learning rate. */
  readonly onTrainBegin?: (control: TrainingControl) => void | Promise<void>
  /** Before each epoch, with its 0-based number. */
  readonly onEpochBegin?: (epoch: number) => void | Promise<void>
  /** The epoch's logs (with val_ entries when validating) and the model as trained so far. */
  readonly onEpochEnd?: (
    epoch: number,
    logs: Logs,
    model: CompiledModel,
    control: TrainingControl,
  ) => void | Promise<void>
  /** The running averages of the epoch so far. */
  readonly onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>
  /** After the last epoch (or the one a callback stopped at), with its logs. */
  readonly onTrainEnd?: (logs: Logs, control: TrainingControl) => void | Promise<void>
}

/**
 * `'min'` for losses and errors, `'max'` for accuracies; `'auto'` picks by the name, as Keras does.
 * @category Callbacks
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * // 'max' on a loss: the second epoch's lower loss is no improvement, so training stops there
 * const mode: MonitorMode = 'max'
 * const stop = callbackEarlyStopping({ monitor: 'loss', mode })
 * const { history } = await fit(model, ones([4, 2]), ones([4, 1]), { epochs: 5, verbose: 0, callbacks: stop })
 * history.metrics.loss.length // → 2
 * callbackEarlyStopping({ mode: 'highest' as never }) // throws RangeError: mode must be 'auto', 'min' or 'max'
 */
export type MonitorMode = 'auto' | 'min' | 'max'

/**
 * Options of {@link callbackEarlyStopping}, Keras's arguments in camelCase.
 * @category Callbacks
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * const x = array([[0, 1], [1, 0], [1, 1], [2, 1]])
 * const y = array([[1], [1], [2], [3]])
 * // no epoch improves the loss by 10: training stops once `patience` epochs have passed
 * const options: EarlyStoppingOptions = { monitor: 'loss', minDelta: 10, patience: 1 }
 * const { history } = await fit(model, x, y, { epochs: 10, verbose: 0, callbacks: callbackEarlyStopping(options) })
 * history.metrics.loss.length // → 2
 * callbackEarlyStopping({ patience: -1 }) // throws RangeError: patience must be a non-negative integer
 */
export interface EarlyStoppingOptions {
  /** The log to watch (default `'val_loss'`). */
  readonly monitor?: string
  /** The least change that counts as an improvement (default 0). */
  readonly minDelta?: number
  /** Epochs without improvement before training stops (default 0). */
  readonly patience?: number
  readonly mode?: MonitorMode
  /** A value the monitored log must beat; training stops if it has not after `patience` epochs. */
  readonly baseline?: number
  /** When training is stopped, resolve `fit` to the model of the best epoch rather than the last (default false). */
  readonly restoreBestWeights?: boolean
  /** Epochs before the first one checked (default 0). */
  readonly startFromEpoch?: number
}

const isMax = (op: string, monitor: string, mode: MonitorMode): boolean => {
  if (mode === 'min') return false
  if (mode === 'max') return true
  if (mode !== 'auto') throw new RangeError(`${op}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`)
  return /acc|auc|precision|recall/.test(monitor) && !/loss|error/.test(monitor)
}

const nonNegative = (op: string, name: string, v: unknown, integer = false): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${op}: ${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${String(v)}`)
  }
  return v
}

/**
 * Tracks the best value of a monitored log (shared by early stopping and checkpointing): `improved(logs)` says
 * whether this epoch beat the best by more than `minDelta`, and throws a clear error when the log is missing.
 */
export const monitorTracker = (op: string, monitor: string, mode: MonitorMode, minDelta: number) => {
  if (typeof monitor !== 'string' || monitor === '') {
    throw new TypeError(`${op}: monitor must be the name of a log such as 'val_loss', got ${String(monitor)}`)
  }
  const max = isMax(op, monitor, mode)
  let best = max ? -Infinity : Infinity
  return {
    value(logs: Logs): number {
      const v = logs[monitor]
      if (typeof v !== 'number') {
        throw new RangeError(
          `${op}: monitor '${monitor}' is not among this fit's logs (${Object.keys(logs).join(', ')}); ` +
            (monitor.startsWith('val_') ? 'val_ logs need validationData or validationSplit' : 'check its name'),
        )
      }
      return v
    },
    /** Whether `v` beats the best so far by more than minDelta (and then records it). */
    improved(v: number): boolean {
      const better = max ? v - minDelta > best : v + minDelta < best
      if (better) best = v
      return better
    },
    beats(v: number, reference: number): boolean {
      return max ? v - minDelta > reference : v + minDelta < reference
    },
  }
}

/**
 * Keras's `callback_early_stopping()`: stops training once `monitor` has not improved by more than `minDelta` for
 * `patience` epochs, and with `restoreBestWeights` makes `fit` resolve to the best epoch's model. The history
 * keeps every epoch that ran.
 * @category Callbacks
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * const x = array([[0, 1], [1, 0], [1, 1], [2, 1], [1, 2]])
 * const y = array([[1], [1], [2], [3], [3]])
 * const { model } = await fit(network, x, y, {
 *   epochs: 20,
 *   validationSplit: 0.2,
 *   verbose: 0,
 *   callbacks: [callbackEarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true })],
 * })
 * model.epochsTrained <= 20 // → true
 * // counting no epoch as an improvement (minDelta 10), training stops once `patience` epochs have passed
 * const stopped = await fit(network, x, y, {
 *   epochs: 20,
 *   verbose: 0,
 *   callbacks: [callbackEarlyStopping({ monitor: 'loss', minDelta: 10, patience: 2 })],
 * })
 * stopped.history.metrics.loss.length // → 3
 * await fit(network, x, y, { epochs: 2, verbose: 0, callbacks: [callbackEarlyStopping()] }) // throws RangeError: val_ logs need validationData or validationSplit
 */
export const callbackEarlyStopping = (options: EarlyStoppingOptions = {}): FitCallbacks => {
  const op = 'callbackEarlyStopping'
  const { monitor = 'val_loss', mode = 'auto', baseline, restoreBestWeights = false } = options
  const minDelta = Math.abs(nonNegative(op, 'minDelta', options.minDelta ?? 0))
  const patience = nonNegative(op, 'patience', options.patience ?? 0, true)
  const startFromEpoch = nonNegative(op, 'startFromEpoch', options.startFromEpoch ?? 0, true)
  if (baseline !== undefined && (typeof baseline !== 'number' || Number.isNaN(baseline))) {
    throw new RangeError(`${op}: baseline must be a number, got ${String(baseline)}`)
  }
  if (typeof restoreBestWeights !== 'boolean') {
    throw new TypeError(`${op}: restoreBestWeights must be true or false, got ${String(restoreBestWeights)}`)
  }
  let tracker = monitorTracker(op, monitor, mode, minDelta)
  let wait = 0
  let bestModel: CompiledModel | undefined
  return {
    onTrainBegin: () => {
      // a callback object may serve several fits: each starts afresh
      tracker = monitorTracker(op, monitor, mode, minDelta)
      wait = 0
      bestModel = undefined
    },
    // Keras's rule: an epoch that beats the best (by more than minDelta) becomes the best; it resets the wait
    // unless a baseline is set and not beaten; once `patience` epochs have passed without that, training stops
    // and, with restoreBestWeights, fit resolves to the best epoch's model (a run that is never stopped keeps its
    // last model, as Keras keeps its last weights)
    onEpochEnd: (epoch, logs, model, control) => {
      if (epoch < startFromEpoch) return
      const v = tracker.value(logs)
      bestModel ??= model
      wait++
      if (tracker.improved(v)) {
        bestModel = model
        if (baseline === undefined || tracker.beats(v, baseline)) wait = 0
        return
      }
      if (wait >= patience && epoch > 0) {
        control.stop()
        if (restoreBestWeights) control.resolveTo(bestModel)
      }
    },
  }
}

/**
 * Options of {@link callbackReduceLrOnPlateau}, Keras's arguments in camelCase.
 * @category Callbacks
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: sgd({ learningRate: 0.1 }), loss: 'mse' })
 * // no epoch improves the loss by 10: every 2 epochs the rate is multiplied by 0.1, but never below 0.005
 * const options: ReduceLrOnPlateauOptions = { monitor: 'loss', factor: 0.1, patience: 2, minDelta: 10, minLr: 0.005 }
 * const reduce = callbackReduceLrOnPlateau(options)
 * const { model: trained } = await fit(model, ones([4, 2]), ones([4, 1]), { epochs: 5, verbose: 0, callbacks: reduce })
 * learningRateOf(trained.optimizer) // → 0.005
 * callbackReduceLrOnPlateau({ factor: 2 }) // throws RangeError: factor must be a number in (0, 1)
 */
export interface ReduceLrOnPlateauOptions {
  /** The log to watch (default `'val_loss'`). */
  readonly monitor?: string
  /** The learning rate is multiplied by this, in (0, 1) (default 0.1). */
  readonly factor?: number
  /** Epochs without improvement before the rate is reduced (default 10). */
  readonly patience?: number
  readonly mode?: MonitorMode
  /** The least change that counts as an improvement (default 1e-4). */
  readonly minDelta?: number
  /** Epochs to wait after a reduction before counting again (default 0). */
  readonly cooldown?: number
  /** The rate is never reduced below this (default 0). */
  readonly minLr?: number
}

/**
 * Keras's `callback_reduce_lr_on_plateau()`: once `monitor` has not improved by more than `minDelta` for
 * `patience` epochs, multiplies the learning rate by `factor` (not below `minLr`), then waits `cooldown` epochs.
 * Needs an optimizer made by name with a constant learning rate (its state carries on unchanged).
 * @category Callbacks
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'rmsprop',
 *   loss: 'mse',
 * })
 * const x = array([[0, 1], [1, 0], [1, 1], [2, 1], [1, 2]])
 * const y = array([[1], [1], [2], [3], [3]])
 * await fit(network, x, y, {
 *   epochs: 30,
 *   validationSplit: 0.2,
 *   verbose: 0,
 *   callbacks: [callbackReduceLrOnPlateau({ factor: 0.5, patience: 3 })],
 * })
 * // with no epoch counted as an improvement (minDelta 10), the rate halves after every `patience` epochs
 * const rates = []
 * const record = { onEpochEnd: (_epoch, _logs, _model, control) => void rates.push(control.learningRate) }
 * const reduce = callbackReduceLrOnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 10 })
 * const { model } = await fit(network, x, y, { epochs: 4, verbose: 0, callbacks: [reduce, record] })
 * rates // → [0.001, 0.0005, 0.00025, 0.000125]
 * learningRateOf(model.optimizer) // → 0.000125
 */
export const callbackReduceLrOnPlateau = (options: ReduceLrOnPlateauOptions = {}): FitCallbacks => {
  const op = 'callbackReduceLrOnPlateau'
  const { monitor = 'val_loss', mode = 'auto' } = options
  const factor = options.factor ?? 0.1
  if (typeof factor !== 'number' || !(factor > 0 && factor < 1)) {
    throw new RangeError(`${op}: factor must be a number in (0, 1), got ${String(factor)}`)
  }
  const patience = nonNegative(op, 'patience', options.patience ?? 10, true)
  const minDelta = nonNegative(op, 'minDelta', options.minDelta ?? 1e-4)
  const cooldown = nonNegative(op, 'cooldown', options.cooldown ?? 0, true)
  const minLr = nonNegative(op, 'minLr', options.minLr ?? 0)
  let tracker = monitorTracker(op, monitor, mode, minDelta)
  let wait = 0
  let cooling = 0
  return {
    onTrainBegin: (control) => {
      if (control.learningRate === undefined) {
        throw new TypeError(
          `${op}: needs an optimizer made by name (sgd, rmsprop, adagrad, adam) with a constant learning rate`,
        )
      }
      tracker = monitorTracker(op, monitor, mode, minDelta)
      wait = 0
      cooling = 0
    },
    // Keras's rule, step by step: cooldown counts down (and holds the wait at 0); an improvement resets the wait;
    // otherwise, out of cooldown, the wait grows and at `patience` the rate drops (if still above minLr)
    onEpochEnd: (_epoch, logs, _model, control) => {
      const v = tracker.value(logs)
      if (cooling > 0) {
        cooling--
        wait = 0
      }
      if (tracker.improved(v)) {
        wait = 0
        return
      }
      if (cooling > 0) return
      wait++
      if (wait < patience) return
      const lr = control.learningRate as number
      if (lr > Math.fround(minLr)) {
        control.setLearningRate(Math.max(lr * factor, minLr))
        cooling = cooldown
        wait = 0
      }
    },
  }
}

/** The callbacks option as a list, each entry checked. */
export const callbackList = (op: string, callbacks: unknown): readonly FitCallbacks[] => {
  const list = Array.isArray(callbacks) ? callbacks : callbacks === undefined ? [] : [callbacks]
  const hooks = ['onTrainBegin', 'onEpochBegin', 'onEpochEnd', 'onBatchEnd', 'onTrainEnd']
  list.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) {
      throw new TypeError(`${op}: callback ${i} must be a record of functions (${hooks.join(', ')}), got ${String(c)}`)
    }
    for (const [name, f] of Object.entries(c)) {
      if (!hooks.includes(name)) {
        throw new TypeError(`${op}: callback ${i} has an unknown hook '${name}'; the hooks are ${hooks.join(', ')}`)
      }
      if (f !== undefined && typeof f !== 'function') {
        throw new TypeError(`${op}: callback ${i}'s ${name} must be a function, got ${typeof f}`)
      }
    }
  })
  return list as readonly FitCallbacks[]
}
