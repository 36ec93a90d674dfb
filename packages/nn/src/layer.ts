/** The layer abstraction, after stax: a pair of pure functions, with shapes inferred at init from shapes alone. */
import type { Key, NDArray, Shape, Tree } from '@nabla/ndarray'

/**
 * Options every `apply` accepts.
 * @category Layers
 * @example
 * const net = serial(dense(4), dropout(0.5))
 * const [, params] = net.init(key(0), [3])
 * const x = ones([2, 3])
 * const options: ApplyOptions = { training: true, key: key(1) }
 * net.apply(params, x, options).shape // → [2, 4]
 * // without options: inference, where dropout is the identity
 * toArray(net.apply(params, x)) // → toArray(dense(4).apply(params[0], x))
 * net.apply(params, x, { training: true }) // throws TypeError: training mode needs a key
 */
export interface ApplyOptions {
  /** Randomness for stochastic layers (dropout); required when `training` is true and such a layer is present. */
  readonly key?: Key
  /** Training mode (dropout active). Default false: inference. */
  readonly training?: boolean
}

/**
 * A layer: `init(key, inputShape)` returns the output shape and fresh parameters, and
 * `apply(params, x)` computes the output. Shapes here exclude the batch axis (Keras's
 * `input_shape`); `apply` takes and returns batches.
 * @category Layers
 * @example
 * const [outShape, params] = dense(512).init(key(0), [784])
 * outShape // → [512]
 * // x: [batch, 784]
 * const x = ones([3, 784])
 * const y = dense(512).apply(params, x)
 * y.shape // → [3, 512]
 */
export interface Layer<P extends Tree = Tree> {
  /** Keras's class name, for `summary` ("Dense", "Dropout", …). */
  readonly kind: string
  // method syntax on purpose: a layer of specific parameters is usable where any layer is expected (serial)
  /** The output shape for `inputShape` (one sample's, no batch axis) and fresh parameters drawn with `key`. */
  init(key: Key, inputShape: Shape): readonly [Shape, P]
  /** The layer's output for the batch `x`, with the parameters `params` (from `init`, or as trained). */
  apply(params: P, x: NDArray, options?: ApplyOptions): NDArray
}

/**
 * Parameters of a layer without any (activations, flatten, dropout).
 * @category Layers
 * @example
 * const [shape, params] = flatten().init(key(0), [2, 3])
 * const none: NoParams = params
 * none // → []
 * shape // → [6]
 * activation('relu').init(key(0), [4])[1] // → []
 */
export type NoParams = readonly []

/**
 * Checks that `x`'s per-sample shape is what a layer was built for.
 * @category Layers
 * @example
 * // x of shape [128, 784]: fine
 * checkInput('dense', [784], ones([128, 784])) // → undefined
 * checkInput('dense', [784], ones([128, 28, 28])) // throws RangeError: dense: expected input of shape [batch, 784], got [128, 28, 28]
 */
export const checkInput = (layer: string, expected: Shape, x: NDArray): void => {
  const got = x.shape.slice(1)
  if (x.rank === 0 || got.length !== expected.length || got.some((d, i) => d !== expected[i])) {
    throw new RangeError(
      `${layer}: expected input of shape [batch, ${expected.join(', ')}], got [${x.shape.join(', ')}]`,
    )
  }
}
