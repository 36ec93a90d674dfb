// The oracle comparison of the jit tests: a jitted result against the same function run eagerly.
import { type NDArray, toTypedArray } from '@nabla/ndarray'
import { expect } from 'vitest'

/** Same dtype, shape and bits (NaN payloads aside: every NaN equals every NaN). */
export const expectSame = (got: NDArray, want: NDArray): void => {
  expect(got.dtype).toBe(want.dtype)
  expect(got.shape).toEqual(want.shape)
  const g = toTypedArray(got)
  const w = toTypedArray(want)
  for (let i = 0; i < w.length; i++) {
    if (!Object.is(g[i], w[i]) && !(Number.isNaN(g[i]) && Number.isNaN(w[i]))) {
      throw new Error(`element ${i}: jit gave ${g[i]}, eager ${w[i]}`)
    }
  }
}
