/** Momentum (optax's `trace`): a decaying sum of past updates, optionally in Nesterov's look-ahead form. */
import { add, mul, type NDArray, type Tree, treeMap } from '@nabla/ndarray'
import type { GradientTransformation } from './transformation.js'
import { zerosLike } from './zerosLike.js'

/**
 * The running momentum buffer.
 * @category Transformations
 * @example
 * const opt = trace({ decay: 0.5 })
 * const state: TraceState = opt.init({ w: zeros([2]) })
 * toArray(state.trace.w) // → [0, 0]
 * const [, next] = opt.update({ w: array([1, 2]) }, state)
 * const [updates] = opt.update({ w: array([1, 2]) }, next)
 * toArray(updates.w) // → [1.5, 3]
 */
export interface TraceState {
  readonly trace: Tree
}

/**
 * t ← decay·t + u; updates ← t (Nesterov: u + decay·t). Applied after the learning rate,
 * this is exactly Keras's `v = m·v − lr·g; w = w + v`.
 * @category Transformations
 * @example
 * const opt = chain(scaleByLearningRate(0.01), trace({ decay: 0.9 }))
 * const grads = { w: array([1]) }
 * const [u1, s1] = opt.update(grads, opt.init(grads))
 * const [u2] = opt.update(grads, s1)
 * toArray(u1.w) // → [-0.01]
 * toArray(u2.w) // → [-0.019]
 */
export const trace = ({
  decay,
  nesterov = false,
}: {
  readonly decay: number
  readonly nesterov?: boolean
}): GradientTransformation<TraceState> => {
  if (!(decay >= 0 && decay <= 1)) throw new RangeError(`trace: decay (momentum) must be in [0, 1], got ${decay}`)
  return {
    init: (params) => ({ trace: zerosLike(params) }),
    update: (updates, state) => {
      // t ← u + decay·t; Nesterov looks ahead with the new t: u + decay·t'
      const addDecayed = (u: NDArray, t: NDArray) => add(u, mul(t, decay))
      const next = treeMap(addDecayed, updates, state.trace)
      const out = nesterov ? treeMap(addDecayed, updates, next) : next
      return [out, { trace: next }]
    },
  }
}
