/**
 * Losses, mean over the batch. Crossentropies are computed from logits through a
 * log-softmax (or log-sigmoid), never as log(probabilities), so logits of ±1000 stay finite;
 * `softmaxCrossentropy` has its own derivative, (softmax(z) − y)/n, via customVjp.
 */
import { customVjp } from '@nabla/autodiff'
import {
  abs,
  add,
  arange,
  cast,
  clip,
  div,
  equal,
  exp,
  log,
  maximum,
  mean,
  mul,
  type NDArray,
  neg,
  reshape,
  square,
  sub,
  sum,
} from '@nabla/ndarray'
import { logSoftmax } from './activations.js'

const checkBatch = (op: string, yTrue: NDArray, yPred: NDArray, sameShape: boolean): void => {
  if (yTrue.shape[0] !== yPred.shape[0]) {
    throw new RangeError(
      `${op}: ${yTrue.shape[0]} labels for ${yPred.shape[0]} predictions (shapes [${yTrue.shape}] and [${yPred.shape}])`,
    )
  }
  if (sameShape && yTrue.shape.join() !== yPred.shape.join()) {
    throw new RangeError(`${op}: labels of shape [${yTrue.shape}] do not match predictions of shape [${yPred.shape}]`)
  }
}

/** −mean Σ y·log softmax(z), with the gradient (softmax(z)·Σy − y)/n written by hand. */
const softmaxCrossentropyCore = customVjp(
  (logits: NDArray, yTrue: NDArray): NDArray => neg(mean(sum(mul(yTrue, logSoftmax(logits)), { axis: -1 }))),
  {
    fwd: (logits, yTrue) => {
      const lsm = logSoftmax(logits)
      return [neg(mean(sum(mul(yTrue, lsm), { axis: -1 }))), [lsm, yTrue]] as const
    },
    bwd: ([lsm, yTrue], ct) => {
      const n = (lsm.shape[0] as number) || 1
      const rowMass = sum(yTrue, { axis: -1, keepDims: true })
      const scale = div(ct, n)
      return [mul(sub(mul(exp(lsm), rowMass), yTrue), scale), mul(neg(lsm), scale)]
    },
  },
)

/**
 * Categorical crossentropy of one-hot (or probability) labels against logits.
 * @category Losses
 * @example
 * const logits = array([[2, 0], [0, 2]])
 * const oneHot = array([[1, 0], [0, 1]])
 * // −log softmax(z)[label], averaged over the batch
 * item(softmaxCrossentropy(logits, oneHot)) // → Math.log(1 + Math.exp(-2))
 * // stable where probabilities would underflow
 * item(softmaxCrossentropy(array([[1000, -1000]]), array([[0, 1]]))) // → 2000
 */
export const softmaxCrossentropy = (logits: NDArray, yTrue: NDArray): NDArray => {
  checkBatch('categoricalCrossentropy', yTrue, logits, true)
  return softmaxCrossentropyCore(logits, cast(yTrue, logits.dtype))
}

/**
 * Options of the crossentropies: Keras's `from_logits`.
 * @category Losses
 * @example
 * const yTrue = array([[1], [0]])
 * const logits = array([[0], [0]])
 * const options: CrossentropyOptions = { fromLogits: true }
 * item(binaryCrossentropy(yTrue, logits, options)) // → Math.log(2)
 * // without it the zeros are read as probabilities (clipped to 1e-7)
 * item(binaryCrossentropy(yTrue, logits)) // → -(Math.log(1e-7) + Math.log(1 - 1e-7)) / 2
 */
export interface CrossentropyOptions {
  /** `yPred` are logits (true) or probabilities (false, the default, as Keras). */
  readonly fromLogits?: boolean
}

/**
 * Keras's `categorical_crossentropy(y_true, y_pred)`. From probabilities it clips to
 * [1e-7, 1 − 1e-7] as Keras does; prefer `fromLogits` (what `compile` arranges for a
 * softmax output layer).
 * @category Losses
 * @example
 * const yTrue = array([[1, 0], [0, 1]])
 * const probabilities = array([[0.8, 0.2], [0.4, 0.6]])
 * item(categoricalCrossentropy(yTrue, probabilities)) // → -(Math.log(0.8) + Math.log(0.6)) / 2
 * // from logits (a softmax is applied first)
 * item(categoricalCrossentropy(yTrue, array([[0, 0], [0, 0]]), { fromLogits: true })) // → Math.log(2)
 */
export const categoricalCrossentropy = (
  yTrue: NDArray,
  yPred: NDArray,
  { fromLogits = false }: CrossentropyOptions = {},
): NDArray => {
  if (fromLogits) return softmaxCrossentropy(yPred, yTrue)
  checkBatch('categoricalCrossentropy', yTrue, yPred, true)
  const p = clip(div(yPred, sum(yPred, { axis: -1, keepDims: true })), 1e-7, 1 - 1e-7)
  return neg(mean(sum(mul(cast(yTrue, yPred.dtype), log(p)), { axis: -1 })))
}

/**
 * Crossentropy with integer class labels (no one-hot needed).
 * @category Losses
 * @example
 * const labels = array([0, 1], { dtype: 'int32' })
 * const logits = array([[2, 0], [0, 2]])
 * // the same as categoricalCrossentropy with one-hot labels [[1, 0], [0, 1]]
 * item(sparseCategoricalCrossentropy(labels, logits, { fromLogits: true })) // → Math.log(1 + Math.exp(-2))
 */
export const sparseCategoricalCrossentropy = (
  labels: NDArray,
  yPred: NDArray,
  options: CrossentropyOptions = {},
): NDArray => {
  checkBatch('sparseCategoricalCrossentropy', labels, yPred, false)
  if (labels.rank !== 1 && !(labels.rank === 2 && labels.shape[1] === 1)) {
    throw new RangeError(
      `sparseCategoricalCrossentropy: expected labels of shape [batch] or [batch, 1], got [${labels.shape}]`,
    )
  }
  const classes = yPred.shape[yPred.rank - 1] as number
  const oneHot = cast(equal(reshape(labels, [-1, 1]), arange(classes)), yPred.dtype)
  return categoricalCrossentropy(oneHot, yPred, options)
}

/**
 * Binary crossentropy; from logits it is computed as max(z, 0) − z·y + log(1 + e^−|z|).
 * @category Losses
 * @example
 * const yTrue = array([[1], [0]])
 * // logit 0 is probability ½ either way
 * item(binaryCrossentropy(yTrue, array([[0], [0]]), { fromLogits: true })) // → Math.log(2)
 * item(binaryCrossentropy(yTrue, array([[0.9], [0.2]]))) // → -(Math.log(0.9) + Math.log(0.8)) / 2
 */
export const binaryCrossentropy = (
  yTrue: NDArray,
  yPred: NDArray,
  { fromLogits = false }: CrossentropyOptions = {},
): NDArray => {
  checkBatch('binaryCrossentropy', yTrue, yPred, true)
  const y = cast(yTrue, yPred.dtype)
  if (fromLogits) return mean(add(sub(maximum(yPred, 0), mul(yPred, y)), log(add(exp(neg(abs(yPred))), 1))))
  const p = clip(yPred, 1e-7, 1 - 1e-7)
  return neg(mean(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))))
}

/**
 * Mean squared error.
 * @category Losses
 * @example
 * item(meanSquaredError(array([[1], [2]]), array([[1.5], [1]]))) // → 0.625
 */
export const meanSquaredError = (yTrue: NDArray, yPred: NDArray): NDArray => {
  checkBatch('meanSquaredError', yTrue, yPred, true)
  return mean(square(sub(yPred, cast(yTrue, yPred.dtype))))
}

/**
 * Mean absolute error, Keras's `mae` (chapter 3's regression metric): mean(|yPred − yTrue|).
 * @category Losses
 * @example
 * item(meanAbsoluteError(array([[1], [2]]), array([[1.5], [1]]))) // → 0.75
 */
export const meanAbsoluteError = (yTrue: NDArray, yPred: NDArray): NDArray => {
  checkBatch('meanAbsoluteError', yTrue, yPred, true)
  return mean(abs(sub(yPred, cast(yTrue, yPred.dtype))))
}
