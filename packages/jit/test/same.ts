// The oracle comparison of the jit tests: a jitted result against the same function run eagerly.
import type { NDArray } from '@nabla/ndarray'
import { expectSame as same } from '@nabla/test-utils'

/** Same dtype, shape and bits (every NaN equals every NaN), naming the two sides in a mismatch. */
export const expectSame = (got: NDArray, want: NDArray): void => same(got, want, ['jit gave', 'eager'])
