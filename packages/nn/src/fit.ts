/**
 * fit: Keras's training loop as a pure-in-effect function — it returns a new trained model
 * and its history; the model passed in is untouched. Each step is `trainStep`.
 */

import { threadsReady } from '@nabla/linalg'
import {
  add,
  dual,
  isNDArray,
  item,
  type Key,
  key,
  type NDArray,
  permutation,
  split,
  toTypedArray,
  treeLeaves,
  treeMap,
  zeros,
} from '@nabla/ndarray'
import { Concrete, materialize } from '@nabla/ndarray/core'
import { learningRateOf, withLearningRate } from '@nabla/optim'
import { type RowGather, rowGather } from './batchRows.js'
import type { TrainingControl } from './callbacks.js'
import { type CompiledModel, checkCompiled } from './compile.js'
import { evaluateLogs } from './evaluate.js'
import { type FitOptions, type FitPlan, planFit } from './fitOptions.js'
import type { History } from './history.js'
import { computeDType, inputBatch, networkInput, type Preprocess, rows } from './kerasData.js'
import type { Logs } from './progress.js'
import { type ProgressLogger, progressLogger } from './progressLogger.js'
import { modelPenalty } from './regularizers.js'
import type { SerialParams } from './serial.js'
import { TrainingError } from './trainingError.js'
import { type TrainState, trainStep, trainStepIntoSpare } from './trainStep.js'

/**
 * What `fit` resolves to.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse' })
 *
 * const result: FitResult = await fit(model, ones([4, 2]), ones([4, 1]), { epochs: 3, verbose: 0 })
 * result.model.epochsTrained // → 3
 * result.history.metrics.loss.length // → 3
 * // a second fit continues from the first
 * const more = await fit(result.model, ones([4, 2]), ones([4, 1]), { epochs: 2, verbose: 0 })
 * more.model.epochsTrained // → 5
 */
export interface FitResult {
  readonly model: CompiledModel
  readonly history: History
}

type State = TrainState<SerialParams, unknown>

/** The i-th key derived from `k` (split is counter-based: the i-th of any split of k is the same key). */
const nth = (k: Key, i: number): Key => split(k, i + 1)[i] as Key

const allFinite = (params: SerialParams): boolean =>
  treeLeaves(params).every((leaf: NDArray) => toTypedArray(leaf).every((v) => Number.isFinite(v)))

// Node's setImmediate; a browser (or a worker) has none: there a message to oneself is the next macrotask
const yieldOnce: (resolve: () => void) => void =
  typeof setImmediate === 'function'
    ? (resolve) => setImmediate(resolve)
    : (resolve) => {
        const channel = new MessageChannel()
        channel.port1.onmessage = () => {
          channel.port1.close()
          resolve()
        }
        channel.port2.postMessage(null)
      }

/** Lets timers and I/O run: after ~50 ms of work, one turn of the event loop. */
const breather = () => {
  let last = performance.now()
  return async (): Promise<void> => {
    if (performance.now() - last < 50) return
    await new Promise<void>((resolve) => yieldOnce(resolve))
    last = performance.now()
  }
}

const withState = (m: CompiledModel, state: State, epochsTrained: number): CompiledModel =>
  Object.freeze({ ...m, params: state.params, optState: state.optState, epochsTrained })

/** The loss of one batch for trainStep, with the metrics of the batch as aux (so a compiled step computes them too). */
const batchLoss =
  (m: CompiledModel, dropoutKey: Key | undefined, preprocess: Preprocess | undefined) =>
  (params: SerialParams, xb: NDArray, yb: NDArray): readonly [NDArray, NDArray[]] => {
    const out = m.trainNetwork.apply(
      params,
      networkInput('fit', m, preprocess, xb),
      dropoutKey === undefined ? { training: true } : { training: true, key: dropoutKey },
    )
    // the layers' weight penalties join the loss that is minimised and reported, as Keras adds them
    const reg = modelPenalty(m.layers, params)
    const loss = m.loss.fn(yb, out)
    return [reg === undefined ? loss : add(loss, reg), m.metrics.map((metric) => metric.fn(yb, out))]
  }

interface EpochContext {
  /** The model being trained (its optimizer replaced when a callback changes the learning rate). */
  m: CompiledModel
  readonly plan: FitPlan
  readonly logger: ProgressLogger
  readonly history: History
  readonly pause: () => Promise<void>
  readonly shuffleKey: Key
  readonly dropoutKey: Key
  /** The op-by-op step (`jit: false`) of a model without dropout, made once per fit. */
  plainStep: StepFn | undefined
  /** The compiled step (jit on, no dropout; made once per fit, so traced once per batch shape), which writes each
   * new state into a dead one's storage. Neither step: a model with dropout, stepped op by op with a key per step. */
  spareStep: SpareStepFn | undefined
  /** States fit made and handed to no one, newest last: the last two stay alive (see `nonFinite`). */
  readonly recent: State[]
  /** States of `recent`'s past that nothing reads any more, ready to take a new state. */
  readonly dead: State[]
  /** States a caller has seen (through a callback): never reused. */
  readonly exposed: WeakSet<State>
  /** With the compiled step, batches gathered into reused heap storage (see batchRows.ts). */
  readonly gather: { readonly x: RowGather; readonly y: RowGather } | undefined
}

type StepFn = (state: State, x: NDArray, y: NDArray) => [State, NDArray, NDArray[]]
type SpareStepFn = (state: State, spare: State, x: NDArray, y: NDArray) => [State, NDArray, NDArray[]]

/** A blank state of `state`'s structure, shapes and dtypes, for a compiled step to write into. */
const blankLike = (state: State): State =>
  treeMap((leaf: NDArray) => zeros(leaf.shape, { dtype: leaf.dtype }), state as never) as unknown as State

/** One epoch of steps; returns the new state and the epoch's running averages. */
const runEpoch = async (ctx: EpochContext, state0: State, epoch: number): Promise<[State, Logs]> => {
  const { m, plan } = ctx
  const global = m.epochsTrained + epoch
  const order = plan.shuffle ? permutation(nth(ctx.shuffleKey, global), plan.samples) : undefined
  const { plainStep, spareStep, gather } = ctx
  const indices = order === undefined ? undefined : (materialize(order as Concrete).data as Int32Array)
  const dropout = plainStep === undefined && spareStep === undefined
  const stepKeys = dropout ? split(nth(ctx.dropoutKey, global), plan.steps) : undefined
  const sums = new Float64Array(1 + m.metrics.length)
  let [state, previous, seen] = [state0, state0, 0]
  let logs: Logs = {}
  for (let b = 0; b < plan.steps; b++) {
    const [start, end] = [b * plan.batchSize, Math.min(plan.samples, (b + 1) * plan.batchSize)]
    const xb =
      gather !== undefined ? gather.x(indices, start, end) : inputBatch(m, plan.x, order, start, end, plan.preprocess)
    const yb = gather !== undefined ? gather.y(indices, start, end) : rows(plan.y, order, start, end)
    // a model with dropout draws a new mask per step, from a key the step closes over: it runs eagerly
    const [next, lossValue, metricValues] =
      spareStep !== undefined
        ? spareStep(state, ctx.dead.pop() ?? blankLike(state), xb, yb)
        : (
            plainStep ??
            trainStep({
              loss: batchLoss(m, stepKeys?.[b], plan.preprocess),
              optimizer: m.optimizer,
              hasAux: true,
              jit: false,
            })
          )(state, xb, yb)
    const loss = item(lossValue)
    if (!Number.isFinite(loss)) throw nonFinite(ctx, loss, epoch, b, state, previous)
    const size = end - start
    seen += size
    sums[0] = (sums[0] as number) + loss * size
    metricValues.forEach((value, i) => {
      sums[i + 1] = (sums[i + 1] as number) + item(value) * size
    })
    if (spareStep !== undefined) {
      // `previous` and `state` may yet be handed out by a TrainingError; what came before them is dead
      ctx.recent.push(next)
      const old = ctx.recent.length > 2 ? (ctx.recent.shift() as State) : undefined
      if (old !== undefined && !ctx.exposed.has(old)) ctx.dead.push(old)
    }
    ;[previous, state] = [state, next]
    logs = Object.fromEntries([
      ['loss', (sums[0] as number) / seen],
      ...m.metrics.map((metric, i) => [metric.name, (sums[i + 1] as number) / seen] as const),
    ])
    ctx.logger.batchEnd(b + 1, logs)
    for (const c of plan.callbacks) await c.onBatchEnd?.(b, logs)
    await ctx.pause()
  }
  return [state, logs]
}

/** The TrainingError for a non-finite loss, holding the last model whose weights are all finite. */
const nonFinite = (ctx: EpochContext, loss: number, epoch: number, b: number, state: State, previous: State) => {
  const { m, plan } = ctx
  const good = allFinite(state.params) ? state : previous
  const when = good === state ? 'that step' : 'the step before (whose update made the weights non-finite)'
  const done = ctx.history.metrics.loss?.length ?? 0
  return new TrainingError(
    `fit: the loss became ${loss} at epoch ${epoch + 1}/${plan.epochs}, step ${b + 1}/${plan.steps}; training stopped. ` +
      `error.model holds the weights from before ${when}, error.history the ${done} completed epoch(s). ` +
      'A smaller learning rate or inputs scaled to about [0, 1] usually help.',
    withState(m, good, m.epochsTrained + epoch),
    ctx.history,
    epoch + 1,
    b + 1,
  )
}

const fitImpl = async (model: CompiledModel, x: NDArray, y: NDArray, options: FitOptions = {}): Promise<FitResult> => {
  const m = checkCompiled('fit', model)
  const plan = planFit(m, x, y, options)
  const names = ['loss', ...m.metrics.map((metric) => metric.name)]
  const keys = plan.validation === undefined ? names : [...names, ...names.map((n) => `val_${n}`)]
  const metrics: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]))
  const history: History = {
    params: {
      epochs: plan.epochs,
      steps: plan.steps,
      batchSize: plan.batchSize,
      samples: plan.samples,
      ...(plan.validation === undefined ? {} : { validationSamples: plan.validation.x.shape[0] as number }),
    },
    metrics,
  }
  const [shuffleKey, dropoutKey] = split(key(plan.seed), 2) as [Key, Key]
  const logger = progressLogger({ verbose: plan.verbose, output: plan.output, epochs: plan.epochs, steps: plan.steps })
  const hasDropout = m.layers.some((l) => l.kind === 'Dropout')
  const stepsFor = (model: CompiledModel) => ({
    plainStep:
      hasDropout || plan.jit
        ? undefined
        : trainStep({
            loss: batchLoss(model, undefined, plan.preprocess),
            optimizer: model.optimizer,
            hasAux: true,
            jit: false,
          }),
    spareStep:
      hasDropout || !plan.jit
        ? undefined
        : trainStepIntoSpare({
            loss: batchLoss(model, undefined, plan.preprocess),
            optimizer: model.optimizer,
            hasAux: true,
          }),
  })
  const { plainStep, spareStep } = stepsFor(m)
  const ctx: EpochContext = {
    m,
    plan,
    logger,
    history,
    pause: breather(),
    shuffleKey,
    dropoutKey,
    plainStep,
    spareStep,
    recent: [],
    dead: [],
    exposed: new WeakSet(),
    // the compiled step keeps nothing of its batch, so batches can share storage (inputs in the network's dtype)
    gather:
      spareStep !== undefined &&
      (plan.x.dtype === computeDType(m) || plan.preprocess !== undefined) &&
      plan.x instanceof Concrete
        ? { x: rowGather(plan.x), y: rowGather(plan.y) }
        : undefined,
  }
  let state: State = { params: m.params, optState: m.optState }
  let current = m
  // the matrix products' worker threads, started before the first epoch rather than by its first step (in a
  // browser, products run on the calling thread until they are up); a start failure surfaces at the first product
  await threadsReady().catch(() => undefined)
  let stopped = false
  let resolved: CompiledModel | undefined
  const control: TrainingControl = {
    stop: () => {
      stopped = true
    },
    resolveTo: (model) => {
      resolved = checkCompiled('fit: a callback’s resolveTo', model)
    },
    get stopped() {
      return stopped
    },
    get learningRate() {
      return learningRateOf(ctx.m.optimizer)
    },
    setLearningRate: (lr) => {
      // the same optimizer with another constant (its state keeps its structure): new steps, traced once more
      const optimizer = withLearningRate(ctx.m.optimizer, lr)
      ctx.m = Object.freeze({ ...ctx.m, optimizer })
      Object.assign(ctx, stepsFor(ctx.m))
    },
  }
  for (const c of plan.callbacks) await c.onTrainBegin?.(control)
  let lastLogs: Logs = {}
  for (let epoch = 0; epoch < plan.epochs && !stopped; epoch++) {
    logger.epochBegin(epoch)
    for (const c of plan.callbacks) await c.onEpochBegin?.(epoch)
    const [next, trainLogs] = await runEpoch(ctx, state, epoch)
    state = next
    current = withState(ctx.m, state, m.epochsTrained + epoch + 1)
    // the model a callback (or the caller) receives keeps its storage for good
    ctx.exposed.add(state)
    const val = plan.validation
    const valLogs =
      val === undefined ? {} : evaluateLogs(m, state.params, val.x, val.y, plan.batchSize, plan.jit, plan.preprocess)
    const logs: Logs = {
      ...trainLogs,
      ...Object.fromEntries(Object.entries(valLogs).map(([k, v]) => [`val_${k}`, v])),
    }
    for (const k of keys) metrics[k]?.push(logs[k] ?? Number.NaN)
    logger.epochEnd(logs)
    lastLogs = logs
    for (const c of plan.callbacks) await c.onEpochEnd?.(epoch, logs, current, control)
  }
  for (const c of plan.callbacks) await c.onTrainEnd?.(lastLogs, control)
  // a learning rate a callback set after the last epoch is the resolved model's too (as Keras's optimizer keeps it)
  if (current.optimizer !== ctx.m.optimizer) current = withState(ctx.m, state, current.epochsTrained)
  if (resolved !== undefined) current = resolved
  return { model: current, history }
}

/**
 * Keras's `fit()`: trains a compiled model on (x, y) for `epochs` passes in mini-batches of
 * `batchSize` (shuffled per epoch from `seed`, the last partial batch kept), printing
 * Keras's progress, and resolves to `{ model, history }`: a new trained model (the one
 * passed in is unchanged) and the per-epoch loss and metrics. Runs asynchronously, giving
 * the event loop a turn every ~50 ms. A NaN/Inf loss stops it with a {@link TrainingError}
 * that holds the last good model. Data-first, or data-last for `pipe(model, fit(x, y, …))`.
 * Memory: by default each step runs compiled (`jit`): its intermediates live in buffers planned once, and the new
 * weights and optimizer state are written into the storage of a state three steps old that no one has seen.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 4, activation: 'relu', inputShape: [2] }),
 *   layerDense({ units: 2, activation: 'softmax' }),
 * )
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] })
 * // class 0 when the second coordinate is the larger
 * const x = array([[0, 1], [1, 0], [0, 2], [2, 0], [0, 3], [3, 0], [1, 2], [2, 1]])
 * const y = array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]])
 * // with MNIST, { epochs: 5, batchSize: 128 } prints per epoch (output defaults to process.stdout)
 * // Epoch 1/5
 * // 469/469 [==============================] - 2s 4ms/step - loss: 0.2575 - accuracy: 0.9255
 * let printed = ''
 * const output = { write: (s: string) => (printed += s) }
 * const { model: trained, history } = await fit(model, x, y, { epochs: 2, batchSize: 4, output })
 * printed.split('\n')[0] // → 'Epoch 1/2'
 * history.params // → { epochs: 2, steps: 2, batchSize: 4, samples: 8 }
 * trained.epochsTrained // → 2
 * // the model passed in is unchanged
 * model.epochsTrained // → 0
 * // data-last, for pipe
 * const again = await pipe(model, fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 }))
 * again.history.metrics.loss // → history.metrics.loss
 */
export const fit: {
  (x: NDArray, y: NDArray, options?: FitOptions): (model: CompiledModel) => Promise<FitResult>
  (model: CompiledModel, x: NDArray, y: NDArray, options?: FitOptions): Promise<FitResult>
} = dual((args) => !isNDArray(args[0]), fitImpl)
