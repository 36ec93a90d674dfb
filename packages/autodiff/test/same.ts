// The oracle comparison of the vmap tests: a batched result against the examples computed one by one and stacked.
import { type NDArray, toTypedArray } from '@nabla/ndarray'
import { expect } from 'vitest'

/** Same dtype, shape and bits (every NaN equals every NaN). */
export const expectSame = (got: NDArray, want: NDArray): void => {
  expect(got.dtype).toBe(want.dtype)
  expect(got.shape).toEqual(want.shape)
  const g = toTypedArray(got)
  const w = toTypedArray(want)
  for (let i = 0; i < w.length; i++) {
    if (!Object.is(g[i], w[i]) && !(Number.isNaN(g[i]) && Number.isNaN(w[i]))) {
      throw new Error(`element ${i}: vmap gave ${g[i]}, the stacked examples ${w[i]}`)
    }
  }
}
