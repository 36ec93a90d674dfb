// WasmHeap: blocks inside one WebAssembly memory — reuse by size, growth that keeps earlier arrays valid,
// the resident budget, and fused loops that read and write arrays of the heap in place.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { add, fuse, key, mul, type NDArray, normal, sqrt } from '../src/index.js'
import type { Concrete } from '../src/ndarray.js'
import { residentFloats, WasmHeap, wasmHeap } from '../src/wasmHeap.js'

describe('WasmHeap', () => {
  it('hands out aligned blocks, reuses a released block of the same size, and says when it is full', () => {
    const heap = new WasmHeap(4 * 65536, 65536)
    const a = heap.alloc(100) as number
    const b = heap.alloc(100) as number
    const c = heap.alloc(100) as number
    expect(a % 64).toBe(0)
    expect(b - a).toBe(128) // 100 rounded up to whole cache lines
    heap.release(a)
    expect(heap.alloc(100)).toBe(a)
    // a larger free block serves a smaller request and keeps its rest free
    heap.release(b)
    expect(heap.alloc(64)).toBe(b)
    expect(heap.alloc(64)).toBe(b + 64)
    expect(heap.alloc(5 * 65536)).toBeUndefined() // more than the maximum
    expect(() => heap.release(c + 64)).toThrow('WasmHeap: internal: no block in use starts at')
  })

  it('merges a released block with its free neighbours, and lowers its top when the highest block goes', () => {
    const heap = new WasmHeap(64 * 65536, 65536)
    const [a, b, c, d] = [heap.alloc(1000), heap.alloc(2000), heap.alloc(3000), heap.alloc(64)] as number[]
    const top = heap.used
    heap.release(b as number)
    heap.release(a as number)
    heap.release(c as number)
    // a, b and c are one free block now: a request of their joint size fits there, the heap does not grow
    expect(heap.alloc(1024 + 2048 + 3008)).toBe(a)
    expect(heap.used).toBe(top)
    heap.release(a as number)
    heap.release(d as number)
    // everything is free: the top is back at the start
    expect(heap.used).toBe(64)
    expect(heap.alloc(64)).toBe(a)
  })

  it('never hands out overlapping blocks, whatever the order of requests and releases (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: -40, max: -1 })), { maxLength: 200 }),
        (ops) => {
          const heap = new WasmHeap(256 * 65536, 65536)
          const live: [number, number][] = []
          for (const op of ops) {
            if (op > 0) {
              const ptr = heap.alloc(op) as number
              expect(ptr % 64).toBe(0)
              for (const [p, n] of live) expect(ptr + op <= p || p + n <= ptr).toBe(true)
              live.push([ptr, op])
            } else if (live.length > 0) {
              const [ptr] = live.splice(-op % live.length, 1)[0] as [number, number]
              heap.release(ptr)
            }
          }
          const end = Math.max(64, ...live.map(([p, n]) => p + Math.ceil(n / 64) * 64))
          // the top is the end of the highest block in use: free space above it went back
          expect(heap.used).toBe(end)
          for (const [ptr] of live) heap.release(ptr)
          expect(heap.used).toBe(64)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('without shared memory it lends scratch blocks only: no arrays live in it, and growth still works', () => {
    const heap = new WasmHeap(64 * 65536, 65536, false)
    expect(heap.resident).toBe(false)
    expect(heap.memory.buffer).toBeInstanceOf(ArrayBuffer)
    expect(heap.floats(1000)).toBeUndefined()
    const ptr = heap.alloc(8 * 65536) as number // grows the memory
    heap.view().set([1, 2, 3], ptr / 4)
    expect(Array.from(heap.view().subarray(ptr / 4, ptr / 4 + 3))).toEqual([1, 2, 3])
    expect(heap.pointerOf(heap.view())).toBe(-1) // nothing is "in" a heap that is not resident
    heap.release(ptr)
    expect(heap.alloc(8 * 65536)).toBe(ptr)
  })
  it('keeps arrays valid and in place while the memory grows (shared memory), within its resident budget', () => {
    const heap = new WasmHeap(64 * 65536, 2 * 65536)
    expect(heap.resident).toBe(true) // Node has SharedArrayBuffer
    const x = heap.floats(1000) as Float32Array
    x.set([1, 2, 3])
    const grown = heap.alloc(8 * 65536) // forces growth
    expect(grown).toBeDefined()
    expect(heap.memory.buffer.byteLength).toBeGreaterThanOrEqual(9 * 65536)
    expect(Array.from(x.subarray(0, 4))).toEqual([1, 2, 3, 0])
    expect(heap.pointerOf(x)).toBe(x.byteOffset)
    expect(heap.view()[x.byteOffset / 4 + 1]).toBe(2)
    expect(heap.pointerOf(new Float32Array(4))).toBe(-1)
    // the budget: 2 pages of arrays at once
    expect(heap.floats(20_000)).toBeDefined()
    expect(heap.floats(20_000)).toBeUndefined()
  })
})

describe('residentFloats', () => {
  it('gives zeroed heap arrays from 64 KiB on, and nothing for smaller ones', () => {
    const big = residentFloats(16_384) as Float32Array
    expect(wasmHeap().pointerOf(big)).toBeGreaterThanOrEqual(0)
    expect(big.length).toBe(16_384)
    expect(big.every((v) => v === 0)).toBe(true)
    expect(residentFloats(16_383)).toBeUndefined()
  })
})

describe('fuse in the heap', () => {
  const step = fuse((p: NDArray, g: NDArray, v: NDArray): [NDArray, NDArray] => {
    const nu = add(mul(v, 0.9), mul(mul(g, g), 0.1))
    return [add(p, mul(g, mul(sqrt(nu), -0.01))), nu]
  })
  const plain = (p: NDArray, g: NDArray, v: NDArray): [NDArray, NDArray] => {
    const nu = add(mul(v, 0.9), mul(mul(g, g), 0.1))
    return [add(p, mul(g, mul(sqrt(nu), -0.01))), nu]
  }
  const data = (x: NDArray) => (x as Concrete).data as Float32Array
  // bit-for-bit equality, faster than a deep equality of typed arrays
  const same = (x: NDArray, y: NDArray) => {
    const [a, b] = [new Uint32Array(data(x).slice().buffer), new Uint32Array(data(y).slice().buffer)]
    return a.length === b.length && a.every((v, i) => v === b[i])
  }

  it('writes large outputs into the heap and reads them in place next step', () => {
    const n = 50_000 // 200 KB: above the 64 KiB from which arrays live in the heap
    const heap = wasmHeap()
    let [p, v] = [normal(key(1), [n]), normal(key(2), [n])]
    for (let i = 0; i < 6; i++) {
      const g = normal(key(10 + i), [n])
      const [p1, v1] = step(p, g, v)
      const [q1, w1] = plain(p, g, v)
      expect(same(p1, q1)).toBe(true)
      expect(same(v1, w1)).toBe(true)
      expect(heap.pointerOf(data(p1))).toBeGreaterThanOrEqual(0)
      ;[p, v] = [p1, v1]
    }
  })
  it('copies small outputs out to ordinary arrays', () => {
    const n = 2000
    const [p, g, v] = [normal(key(3), [n]), normal(key(4), [n]), normal(key(5), [n])]
    const [p1] = step(p, g, v)
    expect(wasmHeap().pointerOf(data(p1))).toBe(-1)
    expect(same(p1, plain(p, g, v)[0])).toBe(true)
  })
})
