// The threaded tier: 1, 2 and 3 threads give bit-identical results (equal to gemmWasm) that agree with a float64
// triple loop; products just below the work threshold stay on one thread, just above it use the pool; the pool
// survives memory growth and shutdown, never keeps the process alive, and bad thread counts are clear errors.
import { fileURLToPath } from 'node:url'
import { wasmHeap } from '@nabla/ndarray/core'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import type { GemmArgs } from '../src/kernels/gemm.js'
import { gemmPool } from '../src/kernels/threads/gemmParallel.js'
import { defaultMinWork, gemmParallel, poolSize, shutdownPool, threadSupport } from '../src/kernels/threads/index.js'
import { gemmWasm } from '../src/kernels/wasm/index.js'
import { gemmArgs, randomFloats, runChild, sameBits, sentinel, tripleLoop } from './gemmCases.js'

interface Case {
  readonly transA: boolean
  readonly transB: boolean
  readonly m: number
  readonly n: number
  readonly k: number
  readonly pad: number
  readonly offset: number
  readonly seed: number
}

// the same pad and offset for A, B and C
const build = ({ pad, offset, seed, ...cs }: Case): GemmArgs<Float32Array> =>
  gemmArgs({ ...cs, pads: [pad, pad, pad], offsets: [offset, offset, offset] }, (length, x) =>
    x === 'c' ? new Float32Array(length).fill(sentinel) : randomFloats(length, x === 'a' ? seed : seed + 1),
  )

/** The first C element farther from the float64 triple loop than γ_k·Σ|a||b| (u = 2⁻²⁴), or a changed pad. */
const firstError = (
  g: GemmArgs<Float32Array>,
  c: Float32Array,
  rows: readonly number[] | null = null,
): string | null => {
  for (const i of rows ?? Array.from({ length: g.m }, (_, r) => r)) {
    for (let j = 0; j < g.ldc && g.cOffset + i * g.ldc + j < c.length; j++) {
      const got = c[g.cOffset + i * g.ldc + j] as number
      if (j >= g.n) {
        if (got !== sentinel) return `padding C[${i}][${j}] changed to ${got}`
        continue
      }
      const { value, bound } = tripleLoop(g, i, j)
      if (!(Math.abs(got - value) <= bound)) return `C[${i}][${j}] = ${got}, expected ${value} ± ${bound}`
    }
  }
  return null
}

/** Runs the product with 1, 2 and 3 threads (threshold 0) and with gemmWasm; returns the C arrays and thread counts. */
const runAll = (g: GemmArgs<Float32Array>, minWork = 0) => {
  const results = [1, 2, 3].map((threads) => {
    const c = g.c.slice()
    const used = gemmParallel({ ...g, c }, { threads, minWork })
    return { c, used }
  })
  const single = g.c.slice()
  gemmWasm({ ...g, c: single })
  return { results, single }
}

/** Random products with every dimension from `min` to 70 (k to 300), pads and offsets up to 3. */
const caseArb = (min: number): fc.Arbitrary<Case> =>
  fc.record({
    transA: fc.boolean(),
    transB: fc.boolean(),
    m: fc.integer({ min, max: 70 }),
    n: fc.integer({ min, max: 70 }),
    k: fc.integer({ min, max: 300 }),
    pad: fc.nat(3),
    offset: fc.nat(3),
    seed: fc.nat(),
  })

afterAll(() => shutdownPool())

describe('threadSupport', () => {
  it('finds workers, SharedArrayBuffer and shared wasm memory on Node 20', () => {
    const support = threadSupport()
    expect(support.available).toBe(true)
    expect(support.missing).toEqual([])
    expect(support.cores).toBeGreaterThanOrEqual(1)
  })
})

describe('gemmParallel', () => {
  it('1, 2 and 3 threads are bit-identical to gemmWasm and agree with the triple loop (random shapes)', () => {
    fc.assert(
      fc.property(caseArb(0), (cs) => {
        const g = build(cs)
        const { results, single } = runAll(g)
        for (const { c } of results) expect(sameBits(c, single)).toBe(true)
        expect(firstError(g, single)).toBeNull()
      }),
      { numRuns: 60 },
    )
  })

  it('reads A and B that live in the shared WebAssembly heap in place, and writes an unpadded C there directly', () => {
    const heap = wasmHeap()
    const inHeap = ({ pad, offset, seed, ...cs }: Case): GemmArgs<Float32Array> =>
      gemmArgs({ ...cs, pads: [pad, pad, pad], offsets: [offset, offset, offset] }, (length, x) => {
        const data = heap.floats(Math.max(1, length)) as Float32Array
        data.set(
          x === 'c' ? new Float32Array(length).fill(sentinel) : randomFloats(length, x === 'a' ? seed : seed + 1),
        )
        return data
      })
    fc.assert(
      fc.property(caseArb(1), (cs) => {
        const g = inHeap(cs)
        const plain = { ...g, a: g.a.slice(), b: g.b.slice(), c: g.c.slice() }
        gemmWasm(plain)
        for (const threads of [2, 3]) {
          const c = heap.floats(g.c.length) as Float32Array
          c.fill(sentinel)
          gemmParallel({ ...g, c }, { threads, minWork: 0 })
          expect(sameBits(c, plain.c)).toBe(true)
        }
        expect(firstError(plain, plain.c)).toBeNull()
      }),
      { numRuns: 40 },
    )
    // what the layout does with them: A and B in place; C directly only without padding (m a whole number of
    // 2-row panels, n of 16-column panels, ldc = n)
    const engine = gemmPool(false).engine
    const placed = (m: number, n: number, pad: number) => {
      const g = inHeap({ transA: false, transB: true, m, n, k: 40, pad, offset: 1, seed: 1 })
      const plan = engine.prepare('test', g, 2)
      if (plan === undefined) throw new Error('the heap could not hold the product')
      engine.finish(g, plan)
      return [plan.copyA, plan.copyB, plan.cDirect]
    }
    expect(placed(64, 32, 0)).toEqual([false, false, true])
    expect(placed(63, 32, 0)).toEqual([false, false, false])
    expect(placed(64, 32, 1)).toEqual([false, false, false])
  })
  it('cuts C by columns (m ≤ n) or by rows (m > n) and uses as many threads as asked, bit-identically', () => {
    for (const [m, n, k, transA, transB] of [
      [128, 512, 40, false, false],
      [128, 10, 512, false, false],
      [300, 45, 70, true, false],
      [45, 300, 70, false, true],
    ] as const) {
      const g = build({ transA, transB, m, n, k, pad: 1, offset: 2, seed: m })
      const { results, single } = runAll(g)
      expect(results.map((r) => r.used)).toEqual([1, 2, 3])
      for (const { c } of results) expect(sameBits(c, single)).toBe(true)
      expect(firstError(g, single)).toBeNull()
    }
  })

  it('stays on the calling thread just below the work threshold and uses the pool just above it', () => {
    // n = 32 columns, k = 64: m0 rows reach the threshold, m0 − 1 rows fall 2048 multiply-adds short of it
    const m0 = Math.ceil(defaultMinWork / (32 * 64))
    for (const [m, expected] of [
      [m0 - 1, 1],
      [m0, 2],
    ] as const) {
      const g = build({ transA: false, transB: true, m, n: 32, k: 64, pad: 0, offset: 0, seed: m })
      expect(m * 32 * 64 < defaultMinWork).toBe(expected === 1)
      const c = g.c.slice()
      expect(gemmParallel({ ...g, c }, { threads: 2 })).toBe(expected)
      const single = g.c.slice()
      gemmWasm({ ...g, c: single })
      expect(sameBits(c, single)).toBe(true)
      expect(firstError(g, c, [0, 1, m - 2, m - 1])).toBeNull()
    }
  })

  it('survives memory growth with running workers, and a shutdown (the next call starts a new pool)', () => {
    const small = build({ transA: false, transB: false, m: 40, n: 64, k: 50, pad: 0, offset: 0, seed: 1 })
    expect(gemmParallel(small, { threads: 2, minWork: 0 })).toBe(2)
    expect(poolSize()).toBeGreaterThanOrEqual(1)
    // needs ~40 MB of shared memory, more than the pool's initial 16 MB
    const big = build({ transA: true, transB: false, m: 1100, n: 1200, k: 1000, pad: 0, offset: 0, seed: 2 })
    const { results, single } = runAll(big)
    for (const { c } of results) expect(sameBits(c, single)).toBe(true)
    expect(firstError(big, single, [0, 1, 547, 1098, 1099])).toBeNull()
    shutdownPool()
    expect(poolSize()).toBe(0)
    const again = small.c.slice()
    expect(gemmParallel({ ...small, c: again }, { threads: 2, minWork: 0 })).toBe(2)
    expect(firstError(small, again)).toBeNull()
  })

  it('falls back to one thread when there is one panel to compute', () => {
    const g = build({ transA: false, transB: false, m: 2, n: 16, k: 100, pad: 0, offset: 0, seed: 5 })
    expect(gemmParallel(g, { threads: 3, minWork: 0 })).toBe(1)
    expect(firstError(g, g.c)).toBeNull()
  })

  it('throws clear errors for a thread count that is not a positive integer, or a bad threshold', () => {
    const g = build({ transA: false, transB: false, m: 2, n: 2, k: 2, pad: 0, offset: 0, seed: 1 })
    for (const threads of [0, -1, 1.5, Number.NaN, 1000]) {
      expect(() => gemmParallel(g, { threads })).toThrow(
        `gemmParallel: threads must be an integer from 1 to 256, got ${threads}`,
      )
    }
    expect(() => gemmParallel(g, { minWork: -1 })).toThrow('gemmParallel: minWork must be a number ≥ 0, got -1')
    expect(() => gemmParallel({ ...g, ldc: 1 })).toThrow('gemmParallel: ldc must be an integer ≥ max(1, 2)')
  })

  it('does not keep the process alive: a child that used 2 threads exits by itself', () => {
    const index = fileURLToPath(new URL('../src/kernels/threads/index.ts', import.meta.url))
    const script = `
      const { gemmParallel, poolSize } = await import(${JSON.stringify(index)})
      const n = 256, a = new Float32Array(n * n).fill(1), c = new Float32Array(n * n)
      const used = gemmParallel({ transA: false, transB: false, m: n, n, k: n, a, aOffset: 0, lda: n,
        b: a, bOffset: 0, ldb: n, c, cOffset: 0, ldc: n }, { threads: 2 })
      console.log(JSON.stringify({ used, workers: poolSize(), c0: c[0] }))`
    const started = performance.now()
    expect(runChild(script, [], 30_000)).toEqual({ used: 2, workers: 1, c0: 256 })
    expect(performance.now() - started).toBeLessThan(30_000)
  })

  it('relaxed SIMD (child process with the V8 flag): 1, 2, 3 threads bit-identical', () => {
    const index = fileURLToPath(new URL('../src/kernels/threads/index.ts', import.meta.url))
    const script = `
      const { gemmParallel } = await import(${JSON.stringify(index)})
      let s = 5
      const rand = (len) => Float32Array.from({ length: len }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1))
      const m = 70, n = 90, k = 333, a = rand(m * k), b = rand(k * n)
      const outs = [1, 2, 3].map((threads) => {
        const c = new Float32Array(m * n)
        const used = gemmParallel({ transA: true, transB: false, m, n, k, a, aOffset: 0, lda: m, b, bOffset: 0, ldb: n,
          c, cOffset: 0, ldc: n }, { threads, minWork: 0, relaxedSimd: true })
        return { used, bits: Array.from(new Uint32Array(c.buffer)).join() }
      })
      console.log(JSON.stringify({ used: outs.map((o) => o.used), same: outs.every((o) => o.bits === outs[0].bits) }))`
    expect(runChild(script, ['--experimental-wasm-relaxed-simd'], 30_000)).toEqual({ used: [1, 2, 3], same: true })
  })
})
