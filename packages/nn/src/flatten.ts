/** flatten: every axis after the batch axis becomes one (images to feature vectors). */
import { reshape } from '@nabla/ndarray'
import type { Layer, NoParams } from './layer.js'

/**
 * Flattens each sample: [batch, 28, 28] → [batch, 784]. Stateless: the layer that follows
 * checks the flattened width against what it was built for.
 * @category Layers
 * @example
 * const net = serial(flatten(), dense(10))
 * const [shape, params] = net.init(key(0), [28, 28])
 * shape // → [10]
 * net.apply(params, ones([2, 28, 28])).shape // → [2, 10]
 * flatten().apply([], ones([2, 3, 4])).shape // → [2, 12]
 */
export const flatten = (): Layer<NoParams> => ({
  kind: 'Flatten',
  init: (_, shape) => [[shape.reduce((a, b) => a * b, 1)], []],
  apply: (_, x) => {
    if (x.rank < 1) throw new RangeError('flatten: expected input of shape [batch, ...], got a scalar')
    return reshape(x, [x.shape[0] as number, -1])
  },
})
