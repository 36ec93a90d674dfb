// The sparse-rows form of the WebAssembly GEMM (rowsModule.ts): which products take it, and that it gives the bits
// of the tiles form (the same module planned with the form off), NaN and ±∞ of B included, on one and two threads.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GemmArgs } from '../src/kernels/gemm.js'
import { gemmParallel } from '../src/kernels/threads/index.js'
import { GemmEngine, gemmModule } from '../src/kernels/wasm/gemmEngine.js'
import { defaultGemmOptions } from '../src/kernels/wasm/gemmModule.js'
import { type GemmPlan, planGemm, sparseShare } from '../src/kernels/wasm/gemmPlan.js'
import { gemmWasm } from '../src/kernels/wasm/index.js'
import { type GemmCase, gemmArgs, randomFloats, sameBits, sentinel, tripleLoop } from './gemmCases.js'

const module = gemmModule({ relaxed: false, shared: false })
// transposed A too (off by default): the form's packing reads both layouts
const withTransA = { ...defaultGemmOptions, rowsTransA: true }
const rows = new GemmEngine(module, new WebAssembly.Memory({ initial: 16 }), undefined, withTransA)
const tiles = new GemmEngine(module, new WebAssembly.Memory({ initial: 16 }), undefined, {
  ...defaultGemmOptions,
  rowsMaxDensity: 0,
})

const multiply = (e: GemmEngine, g: GemmArgs<Float32Array>): { c: Float32Array; form: string } => {
  const c = g.c.slice()
  const args = { ...g, c }
  const plan = e.prepare('test', args, 1) as GemmPlan
  e.run(plan.jobs[0] as Int32Array)
  e.finish(args, plan)
  return { c, form: plan.form }
}

/** Values of [-1, 1), each zeroed (+0 or −0) with probability `zeros`. */
const sparseFloats = (length: number, seed: number, zeros: number): Float32Array => {
  const values = randomFloats(length, seed)
  const coins = randomFloats(length, seed ^ 0x5bd1e995)
  return values.map((v, i) => {
    const coin = ((coins[i] as number) + 1) / 2
    return coin < zeros ? (coin < zeros / 2 ? -0 : 0) : v
  })
}

interface Case extends GemmCase {
  readonly seed: number
  readonly zeros: number
}

const build = ({ seed, zeros, ...cs }: Case): GemmArgs<Float32Array> =>
  gemmArgs(cs, (length, x) =>
    x === 'c'
      ? new Float32Array(length).fill(sentinel)
      : x === 'a'
        ? sparseFloats(length, seed, zeros)
        : randomFloats(length, seed + 1),
  )

const caseArb = fc.record({
  transA: fc.boolean(),
  transB: fc.constant(false),
  m: fc.integer({ min: 1, max: 40 }),
  n: fc.constantFrom(36, 44, 48, 52, 96, 100),
  k: fc.integer({ min: 1, max: 600 }),
  pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  seed: fc.nat(),
  zeros: fc.constantFrom(0.6, 0.8, 0.95, 1),
})

const kinds = (x: number) => (Number.isNaN(x) ? 'nan' : Number.isFinite(x) ? 'finite' : String(x))

describe('the sparse-rows form (WebAssembly GEMM)', () => {
  it('serves sparse A against plain B with n a multiple of 4 above 2·nr, and nothing else', () => {
    const base = { pads: [0, 0, 0], offsets: [0, 0, 0], seed: 5 } as const
    const form = (cs: Omit<Case, 'pads' | 'offsets' | 'seed'>) =>
      planGemm(build({ ...base, ...cs }), defaultGemmOptions, 1).form
    expect(form({ transA: false, transB: false, m: 128, n: 512, k: 784, zeros: 0.8 })).toBe('rows')
    expect(form({ transA: true, transB: false, m: 784, n: 512, k: 128, zeros: 0.8 })).toBe('tiles')
    const xg = build({ ...base, transA: true, transB: false, m: 784, n: 512, k: 128, zeros: 0.8 })
    expect(planGemm(xg, withTransA, 1).form).toBe('rows')
    expect(form({ transA: false, transB: false, m: 128, n: 512, k: 784, zeros: 0 })).toBe('tiles')
    expect(form({ transA: false, transB: true, m: 128, n: 512, k: 784, zeros: 0.8 })).toBe('tiles')
    expect(form({ transA: false, transB: false, m: 128, n: 510, k: 784, zeros: 0.8 })).toBe('tiles')
    expect(form({ transA: false, transB: false, m: 128, n: 32, k: 784, zeros: 0.8 })).toBe('tiles')
    expect(form({ transA: false, transB: false, m: 128, n: 10, k: 784, zeros: 0.8 })).toBe('dot')
    const g = build({ ...base, transA: true, transB: false, m: 300, n: 64, k: 200, zeros: 0.75 })
    expect(Math.abs(sparseShare(g) - 0.25)).toBeLessThan(0.06)
  })

  it('gives the bits of the tiles form and agrees with the triple loop (random zeros, ±0, strided operands)', () => {
    let taken = 0
    fc.assert(
      fc.property(caseArb, (cs) => {
        const g = build(cs)
        const got = multiply(rows, g)
        // (a tiny or short product may still go to the tiles form)
        if (got.form === 'rows') taken++
        const want = multiply(tiles, g)
        expect(want.form).toBe('tiles')
        expect(sameBits(got.c, want.c)).toBe(true)
        for (let i = 0; i < g.m; i++) {
          for (let j = 0; j < g.n; j++) {
            const { value, bound } = tripleLoop(g, i, j)
            expect(Math.abs((got.c[g.cOffset + i * g.ldc + j] as number) - value)).toBeLessThanOrEqual(bound)
          }
          // C's padding is left alone
          for (let j = g.n; j < g.ldc && g.cOffset + i * g.ldc + j < g.c.length; j++)
            expect(got.c[g.cOffset + i * g.ldc + j]).toBe(sentinel)
        }
      }),
      { numRuns: 120 },
    )
    expect(taken).toBeGreaterThan(60)
  })

  it('an infinity or NaN in B still meets the zeros of A: 0·∞ is NaN where the triple loop has it', () => {
    for (const transA of [false, true]) {
      for (const zeros of [0.7, 1]) {
        const g = build({
          ...{ transA, transB: false, m: 9, n: 100, k: 600, pads: [1, 2, 0], offsets: [0, 1, 2] },
          ...{ seed: 3, zeros },
        })
        const bAt = (p: number, j: number) => g.bOffset + p * g.ldb + j
        g.b[bAt(5, 3)] = Number.POSITIVE_INFINITY
        g.b[bAt(590, 99)] = Number.NaN
        g.b[bAt(300, 50)] = Number.NEGATIVE_INFINITY
        const got = multiply(rows, g)
        expect(got.form).toBe('rows')
        expect(sameBits(got.c, multiply(tiles, g).c)).toBe(true)
        const want: string[] = []
        const have: string[] = []
        for (let i = 0; i < g.m; i++) {
          for (let j = 0; j < g.n; j++) {
            want.push(kinds(tripleLoop(g, i, j).value))
            have.push(kinds(got.c[g.cOffset + i * g.ldc + j] as number))
          }
        }
        expect(have).toEqual(want)
        if (zeros === 1) expect(have.filter((x) => x === 'nan').length).toBe(3 * g.m)
      }
    }
  })

  it('gives the same bits on two threads as on one', () => {
    for (const [transA, m, n, k] of [
      [false, 128, 512, 784],
      [true, 784, 512, 128],
      [true, 37, 96, 300],
    ] as const) {
      const g = build({ transA, transB: false, m, n, k, pads: [0, 1, 0], offsets: [1, 0, 0], seed: m + n, zeros: 0.8 })
      const one = g.c.slice()
      gemmWasm({ ...g, c: one })
      const two = g.c.slice()
      gemmParallel({ ...g, c: two }, { threads: 2, minWork: 0 })
      expect(sameBits(one, two)).toBe(true)
    }
  })
})
