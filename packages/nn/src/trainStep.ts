/**
 * trainStep: one step of the book's section 2.4 loop as a pure function — draw a batch,
 * compute the loss and its gradient with respect to the parameters only, let the optimizer
 * turn gradients into updates, apply them. `fit` runs this; so can your own loop.
 */
import { valueAndGrad } from '@nabla/autodiff'
import { jit } from '@nabla/jit'
import type { NDArray, Tree } from '@nabla/ndarray'
import { applyUpdates, type GradientTransformation } from '@nabla/optim'

/** How a step runs. */
export interface StepOptions {
  /**
   * Compile the step with `jit` (default true): traced once per batch shape into one program — forward pass,
   * gradient and optimizer update — whose element-wise work is fused and whose intermediates live in buffers
   * planned once. `false` runs it op by op (eagerly), e.g. to step through it in a debugger or to read values
   * inside the loss.
   */
  readonly jit?: boolean
}

/**
 * The pieces a training step needs.
 * @category Training
 * @example
 * // minimise (w − 3)² (the batch is not used)
 * const opt = sgd({ learningRate: 0.5 })
 * const spec: TrainStepSpec<NDArray, unknown> = { loss: (w) => square(sub(w, 3)), optimizer: opt, jit: false }
 * const step = trainStep(spec)
 * // from w = 1: loss 4, gradient −4, so one step of 0.5 lands on 3
 * const [next, loss] = step({ params: ones([]), optState: opt.init(ones([])) }, ones([1]), ones([1]))
 * item(loss) // → 4
 * item(next.params) // → 3
 */
export interface TrainStepSpec<P extends Tree, S> extends StepOptions {
  /** The loss of parameters `params` on a batch; only `params` is differentiated. */
  readonly loss: (params: P, x: NDArray, y: NDArray) => NDArray
  readonly optimizer: GradientTransformation<S>
}

/**
 * The state a training loop carries from step to step.
 * @category Training
 * @example
 * const opt = sgd({ learningRate: 0.1 })
 * const params = { kernel: array([[1], [1]]), bias: array([0]) }
 * const state: TrainState<DenseParams, unknown> = { params, optState: opt.init(params) }
 * const step = trainStep({ loss: (p, x, y) => meanSquaredError(y, dense(1).apply(p, x)), optimizer: opt })
 * // prediction 2 for label 0: loss 4, gradient 4 for each weight and the bias
 * const [next, loss] = step(state, array([[1, 1]]), array([[0]]))
 * item(loss) // → 4
 * toArray(next.params.kernel) // → [[0.6], [0.6]]
 * toArray(next.params.bias) // → [-0.4]
 */
export interface TrainState<P extends Tree, S> {
  readonly params: P
  readonly optState: S
}

/**
 * A {@link TrainStepSpec} whose loss also returns auxiliary values (e.g. the network's output, for metrics).
 * @category Training
 * @example
 * const opt = sgd({ learningRate: 0.1 })
 * const params = { kernel: array([[1], [1]]), bias: array([0]) }
 * const spec: TrainStepWithAuxSpec<DenseParams, unknown, NDArray> = {
 *   loss: (p, x, y) => {
 *     const out = dense(1).apply(p, x)
 *     return [meanSquaredError(y, out), out]
 *   },
 *   optimizer: opt,
 *   hasAux: true,
 * }
 * const [, loss, out] = trainStep(spec)({ params, optState: opt.init(params) }, array([[1, 1]]), array([[0]]))
 * item(loss) // → 4
 * toArray(out) // → [[2]]
 */
export interface TrainStepWithAuxSpec<P extends Tree, S, A> extends StepOptions {
  /** Returns `[loss, aux]`; no gradient flows through `aux`, which comes back as values. */
  readonly loss: (params: P, x: NDArray, y: NDArray) => readonly [NDArray, A]
  readonly optimizer: GradientTransformation<S>
  readonly hasAux: true
}

/**
 * Makes a step function: `(state, x, y) → [nextState, loss]`. With `hasAux: true` the loss
 * returns `[loss, aux]` and the step `[nextState, loss, aux]`: how `fit` gets the batch's
 * predictions for its metrics from the same forward pass. The step is compiled with `jit`
 * unless `jit: false`: the loss is then traced (once per batch shape), so it must compute with
 * array ops only — values are not readable inside it — and its arrays (the optimizer state
 * included) must all be NDArrays.
 * @category Training
 * @example
 * const net = serial(dense(4, { activation: 'relu' }), dense(2))
 * const [, params] = net.init(key(0), [2])
 * const opt = rmsprop({ learningRate: 0.01 })
 * const step = trainStep({ loss: (p, x, y) => softmaxCrossentropy(net.apply(p, x), y), optimizer: opt })
 * let state = { params, optState: opt.init(params) }
 * const batches = [
 *   [array([[0, 1], [1, 0]]), array([[1, 0], [0, 1]])],
 *   [array([[0, 2], [2, 0]]), array([[1, 0], [0, 1]])],
 * ]
 * const losses = []
 * for (let epoch = 0; epoch < 20; epoch++) {
 *   for (const [x, y] of batches) {
 *     const [next, loss] = step(state, x, y)
 *     state = next
 *     losses.push(item(loss))
 *   }
 * }
 * losses.at(-1) < losses[0] // → true
 * // or, keeping only the state
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
  const hasAux = 'hasAux' in spec && spec.hasAux
  const pure = pureStep(spec)
  const step = spec.jit !== false ? jit(pure) : pure
  return (state, x, y) => {
    const [next, value, aux] = asState<P, S, unknown>(step(state.params, state.optState, x, y))
    return hasAux ? [next, value, aux] : [next, value]
  }
}

/** The pure step's results `[params', optState', loss, aux?]` as `[state', loss, aux]`. */
const asState = <P, S, A>(out: unknown): [TrainState<P & Tree, S>, NDArray, A] => {
  const [params, optState, value, aux] = out as [P & Tree, S, NDArray, A]
  return [{ params, optState }, value, aux]
}

/** The whole step as one pure function of arrays, `(params, optState, x, y) → [params', optState', loss, aux?]`: what jit traces. */
const pureStep = <P extends Tree, S>(spec: TrainStepSpec<P, S> | TrainStepWithAuxSpec<P, S, unknown>) => {
  const { optimizer } = spec
  const hasAux = 'hasAux' in spec && spec.hasAux
  const lossAndGrad = hasAux
    ? valueAndGrad(spec.loss, { hasAux: true })
    : valueAndGrad((spec as TrainStepSpec<P, S>).loss)
  return (params: P, optState: S, x: NDArray, y: NDArray) => {
    const [out, grads] = lossAndGrad(params, x, y) as [NDArray | readonly [NDArray, unknown], P]
    const [updates, nextOptState] = optimizer.update(grads, optState, params)
    const next = applyUpdates(params, updates)
    return hasAux
      ? ([next, nextOptState, ...(out as readonly [NDArray, unknown])] as const)
      : ([next, nextOptState, out as NDArray] as const)
  }
}

/**
 * fit's compiled step (internal): the jitted step of {@link trainStep} with aux, taking one more argument, `spare` —
 * a state of the same structure that nothing reads any more. It is donated: the new state is written into its
 * storage rather than into fresh memory, so a training loop allocates nothing per step for its weights and
 * optimizer state. The caller must own `spare` (no user has seen it) and never use it again.
 */
export const trainStepIntoSpare = <P extends Tree, S, A>(
  spec: Omit<TrainStepWithAuxSpec<P, S, A>, 'jit'>,
): ((state: TrainState<P, S>, spare: TrainState<P, S>, x: NDArray, y: NDArray) => [TrainState<P, S>, NDArray, A]) => {
  const step = pureStep(spec as TrainStepWithAuxSpec<P, S, unknown>)
  const compiled = jit((params: P, optState: S, _p: P, _s: S, x: NDArray, y: NDArray) => step(params, optState, x, y), {
    donateArgnums: [2, 3],
  })
  return (state, spare, x, y) =>
    asState<P, S, A>(compiled(state.params, state.optState, spare.params, spare.optState, x, y)) as [
      TrainState<P, S>,
      NDArray,
      A,
    ]
}
