/** compile: a Sequential model plus optimizer, loss and metrics, built into a model with initial parameters. */
import { dual, key, type NDArray, type Shape, type Tree, treeDefEqual, treeFlatten } from '@nabla/ndarray'
import { type GradientTransformation, type OptimizerName, optimizer as optimizerByName } from '@nabla/optim'
import {
  type LossFunction,
  type LossName,
  type MetricName,
  type ResolvedLoss,
  type ResolvedMetric,
  resolveLoss,
  resolveMetric,
} from './kerasLoss.js'
import type { Layer } from './layer.js'
import { inputShapeOf, isSequential, type Sequential } from './model.js'
import { type SerialParams, serial } from './serial.js'

/**
 * Options of {@link compile}, as Keras's `compile()` (camelCase).
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const network = pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] }))
 * const options: CompileOptions = { optimizer: sgd({ learningRate: 0.1 }), loss: 'mse', metrics: ['mae'], seed: 7 }
 * const model = compile(network, options)
 * model.seed // → 7
 * learningRateOf(model.optimizer) // → 0.1
 * model.metrics.map((m) => m.name) // → ['mae']
 * const fixed = compile(network, { ...options, weights: [{ kernel: array([[1], [2]]), bias: array([0]) }] })
 * toArray(predict(fixed, array([[1, 1]]))) // → [[3]]
 */
export interface CompileOptions {
  /** 'rmsprop', 'sgd', 'adam', 'adagrad' (Keras's defaults), or any gradient transformation, e.g. rmsprop({ learningRate: 1e-4 }). */
  // biome-ignore lint/suspicious/noExplicitAny: an optimizer's state type is its own business
  readonly optimizer: OptimizerName | GradientTransformation<any>
  readonly loss: LossName | LossFunction
  /** 'accuracy' (or the book's 'acc'), 'categorical_accuracy', 'sparse_categorical_accuracy', 'binary_accuracy'. */
  readonly metrics?: readonly MetricName[]
  /** Seed of the initial weights (default 0): the same seed gives the same weights. */
  readonly seed?: number
  /**
   * Start from these parameters (a pytree shaped like `getWeights` returns). Default: fresh
   * ones from `seed`, or, when recompiling a compiled model, its current weights (as Keras keeps them).
   */
  readonly weights?: SerialParams
}

/**
 * A compiled model: the Sequential's layers with parameters, optimizer state, loss and
 * metrics. An immutable value: `fit` returns a new one.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 16, activation: 'relu', inputShape: [784] }),
 *   layerDense({ units: 10, activation: 'softmax' }),
 * )
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] })
 * model.outputShape // → [10]
 * model.inputShape // → [784]
 * model.metrics.map((m) => m.name) // → ['accuracy']
 * model.epochsTrained // → 0
 */
export interface CompiledModel extends Sequential {
  readonly compiled: true
  readonly inputShape: Shape
  readonly outputShape: Shape
  /** One entry per layer: { kernel, bias } for dense layers, [] for the others. */
  readonly params: SerialParams
  // biome-ignore lint/suspicious/noExplicitAny: see CompileOptions.optimizer
  readonly optimizer: GradientTransformation<any>
  readonly optState: unknown
  readonly loss: ResolvedLoss
  readonly metrics: readonly ResolvedMetric[]
  readonly seed: number
  /** Epochs fitted so far: later fits draw new shuffles from (seed, epoch). */
  readonly epochsTrained: number
  /** The network as used in training and evaluate (logits when the loss folds in the last activation). */
  readonly trainNetwork: Layer<SerialParams>
  /** The network as used in predict (the full last activation: probabilities). */
  readonly predictNetwork: Layer<SerialParams>
}

/** A tree's leaf shapes, in the order of treeFlatten ("[784, 512] [512]"), or what it is when not a tree. */
const describe = (tree: unknown): string => {
  try {
    const [leaves] = treeFlatten(tree as Tree)
    return leaves.length === 0 ? 'no parameters' : leaves.map((l: NDArray) => `[${l.shape.join(', ')}]`).join(' ')
  } catch {
    return `a ${typeof tree} that is not a tree of arrays`
  }
}

const sameStructure = (a: Tree, b: unknown): boolean => {
  try {
    const [la, da] = treeFlatten(a)
    const [lb, db] = treeFlatten(b as Tree)
    return treeDefEqual(da, db) && la.every((l, j) => l.shape.join() === lb[j]?.shape.join())
  } catch {
    return false
  }
}

/** Checks that `given` has the structure and shapes of `expected`, layer by layer. */
const checkWeights = (op: string, model: Sequential, expected: SerialParams, given: unknown): SerialParams => {
  if (!Array.isArray(given) || given.length !== expected.length) {
    throw new RangeError(
      `${op}: expected a list of ${expected.length} per-layer parameters (as getWeights returns), got ${Array.isArray(given) ? `a list of ${given.length}` : typeof given}`,
    )
  }
  expected.forEach((e, i) => {
    if (!sameStructure(e, given[i])) {
      throw new RangeError(
        `${op}: layer ${model.layers[i]?.name} expects parameters of shapes ${describe(e)}, got ${describe(given[i])}`,
      )
    }
  })
  return given as SerialParams
}

// biome-ignore lint/suspicious/noExplicitAny: see CompileOptions.optimizer
const resolveOptimizer = (opt: CompileOptions['optimizer']): GradientTransformation<any> => {
  if (typeof opt === 'object' && opt !== null && typeof opt.init === 'function' && typeof opt.update === 'function') {
    return opt
  }
  try {
    return optimizerByName(opt as OptimizerName)
  } catch (e) {
    throw new RangeError(
      `compile: ${(e as Error).message}, or a gradient transformation such as rmsprop({ learningRate })`,
    )
  }
}

const compileImpl = (model: Sequential, options: CompileOptions): CompiledModel => {
  if (!isSequential(model)) throw new TypeError('compile: expected a model made by kerasModelSequential()')
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      "compile: expected options { optimizer, loss, metrics }, e.g. { optimizer: 'rmsprop', loss: 'mse' }",
    )
  }
  const { seed = 0, metrics = [] } = options
  if (!Number.isSafeInteger(seed)) throw new RangeError(`compile: seed must be an integer, got ${seed}`)
  const inputShape = inputShapeOf('compile', model)
  const opt = resolveOptimizer(options.optimizer)
  const last = model.layers[model.layers.length - 1]!
  const loss = resolveLoss(options.loss, last.activation)
  const predictNetwork = serial(...model.layers.map((l) => l.build()))
  const trainNetwork = loss.fromLogits
    ? serial(...model.layers.slice(0, -1).map((l) => l.build()), last.build('linear'))
    : predictNetwork
  const [outputShape, fresh] = predictNetwork.init(key(seed), inputShape)
  if (!Array.isArray(metrics))
    throw new TypeError(`compile: metrics must be a list such as ['accuracy'], got ${typeof metrics}`)
  const resolved = metrics.map((m) => resolveMetric(m, loss, outputShape))
  const previous = (model as Partial<CompiledModel>).compiled === true ? (model as CompiledModel) : undefined
  const given = options.weights ?? previous?.params
  const params = given === undefined ? fresh : checkWeights('compile', model, fresh, given)
  return Object.freeze({
    kind: 'Sequential',
    name: model.name,
    layers: model.layers,
    compiled: true,
    inputShape,
    outputShape,
    params,
    optimizer: opt,
    optState: opt.init(params),
    loss,
    metrics: Object.freeze(resolved),
    seed,
    epochsTrained: previous?.epochsTrained ?? 0,
    trainNetwork,
    predictNetwork,
  })
}

/**
 * Keras's `compile()`: picks the optimizer, loss and metrics and builds the network (the
 * first layer needs `inputShape`), with weights drawn from `seed`; recompiling a compiled
 * model keeps its weights and starts a fresh optimizer state. Returns a new model (the
 * book's R version modifies the network in place; here models are values). Data-first or,
 * for `pipe`, data-last.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 16, activation: 'relu', inputShape: [784] }),
 *   layerDense({ units: 10, activation: 'softmax' }),
 * )
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] })
 * const same = pipe(network, compile({ optimizer: 'rmsprop', loss: 'categorical_crossentropy' }))
 * // the same seed (default 0), the same initial weights
 * toArray(getWeights(same)[0].kernel) // → toArray(getWeights(model)[0].kernel)
 * compile(network, { optimizer: 'rmsprop', loss: 'hinge' as never }) // throws RangeError: unknown loss "hinge"
 */
export const compile: {
  (options: CompileOptions): (model: Sequential) => CompiledModel
  (model: Sequential, options: CompileOptions): CompiledModel
} = dual(2, compileImpl)

/**
 * Returns `model` if it came from `compile`, else throws a clear error naming `op`.
 * @example
 * // internal (not exported): fit, evaluate, predict and the others check their model with it
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] }))
 * getWeights(network as never) // throws TypeError: getWeights: expected a compiled model; call compile
 * getWeights(compile(network, { optimizer: 'sgd', loss: 'mse' })).length // → 1
 */
export const checkCompiled = (op: string, model: unknown): CompiledModel => {
  if (!isSequential(model) || (model as Partial<CompiledModel>).compiled !== true) {
    throw new TypeError(`${op}: expected a compiled model; call compile(model, { optimizer, loss, metrics }) first`)
  }
  return model as CompiledModel
}

/**
 * The model's parameters: a list with one entry per layer ({ kernel, bias } for dense layers).
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 512, activation: 'relu', inputShape: [784] }),
 *   layerDropout({ rate: 0.5 }),
 * )
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'mse' })
 * const [{ kernel }, dropoutParams] = getWeights(model)
 * kernel.shape // → [784, 512]
 * dropoutParams // → []
 */
export const getWeights = (model: CompiledModel): SerialParams => checkCompiled('getWeights', model).params

/**
 * A new model with the given parameters (shapes checked layer by layer); the optimizer
 * state is kept, as Keras's `set_weights` keeps it. For models trained by your own loop.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] }))
 * const model = compile(network, { optimizer: 'sgd', loss: 'mse' })
 * // weights from your own training loop, shaped as getWeights gives them
 * const myParams = [{ kernel: array([[1], [2]]), bias: array([0.5]) }]
 * const trained = setWeights(model, myParams)
 * toArray(predict(trained, array([[1, 1]]))) // → [[3.5]]
 * setWeights(model, [{ kernel: ones([3, 1]), bias: ones([1]) }]) // throws RangeError: layer dense expects parameters of shapes [1] [2, 1]
 */
export const setWeights = (model: CompiledModel, params: SerialParams): CompiledModel => {
  const m = checkCompiled('setWeights', model)
  return Object.freeze({ ...m, params: checkWeights('setWeights', m, m.params, params) })
}
