/**
 * The evaluation rule of `dotGeneral`: a (batched) GEMM per product. Each operand is read
 * in place when its layout fits a GEMM matrix, plain or with a transpose flag — so xᵀ·g in
 * a backward pass, or a transposed view, costs no copy; other layouts are copied once.
 */
import { blank, Concrete, materialize, registerImpl, registerShapeRule } from '@nabla/ndarray/core'
import type { DotDims } from '../primitive.js'
import { gemm } from './dispatch.js'
import type { GemmArray } from './gemm.js'
import { batchOffsets, type MatrixLayout, matrixLayout, mergeAxes } from './layout.js'

/** One operand, ready for the kernel: its storage, layout, and the offset of each batch element. */
interface Prepared {
  readonly data: GemmArray
  readonly layout: MatrixLayout
  readonly offsets: Float64Array
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i)

const productOf = (x: Concrete, axes: readonly number[]): number => axes.reduce((p, a) => p * (x.shape[a] as number), 1)

/** `x`'s batch of matrices (rows `rowAxes`, columns `colAxes`) read in place, or null when it must be copied. */
const inPlace = (x: Concrete, batch: readonly number[], rowAxes: readonly number[], colAxes: readonly number[]) => {
  const rows = mergeAxes(x, rowAxes)
  const cols = mergeAxes(x, colAxes)
  const layout = rows && cols ? matrixLayout(rows, cols) : null
  return layout && { data: x.data as GemmArray, layout, offsets: batchOffsets(x, batch) }
}

/**
 * An operand as a batch of matrices with rows `rowAxes` and columns `colAxes`: in place when
 * the layout allows, else copied into [batch, rows, cols] order — except batch axes it is
 * broadcast along (stride 0), which stay unmaterialised.
 */
const prepare = (
  x: Concrete,
  batch: readonly number[],
  rowAxes: readonly number[],
  colAxes: readonly number[],
): Prepared => {
  const direct = inPlace(x, batch, rowAxes, colAxes)
  if (direct !== null) return direct
  const live = batch.filter((a) => x.strides[a] !== 0)
  const order = [...live, ...rowAxes, ...colAxes]
  const copy = materialize(
    new Concrete(
      x.dtype,
      order.map((a) => x.shape[a] as number),
      x.data,
      order.map((a) => x.strides[a] as number),
      x.offset,
    ),
  )
  // the copy's axes: the live batch axes, then rows, then columns; broadcast batch axes come back with stride 0
  let j = 0
  const batchStrides = batch.map((a) => (x.strides[a] === 0 ? 0 : (copy.strides[j++] as number)))
  const view = new Concrete(
    copy.dtype,
    [...batch.map((a) => x.shape[a] as number), ...copy.shape.slice(live.length)],
    copy.data,
    [...batchStrides, ...copy.strides.slice(live.length)],
    copy.offset,
  )
  const nb = batch.length
  return inPlace(view, range(0, nb), range(nb, rowAxes.length), range(nb + rowAxes.length, colAxes.length)) as Prepared
}

/** The result's shape and dtype: batch axes, then the lhs's free axes, then the rhs's; float64 if either operand is. */
export const dotGeneralShape = (
  inputs: readonly { readonly shape: readonly number[]; readonly dtype: string }[],
  { contracting, batch }: DotDims,
): { shape: number[]; dtype: 'float32' | 'float64' } => {
  const [lhs, rhs] = inputs as [(typeof inputs)[number], (typeof inputs)[number]]
  const dtype = inputs.some((x) => x.dtype === 'float64') ? 'float64' : 'float32'
  const lf = range(0, lhs.shape.length).filter((i) => !batch[0].includes(i) && !contracting[0].includes(i))
  const rf = range(0, rhs.shape.length).filter((i) => !batch[1].includes(i) && !contracting[1].includes(i))
  const shape = [...batch[0], ...lf].map((a) => lhs.shape[a] as number).concat(rf.map((a) => rhs.shape[a] as number))
  return { shape, dtype }
}

/**
 * [batch…, lhs free…, rhs free…] = Σ over contracting axes of lhs·rhs. Operands of another
 * dtype than the result (float64 if either is float64, else float32) are converted first.
 * @example
 * // internal (not exported): the dotGeneral primitive's evaluation rule on concrete arrays, x·w here
 * const x = array([[1, 2], [3, 4]])
 * const w = array([[5, 6], [7, 8]])
 * toArray(dotGeneral(x, w, { contracting: [[1], [0]], batch: [[], []] })) // → [[19, 22], [43, 50]]
 */
export const evalDotGeneral = (inputs: readonly Concrete[], dims: DotDims): Concrete => {
  const { shape, dtype } = dotGeneralShape(inputs, dims)
  const out = blank(dtype, shape) // every tier writes all of C, and dotGeneralInto zeros it for an empty sum
  return dotGeneralInto(inputs, dims, out)
}

/**
 * The product written into `out`, a contiguous array of the result's shape and dtype (from its offset on): how a compiled program places a product's result in its planned buffer. Returns `out`.
 * @category Kernels
 * @example
 * // from '@nabla/linalg/internal' (unstable, for nabla's compiler)
 * const x = array([[1, 2], [3, 4]])
 * const w = array([[5, 6], [7, 8]])
 * const planned = new Concrete('float32', [2, 2], new Float32Array(4))
 * dotGeneralInto([x, w], { contracting: [[1], [0]], batch: [[], []] }, planned) === planned // → true
 * Array.from(planned.data) // → [19, 22, 43, 50]
 */
export const dotGeneralInto = (
  inputs: readonly Concrete[],
  { contracting, batch }: DotDims,
  out: Concrete,
): Concrete => {
  const dtype = out.dtype
  const [lhs, rhs] = inputs.map((x) => (x.dtype === dtype ? x : materialize(x, dtype))) as [Concrete, Concrete]
  const [lc, rc] = contracting
  const [lb, rb] = batch
  const lf = range(0, lhs.rank).filter((i) => !lb.includes(i) && !lc.includes(i))
  const rf = range(0, rhs.rank).filter((i) => !rb.includes(i) && !rc.includes(i))
  const k = productOf(lhs, lc)
  if (out.size === 0) return out
  if (k === 0) {
    out.data.fill(0, out.offset, out.offset + out.size) // an empty sum is 0
    return out
  }
  let m = productOf(lhs, lf)
  const n = productOf(rhs, rf)
  let batches = productOf(lhs, lb)
  let a: Prepared | null = null
  // A batch along which only the lhs varies (the rhs broadcast, as in matmul of [b,m,k] by a
  // broadcast [k,n]) folds into the rows of one larger product when the lhs layout allows.
  if (batches > 1 && rb.every((ax) => rhs.strides[ax] === 0)) {
    a = inPlace(lhs, [], [...lb, ...lf], lc)
    if (a !== null) {
      m *= batches
      batches = 1
    }
  }
  a ??= prepare(lhs, lb, lf, lc)
  const b = batches === 1 ? prepare(rhs, [], rc, rf) : prepare(rhs, rb, rc, rf)
  for (let i = 0; i < batches; i++) {
    gemm({
      transA: a.layout.trans,
      transB: b.layout.trans,
      m,
      n,
      k,
      a: a.data,
      aOffset: a.offsets[i] as number,
      lda: a.layout.ld,
      b: b.data,
      bOffset: b.offsets[i] as number,
      ldb: b.layout.ld,
      c: out.data as GemmArray,
      cOffset: out.offset + i * m * n,
      ldc: n,
    })
  }
  return out
}

registerImpl('dotGeneral', evalDotGeneral)
registerShapeRule('dotGeneral', dotGeneralShape)
