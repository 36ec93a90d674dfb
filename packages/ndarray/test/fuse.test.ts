// fuse runs element-wise chains as one loop and agrees with the same ops run one by one.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  add,
  array,
  div,
  exp,
  fuse,
  greater,
  key,
  maximum,
  mul,
  type NDArray,
  normal,
  sqrt,
  square,
  sub,
  sum,
  transpose,
  where,
} from '../src/index.js'

const rms = (g: NDArray, v: NDArray): [NDArray, NDArray] => {
  const nu = add(mul(v, 0.9), mul(square(g), 0.1))
  return [div(g, sqrt(add(nu, 1e-7))), nu]
}

describe('fuse', () => {
  it('agrees with the eager ops on random inputs (several outputs, constants, where, exp)', () => {
    const fused = fuse(rms)
    const other = fuse((a: NDArray, b: NDArray) => where(greater(a, b), exp(sub(a, b)), maximum(a, 0.5)))
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 300 }), (seed, n) => {
        const g = normal(key(seed), [n])
        const v = mul(square(normal(key(seed + 1), [n])), 2)
        const [u1, nu1] = fused(g, v)
        const [u2, nu2] = rms(g, v)
        expect(u1).toBeAllClose(u2, { rtol: 1e-6, atol: 1e-7 })
        expect(nu1).toBeAllClose(nu2, { rtol: 1e-6 })
        expect(other(g, v)).toBeAllClose(where(greater(g, v), exp(sub(g, v)), maximum(g, 0.5)), { rtol: 1e-6 })
      }),
      { numRuns: 25 },
    )
  })
  it('float64 stays float64 and matches to the last bits of a double', () => {
    const g = normal(key(3), [5, 4], { dtype: 'float64' })
    const v = square(normal(key(4), [5, 4], { dtype: 'float64' }))
    const [u] = fuse(rms)(g, v)
    expect(u.dtype).toBe('float64')
    expect(u).toBeAllClose(rms(g, v)[0], { rtol: 1e-15 })
  })
  it('falls back to the plain ops for non-element-wise ops, mixed shapes, views and integer inputs', () => {
    const withSum = fuse((a: NDArray) => sum(mul(a, 2)))
    const a = normal(key(5), [3, 4])
    expect(withSum(a)).toBeAllClose(sum(mul(a, 2)))
    const pair = fuse((x: NDArray, y: NDArray) => add(x, y))
    expect(pair(a, normal(key(6), [4]))).toBeAllClose(add(a, normal(key(6), [4])))
    expect(pair(transpose(a), transpose(a))).toBeAllClose(mul(transpose(a), 2))
    const ints = array([1, 2, 3], { dtype: 'int32' })
    expect(fuse((x: NDArray) => add(x, 1))(ints)).toBeAllClose([2, 3, 4])
  })
})
