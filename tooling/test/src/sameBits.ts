/** Bit-for-bit comparison of two arrays, the oracle of transforms that promise the eager bits (jit, vmap). */
import { type NDArray, toTypedArray } from '@nabla/ndarray'
import { expect } from 'vitest'

/**
 * Same dtype, shape and bits (NaN payloads aside: every NaN equals every NaN); a mismatch names the element and
 * both values, with `labels` saying which side is which.
 * @example
 * expectSame(jit(f)(x), f(x))
 */
export const expectSame = (
  got: NDArray,
  want: NDArray,
  labels: readonly [string, string] = ['got', 'expected'],
): void => {
  expect(got.dtype).toBe(want.dtype)
  expect(got.shape).toEqual(want.shape)
  const g = toTypedArray(got)
  const w = toTypedArray(want)
  for (let i = 0; i < w.length; i++) {
    if (!Object.is(g[i], w[i]) && !(Number.isNaN(g[i]) && Number.isNaN(w[i]))) {
      throw new Error(`element ${i}: ${labels[0]} ${g[i]}, ${labels[1]} ${w[i]}`)
    }
  }
}
