// The WebAssembly tier: its assembler, its capability probe, and gemmWasm against a float64 triple loop on
// random shapes (0- and 1-sized dims, sizes off the 2×16 and 4×2 tiles and the k blocks, all transpose flags,
// offsets, leading dimensions), with the plain SIMD module and — in a child process with the V8 flag — relaxed SIMD.
import { fileURLToPath } from 'node:url'
import { wasmHeap } from '@nabla/ndarray/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GemmArgs } from '../src/kernels/gemm.js'
import { gemmWasm, wasmSupport } from '../src/kernels/wasm/index.js'
import { flags, type GemmCase, gemmArgs, randomFloats, runChild, sameBits, sentinel, tripleLoop } from './gemmCases.js'

// ---- oracle ----------------------------------------------------------------------------------------

interface Case extends GemmCase {
  readonly seed: number
}

// C gets 3 elements of slack after its last row, which must keep the sentinel too.
const build = ({ seed, ...cs }: Case): GemmArgs<Float32Array> =>
  gemmArgs(cs, (length, x) =>
    x === 'c' ? new Float32Array(length + 3).fill(sentinel) : randomFloats(length, x === 'a' ? seed : seed + 1),
  )

/** The float64 triple loop and its error bound (see `tripleLoop`), for every element of C. */
const reference = (g: GemmArgs<Float32Array>) => {
  const value = new Float64Array(g.m * g.n)
  const bound = new Float64Array(g.m * g.n)
  for (let i = 0; i < g.m; i++) {
    for (let j = 0; j < g.n; j++) {
      const r = tripleLoop(g, i, j)
      value[i * g.n + j] = r.value
      bound[i * g.n + j] = r.bound
    }
  }
  return { value, bound }
}

/** The first element of c that is wrong (a C element out of bound, or a padding element changed), or null. */
const firstError = (g: GemmArgs<Float32Array>, c: Float32Array): string | null => {
  const { value, bound } = reference(g)
  for (let e = 0; e < c.length; e++) {
    const rel = e - g.cOffset
    const i = Math.floor(rel / g.ldc)
    const j = rel - i * g.ldc
    const inside = rel >= 0 && i < g.m && j < g.n
    const got = c[e] as number
    if (!inside) {
      if (got !== sentinel) return `element ${e} outside C changed to ${got}`
      continue
    }
    const want = value[i * g.n + j] as number
    if (!(Math.abs(got - want) <= (bound[i * g.n + j] as number))) {
      return `C[${i}][${j}] = ${got}, expected ${want} ± ${bound[i * g.n + j]}`
    }
  }
  return null
}

const caseArb = (maxDim: number, maxK: number): fc.Arbitrary<Case> =>
  fc.record({
    transA: fc.boolean(),
    transB: fc.boolean(),
    m: fc.integer({ min: 0, max: maxDim }),
    n: fc.integer({ min: 0, max: maxDim }),
    k: fc.integer({ min: 0, max: maxK }),
    pads: fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)),
    offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
    seed: fc.nat(),
  })

const plainCase = (m: number, n: number, k: number, transA = false, transB = false): Case => ({
  transA,
  transB,
  m,
  n,
  k,
  pads: [0, 0, 0],
  offsets: [0, 0, 0],
  seed: 7,
})

// ---- gemmWasm ----------------------------------------------------------------------------------------

describe('gemmWasm', () => {
  it('multiplies the 2×2 example by hand', () => {
    const c = new Float32Array(4)
    gemmWasm({
      ...{ transA: false, transB: false, m: 2, n: 2, k: 2 },
      ...{ a: Float32Array.of(1, 2, 3, 4), aOffset: 0, lda: 2, b: Float32Array.of(5, 6, 7, 8), bOffset: 0, ldb: 2 },
      ...{ c, cOffset: 0, ldc: 2 },
    })
    expect([...c]).toEqual([19, 22, 43, 50])
  })

  it('agrees with the triple loop on random small shapes, flags, offsets and leading dimensions', () => {
    fc.assert(
      fc.property(caseArb(37, 40), (cs) => {
        const g = build(cs)
        gemmWasm(g, { relaxedSimd: false })
        expect(firstError(g, g.c)).toBeNull()
      }),
      { numRuns: 300 },
    )
  })

  it('agrees across k blocks (256; 1024 in the dot form for n ≤ 15), the m block (128 rows) and partial panels', () => {
    for (const [m, n, k] of [
      [130, 33, 257],
      [3, 17, 513],
      [129, 10, 600],
      [5, 48, 1],
      [1, 1, 300],
      [9, 15, 2100],
      [6, 16, 1030],
    ] as const) {
      for (const [transA, transB] of flags) {
        const g = build({ ...plainCase(m, n, k, transA, transB), pads: [3, 1, 2], offsets: [1, 2, 3] })
        gemmWasm(g)
        expect(firstError(g, g.c), `${m}×${n}×${k} transA ${transA} transB ${transB}`).toBeNull()
      }
    }
  })

  it('k = 0 gives zeros; m = 0 or n = 0 leaves c untouched', () => {
    const g = build({ ...plainCase(3, 4, 0), pads: [0, 0, 2], offsets: [0, 0, 1] })
    gemmWasm(g)
    expect(firstError(g, g.c)).toBeNull()
    expect(g.c[1]).toBe(0)
    for (const [m, n] of [
      [0, 5],
      [5, 0],
    ] as const) {
      const h = build(plainCase(m, n, 3))
      gemmWasm(h)
      expect(h.c.every((x) => x === sentinel)).toBe(true)
    }
  })

  it('propagates NaN and ±Infinity exactly where the triple loop does (padding never leaks into C)', () => {
    for (const [m, n, k, transA] of [
      [5, 7, 9, false], // dot form
      [5, 21, 9, false], // tiles, partial panels
      [5, 21, 9, true],
    ] as const) {
      const g = build(plainCase(m, n, k, transA, false))
      const at = (i: number, p: number) => (transA ? p * g.lda + i : i * g.lda + p)
      g.a[at(0, 0)] = Number.NaN
      g.a[at(4, 8)] = Number.POSITIVE_INFINITY
      g.b[3 * g.ldb + 2] = Number.NEGATIVE_INFINITY
      gemmWasm(g)
      const { value } = reference(g)
      const kinds = (x: number) => (Number.isNaN(x) ? 'nan' : Number.isFinite(x) ? 'finite' : String(x))
      expect([...g.c.subarray(0, m * n)].map(kinds)).toEqual([...value].map(kinds))
    }
  })

  it('reads operands that live in the shared WebAssembly heap in place, with the bits of ordinary arrays', () => {
    const heap = wasmHeap()
    fc.assert(
      fc.property(caseArb(37, 40), fc.nat(7), (cs, where) => {
        const plain = build(cs)
        // some of A, B and C in the heap (bit 0: A, 1: B, 2: C), the same values
        const placed = { ...plain }
        for (const [bit, name] of [
          [1, 'a'],
          [2, 'b'],
          [4, 'c'],
        ] as const) {
          if ((where & bit) === 0 || plain[name].length === 0) continue
          const x = heap.floats(plain[name].length) as Float32Array
          x.set(plain[name])
          placed[name] = x
        }
        gemmWasm(plain, { relaxedSimd: false })
        gemmWasm(placed, { relaxedSimd: false })
        expect(sameBits(placed.c, plain.c)).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it('grows its memory for a larger product and stays right for smaller ones after', () => {
    for (const [m, n, k] of [
      [4, 4, 4],
      [300, 300, 300],
      [7, 9, 11],
    ] as const) {
      const g = build(plainCase(m, n, k, true, false))
      gemmWasm(g)
      expect(firstError(g, g.c)).toBeNull()
    }
  })

  it('the plain SIMD module (relaxedSimd: false) is the default on a runtime without relaxed SIMD', () => {
    const g = build(plainCase(9, 21, 30))
    gemmWasm(g, { relaxedSimd: false })
    const plain = g.c.slice()
    gemmWasm(g)
    if (!wasmSupport().relaxedSimd) expect(g.c).toEqual(plain)
    expect(firstError(g, g.c)).toBeNull()
  })

  it('the relaxed-SIMD module (f32x4.relaxed_madd) agrees with the triple loop (child process with the V8 flag)', () => {
    const index = fileURLToPath(new URL('../src/kernels/wasm/index.ts', import.meta.url))
    // The child runs the same checks: a fixed set of shapes and flags, reporting the worst error/bound ratio.
    const script = `
      const { gemmWasm, wasmSupport } = await import(${JSON.stringify(index)})
      const shapes = ${JSON.stringify(
        [
          [1, 1, 1],
          [5, 17, 3],
          [33, 10, 257],
          [130, 40, 70],
        ].flatMap(([m, n, k]) => flags.map(([tA, tB]) => [m, n, k, tA, tB])),
      )}
      let worst = 0
      let s = 99
      const rand = (len) => Float32Array.from({ length: len }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1))
      for (const [m, n, k, transA, transB] of shapes) {
        const a = rand(m * k), b = rand(k * n), c = new Float32Array(m * n)
        gemmWasm({ transA, transB, m, n, k, a, aOffset: 0, lda: transA ? m : k, b, bOffset: 0, ldb: transB ? k : n,
          c, cOffset: 0, ldc: n }, { relaxedSimd: true })
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let v = 0, abs = 0
          for (let p = 0; p < k; p++) {
            const x = a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j]
            v += x; abs += Math.abs(x)
          }
          const bound = (k * 2 ** -24) / (1 - k * 2 ** -24) * abs
          worst = Math.max(worst, bound === 0 ? (c[i * n + j] === 0 ? 0 : Infinity) : Math.abs(c[i * n + j] - v) / bound)
        }
      }
      console.log(JSON.stringify({ relaxed: wasmSupport().relaxedSimd, worst }))`
    const { relaxed, worst } = runChild(script, ['--experimental-wasm-relaxed-simd'], 60_000) as {
      relaxed: boolean
      worst: number
    }
    expect(relaxed).toBe(true)
    expect(worst).toBeLessThanOrEqual(1)
  })

  it('throws clear errors for bad arguments', () => {
    const g = build(plainCase(2, 3, 4))
    expect(() => gemmWasm({ ...g, a: new Float64Array(8) } as unknown as GemmArgs<Float32Array>)).toThrow(
      'gemmWasm: a is a Float64Array; this kernel takes Float32Array',
    )
    expect(() => gemmWasm({ ...g, m: -1 })).toThrow('gemmWasm: m must be a non-negative integer, got -1')
    expect(() => gemmWasm({ ...g, k: 2.5 })).toThrow('gemmWasm: k must be a non-negative integer, got 2.5')
    expect(() => gemmWasm({ ...g, lda: 3 })).toThrow('gemmWasm: lda must be an integer ≥ max(1, 4)')
    expect(() => gemmWasm({ ...g, bOffset: 1 })).toThrow(
      'gemmWasm: b is stored as [4×3] with ldb 3 from offset 1, which needs 13 elements, but b has 12',
    )
    if (!wasmSupport().relaxedSimd) {
      expect(() => gemmWasm(g, { relaxedSimd: true })).toThrow(
        'gemmWasm: relaxedSimd: true, but this runtime has no relaxed SIMD',
      )
    }
  })
})
