/** Metrics: accuracy for one-hot (categorical) and integer (sparse) labels. */
import { argmax, cast, equal, mean, type NDArray, reshape } from '@nabla/ndarray'

/**
 * The fraction of samples whose predicted class (argmax of the last axis) equals the
 * label's: one-hot labels (Keras's `categorical_accuracy`, what `'accuracy'` means with
 * categorical crossentropy).
 * @category Metrics
 * @example
 * const oneHot = array([[1, 0], [0, 1], [0, 1]])
 * const probabilities = array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
 * // a scalar in [0, 1]: two of three rows have the right argmax
 * item(categoricalAccuracy(oneHot, probabilities)) // → 2 / 3
 */
export const categoricalAccuracy = (yTrue: NDArray, yPred: NDArray): NDArray => {
  if (yTrue.shape.join() !== yPred.shape.join()) {
    throw new RangeError(
      `accuracy: labels of shape [${yTrue.shape}] do not match predictions of shape [${yPred.shape}]`,
    )
  }
  return mean(cast(equal(argmax(yTrue, { axis: -1 }), argmax(yPred, { axis: -1 })), 'float32'))
}

/**
 * Accuracy with integer labels.
 * @category Metrics
 * @example
 * const labels = array([0, 1, 1], { dtype: 'int32' })
 * const probabilities = array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
 * item(sparseCategoricalAccuracy(labels, probabilities)) // → 2 / 3
 */
export const sparseCategoricalAccuracy = (labels: NDArray, yPred: NDArray): NDArray => {
  if (labels.size !== yPred.shape[0]) {
    throw new RangeError(`accuracy: ${labels.size} labels for ${yPred.shape[0]} predictions`)
  }
  return mean(cast(equal(reshape(labels, [-1]), argmax(yPred, { axis: -1 })), 'float32'))
}
