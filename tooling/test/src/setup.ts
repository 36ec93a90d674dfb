/** Vitest setup: registers the `toBeAllClose` matcher. */
import type { NDArray, NestedArray } from '@nabla/ndarray'
import { expect } from 'vitest'
import { allcloseFailure, type Tolerance } from './allclose.js'

expect.extend({
  toBeAllClose(received: NDArray | NestedArray, expected: NDArray | NestedArray, tolerance: Tolerance = {}) {
    const failure = allcloseFailure(received, expected, tolerance)
    return {
      pass: failure === null,
      message: () =>
        failure === null ? 'expected arrays not to be close, but they are' : `arrays are not close: ${failure}`,
    }
  },
})

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match vitest's declaration
  interface Matchers<T = any> {
    /** |actual − expected| ≤ atol + rtol·|expected| element-wise (NumPy's allclose), shapes equal. */
    toBeAllClose(expected: NDArray | NestedArray, tolerance?: Tolerance): T
  }
}
