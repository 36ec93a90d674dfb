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
  neg,
  normal,
  sqrt,
  square,
  sub,
  sum,
  toTypedArray,
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

// Float32 chains of +, −, ×, ÷, neg and sqrt from 1024 elements on run as WebAssembly SIMD, one float32 rounding
// per op — the same rounding as the eager ops, so the bits must agree exactly, specials included.
describe('fuse: the WebAssembly SIMD form', () => {
  const bits = (x: NDArray) => new Uint32Array(Float32Array.from(toTypedArray(x) as Float32Array).buffer)
  // the first index where the bit patterns differ (-1: none); faster than a deep equality on a million elements
  const firstDifference = (x: NDArray, y: NDArray): number => {
    const [a, b] = [bits(x), bits(y)]
    if (a.length !== b.length) return Math.min(a.length, b.length)
    return a.findIndex((v, i) => v !== b[i])
  }
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-45, 3.4e38, -1]
  const withSpecials = (seed: number, n: number, scale: number): NDArray => {
    const data = Float32Array.from(toTypedArray(normal(key(seed), [n])) as Float32Array, (x) => x * scale)
    specials.forEach((s, i) => {
      data[(i * 97 + seed) % n] = s
    })
    return array(data, { dtype: 'float32', shape: [n] })
  }
  // an rmsprop-and-apply step: three inputs, constants, sqrt and division, two outputs (one of them an input's
  // neighbour in the graph) — what the optimizers fuse
  const step = (p: NDArray, g: NDArray, v: NDArray): [NDArray, NDArray, NDArray] => {
    const nu = add(mul(v, 0.9), mul(square(g), 0.1))
    return [sub(p, mul(div(g, sqrt(add(nu, 1e-7))), 0.001)), nu, neg(g)]
  }

  it('gives the eager ops’ bits exactly, for lengths around multiples of four and NaN, ±inf, ±0, subnormals', () => {
    const fused = fuse(step)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1024, max: 1100 }), (seed, n) => {
        const [p, g, v] = [withSpecials(seed, n, 1), withSpecials(seed + 1, n, 0.01), withSpecials(seed + 2, n, 1)]
        const fast = fused(p, g, v)
        const eager = step(p, g, v)
        fast.forEach((x, k) => {
          expect(x.dtype).toBe('float32')
          expect(x.shape).toEqual([n])
          expect(firstDifference(x, eager[k] as NDArray)).toBe(-1)
        })
      }),
      { numRuns: 20 },
    )
  })
  it('returns an input unchanged as a result, and handles a length that needs the memory to grow', () => {
    const n = 1_000_003
    const x = normal(key(9), [n])
    const [same, half] = fuse((a: NDArray) => [a, div(a, 2)] as const)(x)
    expect(firstDifference(same as NDArray, x)).toBe(-1)
    expect(firstDifference(half as NDArray, div(x, 2))).toBe(-1)
  })
  it('below 1024 elements, and for ops without a SIMD form (exp), the JavaScript loop runs and agrees', () => {
    const f = fuse((a: NDArray, b: NDArray) => add(exp(mul(a, 0.5)), b))
    for (const n of [1000, 2048]) {
      const [a, b] = [normal(key(n), [n]), normal(key(n + 1), [n])]
      // the JavaScript loop keeps the chain in float64 and rounds once: within a few float32 ulps of the ops
      expect(f(a, b)).toBeAllClose(add(exp(mul(a, 0.5)), b), { rtol: 1e-5, atol: 1e-7 })
    }
  })
})
