// The storage pool: only whole, owned, large buffers are taken; they come back zeroed; nothing kept is reused.
import { describe, expect, it } from 'vitest'
import { buffersOf, type Concrete, recycle } from '../src/core.js'
import { add, ones, reshape, slice, toArray, zeros } from '../src/index.js'

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
