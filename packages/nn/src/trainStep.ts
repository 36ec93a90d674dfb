/**
 * trainStep: one step of the book's section 2.4 loop as a pure function — draw a batch,
 * compute the loss and its gradient with respect to the parameters only, let the optimizer
 * turn gradients into updates, apply them. `fit` runs this; so can your own loop.
 */
import { valueAndGrad } from '@nabla/autodiff'
import type { NDArray, Tree } from '@nabla/ndarray'
import { openArena } from '@nabla/ndarray/core'
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
 * predictions for its metrics from the same forward pass. The arrays a step makes and does not
 * return are reused by the next one (see `openArena`), so the loss, like any function given to
 * `grad`, must not keep arrays past its call.
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
    return (state, x, y) =>
      inArena(() => {
        const [[value, aux], grads] = lossAndGrad(state.params, x, y)
        return [update(state, grads), value, aux]
      })
  }
  const lossAndGrad = valueAndGrad((spec as TrainStepSpec<P, S>).loss)
  return (state, x, y) =>
    inArena(() => {
      const [value, grads] = lossAndGrad(state.params, x, y)
      return [update(state, grads), value]
    })
}

/**
 * Runs a step in an arena (`openArena`): what it made and does not return — activations, the gradients once the
 * optimizer has consumed them — is dead at its end, and goes back to the pool for the next step (the [784, 512]
 * gradient of the book's network is then written in place again by the next step's product). Arrays that
 * existed before the step (the batch, a user's array that a custom rule returns) are never taken.
 */
const inArena = <T extends readonly unknown[]>(step: () => T): T => {
  const arena = openArena()
  let result: T
  try {
    result = step()
  } catch (error) {
    arena.discard()
    throw error
  }
  arena.close(result)
  return result
}
