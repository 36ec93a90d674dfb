/** Listing 2.1: the dataset, from the bundled MNIST or a user's directory in MNIST's layout. */
import { arrayReshape, datasetMnist, loadIdxDataset } from '@nabla/datasets'
import { div, type NDArray, slice } from '@nabla/ndarray'

/** The book's `mnist$train$x`, `mnist$train$y`, `mnist$test$x`, `mnist$test$y`. */
export interface Mnist {
  readonly trainImages: NDArray
  readonly trainLabels: NDArray
  readonly testImages: NDArray
  readonly testLabels: NDArray
}

/**
 * Loads the data (throws the datasets package's clear errors for missing or malformed files).
 * With `trainSamples`, only the first N training images are kept.
 * @example
 * const { trainImages } = loadData({ dir: undefined, trainSamples: undefined })
 */
export const loadData = ({
  dir,
  trainSamples,
}: {
  readonly dir: string | undefined
  readonly trainSamples: number | undefined
}): Mnist => {
  const d = dir === undefined ? datasetMnist() : loadIdxDataset(dir)
  const keep = (x: NDArray) =>
    trainSamples === undefined || trainSamples >= (x.shape[0] as number) ? x : slice(x, [0, trainSamples])
  return { trainImages: keep(d.train.x), trainLabels: keep(d.train.y), testImages: d.test.x, testLabels: d.test.y }
}

/**
 * Listing 2.4, its reshape: images of shape [n, 28, 28] as the network's input rows, [n, 784], still bytes (0…255).
 * @example
 * const trainImages = toInputs(data.trainImages) // array_reshape(train_images, c(60000, 28 * 28))
 */
export const toInputs = (images: NDArray): NDArray => arrayReshape(images, [images.shape[0] as number, 28 * 28])

/**
 * Listing 2.4, its `/ 255`: pixels scaled to [0, 1] as float32. The demo applies it batch by batch (fit's,
 * evaluate's and predict's `preprocess`) rather than to the whole set at once: the values are the same, and the
 * 60,000 training images stay 47 MB of bytes instead of becoming 188 MB of floats.
 * @example
 * toArray(scaleImages(array([[0, 51, 255]], { dtype: 'uint8' }))) // → [[0, 0.2, 1]]
 */
export const scaleImages = (images: NDArray): NDArray => div(images, 255)

/** The data as the networks take it: images flat [n, 784] as bytes (scaled per batch by `scaleImages`), labels as loaded. */
export interface Inputs {
  readonly trainImages: NDArray
  readonly trainLabels: NDArray
  readonly testImages: NDArray
  readonly testLabels: NDArray
}

/**
 * Listing 2.4's reshape for both sets.
 * @example
 * const inputs = prepareInputs(loadData({ dir: undefined, trainSamples: 1000 }))
 */
export const prepareInputs = (data: Mnist): Inputs => ({
  trainImages: toInputs(data.trainImages),
  trainLabels: data.trainLabels,
  testImages: toInputs(data.testImages),
  testLabels: data.testLabels,
})
