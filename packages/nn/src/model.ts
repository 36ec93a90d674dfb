/** The Keras face's model value: an immutable Sequential, a list of layer descriptions that `compile` builds. */
import type { NDArray, Shape } from '@nabla/ndarray'
import type { ActivationName } from './activations.js'
import type { Layer } from './layer.js'

/**
 * What a Keras layer function (`layerDense`, `layerDropout`, …) adds to a model: its
 * class name, its configuration, and a way to make the functional layer underneath,
 * optionally with another activation (so `compile` can train a softmax output on logits).
 * @category Models
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const network = pipe(kerasModelSequential(), layerDense({ units: 3, activation: 'relu', inputShape: [2] }))
 * const layer: KerasLayer = network.layers[0]
 * layer.kind // → 'Dense'
 * layer.activation // → 'relu'
 * layer.config // → { units: 3, activation: 'relu', useBias: true, inputShape: [2], kernelInitializer: 'glorot_uniform', biasInitializer: 'zeros' }
 * // the functional layer underneath
 * layer.build().init(key(0), [2])[0] // → [3]
 */
export interface KerasLayer {
  /** Keras's class name: "Dense", "Dropout", "Flatten". */
  readonly kind: string
  /** The name given by the user, if any; otherwise the model names it (dense, dense_1, …). */
  readonly name?: string
  /** The layer's activation ('linear' for layers without one). */
  readonly activation: ActivationName
  /** Keras's `input_shape`: the per-sample shape, needed on the first layer. */
  readonly inputShape?: Shape
  /** The functional `{ init, apply }` layer, with `activation` replaced when given. */
  readonly build: (activation?: ActivationName) => Layer
  /**
   * The layer's options as plain JSON (Keras's `get_config()`): what `saveModel` stores and
   * `loadModel` gives the layer function again. Absent for a layer that cannot be saved.
   */
  readonly config?: Readonly<Record<string, unknown>>
  /** The penalty on this layer's parameters that training adds to the loss (its weight regularizers), if any. */
  readonly regularization?: (params: unknown) => NDArray
}

/**
 * A layer of a model, with its name fixed.
 * @category Models
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 4, inputShape: [2] }),
 *   layerDropout({ rate: 0.5 }),
 *   layerDense({ units: 1, name: 'output' }),
 * )
 * const layers: readonly NamedLayer[] = network.layers
 * layers.map((l) => l.name) // → ['dense', 'dropout', 'output']
 */
export type NamedLayer = KerasLayer & { readonly name: string }

/**
 * A Keras Sequential model: a name and a list of layers. Immutable: adding a layer makes a
 * new model. `compile` turns it into a {@link CompiledModel} with parameters.
 * @category Models
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 10, activation: 'softmax', inputShape: [784] }))
 * network.layers[0].name // → 'dense'
 * network.layers.map((l) => l.kind) // → ['Dense']
 * pipe(network, layerDense({ units: 2 })).layers[1].name // → 'dense_1'
 * // a value: adding a layer made a new model
 * network.layers.length // → 1
 */
export interface Sequential {
  readonly kind: 'Sequential'
  readonly name: string
  readonly layers: readonly NamedLayer[]
}

/**
 * Whether `x` is a model (made by kerasModelSequential, possibly compiled).
 * @category Models
 * @example
 * isSequential(kerasModelSequential()) // → true
 * isSequential({ layers: [] }) // → false
 */
export const isSequential = (x: unknown): x is Sequential =>
  typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'Sequential'

/**
 * Options of {@link kerasModelSequential}.
 * @category Models
 * @example
 * const options: SequentialOptions = { name: 'mnist' }
 * const network = layerDense(kerasModelSequential(options), { units: 10, inputShape: [784] })
 * network.name // → 'mnist'
 * kerasModelSequential().name // → 'sequential'
 */
export interface SequentialOptions {
  /** The model's name in `summary` (default "sequential"). */
  readonly name?: string
}

/**
 * An empty Sequential model, Keras's `keras_model_sequential()`; add layers with `pipe`.
 * @category Models
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 512, activation: 'relu', inputShape: [28 * 28] }),
 *   layerDense({ units: 10, activation: 'softmax' }),
 * )
 * network.name // → 'sequential'
 * network.layers.map((l) => l.name) // → ['dense', 'dense_1']
 * kerasModelSequential({ name: 'mnist' }).name // → 'mnist'
 */
export const kerasModelSequential = ({ name = 'sequential' }: SequentialOptions = {}): Sequential =>
  Object.freeze({ kind: 'Sequential', name, layers: Object.freeze([]) })

/** Keras's automatic layer name: the snake_case class name, then _1, _2, … for later layers of that class. */
const autoName = (layers: readonly NamedLayer[], kind: string): string => {
  // Keras's snake case: Dense → dense, MaxPooling2D → max_pooling2d (a digit does not start a word)
  const base = kind.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()
  const taken = new Set(layers.map((l) => l.name))
  for (let i = 0; ; i++) {
    const name = i === 0 ? base : `${base}_${i}`
    if (!taken.has(name)) return name
  }
}

/**
 * A new model: `model`'s layers followed by `layer` (any compiled state is dropped, since
 * the architecture changed). Layer names must be unique within a model.
 * @example
 * // internal (not exported): every layerX(…) adds its layer with it, naming it after its class
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 4, inputShape: [3] }))
 * const bigger = pipe(network, layerDropout({ rate: 0.5 }), layerDense({ units: 2 }))
 * bigger.layers.map((l) => l.name) // → ['dense', 'dropout', 'dense_1']
 * pipe(network, layerDense({ units: 2, name: 'dense' })) // throws RangeError: the model already has a layer named "dense"
 */
export const addLayer = (model: Sequential, layer: KerasLayer): Sequential => {
  if (!isSequential(model)) {
    throw new TypeError(
      `${layer.kind}: expected a model made by kerasModelSequential() (use pipe(kerasModelSequential(), layerDense({...}))), got ${model === null ? 'null' : typeof model}`,
    )
  }
  if (layer.name !== undefined && model.layers.some((l) => l.name === layer.name)) {
    throw new RangeError(`${layer.kind}: the model already has a layer named ${JSON.stringify(layer.name)}`)
  }
  const named: NamedLayer = Object.freeze({ ...layer, name: layer.name ?? autoName(model.layers, layer.kind) })
  return Object.freeze({ kind: 'Sequential', name: model.name, layers: Object.freeze([...model.layers, named]) })
}

/**
 * The first layer's input shape, or a clear error naming `op` when it is missing.
 * @example
 * // internal (not exported): compile and summary read the first layer's inputShape with it
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 10, inputShape: [784] }))
 * compile(network, { optimizer: 'sgd', loss: 'mse' }).inputShape // → [784]
 * const noShape = pipe(kerasModelSequential(), layerDense({ units: 10 }))
 * compile(noShape, { optimizer: 'sgd', loss: 'mse' }) // throws RangeError: the first layer (dense) needs an inputShape
 */
export const inputShapeOf = (op: string, model: Sequential): Shape => {
  const first = model.layers[0]
  if (first === undefined) {
    throw new RangeError(`${op}: the model has no layers; add some, e.g. layerDense({ units: 10, inputShape: [784] })`)
  }
  if (first.inputShape === undefined) {
    throw new RangeError(
      `${op}: the first layer (${first.name}) needs an inputShape to build the model, e.g. layerDense({ units: 512, activation: 'relu', inputShape: [784] })`,
    )
  }
  return first.inputShape
}

/**
 * Keras's layer-function form: data-last for `pipe`, or data-first `layerX(model, options)`.
 * @category Models
 * @example
 * import { pipe } from 'fp-ts/function'
 *
 * const addDense: LayerFunction<LayerDenseOptions> = layerDense
 * // data-first
 * const first = addDense(kerasModelSequential(), { units: 2, inputShape: [3] })
 * // data-last, for pipe
 * const last = pipe(kerasModelSequential(), addDense({ units: 2, inputShape: [3] }))
 * first.layers.map((l) => l.config) // → last.layers.map((l) => l.config)
 * first.layers[0].name // → 'dense'
 */
export type LayerFunction<O> = {
  (options: O): (model: Sequential) => Sequential
  (model: Sequential, options: O): Sequential
}

/**
 * Makes a dual layer function (data-last for `pipe`, or data-first) from a function
 * describing the layer: how every `layerX` is made.
 * @example
 * // internal (not exported): how every layerX is made, e.g.
 * // layerFunction((_: {}) => ({ kind: 'Activation', activation: 'linear', build: () => activation('linear') }))
 * // The functions it makes take the model first, or last (for pipe):
 * import { pipe } from 'fp-ts/function'
 * const first = layerDense(kerasModelSequential(), { units: 2, inputShape: [3] })
 * const last = pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] }))
 * first.layers[0].inputShape // → last.layers[0].inputShape
 */
export const layerFunction = <O>(describe: (options: O) => KerasLayer): LayerFunction<O> =>
  ((...args: unknown[]) => {
    if (isSequential(args[0])) return addLayer(args[0], describe((args[1] ?? {}) as O))
    const layer = describe(args[0] as O)
    return (model: Sequential) => addLayer(model, layer)
  }) as LayerFunction<O>
