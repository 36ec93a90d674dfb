/** `shuffle`: one random reordering applied to samples and labels alike. */
import { type Key, type NDArray, permutation, take } from '@nabla/ndarray'
import { checkKey } from '@nabla/ndarray/core'
import { checkSamples } from './checkSamples.js'
import type { Split } from './loadIdxDataset.js'

/**
 * Reorders the samples of `x` and `y` (along the first axis) by the same random
 * permutation drawn from `k`, so pairs stay aligned. Pure: the same key gives the same order.
 * @example
 * const { x, y } = shuffle(key(0), mnist.train.x, mnist.train.y)
 */
export const shuffle = (k: Key, x: NDArray, y: NDArray): Split => {
  checkKey('shuffle', k)
  const n = checkSamples('shuffle', x, y)
  const order = permutation(k, n)
  return { x: take(x, order), y: take(y, order) }
}
