/**
 * How a strided operand of `dotGeneral` reads as a GEMM matrix without copying: a group of
 * axes merges into one matrix axis when it is laid out like a reshape, and a matrix is
 * readable when one of its two axes has stride 1 (plain, or transposed: the transpose flag).
 */
import type { Concrete } from '@nabla/ndarray/core'

/** Several axes of an array seen as one: `extent` elements `stride` apart (stride is free when extent ≤ 1). */
export interface MergedAxis {
  readonly extent: number
  readonly stride: number
}

/**
 * The axes `axes` of `x`, in that order, as one axis — or null when their strides do not
 * nest (each outer stride must be the inner stride times the inner extent). Size-1 axes
 * are skipped: their stride never matters.
 * @example
 * // internal (not exported): for x contiguous [2, 3, 4], axes [1, 2] merge into { extent: 12, stride: 1 }. So
 * // tensordot over them is one product of a [2, 12] by a [12, 5] matrix, read in place
 * const x = ones([2, 3, 4])
 * tensordot(x, ones([3, 4, 5])).shape // → [2, 5]
 * const { m, n, k } = kernelInfo().last
 * const product = { m, n, k }
 * product // → { m: 2, n: 5, k: 12 }
 */
export const mergeAxes = (x: Concrete, axes: readonly number[]): MergedAxis | null => {
  let extent = 1
  let stride = 0
  for (const a of axes) {
    const d = x.shape[a] as number
    if (d === 1) continue
    const s = x.strides[a] as number
    if (extent !== 1 && stride !== s * d) return null
    extent *= d
    stride = s
  }
  return { extent, stride }
}

/** A matrix as GEMM reads it: element [r][c] at `r·ld + c`, or at `c·ld + r` when `trans`. */
export interface MatrixLayout {
  readonly trans: boolean
  readonly ld: number
}

/**
 * The GEMM layout of the matrix whose element [r][c] sits at `r·rows.stride + c·cols.stride`,
 * or null when neither axis has stride 1 (or strides are negative, zero or overlapping):
 * then the operand must be copied. Leading dimensions obey BLAS's rule ld ≥ max(1, inner
 * extent), which every kernel tier may rely on.
 * @example
 * // internal (not exported): matrixLayout({ extent: 784, stride: 1 }, { extent: 128, stride: 784 }) is
 * // { trans: true, ld: 784 }: xᵀ, read in place with the transpose flag
 * const x = ones([128, 784])
 * matmul(transpose(x), ones([128, 16])).shape // → [784, 16]
 * kernelInfo().last.transA // → true
 */
export const matrixLayout = (rows: MergedAxis, cols: MergedAxis): MatrixLayout | null => {
  const plainLd = rows.extent <= 1 ? Math.max(1, cols.extent) : rows.stride
  if ((cols.extent <= 1 || cols.stride === 1) && plainLd >= Math.max(1, cols.extent))
    return { trans: false, ld: plainLd }
  const transLd = cols.extent <= 1 ? Math.max(1, rows.extent) : cols.stride
  if ((rows.extent <= 1 || rows.stride === 1) && transLd >= Math.max(1, rows.extent))
    return { trans: true, ld: transLd }
  return null
}

/**
 * The offset of each batch element (row-major over the batch axes) in an operand.
 * @example
 * // internal (not exported): where each matrix of a batch starts, x.offset + [0, 1, …]·x.strides[0] for batch
 * // axis 0. A batched product:
 * const q = reshape(cast(arange(12), 'float32'), [3, 2, 2])
 * const y = dotGeneral(q, q, { contracting: [[2], [1]], batch: [[0], [0]] })
 * toArray(y)[2] // → toArray(matmul(array([[8, 9], [10, 11]]), array([[8, 9], [10, 11]])))
 */
export const batchOffsets = (x: Concrete, axes: readonly number[]): Float64Array => {
  const extents = axes.map((a) => x.shape[a] as number)
  const total = extents.reduce((p, d) => p * d, 1)
  const out = new Float64Array(total)
  const idx = new Array<number>(axes.length).fill(0)
  let off = x.offset
  for (let b = 0; b < total; b++) {
    out[b] = off
    // odometer: advance the innermost batch axis, carrying outward
    for (let d = axes.length - 1; d >= 0; d--) {
      const s = x.strides[axes[d] as number] as number
      off += s
      idx[d] = (idx[d] as number) + 1
      if ((idx[d] as number) < (extents[d] as number)) break
      idx[d] = 0
      off -= s * (extents[d] as number)
    }
  }
  return out
}
