/** dense: the densely connected layer, output = activation(dot(input, kernel) + bias). */
import { dot } from '@nabla/linalg'
import { add, type NDArray, split } from '@nabla/ndarray'
import { type ActivationName, activationByName } from './activations.js'
import { glorotUniform, type Initializer, zeros } from './initializers.js'
import { checkInput, type Layer } from './layer.js'

/**
 * A dense layer's parameters: kernel [inputs, units] and bias [units] (absent with `useBias: false`).
 * @category Layers
 * @example
 * const params: DenseParams = { kernel: array([[1], [2]]), bias: array([0.5]) }
 * toArray(dense(1).apply(params, array([[1, 1], [2, 0]]))) // → [[3.5], [2.5]]
 * // without a bias
 * toArray(dense(1, { useBias: false }).apply({ kernel: params.kernel }, array([[1, 1]]))) // → [[3]]
 */
export type DenseParams = {
  readonly kernel: NDArray
  readonly bias?: NDArray
}

/**
 * Options of {@link dense}.
 * @category Layers
 * @example
 * const options: DenseOptions = { activation: 'relu', kernelInitializer: (_, shape) => ones(shape), useBias: false }
 * const layer = dense(2, options)
 * const [, params] = layer.init(key(0), [3])
 * params.bias // → undefined
 * toArray(layer.apply(params, array([[1, 2, 3]]))) // → [[6, 6]]
 * toArray(layer.apply(params, array([[1, 2, -4]]))) // → [[0, 0]]
 */
export interface DenseOptions {
  readonly activation?: ActivationName
  readonly kernelInitializer?: Initializer
  readonly biasInitializer?: Initializer
  /** Add a bias (default true, as Keras). */
  readonly useBias?: boolean
}

/**
 * A dense layer of `units` outputs: `activation(dot(x, kernel) + bias)`, kernel
 * glorot-uniform and bias zeros as in Keras. (The book writes `dot(W, input)`; with
 * samples in rows, as Keras stores them, it is `dot(input, W)`.)
 * @category Layers
 * @example
 * const layer = dense(512, { activation: 'relu' })
 * const [shape, params] = layer.init(key(0), [784])
 * shape // → [512]
 * params.kernel.shape // → [784, 512]
 * params.bias.shape // → [512]
 * layer.apply(params, ones([2, 784])).shape // → [2, 512]
 * layer.apply(params, ones([2, 28, 28])) // throws RangeError: expected input of shape [batch, 784], got [2, 28, 28]
 */
export const dense = (
  units: number,
  {
    activation = 'linear',
    kernelInitializer = glorotUniform,
    biasInitializer = zeros,
    useBias = true,
  }: DenseOptions = {},
): Layer<DenseParams> => {
  if (!Number.isInteger(units) || units <= 0)
    throw new RangeError(`dense: units must be a positive integer, got ${units}`)
  const f = activationByName(activation)
  return {
    kind: 'Dense',
    init: (key, inputShape) => {
      if (inputShape.length !== 1) {
        throw new RangeError(
          `dense: expected a flat input shape [features], got [${inputShape.join(', ')}]; add flatten() first`,
        )
      }
      const [k1, k2] = split(key)
      const inputs = inputShape[0] as number
      const kernel = kernelInitializer(k1!, [inputs, units])
      return [[units], useBias ? { kernel, bias: biasInitializer(k2!, [units]) } : { kernel }]
    },
    apply: ({ kernel, bias }, x) => {
      checkInput('dense', [kernel.shape[0] as number], x)
      const z = dot(x, kernel)
      return f(bias === undefined ? z : add(z, bias))
    },
  }
}
