// Zero skipping in the WebAssembly GEMM: packA's compact copies (checked against a naive scan of the packed panel),
// and products that skip against the same module built without skipping (bit for bit, NaN and ±∞ included) and the
// float64 triple loop.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GemmArgs } from '../src/kernels/gemm.js'
import { aPanelBytes } from '../src/kernels/wasm/compactPanel.js'
import { GemmEngine, type GemmExports } from '../src/kernels/wasm/gemmEngine.js'
import { defaultGemmOptions, gemmModuleBytes } from '../src/kernels/wasm/gemmModule.js'
import type { GemmPlan } from '../src/kernels/wasm/gemmPlan.js'
import { gemmWasm } from '../src/kernels/wasm/index.js'
import { flags, type GemmCase, gemmArgs, randomFloats, sameBits, sentinel, tripleLoop } from './gemmCases.js'

const { mr, kc } = defaultGemmOptions

const engine = (skipZeros: boolean): GemmEngine =>
  new GemmEngine(
    new WebAssembly.Module(gemmModuleBytes({ ...defaultGemmOptions, relaxed: false, shared: false, skipZeros })),
    new WebAssembly.Memory({ initial: 16 }),
  )
const skipping = engine(true)
const dense = engine(false)

const multiply = (e: GemmEngine, g: GemmArgs<Float32Array>): Float32Array => {
  const c = g.c.slice()
  const args = { ...g, c }
  const plan = e.prepare('test', args, 1) as GemmPlan
  e.run(plan.jobs[0] as Int32Array)
  e.finish(args, plan)
  return c
}

/** Values of [-1, 1) with each one zeroed (+0 or −0) with probability `zeros`, from a seed. */
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
  transB: fc.boolean(),
  m: fc.integer({ min: 1, max: 40 }),
  n: fc.integer({ min: 1, max: 40 }),
  k: fc.integer({ min: 1, max: 600 }),
  pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  seed: fc.nat(),
  zeros: fc.constantFrom(0, 0.5, 0.8, 0.95, 1),
})

const kinds = (x: number) => (Number.isNaN(x) ? 'nan' : Number.isFinite(x) ? 'finite' : String(x))

describe('zero skipping (WebAssembly GEMM)', () => {
  it('packA keeps exactly the k steps where a panel has a value other than ±0, per k block, with their indices', () => {
    const mem = new WebAssembly.Memory({ initial: 64 })
    const e = new WebAssembly.Instance(
      new WebAssembly.Module(gemmModuleBytes({ ...defaultGemmOptions, relaxed: false, shared: false })),
      { env: { memory: mem } },
    ).exports as unknown as GemmExports
    for (const [m, k, zeros] of [
      [5, 7, 0.5],
      [4, 600, 0.8],
      [3, 256, 1],
      [6, 257, 0],
      [2, 1030, 0.9],
    ] as const) {
      const a = sparseFloats(m * k, m * 1000 + k, zeros)
      const f32 = new Float32Array(mem.buffer)
      const i32 = new Int32Array(mem.buffer)
      f32.set(a, 0)
      const dst = 4 * m * k + 64
      const counts = (ip: number) => dst / 4 + ip * (aPanelBytes(mr, k, kc) / 4) + (2 * mr + 1) * k
      // told not to compact (a narrow product), packA leaves the compact part alone
      i32.fill(-5, dst / 4, dst / 4 + (Math.ceil(m / mr) * aPanelBytes(mr, k, kc)) / 4)
      e.packA(0, 4 * k, 0, m, k, dst, 0, Math.ceil(m / mr), 0)
      expect(i32[counts(0)]).toBe(-5)
      e.packA(0, 4 * k, 0, m, k, dst, 0, Math.ceil(m / mr), 1)
      const stride = aPanelBytes(mr, k, kc) / 4
      const blocks = Math.ceil(k / kc)
      const step = Math.ceil(k / blocks)
      for (let ip = 0; ip < Math.ceil(m / mr); ip++) {
        const panel = dst / 4 + ip * stride
        for (let b = 0; b * step < k; b++) {
          const p0 = b * step
          const kept: number[] = []
          for (let p = p0; p < Math.min(k, p0 + step); p++) {
            const rows = Array.from({ length: mr }, (_, r) =>
              ip * mr + r < m ? (a[(ip * mr + r) * k + p] as number) : 0,
            )
            if (rows.some((x) => x !== 0)) kept.push(p - p0)
          }
          expect(i32[panel + (2 * mr + 1) * k + b], `panel ${ip} block ${b} of ${m}×${k}`).toBe(kept.length)
          const indices = [...i32.subarray(panel + 2 * mr * k + p0, panel + 2 * mr * k + p0 + kept.length)]
          expect(indices).toEqual(kept)
          // the compact copy holds the kept steps' values, bit for bit
          kept.forEach((q, t) => {
            for (let r = 0; r < mr; r++) {
              const copied = f32[panel + mr * k + mr * (p0 + t) + r] as number
              const dense = f32[panel + mr * (p0 + q) + r] as number
              expect(Object.is(copied, dense)).toBe(true)
            }
          })
        }
      }
    }
  })

  it('gives the same bits as the product without skipping, and agrees with the triple loop (random zeros, ±0)', () => {
    fc.assert(
      fc.property(caseArb, (cs) => {
        const g = build(cs)
        const got = multiply(skipping, g)
        expect(sameBits(got, multiply(dense, g))).toBe(true)
        for (let i = 0; i < g.m; i++) {
          for (let j = 0; j < g.n; j++) {
            const { value, bound } = tripleLoop(g, i, j)
            expect(Math.abs((got[g.cOffset + i * g.ldc + j] as number) - value)).toBeLessThanOrEqual(bound)
          }
        }
      }),
      { numRuns: 150 },
    )
  })

  it('an infinity or NaN in B still meets the zeros of A: 0·∞ is NaN where the triple loop has it', () => {
    for (const [transA, transB] of flags) {
      for (const zeros of [0.6, 1]) {
        const g = build({
          ...{ transA, transB, m: 9, n: 37, k: 300, pads: [1, 2, 0], offsets: [0, 1, 2] },
          ...{ seed: 3, zeros },
        })
        const bAt = (p: number, j: number) => g.bOffset + (transB ? j * g.ldb + p : p * g.ldb + j)
        g.b[bAt(5, 3)] = Number.POSITIVE_INFINITY
        g.b[bAt(290, 36)] = Number.NaN
        g.b[bAt(100, 20)] = Number.NEGATIVE_INFINITY
        const got = multiply(skipping, g)
        expect(sameBits(got, multiply(dense, g))).toBe(true)
        const want: string[] = []
        const have: string[] = []
        for (let i = 0; i < g.m; i++) {
          for (let j = 0; j < g.n; j++) {
            want.push(kinds(tripleLoop(g, i, j).value))
            have.push(kinds(got[g.cOffset + i * g.ldc + j] as number))
          }
        }
        expect(have).toEqual(want)
        if (zeros === 1) expect(have.filter((x) => x === 'nan').length).toBe(3 * g.m)
      }
    }
  })

  it('an all-zero A gives +0 everywhere, as the dense product does', () => {
    const g = build({
      ...{ transA: false, transB: false, m: 64, n: 48, k: 700, pads: [0, 0, 0], offsets: [0, 0, 0] },
      ...{ seed: 1, zeros: 1 },
    })
    const c = new Float32Array(g.m * g.n).fill(sentinel)
    gemmWasm({ ...g, c })
    expect(c.every((x) => Object.is(x, 0))).toBe(true)
  })
})
