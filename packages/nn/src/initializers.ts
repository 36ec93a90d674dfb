/** Weight initializers, by Keras name: functions of a key and a shape. */
import { type Key, type NDArray, normal, type Shape, uniform, zeros as zerosOp } from '@nabla/ndarray'

/**
 * Makes an initial parameter array.
 * @category Initializers
 * @example
 * const constant = (v: number): Initializer => (_key, shape) => full(shape, v)
 * const layer = dense(2, { kernelInitializer: constant(0.5), biasInitializer: constant(1) })
 * const [, params] = layer.init(key(0), [3])
 * toArray(params.kernel) // → [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]]
 * toArray(layer.apply(params, ones([1, 3]))) // → [[2.5, 2.5]]
 */
export type Initializer = (key: Key, shape: Shape) => NDArray

/** Fan-in and fan-out of a kernel shape (last two axes, receptive field for higher ranks). */
const fans = (shape: Shape): [number, number] => {
  if (shape.length < 2) return [shape[0] ?? 1, shape[0] ?? 1]
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1)
  return [(shape[shape.length - 2] as number) * receptive, (shape[shape.length - 1] as number) * receptive]
}

/**
 * Glorot (Xavier) uniform: U(−l, l) with l = √(6 / (fanIn + fanOut)) — Keras's default for dense kernels.
 * @category Initializers
 * @example
 * const w = glorotUniform(key(0), [784, 512])
 * w.shape // → [784, 512]
 * // within ±√(6 / (784 + 512))
 * item(max(abs(w))) <= Math.sqrt(6 / (784 + 512)) // → true
 */
export const glorotUniform: Initializer = (key, shape) => {
  const [fanIn, fanOut] = fans(shape)
  const limit = Math.sqrt(6 / (fanIn + fanOut))
  return uniform(key, shape, { minval: -limit, maxval: limit })
}

/**
 * He normal: N(0, 2 / fanIn) (Keras truncates it; this one does not).
 * @category Initializers
 * @example
 * const w = heNormal(key(0), [784, 512])
 * w.shape // → [784, 512]
 * // standard deviation √(2 / 784) ≈ 0.0505
 * Math.abs(Math.sqrt(item(mean(square(w)))) - Math.sqrt(2 / 784)) < 1e-3 // → true
 */
export const heNormal: Initializer = (key, shape) => normal(key, shape, { stddev: Math.sqrt(2 / fans(shape)[0]) })

/**
 * All zeros — Keras's default for biases.
 * @category Initializers
 * @example
 * // nn's zeros is an initializer (the key is ignored), not ndarray's zeros(shape)
 * const b = zeros(key(0), [3])
 * toArray(b) // → [0, 0, 0]
 * b.dtype // → 'float32'
 */
export const zeros: Initializer = (_, shape) => zerosOp(shape)

const table = { glorotUniform, glorot_uniform: glorotUniform, heNormal, he_normal: heNormal, zeros } as const

/**
 * Initializer names (camelCase and Keras's snake_case).
 * @category Initializers
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const name: InitializerName = 'he_normal'
 * initializerByName(name) === heNormal // → true
 * const network = pipe(kerasModelSequential(), layerDense({ units: 3, inputShape: [2], kernelInitializer: 'zeros' }))
 * toArray(getWeights(compile(network, { optimizer: 'sgd', loss: 'mse' }))[0].kernel) // → [[0, 0, 0], [0, 0, 0]]
 */
export type InitializerName = keyof typeof table

/**
 * An initializer by name.
 * @category Initializers
 * @example
 * initializerByName('glorot_uniform') === glorotUniform // → true
 * initializerByName('heNormal') === heNormal // → true
 * initializerByName('ones' as never) // throws RangeError: unknown initializer "ones"
 */
export const initializerByName = (name: InitializerName): Initializer => {
  const f = (table as Record<string, Initializer>)[name]
  if (f === undefined) {
    throw new RangeError(
      `initializer: unknown initializer ${JSON.stringify(name)}; expected one of ${Object.keys(table).join(', ')}`,
    )
  }
  return f
}
