/** The optimizer abstraction, after optax: a gradient transformation is a pure pair `{ init, update }` over pytrees. */
import type { Tree } from '@nabla/ndarray'

/**
 * Turns gradients into updates. `init(params)` makes the state; `update(grads, state,
 * params?)` returns the updates (to be added to the params) and the next state. Both are
 * pure: nothing is mutated, so a training step can be replayed, differentiated or traced by
 * `jit`. A state is a pytree whose leaves are all NDArrays (step counts are float64 scalars),
 * so `treeFlatten` takes it apart and `jit` can carry it from step to step.
 * @category Transformations
 * @example
 * const opt = rmsprop({ learningRate: 0.1 })
 * let params = { w: array([1, -1]) }
 * let state = opt.init(params)
 * const grads = { w: array([0.5, -0.5]) }
 * const [updates, next] = opt.update(grads, state, params)
 * params = applyUpdates(params, updates)
 * state = next
 * toArray(params.w) // → [1 - 0.05 / Math.sqrt(0.025 + 1e-7), -1 + 0.05 / Math.sqrt(0.025 + 1e-7)]
 */
export interface GradientTransformation<S> {
  /**
   * How the transformation was made, when a named optimizer made it (`rmsprop({ learningRate: 1e-4 })`
   * → `{ name: 'rmsprop', options: { learningRate: 1e-4 } }`): what a saved model stores to rebuild it.
   */
  readonly config?: OptimizerConfig
  /** The initial state for parameters shaped as `params` (zeroed moments, a step count of 0, …). */
  init(params: Tree): S
  // method syntax on purpose: a transformation of a specific state is usable where any state is expected (chain)
  /** The updates for `grads` (to add to the parameters) and the next state; `params`, the current parameters, is optional. */
  update(grads: Tree, state: S, params?: Tree): readonly [Tree, S]
}

/**
 * A named optimizer and the options it was given (see `optimizer(name, options)`).
 * @category Optimizers
 * @example
 * const config = sgd({ learningRate: 0.1, momentum: 0.9 }).config as OptimizerConfig
 * config // → { name: 'sgd', options: { learningRate: 0.1, momentum: 0.9 } }
 * const rebuilt = optimizer(config.name as OptimizerName, config.options)
 * rebuilt.config // → config
 */
export interface OptimizerConfig {
  readonly name: string
  readonly options: Readonly<Record<string, unknown>>
}

/**
 * The state type of a transformation.
 * @category Transformations
 * @example
 * const opt = chain(scaleByRms(), scaleByLearningRate(0.01))
 * const state: StateOf<typeof opt> = opt.init({ w: zeros([2]) })
 * state.length // → 2
 * Object.keys(state[0]) // → ['nu']
 * item(state[1].count) // → 0
 */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never
