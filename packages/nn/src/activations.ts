/** Activations: as functions of arrays, by Keras name, and as parameter-free layers. */
import { add, div, exp, lessEqual, log, max, type NDArray, sub, sum, tanh as tanhOp, where } from '@nabla/ndarray'
import type { Layer, NoParams } from './layer.js'

/**
 * max(x, 0), with derivative 0 at 0 (as Keras and jax.nn.relu have it); NaN stays NaN (as in NumPy and JAX), so a
 * diverged input is seen downstream instead of turning into zeros.
 * @category Activations
 * @example
 * toArray(relu(array([-1, 0, 2]))) // → [0, 0, 2]
 * toArray(relu(array([Number.NaN]))) // → [Number.NaN]
 */
export const relu = (x: NDArray): NDArray => where(lessEqual(x, 0), 0, x)

/**
 * 1 / (1 + e⁻ˣ), computed as ½(1 + tanh(x/2)) so it never overflows.
 * @category Activations
 * @example
 * toArray(sigmoid(array([0, 2]))) // → [0.5, 1 / (1 + Math.exp(-2))]
 * toArray(sigmoid(array([-1000, 1000]))) // → [0, 1]
 */
export const sigmoid = (x: NDArray): NDArray => div(add(tanhOp(div(x, 2)), 1), 2)

/**
 * Hyperbolic tangent.
 * @category Activations
 * @example
 * toArray(tanh(array([0, 1]))) // → [0, Math.tanh(1)]
 */
export const tanh = (x: NDArray): NDArray => tanhOp(x)

/**
 * log softmax over the last axis, shifted by the maximum for stability.
 * @category Activations
 * @example
 * toArray(logSoftmax(array([[1000, 0]]))) // → [[0, -1000]]
 * toArray(logSoftmax(array([[0, 0]]))) // → [[-Math.log(2), -Math.log(2)]]
 */
export const logSoftmax = (x: NDArray, axis = -1): NDArray => {
  const shifted = sub(x, max(x, { axis, keepDims: true }))
  return sub(shifted, log(sum(exp(shifted), { axis, keepDims: true })))
}

/**
 * Softmax over the last axis (each row sums to 1), shifted by the maximum for stability.
 * @category Activations
 * @example
 * toArray(softmax(array([[1, 1]]))) // → [[0.5, 0.5]]
 * // each row sums to 1, even for large logits
 * toArray(sum(softmax(array([[1000, 0, -1000], [1, 2, 3]])), { axis: -1 })) // → [1, 1]
 */
export const softmax = (x: NDArray, axis = -1): NDArray => {
  const e = exp(sub(x, max(x, { axis, keepDims: true })))
  return div(e, sum(e, { axis, keepDims: true }))
}

/**
 * The identity.
 * @category Activations
 * @example
 * const x = array([-1, 2])
 * linear(x) === x // → true
 */
export const linear = (x: NDArray): NDArray => x

const table = { relu, sigmoid, tanh, softmax, linear } as const

/**
 * The activation names Keras users write.
 * @category Activations
 * @example
 * const names: ActivationName[] = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear']
 * names.map((name) => activationByName(name)) // → [relu, sigmoid, tanh, softmax, linear]
 * const name: ActivationName = 'relu'
 * toArray(dense(1, { activation: name }).apply({ kernel: array([[1]]) }, array([[-2], [3]]))) // → [[0], [3]]
 */
export type ActivationName = keyof typeof table

/**
 * An activation function by its Keras name.
 * @category Activations
 * @example
 * activationByName('relu') === relu // → true
 * toArray(activationByName('sigmoid')(array([0]))) // → [0.5]
 * activationByName('gelu' as never) // throws RangeError: unknown activation "gelu"
 */
export const activationByName = (name: ActivationName): ((x: NDArray) => NDArray) => {
  const f = (table as Record<string, (x: NDArray) => NDArray>)[name]
  if (f === undefined) {
    throw new RangeError(
      `activation: unknown activation ${JSON.stringify(name)}; expected one of ${Object.keys(table).join(', ')}`,
    )
  }
  return f
}

/**
 * An activation as a layer (stax's `Relu`, `Softmax`…).
 * @category Activations
 * @example
 * const net = serial(dense(3), activation('relu'))
 * const [shape, params] = net.init(key(0), [4])
 * shape // → [3]
 * params[1] // → []
 * toArray(activation('relu').apply([], array([[-1, 2]]))) // → [[0, 2]]
 */
export const activation = (name: ActivationName): Layer<NoParams> => {
  const f = activationByName(name)
  return { kind: 'Activation', init: (_, shape) => [shape, []], apply: (_, x) => f(x) }
}
