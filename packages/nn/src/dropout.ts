/** dropout: zero a random fraction of the inputs while training (inverted scaling), identity at inference. */
import { bernoulli, div, type NDArray, where } from '@nabla/ndarray'
import type { Layer, NoParams } from './layer.js'

/**
 * Drops each input with probability `rate` during training and scales the kept ones by
 * 1/(1 − rate), so inference needs no rescaling. Takes its randomness from `apply`'s `key`.
 * @category Layers
 * @example
 * serial(dense(512, { activation: 'relu' }), dropout(0.5), dense(10))
 * const x = ones([2, 4])
 * // inference: the identity
 * dropout(0.5).apply([], x) === x // → true
 * // training: each input zeroed with probability 0.5, the others doubled
 * const kept = toArray(dropout(0.5).apply([], x, { training: true, key: key(0) })).flat()
 * kept.every((v) => v === 0 || v === 2) // → true
 * dropout(0.5).apply([], x, { training: true }) // throws TypeError: training mode needs a key
 */
export const dropout = (rate: number): Layer<NoParams> => {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout: rate must be in [0, 1), got ${rate}`)
  return {
    kind: 'Dropout',
    init: (_, shape) => [shape, []],
    apply: (_, x: NDArray, { key, training = false } = {}) => {
      if (!training || rate === 0) return x
      if (key === undefined)
        throw new TypeError('dropout: training mode needs a key: apply(params, x, { training: true, key })')
      return where(bernoulli(key, 1 - rate, x.shape), div(x, 1 - rate), 0)
    },
  }
}
