/** Metrics: accuracy for one-hot (categorical) and integer (sparse) labels. */
import { argmax, cast, equal, mean, type NDArray, reshape } from '@nabla/ndarray'

/**
 * The fraction of samples whose predicted class (argmax of the last axis) equals the
 * label's: one-hot labels (Keras's `categorical_accuracy`, what `'accuracy'` means with
 * categorical crossentropy).
 * @example
 * categoricalAccuracy(oneHot, probabilities) // scalar in [0, 1]
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
 * @example
 * sparseCategoricalAccuracy(labels, probabilities)
 */
export const sparseCategoricalAccuracy = (labels: NDArray, yPred: NDArray): NDArray => {
  if (labels.size !== yPred.shape[0]) {
    throw new RangeError(`accuracy: ${labels.size} labels for ${yPred.shape[0]} predictions`)
  }
  return mean(cast(equal(reshape(labels, [-1]), argmax(yPred, { axis: -1 })), 'float32'))
}
