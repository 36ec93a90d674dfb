// The oracle comparison of the vmap tests: a batched result against the examples computed one by one and stacked.
import type { NDArray } from '@nabla/ndarray'
import { expectSame as same } from '@nabla/test-utils'

/** Same dtype, shape and bits (every NaN equals every NaN), naming the two sides in a mismatch. */
export const expectSame = (got: NDArray, want: NDArray): void => same(got, want, ['vmap gave', 'the stacked examples'])
