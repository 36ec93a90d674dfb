// dotGeneral reads operands in place with transpose flags (no copy) whenever the layout allows,
// and counts its GEMM calls.

import { arange, array, broadcastTo, reshape, slice, transpose, zeros } from '@nabla/ndarray'
import { Concrete } from '@nabla/ndarray/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { dot, dotGeneral, gemmStats, kernelInfo, matmul, resetGemmStats } from '../src/index.js'
import { matrixLayout, mergeAxes } from '../src/kernels/layout.js'

const asConcrete = (x: unknown) => x as Concrete
/** 0, 1, 2, … in float32 (an int32 arange would be cast, i.e. copied, before the product). */
const iota = (shape: number[]) =>
  reshape(
    arange(
      shape.reduce((p, d) => p * d, 1),
      undefined,
      1,
      { dtype: 'float32' },
    ),
    shape,
  )

describe('mergeAxes and matrixLayout', () => {
  it('merges axes laid out like a reshape, skipping size-1 axes, and refuses others', () => {
    const x = asConcrete(zeros([2, 3, 1, 4]))
    expect(mergeAxes(x, [1, 2, 3])).toEqual({ extent: 12, stride: 1 })
    expect(mergeAxes(x, [0, 1])).toEqual({ extent: 6, stride: 4 })
    expect(mergeAxes(x, [])).toEqual({ extent: 1, stride: 0 })
    expect(mergeAxes(asConcrete(transpose(x, [1, 0, 2, 3])), [0, 1])).toBeNull()
    expect(mergeAxes(asConcrete(slice(x, null, null, null, [0, 4, 2])), [2, 3])).toEqual({ extent: 2, stride: 2 })
  })

  it('reads a matrix plainly, transposed (the flag), or not at all', () => {
    expect(matrixLayout({ extent: 3, stride: 5 }, { extent: 5, stride: 1 })).toEqual({ trans: false, ld: 5 })
    expect(matrixLayout({ extent: 5, stride: 1 }, { extent: 3, stride: 5 })).toEqual({ trans: true, ld: 5 })
    // a padded row stride is a leading dimension
    expect(matrixLayout({ extent: 3, stride: 8 }, { extent: 5, stride: 1 })).toEqual({ trans: false, ld: 8 })
    // neither axis contiguous, a broadcast (stride 0), a reversed row order, overlapping rows: copy
    expect(matrixLayout({ extent: 3, stride: 10 }, { extent: 5, stride: 2 })).toBeNull()
    expect(matrixLayout({ extent: 3, stride: 0 }, { extent: 5, stride: 1 })).toBeNull()
    expect(matrixLayout({ extent: 3, stride: -5 }, { extent: 5, stride: 1 })).toBeNull()
    expect(matrixLayout({ extent: 3, stride: 2 }, { extent: 5, stride: 1 })).toBeNull()
    // one row: any column stride is fine, read as a transposed 1-column matrix
    expect(matrixLayout({ extent: 1, stride: 0 }, { extent: 5, stride: 3 })).toEqual({ trans: true, ld: 3 })
  })
})

describe('transpose flags instead of copies', () => {
  beforeEach(() => resetGemmStats())
  const x = iota([128, 20])
  const g = iota([128, 10])
  const w = iota([20, 10])

  it('xᵀ·g (a backward pass: contract the first axes) runs with transA and no copy', () => {
    const dw = dotGeneral(x, g, { contracting: [[0], [0]], batch: [[], []] })
    expect(dw.shape).toEqual([20, 10])
    expect(kernelInfo().last).toMatchObject({ m: 20, n: 10, k: 128, transA: true, transB: false })
    expect(dw).toBeAllClose(dot(transpose(x), g))
  })

  it('g·wᵀ runs with transB; a transposed view as an operand runs with its flag', () => {
    dotGeneral(g, w, { contracting: [[1], [1]], batch: [[], []] })
    expect(kernelInfo().last).toMatchObject({ m: 128, n: 20, k: 10, transA: false, transB: true })
    dot(transpose(x), transpose(transpose(g)))
    expect(kernelInfo().last).toMatchObject({ transA: true, transB: false })
    dot(g, transpose(w))
    expect(kernelInfo().last).toMatchObject({ transA: false, transB: true })
  })

  it('a stack times a (broadcast) matrix is one GEMM with the batch folded into the rows', () => {
    const stack = iota([6, 5, 4])
    const m = iota([4, 3])
    matmul(stack, m)
    expect(gemmStats().calls).toBe(1)
    matmul(stack, broadcastTo(m, [6, 4, 3]))
    expect(gemmStats().calls).toBe(2)
    expect(kernelInfo().last).toMatchObject({ m: 30, n: 3, k: 4 })
    expect(matmul(stack, broadcastTo(m, [6, 4, 3]))).toBeAllClose(matmul(stack, m))
  })

  it('a batched product is one GEMM per batch element', () => {
    matmul(zeros([2, 3, 5, 4]), zeros([2, 3, 4, 6]))
    expect(gemmStats()).toMatchObject({ calls: 6, flops: 6 * 2 * 5 * 6 * 4 })
  })
})

describe('gemmStats', () => {
  it('counts calls and 2·m·n·k flops, and resets', () => {
    resetGemmStats()
    expect(gemmStats()).toMatchObject({ calls: 0, flops: 0 })
    dot(zeros([2, 3]), zeros([3, 4]))
    expect(gemmStats()).toMatchObject({ calls: 1, flops: 48 })
    dot(array([1, 2]), array([3, 4]))
    expect(gemmStats()).toMatchObject({ calls: 2, flops: 52 })
    // empty products and empty sums need no kernel
    dot(zeros([0, 3]), zeros([3, 4]))
    dot(zeros([2, 0]), zeros([0, 4]))
    expect(gemmStats().calls).toBe(2)
    resetGemmStats()
    expect(gemmStats()).toMatchObject({ calls: 0, flops: 0 })
  })

  it('an empty contraction is zeros of the right shape', () => {
    const z = dot(zeros([2, 0]), zeros([0, 3]))
    expect(z.shape).toEqual([2, 3])
    expect(z).toBeAllClose(zeros([2, 3]))
  })

  it('integer operands are promoted to float32 (a copy), float64 wins over float32', () => {
    const ints = reshape(arange(6), [2, 3])
    expect(ints.dtype).toBe('int32')
    expect(dot(ints, transpose(ints)).dtype).toBe('float32')
    expect(dot(ints, transpose(ints))).toBeAllClose([
      [5, 14],
      [14, 50],
    ])
    expect(dot(iota([2, 3]), zeros([3], { dtype: 'float64' })).dtype).toBe('float64')
    expect(dot(array([true, false]), array([3, 4], { dtype: 'uint8' })).dtype).toBe('float32')
  })

  it('keeps the operands untouched (a product never writes into its inputs)', () => {
    const a = asConcrete(iota([2, 3]))
    const before = Array.from(a.data)
    dot(transpose(a), a)
    expect(Array.from(a.data)).toEqual(before)
    expect(a).toBeInstanceOf(Concrete)
  })
})
