/** The optimizer abstraction, after optax: a gradient transformation is a pure pair `{ init, update }` over pytrees. */
import type { Tree } from '@nabla/ndarray'

/**
 * Turns gradients into updates. `init(params)` makes the state; `update(grads, state,
 * params?)` returns the updates (to be added to the params) and the next state. Both are
 * pure: nothing is mutated, so a training step can be replayed or differentiated.
 * @example
 * const opt = rmsprop()
 * let state = opt.init(params)
 * const [updates, next] = opt.update(grads, state, params)
 * params = applyUpdates(params, updates)
 */
export interface GradientTransformation<S> {
  init(params: Tree): S
  // method syntax on purpose: a transformation of a specific state is usable where any state is expected (chain)
  update(grads: Tree, state: S, params?: Tree): readonly [Tree, S]
  /**
   * Optional fast path: `update` followed by `applyUpdates`, in one fused pass per leaf
   * (same math; one rounding instead of several). Training loops use it when present.
   */
  updateAndApply?(grads: Tree, state: S, params: Tree): readonly [Tree, S]
}

/** The state type of a transformation. */
export type StateOf<T> = T extends GradientTransformation<infer S> ? S : never
