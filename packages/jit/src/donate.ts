/** Donated arrays: once a jitted function has taken an argument's storage, reading that array is an error. */
import type { NDArray } from '@nabla/ndarray'
import { Concrete } from '@nabla/ndarray/core'

const donated = new WeakSet<NDArray>()

/**
 * Was `x` given up to a jitted function (donateArgnums)?
 * @example
 * // internal (not exported): jit checks it on every argument
 * const step = jit((w) => mul(w, 2), { donateArgnums: [0] })
 * const w = ones([2])
 * step(w)
 * step(w) // throws TypeError: holds an array that was donated
 */
export const isDonated = (x: NDArray): boolean => donated.has(x)

/**
 * Marks the leaves flagged in `mask` as donated: their `data` now throws, so no one reads storage that a
 * program's results have overwritten.
 * @example
 * // internal (not exported): jit applies it to the leaves of the donateArgnums arguments after a run
 * const step = jit((w, g) => sub(w, g), { donateArgnums: [0] })
 * const w = ones([2])
 * const g = ones([2])
 * toArray(step(w, g)) // → [0, 0]
 * toArray(g) // → [1, 1]
 * toArray(w) // throws TypeError: was donated to a jitted function
 */
export const consumeDonated = (leaves: readonly NDArray[], mask: readonly boolean[]): void => {
  leaves.forEach((x, i) => {
    if (!mask[i] || !(x instanceof Concrete) || donated.has(x)) return
    donated.add(x)
    Object.defineProperty(x, 'data', {
      get() {
        throw new TypeError(
          `this array (${x.dtype} [${x.shape}]) was donated to a jitted function (donateArgnums) and its storage reused; use that function's result instead`,
        )
      },
    })
  })
}
