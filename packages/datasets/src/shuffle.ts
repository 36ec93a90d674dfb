/** `shuffle`: one random reordering applied to samples and labels alike. */
import { type Key, type NDArray, permutation, take } from '@nabla/ndarray'
import { checkKey } from '@nabla/ndarray/core'
import { checkSamples } from './checkSamples.js'
import type { Split } from './loadIdxDataset.js'

/**
 * Reorders the samples of `x` and `y` (along the first axis) by the same random
 * permutation drawn from `k`, so pairs stay aligned. Pure: the same key gives the same order.
 * @category Preprocessing
 * @example
 * // each row of x is its label twice, to show that the pairs stay aligned
 * const x = array([[0, 0], [1, 1], [2, 2], [3, 3]])
 * const y = array([0, 1, 2, 3])
 * const s = shuffle(key(0), x, y)
 * toArray(s.y) // → [3, 0, 1, 2]
 * toArray(s.x).map((row) => row[0]) // → toArray(s.y)
 * toArray(shuffle(key(0), x, y).y) // → toArray(s.y)
 */
export const shuffle = (k: Key, x: NDArray, y: NDArray): Split => {
  checkKey('shuffle', k)
  const n = checkSamples('shuffle', x, y)
  const order = permutation(k, n)
  return { x: take(x, order), y: take(y, order) }
}
