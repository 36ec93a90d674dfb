/** flatten: every axis after the batch axis becomes one (images to feature vectors). */
import { reshape } from '@nabla/ndarray'
import { checkInput, type Layer, type NoParams } from './layer.js'

/**
 * Flattens each sample: [batch, 28, 28] → [batch, 784].
 * @example
 * serial(flatten(), dense(10))
 */
export const flatten = (): Layer<NoParams> => {
  let built: readonly number[] = []
  return {
    kind: 'Flatten',
    init: (_, shape) => {
      built = shape
      return [[shape.reduce((a, b) => a * b, 1)], []]
    },
    apply: (_, x) => {
      checkInput('flatten', built, x)
      return reshape(x, [x.shape[0] as number, -1])
    },
  }
}
