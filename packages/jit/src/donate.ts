/** Donated arrays: once a jitted function has taken an argument's storage, reading that array is an error. */
import type { NDArray } from '@nabla/ndarray'
import { Concrete } from '@nabla/ndarray/core'

const donated = new WeakSet<NDArray>()

/**
 * Was `x` given up to a jitted function (donateArgnums)?
 * @example
 * isDonated(params) // true after step(params, …) with donateArgnums: [0]
 */
export const isDonated = (x: NDArray): boolean => donated.has(x)

/**
 * Marks the leaves flagged in `mask` as donated: their `data` now throws, so no one reads storage that a
 * program's results have overwritten.
 * @example
 * consumeDonated(leaves, [true, false])
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
