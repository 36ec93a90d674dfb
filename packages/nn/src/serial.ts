/** serial: compose layers into one, threading shapes through init and splitting keys (stax's `serial`). */
import { type Key, type NDArray, type Shape, split, type Tree } from '@nabla/ndarray'
import type { ApplyOptions, Layer } from './layer.js'

/**
 * One entry of parameters per layer, in order.
 * @category Layers
 * @example
 * const net = serial(dense(3), dropout(0.5), dense(1))
 * const [, params] = net.init(key(0), [2])
 * const p: SerialParams = params
 * p.length // → 3
 * p[1] // → []
 * Object.keys(p[0]) // → ['kernel', 'bias']
 * net.apply([p[0], p[2]], ones([1, 2])) // throws RangeError: expected parameters for 3 layers, got 2
 */
export type SerialParams = readonly Tree[]

/**
 * The composition of `layers`, applied left to right. Its parameters are the list of the
 * layers' parameters; init gives each layer its own key, apply gives each stochastic layer its own.
 * @category Layers
 * @example
 * const net = serial(dense(512, { activation: 'relu' }), dense(10, { activation: 'softmax' }))
 * const [outShape, params] = net.init(key(0), [784])
 * outShape // → [10]
 * params.length // → 2
 * const probabilities = net.apply(params, ones([2, 784]))
 * toArray(sum(probabilities, { axis: -1 })) // → [1, 1]
 */
export const serial = (...layers: readonly Layer[]): Layer<SerialParams> & { readonly layers: readonly Layer[] } => {
  if (layers.length === 0) throw new RangeError('serial: expected at least one layer')
  return {
    kind: 'Sequential',
    layers,
    init: (key: Key, inputShape: Shape) => {
      const keys = split(key, layers.length)
      let shape = inputShape
      const params = layers.map((layer, i) => {
        const [out, p] = layer.init(keys[i] as Key, shape)
        shape = out
        return p
      })
      return [shape, params]
    },
    apply: (params: SerialParams, x: NDArray, options: ApplyOptions = {}) => {
      if (!Array.isArray(params) || params.length !== layers.length) {
        throw new RangeError(
          `serial: expected parameters for ${layers.length} layers, got ${Array.isArray(params) ? params.length : typeof params}`,
        )
      }
      const keys = options.key === undefined ? undefined : split(options.key, layers.length)
      return layers.reduce(
        (h, layer, i) =>
          layer.apply(params[i] as Tree, h, keys === undefined ? options : { ...options, key: keys[i] as Key }),
        x,
      )
    },
  }
}
