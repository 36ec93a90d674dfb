/**
 * trainStep: one step of the book's section 2.4 loop as a pure function — draw a batch,
 * compute the loss and its gradient with respect to the parameters only, let the optimizer
 * turn gradients into updates, apply them. `fit` runs this; so can your own loop.
 */
import { valueAndGrad } from '@nabla/autodiff'
import type { NDArray, Tree } from '@nabla/ndarray'
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

/**
 * Makes a step function: `(state, x, y) → [nextState, loss]`.
 * @example
 * const step = trainStep({ loss: (p, x, y) => softmaxCrossentropy(net.apply(p, x), y), optimizer: rmsprop() })
 * let state = { params, optState: rmsprop().init(params) }
 * for (const [x, y] of batches) [state] = step(state, x, y)
 */
export const trainStep = <P extends Tree, S>({ loss, optimizer }: TrainStepSpec<P, S>) => {
  const lossAndGrad = valueAndGrad(loss)
  return (state: TrainState<P, S>, x: NDArray, y: NDArray): [TrainState<P, S>, NDArray] => {
    const [value, grads] = lossAndGrad(state.params, x, y)
    const [updates, optState] = optimizer.update(grads, state.optState, state.params)
    return [{ params: applyUpdates(state.params, updates), optState }, value]
  }
}
