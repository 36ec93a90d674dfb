/** Listing 2.1: the dataset, from the bundled MNIST or a user's directory in MNIST's layout. */
import { datasetMnist, loadIdxDataset } from '@nabla/datasets'
import { type NDArray, slice } from '@nabla/ndarray'

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
