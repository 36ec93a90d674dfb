// The ts kernel tier against the ref oracle: all four transpose flags, offsets, leading
// dimensions, sizes that are not multiples of the tile (4) or the blocks (k 256, m 64, n 1024).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GemmArgs, GemmArray } from '../src/kernels/gemm.js'
import { refGemm } from '../src/kernels/ref.js'
import { blockedGemm, tsGemm } from '../src/kernels/ts.js'
import { flags, gemmArgs } from './gemmCases.js'

interface Case {
  readonly transA: boolean
  readonly transB: boolean
  readonly m: number
  readonly n: number
  readonly k: number
  /** extra elements at the end of each stored row (ld − row length) and before each matrix */
  readonly padA: number
  readonly padB: number
  readonly padC: number
  readonly offA: number
  readonly offB: number
  readonly offC: number
}

/** Values exact in float32 (small multiples of 1/2), so every summation order gives the same result. */
const exact = (i: number, seed: number) => (((i * 7919 + seed * 104729) % 41) - 20) / 2

/** Builds the arguments of a case; C starts filled with a sentinel that the product must overwrite. */
const build = (
  cs: Case,
  Type: typeof Float32Array | typeof Float64Array,
  value: (i: number, seed: number) => number,
): GemmArgs => {
  const { padA, padB, padC, offA, offB, offC, ...shape } = cs
  return gemmArgs({ ...shape, pads: [padA, padB, padC], offsets: [offA, offB, offC] }, (length, x): GemmArray => {
    if (x === 'c') return new Type(length).fill(-777)
    const out = new Type(length)
    for (let i = 0; i < length; i++) out[i] = value(i, x === 'a' ? 1 : 2)
    return out
  })
}

/** Runs `kernel` and the reference on the same case and compares every element of C, padding included. */
const agree = (kernel: (x: GemmArgs) => void, cs: Case, Type: typeof Float32Array | typeof Float64Array, tol = 0) => {
  const value = tol === 0 ? exact : (i: number, seed: number) => Math.sin(i * 12.9898 + seed * 78.233) * 2
  const mine = build(cs, Type, value)
  const ref = build(cs, Type, value)
  kernel(mine)
  refGemm(ref)
  if (tol === 0) expect(Array.from(mine.c)).toEqual(Array.from(ref.c))
  else expect(Array.from(mine.c)).toBeAllClose(Array.from(ref.c), { rtol: tol, atol: tol })
}

const caseArb = (maxDim: number) =>
  fc.record({
    transA: fc.boolean(),
    transB: fc.boolean(),
    m: fc.integer({ min: 0, max: maxDim }),
    n: fc.integer({ min: 0, max: maxDim }),
    k: fc.integer({ min: 0, max: maxDim }),
    padA: fc.nat(3),
    padB: fc.nat(3),
    padC: fc.nat(3),
    offA: fc.nat(5),
    offB: fc.nat(5),
    offC: fc.nat(5),
  })

const plain = { padA: 0, padB: 0, padC: 0, offA: 0, offB: 0, offC: 0 }

describe.each([
  ['blockedGemm', blockedGemm],
  ['tsGemm', tsGemm],
] as const)('%s agrees with refGemm', (_, kernel) => {
  it('on random small cases: all flags, offsets, padded leading dimensions, 0- and 1-sized extents', () => {
    fc.assert(
      fc.property(caseArb(13), fc.boolean(), (cs, f64) => agree(kernel, cs, f64 ? Float64Array : Float32Array)),
      { numRuns: 300 },
    )
  })

  it.each(flags)('across block boundaries, transA=%s transB=%s', (transA, transB) => {
    for (const [m, n, k] of [
      [65, 7, 3], // two row blocks, the second of 1 row
      [5, 1030, 2], // two column blocks
      [6, 5, 257], // two depth blocks
      [130, 66, 530], // all of them, nothing a multiple of 4
      [1, 1, 1],
    ] as const) {
      agree(kernel, { transA, transB, m, n, k, ...plain }, Float32Array)
      agree(kernel, { transA, transB, m, n, k, padA: 3, padB: 1, padC: 2, offA: 5, offB: 3, offC: 7 }, Float64Array)
    }
  })

  it('on non-exact float64 values to 1e-12 and float32 to 1e-5', () => {
    for (const [transA, transB] of flags) {
      const cs = { transA, transB, m: 37, n: 29, k: 300, padA: 1, padB: 2, padC: 0, offA: 3, offB: 0, offC: 1 }
      agree(kernel, cs, Float64Array, 1e-12)
      agree(kernel, cs, Float32Array, 1e-5)
    }
  })
})

describe('edge cases of the kernel contract', () => {
  it('k = 0 writes zeros over C (and nothing outside its m×n window)', () => {
    for (const kernel of [refGemm, blockedGemm, tsGemm]) {
      const c = new Float32Array(12).fill(5)
      kernel({
        transA: false,
        transB: false,
        m: 2,
        n: 3,
        k: 0,
        a: new Float32Array(0),
        aOffset: 0,
        lda: 1,
        b: new Float32Array(0),
        bOffset: 0,
        ldb: 3,
        c,
        cOffset: 1,
        ldc: 4,
      })
      expect(Array.from(c)).toEqual([5, 0, 0, 0, 5, 0, 0, 0, 5, 5, 5, 5])
    }
  })

  it('m = 0 or n = 0 leaves C untouched', () => {
    for (const kernel of [refGemm, blockedGemm, tsGemm]) {
      for (const [m, n] of [
        [0, 3],
        [3, 0],
      ] as const) {
        const c = new Float64Array(4).fill(5)
        const a = new Float64Array(9).fill(1)
        kernel({
          transA: false,
          transB: false,
          m,
          n,
          k: 3,
          a,
          aOffset: 0,
          lda: 3,
          b: a,
          bOffset: 0,
          ldb: 3,
          c,
          cOffset: 0,
          ldc: 3,
        })
        expect(Array.from(c)).toEqual([5, 5, 5, 5])
      }
    }
  })

  it('refGemm computes the definition on a hand-checked case', () => {
    const c = new Float32Array(4)
    // [[1,2,3],[4,5,6]] · [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
    refGemm({
      transA: false,
      transB: false,
      m: 2,
      n: 2,
      k: 3,
      a: Float32Array.of(1, 2, 3, 4, 5, 6),
      aOffset: 0,
      lda: 3,
      b: Float32Array.of(1, 0, 0, 1, 1, 1),
      bOffset: 0,
      ldb: 2,
      c,
      cOffset: 0,
      ldc: 2,
    })
    expect(Array.from(c)).toEqual([4, 5, 10, 11])
  })
})
