// The narrow transposed product (op(A) transposed, n ≤ 15, m ≥ 4n — MNIST's hᵀ·g) runs as Cᵀ = op(B)ᵀ·op(A)ᵀ:
// the same sums in the same order, so the same bits as the WebAssembly tiles form run directly, and only C's
// own elements are written.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { setKernel } from '../src/index.js'
import { gemm } from '../src/kernels/dispatch.js'
import { resetKernelSettings } from '../src/kernels/settings.js'
import { gemmWasm } from '../src/kernels/wasm/index.js'
import { gemmArgs, randomFloats, sameBits, sentinel, tripleLoop } from './gemmCases.js'

const caseArb = fc.record({
  transA: fc.constant(true),
  transB: fc.boolean(), // transB products keep the direct form: both must match it
  n: fc.integer({ min: 1, max: 15 }),
  mTimes: fc.integer({ min: 4, max: 40 }),
  k: fc.integer({ min: 1, max: 300 }),
  zeros: fc.double({ min: 0, max: 0.95, noNaN: true }),
  special: fc.constantFrom('none', 'inf-in-b', 'nan-in-a'),
  pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
  seed: fc.nat(),
})

describe('narrow products with op(A) transposed', () => {
  // the WebAssembly tier even for tiny products, on the calling thread: the form under test
  beforeAll(() => setKernel({ kernel: 'wasm', threads: 1 }))
  afterAll(() => resetKernelSettings())
  it('give the bits of the tiles form run directly, write only C, and stay within the error bound', () => {
    fc.assert(
      fc.property(caseArb, ({ transA, transB, n, mTimes, k, zeros, special, pads, offsets, seed }) => {
        const cs = { transA, transB, m: n * mTimes, n, k, pads, offsets }
        const make = () =>
          gemmArgs(cs, (length, x) => {
            if (x === 'c') return new Float32Array(length).fill(sentinel)
            const v = randomFloats(length, seed + (x === 'a' ? 1 : 2))
            // sparse A (as relu activations are), with a NaN or ±Inf now and then
            if (x === 'a') for (let i = 0; i < v.length; i += 1) if ((i * 0.618) % 1 < zeros) v[i] = 0
            if (special === 'nan-in-a' && x === 'a') v[Math.floor(v.length / 2)] = Number.NaN
            if (special === 'inf-in-b' && x === 'b') v[Math.floor(v.length / 3)] = Number.POSITIVE_INFINITY
            return v
          })
        const viaDispatch = make()
        const direct = make()
        gemm(viaDispatch)
        gemmWasm(direct)
        expect(sameBits(viaDispatch.c, direct.c)).toBe(true)
        // untouched outside C, and each element as the float64 sum (NaN where it must be)
        const { m, c, cOffset, ldc } = viaDispatch
        for (let i = 0; i < c.length; i++) {
          const row = Math.floor((i - cOffset) / ldc)
          const col = i - cOffset - row * ldc
          if (i < cOffset || row >= m || col >= n) expect(c[i]).toBe(sentinel)
        }
        for (let i = 0; i < m; i += Math.max(1, Math.floor(m / 7))) {
          for (let j = 0; j < n; j++) {
            const { value, bound } = tripleLoop(viaDispatch, i, j)
            const got = c[cOffset + i * ldc + j] as number
            if (Number.isNaN(value)) expect(got).toBeNaN()
            else if (!Number.isFinite(value)) expect(got).toBe(value)
            else expect(Math.abs(got - value)).toBeLessThanOrEqual(bound + 1e-30)
          }
        }
      }),
      { numRuns: 120 },
    )
  })
})
