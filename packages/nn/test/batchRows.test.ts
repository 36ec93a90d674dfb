import {
  arange,
  array,
  key,
  type NDArray,
  permutation,
  reshape,
  slice,
  take,
  toTypedArray,
  transpose,
} from '@nabla/ndarray'
import { wasmHeap } from '@nabla/ndarray/core'
import { describe, expect, it } from 'vitest'
import { rowGather } from '../src/batchRows.js'

const data = (x: NDArray) => (x as unknown as { data: Float32Array }).data

describe('rowGather (the compiled fit’s batches)', () => {
  it('gathers the rows take gathers, in order or through a permutation, for full and short batches', () => {
    const x = reshape(arange(0, 7 * 6, 1, { dtype: 'float32' }), [7, 2, 3])
    const order = permutation(key(3), 7)
    const index = toTypedArray(order) as Int32Array
    const next = rowGather(x)
    for (const [start, end] of [
      [0, 3],
      [3, 6],
      [6, 7],
    ] as const) {
      expect(toTypedArray(next(index, start, end))).toEqual(toTypedArray(take(x, slice(order, [start, end]))))
      const plain = next(undefined, start, end)
      expect(plain.shape).toEqual([end - start, 2, 3])
      expect(toTypedArray(plain)).toEqual(toTypedArray(slice(x, [start, end])))
    }
  })

  it('takes turns between two buffers per batch length, float32 ones in the WebAssembly heap', () => {
    const next = rowGather(reshape(arange(0, 40, 1, { dtype: 'float32' }), [10, 4]))
    const a = next(undefined, 0, 4)
    const b = next(undefined, 4, 8)
    const c = next(undefined, 0, 4)
    expect(data(a)).not.toBe(data(b))
    expect(data(c)).toBe(data(a))
    expect(wasmHeap().pointerOf(data(a))).toBeGreaterThanOrEqual(0)
    // the batch handed out before the last one is overwritten: b still holds its rows
    expect(toTypedArray(b)).toEqual(Float32Array.from({ length: 16 }, (_, i) => 16 + i))
  })

  it('reads a strided source (copied once) and other dtypes', () => {
    const t = transpose(reshape(arange(0, 12, 1, { dtype: 'float32' }), [3, 4])) // [4, 3], not row-major
    expect(toTypedArray(rowGather(t)(Int32Array.of(3, 0), 0, 2))).toEqual(Float32Array.of(3, 7, 11, 0, 4, 8))
    const labels = array([5, 6, 7], { dtype: 'int32' })
    expect(toTypedArray(rowGather(labels)(Int32Array.of(2, 1, 0), 1, 3))).toEqual(Int32Array.of(6, 5))
  })
})
