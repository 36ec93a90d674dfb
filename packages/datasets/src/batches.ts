/** `batches`: aligned mini-batches of (x, y), optionally in a keyed random order; the last partial batch is kept. */
import { type Key, type NDArray, permutation, slice, take } from '@nabla/ndarray'
import { checkKey } from '@nabla/ndarray/core'
import { checkSamples } from './checkSamples.js'
import type { Split } from './loadIdxDataset.js'

/**
 * Options of {@link batches}.
 * @category Preprocessing
 * @example
 * const x = reshape(arange(10), [5, 2])
 * const y = arange(5)
 * const options: BatchOptions = { batchSize: 2, key: key(1) }
 * const epoch = batches(x, y, options)
 * Array.from(epoch, (b) => b.y.shape[0]) // → [2, 2, 1]
 * batches(x, y, { batchSize: 0 }) // throws RangeError: batchSize must be a positive integer, got 0
 */
export interface BatchOptions {
  /** Samples per batch (a positive integer); the last batch holds the remainder. */
  readonly batchSize: number
  /** Shuffle the samples with this key first (default: the stored order). */
  readonly key?: Key
}

/**
 * The batches of one epoch: iterable any number of times (always the same order) and counted by `length`.
 * @category Preprocessing
 * @example
 * const epoch: Batches = batches(zeros([5, 2]), arange(5), { batchSize: 2 })
 * epoch.length // → 3
 * epoch.samples // → 5
 * Array.from(epoch, (b) => b.x.shape) // → [[2, 2], [2, 2], [1, 2]]
 * // iterable again, in the same order
 * Array.from(epoch, (b) => toArray(b.y)) // → [[0, 1], [2, 3], [4]]
 */
export interface Batches extends Iterable<Split> {
  /** Number of batches: ⌈samples / batchSize⌉ (469 for 60000 samples of 128). */
  readonly length: number
  readonly batchSize: number
  /** Number of samples in all the batches together. */
  readonly samples: number
}

/**
 * Splits (x, y) into aligned mini-batches along the first axis, as `fit` walks an
 * epoch: 60000 samples with `batchSize: 128` give 469 batches, the last of 96 (kept, as
 * Keras keeps it). Without `key` the batches are views in stored order (no copy); with
 * `key` the samples follow one permutation drawn from it, gathered batch by batch, so
 * every sample appears exactly once per epoch. Use `split` to get a new key per epoch.
 * @category Preprocessing
 * @example
 * const x = reshape(arange(10), [5, 2])
 * const y = arange(5)
 * const epoch = batches(x, y, { batchSize: 2 })
 * // with MNIST's 60000 samples and batchSize 128: 469
 * epoch.length // → 3
 * Array.from(epoch, (b) => toArray(b.y)) // → [[0, 1], [2, 3], [4]]
 * // shuffled: every sample once per epoch
 * const seen = []
 * for (const b of batches(x, y, { batchSize: 2, key: key(1) })) seen.push(...toArray(b.y))
 * seen.sort((a, b) => a - b) // → [0, 1, 2, 3, 4]
 */
export const batches = (x: NDArray, y: NDArray, { batchSize, key }: BatchOptions): Batches => {
  const n = checkSamples('batches', x, y)
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new RangeError(`batches: batchSize must be a positive integer, got ${batchSize}`)
  }
  const order = key === undefined ? undefined : permutation(checkKey('batches', key), n)
  const length = Math.ceil(n / batchSize)
  return {
    length,
    batchSize,
    samples: n,
    *[Symbol.iterator](): Iterator<Split> {
      for (let start = 0; start < n; start += batchSize) {
        const range = [start, Math.min(start + batchSize, n)] as const
        if (order === undefined) {
          yield { x: slice(x, range), y: slice(y, range) }
        } else {
          const idx = slice(order, range)
          yield { x: take(x, idx), y: take(y, idx) }
        }
      }
    },
  }
}
