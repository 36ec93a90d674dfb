/** The optimizer abstraction, after optax: a gradient transformation is a pure pair `{ init, update }` over pytrees. */
import type { Tree } from '@nabla/ndarray'

/**
 * Turns gradients into updates. `init(params)` makes the state; `update(grads, state,
 * params?)` returns the updates (to be added to the params) and the next state. Both are
 * pure: nothing is mutated, so a training step can be replayed, differentiated or traced by
 * `jit`. A state is a pytree whose leaves are all NDArrays (step counts are float64 scalars),
 * so `treeFlatten` takes it apart and `jit` can carry it from step to step.
 * @example
 * const opt = rmsprop()
 * let state = opt.init(params)
 * const [updates, next] = opt.update(grads, state, params)
 * params = applyUpdates(params, updates)
 */
export interface GradientTransformation<S> {
  /**
   * How the transformation was made, when a named optimizer made it (`rmsprop({ learningRate: 1e-4 })`
   * → `{ name: 'rmsprop', options: { learningRate: 1e-4 } }`): what a saved model stores to rebuild it.
   */
  readonly config?: OptimizerConfig
  init(params: Tree): S
  // method syntax on purpose: a transformation of a specific state is usable where any state is expected (chain)
  update(grads: Tree, state: S, params?: Tree): readonly [Tree, S]
}

/** A named optimizer and the options it was given (see `optimizer(name, options)`). */
export interface OptimizerConfig {
  readonly name: string
  readonly options: Readonly<Record<string, unknown>>
}

/** The state type of a transformation. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never
