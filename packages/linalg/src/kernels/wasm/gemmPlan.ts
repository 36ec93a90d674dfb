/** `planGemm`: where one product's operands, packed panels and result live in wasm memory, and each thread's calls. */
import type { GemmArgs } from '../gemm.js'

/** Which dimension of C is cut between threads: 'n' = blocks of column panels, 'm' = blocks of row panels. */
export type GemmSplit = 'm' | 'n'

/** 'tiles': packA/packB/gemm (2×16 broadcast tiles); 'dot': packDotA/packDotB/gemmDot (narrow n, plain A). */
export type GemmForm = 'tiles' | 'dot'

/** Byte offsets of one product in wasm memory, and the per-thread argument lists of its three calls. */
export interface GemmPlan {
  readonly form: GemmForm
  /** Bytes of memory the product needs. */
  readonly bytes: number
  readonly aPtr: number
  readonly bPtr: number
  readonly cPtr: number
  /** Row stride of C in wasm memory, in floats (C is padded to whole tiles, so no tile needs an edge case). */
  readonly cStride: number
  /**
   * One entry per thread: the flat arguments of the pack-A call (8), the pack-B call (8), the multiply (10),
   * then the form (0 tiles, 1 dot). There are never more jobs than panels along the cut dimension.
   */
  readonly jobs: readonly Int32Array[]
}

/** The tile shapes and form choice of the generated module (see `defaultGemmOptions`). */
export interface PlanOptions {
  readonly mr: number
  readonly nr: number
  readonly dotMr: number
  readonly dotNj: number
  readonly dotMaxN: number
}

const align = (x: number): number => Math.ceil(x / 64) * 64

/**
 * Lays out a product for up to `threads` threads. Plain A with n ≤ dotMaxN takes the dot form, the rest tiles.
 * A and B are copied compactly in their stored layouts (row stride = stored row length). C is cut across the
 * larger operand (by columns when m ≤ n, else by rows; always by rows in the dot form); the operand whose
 * panels are cut is packed once, each thread packing its own panels, and the other is packed by every thread
 * into its own copy, so threads never wait on each other. C is padded to whole tiles.
 * @example
 * const plan = planGemm(args, defaultGemmOptions, 2)
 */
export const planGemm = (args: GemmArgs, options: PlanOptions, threads: number): GemmPlan => {
  const { m, n, k, transA, transB } = args
  const form: GemmForm = !transA && n <= options.dotMaxN ? 'dot' : 'tiles'
  const [rowPanel, colPanel] = form === 'dot' ? [options.dotMr, options.dotNj] : [options.mr, options.nr]
  // bytes per row or column of a packed panel: k floats, or ⌈k/4⌉ chunks of 16 bytes
  const depthBytes = form === 'dot' ? 16 * Math.ceil(k / 4) : 4 * k
  const mPanels = Math.ceil(m / rowPanel)
  const nPanels = Math.ceil(n / colPanel)
  const split: GemmSplit = form === 'dot' || m > n ? 'm' : 'n'
  const panels = split === 'n' ? nPanels : mPanels
  const used = Math.max(1, Math.min(threads, panels))
  const cStride = Math.max(Math.ceil(n / 4) * 4, nPanels * colPanel)
  const aPtr = 0
  const bPtr = align(aPtr + m * k * 4)
  const apBytes = align(mPanels * rowPanel * depthBytes)
  const bpBytes = align(nPanels * colPanel * depthBytes)
  const apPtr = align(bPtr + k * n * 4)
  const bpPtr = apPtr + (split === 'n' ? used : 1) * apBytes
  const cPtr = bpPtr + (split === 'm' ? used : 1) * bpBytes
  const jobs = Array.from({ length: used }, (_, t) => {
    const lo = Math.floor((t * panels) / used)
    const hi = Math.floor(((t + 1) * panels) / used)
    const [ip0, ip1, jp0, jp1] = split === 'n' ? [0, mPanels, lo, hi] : [lo, hi, 0, nPanels]
    const ap = apPtr + (split === 'n' ? t * apBytes : 0)
    const bp = bpPtr + (split === 'm' ? t * bpBytes : 0)
    return Int32Array.of(
      ...[aPtr, (transA ? m : k) * 4, transA ? 1 : 0, m, k, ap, ip0, ip1],
      ...[bPtr, (transB ? k : n) * 4, transB ? 1 : 0, n, k, bp, jp0, jp1],
      ...[ap, bp, cPtr, cStride * 4, n, k, ip0, ip1, jp0, jp1],
      form === 'dot' ? 1 : 0,
    )
  })
  return { form, bytes: cPtr + mPanels * rowPanel * cStride * 4, aPtr, bPtr, cPtr, cStride, jobs }
}

/**
 * Copies the stored rows×cols matrix (row stride ld, from offset) into `view` at element `at`, compactly.
 * @example
 * writeMatrix(f32, args.a, args.aOffset, args.lda, m, k, plan.aPtr / 4)
 */
export const writeMatrix = (
  view: Float32Array,
  src: Float32Array,
  offset: number,
  ld: number,
  rows: number,
  cols: number,
  at: number,
): void => {
  if (ld === cols || rows <= 1) {
    view.set(src.subarray(offset, offset + rows * cols), at)
  } else if (cols >= 32) {
    for (let r = 0; r < rows; r++) view.set(src.subarray(offset + r * ld, offset + r * ld + cols), at + r * cols)
  } else {
    // short rows: a plain loop beats creating a subarray per row
    for (let r = 0; r < rows; r++) {
      const s = offset + r * ld
      const d = at + r * cols
      for (let j = 0; j < cols; j++) view[d + j] = src[s + j] as number
    }
  }
}

/**
 * Copies the rows×cols matrix at element `at` of `view` (row stride `stride`) into dst (row stride ld, from offset).
 * @example
 * readMatrix(f32, plan.cPtr / 4, plan.cStride, m, n, args.c, args.cOffset, args.ldc)
 */
export const readMatrix = (
  view: Float32Array,
  at: number,
  stride: number,
  rows: number,
  cols: number,
  dst: Float32Array,
  offset: number,
  ld: number,
): void => {
  if ((ld === cols && stride === cols) || rows <= 1) {
    dst.set(view.subarray(at, at + (rows - 1) * stride + cols), offset)
  } else if (cols >= 32) {
    for (let r = 0; r < rows; r++) dst.set(view.subarray(at + r * stride, at + r * stride + cols), offset + r * ld)
  } else {
    for (let r = 0; r < rows; r++) {
      const s = at + r * stride
      const d = offset + r * ld
      for (let j = 0; j < cols; j++) dst[d + j] = view[s + j] as number
    }
  }
}

/**
 * C ← 0 in the caller's array (what a product with k = 0 gives).
 * @example
 * zeroMatrix(args.c, args.cOffset, args.ldc, m, n)
 */
export const zeroMatrix = (c: Float32Array, offset: number, ld: number, rows: number, cols: number): void => {
  if (ld === cols || rows <= 1) c.fill(0, offset, offset + rows * cols)
  else for (let r = 0; r < rows; r++) c.fill(0, offset + r * ld, offset + r * ld + cols)
}
