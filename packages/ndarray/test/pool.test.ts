// The storage pool: only whole, owned, large buffers are taken; they come back zeroed; nothing kept is reused.
// Arenas: a span's large arrays come back at its end, except what its results (views included) still use.
import { describe, expect, it } from 'vitest'
import { buffersOf, type Concrete, openArena, recycle } from '../src/core.js'
import {
  add,
  array,
  concat,
  greater,
  mul,
  ones,
  reshape,
  slice,
  sum,
  take,
  toArray,
  where,
  zeros,
} from '../src/index.js'

const n = 40_000 // 160 KB of float32: above the pool's 64 KiB floor

describe('recycle', () => {
  it('a recycled buffer is reused, zeroed, by the next array of that size and dtype', () => {
    const a = add(ones([n]), 1) as Concrete
    const buffer = a.data
    expect(recycle({ w: a, count: 3 })).toBe(1)
    const b = zeros([n]) as Concrete
    expect(b.data).toBe(buffer)
    expect(toArray(slice(b, [0, 3]))).toEqual([0, 0, 0])
  })
  it('reuses float64 buffers above the floor in bytes though their element count is below it in float32 terms', () => {
    const m = 10_000 // 80 KB of float64, but only 40 KB were it float32
    const a = add(ones([m], { dtype: 'float64' }), 1) as Concrete
    const buffer = a.data
    expect(recycle(a)).toBe(1)
    expect((zeros([m], { dtype: 'float64' }) as Concrete).data).toBe(buffer)
  })
  it('ignores views, small arrays, buffers in `keep`, and a buffer offered twice', () => {
    const a = add(ones([n]), 1) as Concrete
    expect(recycle(slice(a, [1, n]))).toBe(0) // a view that does not own its buffer
    expect(recycle(ones([10]))).toBe(0)
    expect(recycle(a, { keep: buffersOf([a]) })).toBe(0)
    expect(recycle([a, reshape(a, [200, 200])])).toBe(1) // same buffer twice: taken once
    const first = zeros([n]) as Concrete
    const second = zeros([n]) as Concrete
    expect(first.data).toBe(a.data)
    expect(second.data).not.toBe(a.data)
  })
})

// the same arrays (by identity), in any order
const sameSet = (xs: readonly unknown[], ys: readonly unknown[]): boolean =>
  xs.length === ys.length && new Set(xs).size === xs.length && xs.every((x) => ys.includes(x))

describe('openArena', () => {
  // the pool's storage of float32 arrays of n elements, drained, so a test sees only its own buffers
  const drain = () => {
    const taken: unknown[] = []
    for (let i = 0; i < 64; i++) taken.push(zeros([n]))
    return taken
  }

  it("gives the span's dead arrays back, zeroed, and keeps the results' storage, views included", () => {
    drain()
    const before = add(ones([n]), 1) as Concrete // made before the span: never taken
    const arena = openArena()
    const dead = mul(before, 3) as Concrete
    const alsoDead = add(dead, 1) as Concrete
    const kept = add(before, 2) as Concrete
    const viewed = add(before, 5) as Concrete
    const result = { total: sum(alsoDead), kept, part: slice(reshape(viewed, [200, 200]), [0, 1]) }
    expect(arena.close(result)).toBe(2)
    // the next span gets them back (in the WebAssembly heap, where the runtime has one), zeroed
    const next = openArena()
    const reused = [zeros([n]), zeros([n])].map((x) => (x as Concrete).data)
    expect(sameSet(reused, [dead.data, alsoDead.data])).toBe(true)
    for (const x of reused) expect(x.every((v) => v === 0)).toBe(true)
    next.close()
    // the kept arrays, the viewed storage and the array from before still hold their values
    expect(toArray(slice(kept, [0, 2]))).toEqual([4, 4])
    expect(toArray(slice(result.part, [0, 1], [0, 2]))).toEqual([[7, 7]])
    expect(toArray(slice(before, [0, 2]))).toEqual([2, 2])
  })

  it('nests: an inner arena hands what its results keep to the outer one, which may then give it back', () => {
    drain()
    const base = ones([n])
    const outer = openArena()
    const inner = openArena()
    const a = add(base, 1) as Concrete
    const b = add(a, 1) as Concrete
    expect(inner.close(b)).toBe(1) // a
    expect(outer.close()).toBe(1) // b, no longer kept
    const next = openArena()
    expect(
      sameSet(
        [zeros([n]), zeros([n])].map((x) => (x as Concrete).data),
        [a.data, b.data],
      ),
    ).toBe(true)
    next.close()
  })

  it('discard takes nothing (the outer arena inherits), and closing out of order or twice throws', () => {
    drain()
    const base = ones([n])
    const outer = openArena()
    const inner = openArena()
    const a = add(base, 1) as Concrete
    expect(() => outer.close()).toThrow('openArena: close the inner arena first')
    inner.discard()
    expect(() => inner.close()).toThrow('openArena: this arena is already closed')
    const b = zeros([n]) as Concrete // not a's storage: nothing was given back
    expect(b.data).not.toBe(a.data)
    expect(outer.close(b)).toBe(1)
    const next = openArena()
    expect((zeros([n]) as Concrete).data).toBe(a.data)
    next.close()
  })
})

describe('ops that write every element', () => {
  // a buffer of the pool full of 7s: an op that takes it uncleared must still overwrite every element
  const dirty = (): Float32Array => {
    const a = add(ones([n]), 6) as Concrete
    recycle(a)
    return a.data as Float32Array
  }
  it('take recycled storage without clearing it and still give exact results (map, where, take, concat)', () => {
    const x = reshape(mul(ones([n]), -2), [200, 200])
    const half = mul(x, 0.5)
    const positive = greater(x, 0)
    const rows = array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3].concat(Array(190).fill(0)), { dtype: 'int32' })
    const [top, bottom] = [slice(x, [0, 100]), slice(x, [100, 200])]
    const cases: [string, () => unknown, number][] = [
      ['add', () => add(x, 1), -1],
      ['where', () => where(positive, x, half), -1],
      ['take', () => take(x, rows), -2],
      ['concat', () => concat([top, bottom], 0), -2],
    ]
    for (const [name, op, value] of cases) {
      const storage = dirty()
      const out = op() as Concrete
      expect(out.data, name).toBe(storage)
      expect(
        (out.data as Float32Array).every((v) => v === value),
        name,
      ).toBe(true)
    }
  })
})
