// The WebAssembly SIMD form of fused float32 clusters against its oracle, the same ops run eagerly: bit for bit,
// for random chains (fast-check) over shapes with remainders, broadcasts along either axis, special values
// (NaN, ±0, ±Infinity, subnormals) and closing sums down columns, along rows and over everything; buffers in the
// WebAssembly heap and outside it.
import { dotGeneral, matmul } from '@nabla/linalg'
import {
  add,
  array,
  cast,
  div,
  equal,
  greater,
  less,
  maximum,
  minimum,
  mul,
  type NDArray,
  neg,
  reshape,
  sqrt,
  sub,
  sum,
  transpose,
  where,
} from '@nabla/ndarray'
import { clusterWasmStats } from '@nabla/ndarray/core'
import { wasmSupport } from '@nabla/ndarray/wasm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileJaxpr, jit, makeJaxpr } from '../src/index.js'
import { expectSame } from './same.js'

const simd = wasmSupport().simd && process.env.NABLA_KERNEL !== 'ref' && process.env.NABLA_KERNEL !== 'ts'

// large and small magnitudes make a sum's order visible in its bits
const specials = [
  Number.NaN,
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e-40,
  -1e-41,
  1,
  -1,
  3e20,
  -3e20,
  1e-20,
]
const valuesArb = (n: number) =>
  fc.array(
    fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...specials) },
      { weight: 6, arbitrary: fc.float({ min: -4, max: 4, noNaN: true }) },
    ),
    { minLength: n, maxLength: n },
  )
const f32 = (values: number[], shape: number[]) => array(Float32Array.from(values), { shape, dtype: 'float32' })

type Op = (v: NDArray, other: NDArray) => NDArray
const ops: readonly Op[] = [
  add,
  sub,
  mul,
  div,
  (v) => neg(v),
  (v) => sqrt(v),
  maximum,
  minimum,
  (v) => maximum(v, 0),
  (v, o) => where(greater(v, o), v, 0),
  (v, o) => where(less(v, 0.5), o, v),
  (v, o) => mul(cast(equal(v, o), 'float32'), v),
  (v) => add(mul(v, 0.8999999761581421), 0.10000000149011612),
]

describe('fused float32 clusters in WebAssembly SIMD give the eager bits', () => {
  it('random chains over [rows, cols] with row, column and scalar broadcasts, and a closing sum (fast-check)', () => {
    const before = clusterWasmStats.runs
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 13, max: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: ops.length - 1 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 7,
        }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (r, c, program, reduce, seed) => {
          const rows = r + 12 // at least 13 × 13 elements: past the SIMD threshold
          const data = fc.sample(valuesArb(rows * c + rows + c + 1), { seed, numRuns: 1 })[0] as number[]
          const a = f32(data.slice(0, rows * c), [rows, c])
          const col = f32(data.slice(rows * c, rows * c + rows), [rows, 1])
          const row = f32(data.slice(rows * c + rows, rows * c + rows + c), [c])
          const scalar = f32(data.slice(-1), [])
          const f = (x: NDArray, cl: NDArray, rw: NDArray, sc: NDArray) => {
            let v = x
            for (const [op, which] of program) v = (ops[op] as Op)(v, [x, cl, rw, sc][which] as NDArray)
            const total =
              reduce === 0 ? v : reduce === 1 ? sum(v, { axis: 0 }) : reduce === 2 ? sum(v, { axis: 1 }) : sum(v)
            return [v, total]
          }
          const want = f(a, col, row, scalar)
          const got = jit(f)(a, col, row, scalar)
          expectSame(got[0] as NDArray, want[0] as NDArray)
          expectSame(got[1] as NDArray, want[1] as NDArray)
        },
      ),
      { numRuns: 60 },
    )
    if (simd) expect(clusterWasmStats.runs).toBeGreaterThan(before)
  })

  it('random chains over 3- and 4-axis shapes the SIMD loop cannot coalesce to two (broadcasts, transposed and strided views)', () => {
    const before = clusterWasmStats.runs
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 5, max: 19 })),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: ops.length - 1 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        ([d0, d1, d2], four, program, seed) => {
          const shape = four ? [3, d0, d1, d2] : [d0 * 3, d1, d2]
          const n = shape.reduce((p, q) => p * q, 1)
          const data = fc.sample(valuesArb(2 * n + d2 + d1), { seed, numRuns: 1 })[0] as number[]
          const a = f32(data.slice(0, n), shape)
          // the same elements seen with the last two axes swapped and swapped back: strides no loop can merge
          const t = f32(data.slice(n, 2 * n), [...shape.slice(0, -2), shape.at(-1) as number, shape.at(-2) as number])
          const row = f32(data.slice(2 * n, 2 * n + d2), [d2])
          const mid = f32(data.slice(2 * n + d2, 2 * n + d2 + d1), [d1, 1])
          const f = (x: NDArray, y: NDArray, r: NDArray, m: NDArray) => {
            const perm = [...shape.keys()]
            perm.splice(-2, 2, perm.length - 1, perm.length - 2)
            const yt = transpose(y, perm)
            let v = x
            for (const [op, which] of program) v = (ops[op] as Op)(v, [x, yt, r, m][which] as NDArray)
            return v
          }
          expectSame(jit(f)(a, t, row, mid) as NDArray, f(a, t, row, mid))
        },
      ),
      { numRuns: 60 },
    )
    if (simd) expect(clusterWasmStats.runs).toBeGreaterThan(before)
  })

  it('the training step’s clusters: bias + ReLU with its mask, the masked backward with its column sum, rmsprop', () => {
    const n = 96
    const fill = (k: number, shape: number[]) =>
      f32(
        Array.from({ length: shape.reduce((p, q) => p * q, 1) }, (_, i) => Math.sin(i * 0.37 + k) * 2),
        shape,
      )
    // 96 × 200 floats = 75 KiB: the eager results live in the WebAssembly heap, the small ones outside it
    const x = fill(1, [n, 150])
    const w = fill(2, [150, 200])
    const b = fill(3, [200])
    const g = fill(4, [n, 200])
    const nu = mul(fill(5, [150, 200]), fill(5, [150, 200]))
    const step = (x: NDArray, w: NDArray, b: NDArray, g: NDArray, nu: NDArray) => {
      const z = add(matmul(x, w), b)
      const mask = greater(z, 0)
      const h = where(mask, z, 0)
      const back = where(mask, g, 0)
      const gb = sum(back, { axis: 0 })
      const gw = matmul(transpose(x), back)
      const nu2 = add(mul(nu, 0.8999999761581421), mul(mul(gw, gw), 0.10000000149011612))
      const w2 = add(w, mul(div(gw, add(sqrt(nu2), 1.0000000116860974e-7)), -0.0010000000474974513))
      return [h, gb, nu2, w2]
    }
    const before = clusterWasmStats.runs
    const want = step(x, w, b, g, nu)
    const exe = compileJaxpr(makeJaxpr(step)(x, w, b, g, nu))
    for (let k = 0; k < 2; k++) {
      const got = exe.run([x, w, b, g, nu] as never)
      for (const [i, v] of want.entries()) expectSame(got[i] as never, v)
    }
    if (simd) expect(clusterWasmStats.runs).toBeGreaterThan(before)
  })
})

describe('products whose contracting axes have length 1 (outer products) lower to one fused loop', () => {
  it('gives the product kernel’s bits: batch and free axes in any order, ±0, NaN and ±Infinity (fast-check)', () => {
    const before = clusterWasmStats.runs
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (b, m, n, swap, seed) => {
          const data = fc.sample(valuesArb(b * (m + n)), { seed, numRuns: 1 })[0] as number[]
          // vmap's per-example weight gradient: x [b, 1, m] and g [b, 1, n] contracted over the unit axis
          const x = f32(data.slice(0, b * m), [b, 1, m])
          const g = f32(data.slice(b * m), swap ? [1, b, n] : [b, 1, n])
          const dims = swap
            ? { contracting: [[1], [0]] as [number[], number[]], batch: [[0], [1]] as [number[], number[]] }
            : { contracting: [[1], [1]] as [number[], number[]], batch: [[0], [0]] as [number[], number[]] }
          const f = (u: NDArray, v: NDArray) => dotGeneral(u, v, dims)
          const exe = compileJaxpr(makeJaxpr(f)(x, g))
          expect(exe.steps.map((s) => s.kind)).toEqual(['cluster'])
          expectSame(exe.run([x, g] as never)[0] as never, f(x, g))
          // a plain outer product of two vectors, no batch axis
          const u = reshape(x, [b * m, 1])
          const v = reshape(g, [1, b * n])
          expectSame(jit(matmul)(u, v), matmul(u, v))
        },
      ),
      { numRuns: 80 },
    )
    if (simd) expect(clusterWasmStats.runs).toBeGreaterThan(before)
  })

  it('a per-example gradient as large as the heap’s budget for arrays, written outside the heap, is whole', () => {
    // 128 examples of 784 × 128: 51 MB, so after a few runs the result no longer fits the heap and the loop
    // writes it through a block it copies out; every element must be written (nothing is copied in first)
    const x = f32(
      Array.from({ length: 128 * 784 }, (_, i) => Math.sin(i) * 3),
      [128, 1, 784],
    )
    const g = f32(
      Array.from({ length: 128 * 128 }, (_, i) => Math.cos(i * 0.7)),
      [128, 1, 128],
    )
    const f = (u: NDArray, v: NDArray) => dotGeneral(u, v, { contracting: [[1], [1]], batch: [[0], [0]] })
    const want = f(x, g)
    const exe = compileJaxpr(makeJaxpr(f)(x, g))
    const copies = clusterWasmStats.copies
    const kept: NDArray[] = []
    for (let k = 0; k < 3; k++) {
      const [got] = exe.run([x, g] as never)
      kept.push(got as never)
      expectSame(got as never, want)
    }
    if (simd) expect(clusterWasmStats.copies).toBeGreaterThan(copies)
  })
})
