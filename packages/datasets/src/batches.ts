/** `batches`: aligned mini-batches of (x, y), optionally in a keyed random order; the last partial batch is kept. */
import { type Key, type NDArray, permutation, slice, take } from '@nabla/ndarray'
import { checkKey } from '@nabla/ndarray/core'
import { checkSamples } from './checkSamples.js'
import type { Split } from './loadIdxDataset.js'

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Samples per batch (a positive integer); the last batch holds the remainder. */
  readonly batchSize: number
  /** Shuffle the samples with this key first (default: the stored order). */
  readonly key?: Key
}

/** The batches of one epoch: iterable any number of times (always the same order) and counted by `length`. */
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
 * @example
 * for (const { x, y } of batches(trainImages, trainLabels, { batchSize: 128, key: epochKey })) step(x, y)
 * batches(trainImages, trainLabels, { batchSize: 128 }).length // 469
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
