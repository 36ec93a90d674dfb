/**
 * trainStep: one step of the book's section 2.4 loop as a pure function — draw a batch,
 * compute the loss and its gradient with respect to the parameters only, let the optimizer
 * turn gradients into updates, apply them. `fit` runs this; so can your own loop.
 */
import { valueAndGrad } from '@nabla/autodiff'
import type { NDArray, Tree } from '@nabla/ndarray'
import { buffersOf, recycleResidentSince, residentClock } from '@nabla/ndarray/core'
import { applyUpdates, type GradientTransformation } from '@nabla/optim'

/** The pieces a training step needs. */
export interface TrainStepSpec<P extends Tree, S> {
  /** The loss of parameters `params` on a batch; only `params` is differentiated. */
  readonly loss: (params: P, x: NDArray, y: NDArray) => NDArray
  readonly optimizer: GradientTransformation<S>
}

/** The state a training loop carries from step to step. */
export interface TrainState<P extends Tree, S> {
  readonly params: P
  readonly optState: S
}

/** A {@link TrainStepSpec} whose loss also returns auxiliary values (e.g. the network's output, for metrics). */
export interface TrainStepWithAuxSpec<P extends Tree, S, A> {
  /** Returns `[loss, aux]`; no gradient flows through `aux`, which comes back as values. */
  readonly loss: (params: P, x: NDArray, y: NDArray) => readonly [NDArray, A]
  readonly optimizer: GradientTransformation<S>
  readonly hasAux: true
}

/**
 * Makes a step function: `(state, x, y) → [nextState, loss]`. With `hasAux: true` the loss
 * returns `[loss, aux]` and the step `[nextState, loss, aux]`: how `fit` gets the batch's
 * predictions for its metrics from the same forward pass.
 * @example
 * const step = trainStep({ loss: (p, x, y) => softmaxCrossentropy(net.apply(p, x), y), optimizer: rmsprop() })
 * let state = { params, optState: rmsprop().init(params) }
 * for (const [x, y] of batches) [state] = step(state, x, y)
 */
export function trainStep<P extends Tree, S>(
  spec: TrainStepSpec<P, S>,
): (state: TrainState<P, S>, x: NDArray, y: NDArray) => [TrainState<P, S>, NDArray]
export function trainStep<P extends Tree, S, A>(
  spec: TrainStepWithAuxSpec<P, S, A>,
): (state: TrainState<P, S>, x: NDArray, y: NDArray) => [TrainState<P, S>, NDArray, A]
export function trainStep<P extends Tree, S>(
  spec: TrainStepSpec<P, S> | TrainStepWithAuxSpec<P, S, unknown>,
): (state: TrainState<P, S>, x: NDArray, y: NDArray) => [TrainState<P, S>, NDArray, unknown?] {
  const { optimizer } = spec
  const update = (state: TrainState<P, S>, grads: P): TrainState<P, S> => {
    if (optimizer.updateAndApply !== undefined) {
      // the optimizer's fused path: the same step in one pass per leaf
      const [params, optState] = optimizer.updateAndApply(grads, state.optState, state.params)
      return { params: params as P, optState }
    }
    const [updates, optState] = optimizer.update(grads, state.optState, state.params)
    return { params: applyUpdates(state.params, updates), optState }
  }
  if ('hasAux' in spec && spec.hasAux) {
    const lossAndGrad = valueAndGrad(spec.loss, { hasAux: true })
    return (state, x, y) => {
      const since = residentClock()
      const [[value, aux], grads] = lossAndGrad(state.params, x, y)
      const next = update(state, grads)
      giveBack(grads, since, next, value, aux, x, y)
      return [next, value, aux]
    }
  }
  const lossAndGrad = valueAndGrad((spec as TrainStepSpec<P, S>).loss)
  return (state, x, y) => {
    const since = residentClock()
    const [value, grads] = lossAndGrad(state.params, x, y)
    const next = update(state, grads)
    giveBack(grads, since, next, value, x, y)
    return [next, value]
  }
}

/**
 * The gradients are the step's own: once the optimizer has consumed them, the ones this step made in the shared
 * WebAssembly heap (the kernel layer's gradient, [784, 512] for the book's network) go back to the pool, so the
 * next step's product writes its gradient in place again. Arrays that existed before the step (a user's array
 * returned by a custom rule) and anything the step returns or the new state holds are never taken.
 */
const giveBack = (grads: Tree, since: number, ...kept: readonly unknown[]): void => {
  recycleResidentSince(grads, since, { keep: buffersOf(...kept) })
}
