/**
 * The losses and metrics `compile` accepts by Keras name, resolved against the model's last
 * activation: a softmax (sigmoid) output with a crossentropy loss is trained from logits, as
 * Keras does internally, so the loss is stable and its gradient exact.
 */
import { cast, equal, greater, mean, type NDArray, reshape, type Shape, toTypedArray } from '@nabla/ndarray'
import type { ActivationName } from './activations.js'
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  meanAbsoluteError,
  meanSquaredError,
  softmaxCrossentropy,
  sparseCategoricalCrossentropy,
} from './losses.js'
import { categoricalAccuracy, sparseCategoricalAccuracy } from './metrics.js'
import { shapeText } from './shapeText.js'

/**
 * The loss names `compile` knows (Keras's).
 * @category Losses
 * @example
 * import { pipe } from 'fp-ts/function'
 * const weights = [{ kernel: array([[1], [2]]), bias: array([0]) }]
 *
 * const network = pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] }))
 * const losses: LossName[] = ['mse', 'mae']
 * // one prediction, 3, against the label 1
 * losses.map((loss) => evaluate(compile(network, { optimizer: 'sgd', loss, weights }), array([[1, 1]]), array([[1]])).loss) // → [4, 2]
 * compile(network, { optimizer: 'sgd', loss: 'hinge' as never }) // throws RangeError: unknown loss "hinge"
 */
export type LossName =
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy'
  | 'binary_crossentropy'
  | 'mse'
  | 'mean_squared_error'
  | 'mae'
  | 'mean_absolute_error'

/**
 * A loss written by the user, Keras's signature: `(yTrue, yPred) → scalar`.
 * @category Losses
 * @example
 * import { pipe } from 'fp-ts/function'
 * const weights = [{ kernel: array([[1], [2]]), bias: array([0]) }]
 *
 * // the mean of |error|³
 * const cubic: LossFunction = (yTrue, yPred) => mean(abs(pow(sub(yPred, yTrue), 3)))
 * const network = pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] }))
 * const model = compile(network, { optimizer: 'sgd', loss: cubic, weights })
 * model.loss.name // → 'cubic'
 * // the prediction for [1, 1] is 3
 * evaluate(model, array([[1, 1]]), array([[1]])).loss // → 8
 */
export type LossFunction = (yTrue: NDArray, yPred: NDArray) => NDArray

/**
 * The metric names `compile` knows.
 * @category Losses
 * @example
 * import { pipe } from 'fp-ts/function'
 * const weights = [{ kernel: array([[1], [2]]), bias: array([0]) }]
 *
 * const network = pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] }))
 * const metrics: MetricName[] = ['mae', 'mse']
 * const model = compile(network, { optimizer: 'sgd', loss: 'mse', metrics, weights })
 * // predictions 3 and 1 for labels 1 and 1
 * evaluate(model, array([[1, 1], [1, 0]]), array([[1], [1]])) // → { loss: 2, mae: 1, mse: 2 }
 */
export type MetricName =
  | 'accuracy'
  | 'acc'
  | 'categorical_accuracy'
  | 'sparse_categorical_accuracy'
  | 'binary_accuracy'
  | 'mae'
  | 'mean_absolute_error'
  | 'mse'
  | 'mean_squared_error'

type LabelKind = 'categorical' | 'sparse' | 'binary' | 'dense' | 'any'

/** A loss ready for training: what the network must output and how labels are checked. */
export interface ResolvedLoss {
  readonly name: string
  /** The network's last activation is folded into the loss: it sees the pre-activation output. */
  readonly fromLogits: boolean
  readonly labels: LabelKind
  /** The loss of a batch: labels against the output (logits when `fromLogits`). */
  readonly fn: (yTrue: NDArray, out: NDArray) => NDArray
}

/** A metric ready for training: its name in logs and history, and its value on a batch. */
export interface ResolvedMetric {
  readonly name: string
  readonly fn: (yTrue: NDArray, out: NDArray) => NDArray
}

const lossNames: readonly LossName[] = [
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'binary_crossentropy',
  'mse',
  'mean_squared_error',
  'mae',
  'mean_absolute_error',
]
const metricNames: readonly MetricName[] = [
  'accuracy',
  'acc',
  'categorical_accuracy',
  'sparse_categorical_accuracy',
  'binary_accuracy',
  'mae',
  'mean_absolute_error',
  'mse',
  'mean_squared_error',
]

/**
 * The loss named `loss` (or the user's function) for a network whose last activation is
 * `last`: with softmax + (sparse) categorical crossentropy or sigmoid + binary crossentropy,
 * the loss is computed from logits.
 * @example
 * // internal (not exported): compile resolves its loss with it, e.g. for categorical crossentropy after a softmax,
 * // computed from the logits (the softmax folded into the loss)
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 3, activation: 'softmax', inputShape: [4] }))
 * const model = compile(network, { optimizer: 'sgd', loss: 'categorical_crossentropy' })
 * model.loss.name // → 'categorical_crossentropy'
 * model.loss.fromLogits // → true
 * compile(network, { optimizer: 'sgd', loss: 'mse' }).loss.fromLogits // → false
 */
export const resolveLoss = (loss: LossName | LossFunction, last: ActivationName): ResolvedLoss => {
  if (typeof loss === 'function') return { name: loss.name || 'custom', fromLogits: false, labels: 'any', fn: loss }
  switch (loss) {
    case 'categorical_crossentropy': {
      const fromLogits = last === 'softmax'
      const fn = fromLogits
        ? (y: NDArray, z: NDArray) => softmaxCrossentropy(z, y)
        : (y: NDArray, p: NDArray) => categoricalCrossentropy(y, p)
      return { name: loss, fromLogits, labels: 'categorical', fn }
    }
    case 'sparse_categorical_crossentropy': {
      const fromLogits = last === 'softmax'
      return {
        name: loss,
        fromLogits,
        labels: 'sparse',
        fn: (y, out) => sparseCategoricalCrossentropy(y, out, { fromLogits }),
      }
    }
    case 'binary_crossentropy': {
      const fromLogits = last === 'sigmoid'
      return { name: loss, fromLogits, labels: 'binary', fn: (y, out) => binaryCrossentropy(y, out, { fromLogits }) }
    }
    case 'mse':
    case 'mean_squared_error':
      return { name: loss, fromLogits: false, labels: 'dense', fn: (y, out) => meanSquaredError(y, out) }
    case 'mae':
    case 'mean_absolute_error':
      return { name: loss, fromLogits: false, labels: 'dense', fn: (y, out) => meanAbsoluteError(y, out) }
    default:
      throw new RangeError(
        `compile: unknown loss ${JSON.stringify(loss)}; expected one of ${lossNames.join(', ')} or a function (yTrue, yPred) => scalar`,
      )
  }
}

const checkNotLogits = (name: string, loss: ResolvedLoss): void => {
  if (loss.fromLogits) {
    throw new RangeError(
      `compile: metric '${name}' measures the network's output, but loss ${loss.name} trains it from logits; use it with a regression loss (mse, mae)`,
    )
  }
}

/** Keras's `binary_accuracy`: the fraction of outputs on the label's side of the threshold. */
const binaryAccuracy =
  (threshold: number) =>
  (y: NDArray, out: NDArray): NDArray =>
    mean(cast(equal(greater(out, threshold), greater(y, 0.5)), 'float32'))

/**
 * The metric named `name` for `loss` on an output of shape `outShape`. 'accuracy' (or the
 * book's 'acc') means what Keras makes of it: categorical, sparse or binary accuracy after the loss.
 * @example
 * // internal (not exported): compile resolves its metrics with it; 'accuracy' after categorical crossentropy
 * // is categorical accuracy
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [2] }))
 * const model = compile(network, { optimizer: 'sgd', loss: 'categorical_crossentropy', metrics: ['accuracy'] })
 * model.metrics[0].name // → 'accuracy'
 * item(model.metrics[0].fn(array([[1, 0], [0, 1]]), array([[0.9, 0.1], [0.8, 0.2]]))) // → 0.5
 * compile(network, { optimizer: 'sgd', loss: 'categorical_crossentropy', metrics: ['mae'] }) // throws RangeError: trains it from logits
 */
export const resolveMetric = (name: MetricName, loss: ResolvedLoss, outShape: Shape): ResolvedMetric => {
  // on logits the binary threshold 0.5 of sigmoid(z) is z > 0; argmax is the same for logits and softmax
  const binary = binaryAccuracy(loss.fromLogits ? 0 : 0.5)
  switch (name) {
    case 'accuracy':
    case 'acc': {
      const units = outShape[outShape.length - 1]
      const fn =
        loss.labels === 'sparse'
          ? sparseCategoricalAccuracy
          : loss.labels === 'binary' || units === 1
            ? binary
            : categoricalAccuracy
      return { name, fn }
    }
    case 'categorical_accuracy':
      return { name, fn: categoricalAccuracy }
    case 'sparse_categorical_accuracy':
      return { name, fn: sparseCategoricalAccuracy }
    case 'binary_accuracy':
      return { name, fn: binary }
    // errors of the network's output (a model whose loss takes logits would need its activation: not here)
    case 'mae':
    case 'mean_absolute_error':
      checkNotLogits(name, loss)
      return { name, fn: meanAbsoluteError }
    case 'mse':
    case 'mean_squared_error':
      checkNotLogits(name, loss)
      return { name, fn: meanSquaredError }
    default:
      throw new RangeError(`compile: unknown metric ${JSON.stringify(name)}; expected one of ${metricNames.join(', ')}`)
  }
}

/**
 * Checks labels `y` against the model's output shape for `loss` before any training, and
 * returns them in the shape the loss takes ([n] → [n, 1] for a one-unit output).
 * @example
 * // internal (not exported): fit and evaluate check their labels with it. Categorical crossentropy on a
 * // 3-unit output needs one-hot labels of shape [n, 3]:
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 3, activation: 'softmax', inputShape: [4] }))
 * const model = compile(network, { optimizer: 'sgd', loss: 'categorical_crossentropy' })
 * const x = ones([3, 4])
 * evaluate(model, x, array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])).loss > 0 // → true
 * evaluate(model, x, array([1, 2, 0])) // throws RangeError: one-hot encode them (toCategorical)
 */
export const prepareLabels = (op: string, loss: ResolvedLoss, y: NDArray, outShape: Shape): NDArray => {
  const n = y.shape[0] as number
  const want = [n, ...outShape]
  const units = outShape[outShape.length - 1] as number
  switch (loss.labels) {
    case 'categorical':
      if (y.shape.join() !== want.join()) {
        const hint =
          y.rank === 1
            ? "; these look like integer class labels: one-hot encode them (toCategorical) or use loss 'sparse_categorical_crossentropy'"
            : ''
        throw new RangeError(
          `${op}: loss ${loss.name} needs one-hot labels of shape ${shapeText(want)} (the last layer has ${units} units), got y of shape ${shapeText(y.shape)}${hint}`,
        )
      }
      return y
    case 'sparse': {
      if (!(y.rank === 1 || (y.rank === 2 && y.shape[1] === 1))) {
        throw new RangeError(
          `${op}: loss ${loss.name} needs integer class labels of shape [${n}], got y of shape ${shapeText(y.shape)}`,
        )
      }
      const values = toTypedArray(y)
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number
        if (!(Number.isInteger(v) && v >= 0 && v < units)) {
          throw new RangeError(
            `${op}: loss ${loss.name} needs integer labels in 0…${units - 1} (the last layer has ${units} units), got ${v} for sample ${i}`,
          )
        }
      }
      return y
    }
    case 'binary':
    case 'dense': {
      if (y.rank === 1 && outShape.length === 1 && units === 1) return reshape(y, [n, 1])
      if (y.shape.join() !== want.join()) {
        throw new RangeError(
          `${op}: loss ${loss.name} needs labels of the output's shape ${shapeText(want)} (the last layer has ${units} units), got y of shape ${shapeText(y.shape)}`,
        )
      }
      return y
    }
    default:
      return y
  }
}
