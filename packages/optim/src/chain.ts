/** chain: compose gradient transformations left to right; the state is the tuple of their states. */
import type { GradientTransformation } from './transformation.js'

type States<T extends readonly GradientTransformation<unknown>[]> = {
  readonly [K in keyof T]: T[K] extends GradientTransformation<infer S> ? S : never
}

/**
 * Applies each transformation to the updates of the one before.
 * @category Transformations
 * @example
 * const adamLike = chain(scaleByAdam(), scaleByLearningRate(1e-3))
 * const state = adamLike.init({ w: zeros([2]) })
 * state.length // → 2
 * const [updates] = adamLike.update({ w: array([1, -1]) }, state)
 * toArray(updates.w) // → [-1e-3, 1e-3]
 */
export const chain = <T extends readonly GradientTransformation<unknown>[]>(
  ...transforms: T
): GradientTransformation<States<T>> => ({
  init: (params) => transforms.map((t) => t.init(params)) as unknown as States<T>,
  update: (grads, state, params) => {
    let updates = grads
    const next = transforms.map((t, i) => {
      const [u, s] = t.update(updates, (state as readonly unknown[])[i], params)
      updates = u
      return s
    })
    return [updates, next as unknown as States<T>]
  },
})
