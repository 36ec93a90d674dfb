/** `planGemm`: where one product's operands, packed panels and result live in wasm memory, and each thread's calls. */
import type { GemmArgs } from '../gemm.js'
import { aPanelBytes, compactsA } from './compactPanel.js'
import { rowsABytes, rowsBBytes, rowsNr } from './rowsModule.js'

/** Which dimension of C is cut between threads: 'n' = blocks of column panels, 'm' = blocks of row panels. */
export type GemmSplit = 'm' | 'n'

/**
 * 'tiles': packA/packB/gemm (2×16 broadcast tiles); 'dot': packDotA/packDotB/gemmDot (narrow n, plain A);
 * 'rows': packRowsA/packRowsB/gemmRows (sparse op(A) against plain B, see rowsModule.ts).
 */
export type GemmForm = 'tiles' | 'dot' | 'rows'

/** Byte offsets of one product in wasm memory, and the per-thread argument lists of its three calls. */
export interface GemmPlan {
  readonly form: GemmForm
  /** Where the product's scratch starts, and its size in bytes (compact copies of A and B, packed panels, C). */
  readonly base: number
  readonly bytes: number
  /** Where A and B are read: a compact copy in the scratch, or the operand itself when it lives in the memory. */
  readonly aPtr: number
  readonly bPtr: number
  /** Whether A and B must be copied in (to aPtr, bPtr) before the product. */
  readonly copyA: boolean
  readonly copyB: boolean
  /** Where C is written: padded scratch to copy out, or the result array itself (`cDirect`). */
  readonly cPtr: number
  readonly cDirect: boolean
  /** Row stride of C in wasm memory, in floats (C is padded to whole tiles, so no tile needs an edge case). */
  readonly cStride: number
  /**
   * One entry per thread: the flat arguments of the pack-A call (9), the pack-B call (8), the multiply (10),
   * then the form (0 tiles, 1 dot), the cut (0 columns, 1 rows), the panels along the cut and the number of
   * chunks they are dealt out in (see `runShare`; the ranges in the calls are this thread's static share, used
   * when it runs alone). Jobs differ only in their own copies of the operand that is not cut. There are never
   * more jobs than panels along the cut dimension.
   */
  readonly jobs: readonly Int32Array[]
}

/**
 * Where a product's data already is in wasm memory (byte addresses); everything else goes in scratch from
 * `base`. A and B given here are read in place with their own row strides; C is written in place only when
 * its padding is nil — rows of exactly n floats and m a whole number of row panels — else through scratch.
 */
export interface GemmPlacement {
  readonly base?: number
  readonly a?: number
  readonly b?: number
  readonly c?: number
}

/** The tile shapes and form choice of the generated module (see `defaultGemmOptions`). */
export interface PlanOptions {
  readonly mr: number
  readonly nr: number
  /** Longest k block of the tiles form (its packed A panels carry per-block counts, see compactPanel.ts). */
  readonly kc: number
  readonly dotMr: number
  readonly dotNj: number
  readonly dotMaxN: number
  /**
   * The sparse-rows form serves products whose op(A) has at most this share of nonzeros (estimated from a fixed
   * sample of its elements, see `sparseShare`), with plain B, n a multiple of 4 and n > 2·nr; 0 turns it off.
   */
  readonly rowsMaxDensity: number
  /**
   * Whether a transposed op(A) may take the sparse-rows form too. Off by default: for xᵀ·g (MNIST's weight
   * gradient) the tiles form's 2-row panels of pixels skip as well and cut better between two threads.
   */
  readonly rowsTransA: boolean
}

/** Elements of op(A) `sparseShare` reads. */
const samples = 1024

/**
 * The share of nonzero elements of op(A), estimated from `samples` elements at fixed places (a function of
 * the data and shape alone, so every thread count makes the same choice).
 * @example
 * // internal (not exported): sparseShare(args) ≈ 0.19 for a batch of MNIST images (estimated from 1024 fixed
 * // places). A product whose op(A) is at most half nonzero takes the sparse-rows form, with the dense product's bits
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * // about 20% ones, like MNIST's pixels; small integer weights, so every tier's sums are exact
 * const images = cast(greater(uniform(key(0), [64, 784]), 0.8), 'float32')
 * const w = cast(cast(mul(uniform(key(1), [784, 64]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(images, w)) // → on('ref', () => matmul(images, w))
 */
export const sparseShare = ({ m, k, a, aOffset, lda, transA }: GemmArgs): number => {
  if (m * k === 0) return 0
  const at = samplePlaces(m, k, lda, transA)
  let nonzero = 0
  for (let s = 0; s < at.length; s++) if ((a[aOffset + (at[s] as number)] as number) !== 0) nonzero++
  return nonzero / at.length
}

// The sampled places of op(A) by shape, stride and flag: a training loop asks for the same few every step.
const places = new Map<string, Int32Array>()

const samplePlaces = (m: number, k: number, lda: number, transA: boolean): Int32Array => {
  const key = `${m},${k},${lda},${transA}`
  let at = places.get(key)
  if (at === undefined) {
    const total = m * k
    at = new Int32Array(Math.min(samples, total))
    for (let s = 0; s < at.length; s++) {
      // a fixed, spread pattern: the golden-ratio sequence over the elements
      const e = Math.floor(((s * 0.6180339887498949) % 1) * total)
      const i = Math.floor(e / k)
      const p = e - i * k
      at[s] = transA ? p * lda + i : i * lda + p
    }
    if (places.size >= 64) places.clear()
    places.set(key, at)
  }
  return at
}

// NABLA_GEMM_ROWS=0 (read once) turns the sparse-rows form off, for measuring against the tiles form.
const rowsOff =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NABLA_GEMM_ROWS === '0'

/**
 * Whether a product takes the sparse-rows form (see `PlanOptions.rowsMaxDensity`).
 * @example
 * // internal (not exported): usesRows(args, defaultGemmOptions) is true for MNIST images times the first layer's
 * // weights: plain sparse A, plain B, n a multiple of 4 above 2·16. With n = 30 the product takes the tiles form;
 * // both give the bits of the dense product
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const images = cast(greater(uniform(key(0), [32, 784]), 0.8), 'float32')
 * const w = cast(cast(mul(uniform(key(1), [784, 30]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(images, w)) // → on('ref', () => matmul(images, w))
 */
export const usesRows = (args: GemmArgs, options: PlanOptions): boolean =>
  !rowsOff &&
  options.rowsMaxDensity > 0 &&
  !args.transB &&
  (options.rowsTransA || !args.transA) &&
  args.n % 4 === 0 &&
  args.n > 2 * options.nr &&
  args.k >= 8 &&
  args.a instanceof Float32Array &&
  sparseShare(args) <= options.rowsMaxDensity

const align = (x: number): number => Math.ceil(x / 64) * 64

/** Chunks of panels per thread in a parallel product (see `runShare`): balance against per-call overhead. */
const chunksPerThread = 4

/** The form of a product, its panel shape, and which dimension of C is cut between threads into how many panels. */
const cutOf = (args: GemmArgs, options: PlanOptions) => {
  const { m, n, transA } = args
  const form: GemmForm = !transA && n <= options.dotMaxN ? 'dot' : usesRows(args, options) ? 'rows' : 'tiles'
  const [rowPanel, colPanel] =
    form === 'dot' ? [options.dotMr, options.dotNj] : form === 'rows' ? [1, rowsNr] : [options.mr, options.nr]
  const split: GemmSplit = form === 'dot' || m > n ? 'm' : 'n'
  const panels = Math.ceil(split === 'n' ? n / colPanel : m / rowPanel)
  return { form, rowPanel, colPanel, split, panels }
}

/**
 * How many of `threads` threads a product can use: never more than it has panels along the cut dimension
 * (the number of jobs `planGemm` makes).
 * @example
 * // internal (not exported): threadsFor(args, defaultGemmOptions, 2) is 1 for a product with a single panel to cut:
 * // here C is 2×16, one 2×16 tile, however large k is
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   matmul(ones([2, 200000]), ones([200000, 16])).shape // → [2, 16]
 *   kernelInfo().last.threads // → 1
 * } finally {
 *   setKernel(before)
 * }
 */
export const threadsFor = (args: GemmArgs, options: PlanOptions, threads: number): number =>
  Math.max(1, Math.min(threads, cutOf(args, options).panels))

/**
 * Lays out a product for up to `threads` threads. Plain A with n ≤ dotMaxN takes the dot form, the rest tiles.
 * A and B are read in place when `place` gives their addresses, else copied compactly in their stored layouts
 * (row stride = stored row length). C is cut across the
 * larger operand (by columns when m ≤ n, else by rows; always by rows in the dot form); the operand whose
 * panels are cut is packed once, each thread packing its own panels, and the other is packed by every thread
 * into its own copy, so threads never wait on each other. C is padded to whole tiles.
 * @example
 * // internal (not exported): how planGemm(args, defaultGemmOptions, 2) lays a product out for two threads; whatever
 * // the cut, every element of C is summed by one thread in one order, so the bits do not depend on the thread count
 * const on = (threads, f) => {
 *   const before = setKernel({ kernel: 'wasm', threads })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * // the workers, started with the wasm tier set (under a single-threaded tier threadsReady would start none)
 * const ready = await (async () => {
 *   const before = setKernel({ kernel: 'wasm' })
 *   try {
 *     return await threadsReady({ threads: 2 })
 *   } finally {
 *     setKernel(before)
 *   }
 * })()
 * const a = uniform(key(1), [300, 300])
 * const b = uniform(key(2), [300, 300])
 * JSON.stringify(on(2, () => matmul(a, b))) === JSON.stringify(on(1, () => matmul(a, b))) // → true
 * on(2, () => matmul(ones([256, 256]), ones([256, 256])))
 * kernelInfo().last.threads // → ready.threads
 */
export const planGemm = (
  args: GemmArgs,
  options: PlanOptions,
  threads: number,
  place: GemmPlacement = {},
): GemmPlan => {
  const { m, n, k, transA, transB } = args
  const { form, rowPanel, colPanel, split, panels } = cutOf(args, options)
  // bytes per row or column of a packed panel: k floats, or ⌈k/4⌉ chunks of 16 bytes
  const depthBytes = form === 'dot' ? 16 * Math.ceil(k / 4) : 4 * k
  const mPanels = Math.ceil(m / rowPanel)
  const nPanels = Math.ceil(n / colPanel)
  const used = Math.max(1, Math.min(threads, panels)) // (threadsFor, without working out the cut again)
  // several chunks per thread, so a thread that starts late takes fewer; one for a single thread
  const chunks = used === 1 ? 1 : Math.min(panels, chunksPerThread * used)
  // (the sparse-rows form writes n columns exactly: n is a multiple of 4)
  const cStride = form === 'rows' ? n : Math.max(Math.ceil(n / 4) * 4, nPanels * colPanel)
  const base = place.base ?? 0
  let at = base
  const take = (bytes: number): number => {
    const ptr = at
    at = align(at + bytes)
    return ptr
  }
  // A and B in place (their stored row strides), or compact copies (row stride = stored row length)
  const aPtr = place.a ?? take(m * k * 4)
  const bPtr = place.b ?? take(k * n * 4)
  const lda = place.a !== undefined ? args.lda : transA ? m : k
  const ldb = place.b !== undefined ? args.ldb : transB ? k : n
  const apBytes = align(
    form === 'dot'
      ? mPanels * rowPanel * depthBytes
      : form === 'rows'
        ? rowsABytes(m, k, options.kc)
        : mPanels * aPanelBytes(rowPanel, k, options.kc),
  )
  const bpBytes = align(form === 'rows' ? rowsBBytes(n, k, options.kc) : nPanels * colPanel * depthBytes)
  const apPtr = take((split === 'n' ? used : 1) * apBytes)
  const bpPtr = take((split === 'm' ? used : 1) * bpBytes)
  const cDirect = place.c !== undefined && cStride === n && args.ldc === n && m === mPanels * rowPanel
  const cPtr = cDirect ? (place.c as number) : take(mPanels * rowPanel * cStride * 4)
  const jobs = Array.from({ length: used }, (_, t) => {
    const lo = Math.floor((t * panels) / used)
    const hi = Math.floor(((t + 1) * panels) / used)
    const [ip0, ip1, jp0, jp1] = split === 'n' ? [0, mPanels, lo, hi] : [lo, hi, 0, nPanels]
    const ap = apPtr + (split === 'n' ? t * apBytes : 0)
    const bp = bpPtr + (split === 'm' ? t * bpBytes : 0)
    // packA's ninth argument: whether to compact (tiles), B's row stride (rows)
    const extra = form === 'rows' ? ldb * 4 : form === 'tiles' && compactsA(n, options.nr) ? 1 : 0
    return Int32Array.of(
      ...[aPtr, lda * 4, transA ? 1 : 0, m, k, ap, ip0, ip1, extra],
      ...[bPtr, ldb * 4, transB ? 1 : 0, n, k, bp, jp0, jp1],
      ...[ap, bp, cPtr, cStride * 4, n, k, ip0, ip1, jp0, jp1],
      ...[form === 'dot' ? 1 : form === 'rows' ? 2 : 0, split === 'm' ? 1 : 0, panels, chunks],
      ...[bPtr, ldb * 4, aPtr, lda * 4, transA ? 1 : 0],
    )
  })
  return {
    form,
    base,
    bytes: at - base,
    aPtr,
    bPtr,
    copyA: place.a === undefined,
    copyB: place.b === undefined,
    cPtr,
    cDirect,
    cStride,
    jobs,
  }
}

/**
 * Copies a rows×cols matrix from `src` (row stride srcStride, from element srcAt) to `dst` (row stride dstStride,
 * from dstAt): A and B into wasm memory (compactly), C back out.
 * @example
 * // internal (not exported): copies A and B into wasm memory compactly, and C back out, e.g.
 * // copyMatrix(args.a, args.aOffset, args.lda, f32, plan.aPtr / 4, k, m, k); a strided view is copied the same way
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * // columns 2…6 of a [40, 10] matrix: rows 10 floats apart
 * const a = slice(reshape(cast(arange(400), 'float32'), [40, 10]), [0, 40], [2, 7])
 * const b = reshape(cast(arange(5 * 20), 'float32'), [5, 20])
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const copyMatrix = (
  src: Float32Array,
  srcAt: number,
  srcStride: number,
  dst: Float32Array,
  dstAt: number,
  dstStride: number,
  rows: number,
  cols: number,
): void => {
  if ((srcStride === cols && dstStride === cols) || rows <= 1) {
    dst.set(src.subarray(srcAt, srcAt + rows * cols), dstAt)
  } else if (cols >= 32) {
    for (let r = 0; r < rows; r++) {
      dst.set(src.subarray(srcAt + r * srcStride, srcAt + r * srcStride + cols), dstAt + r * dstStride)
    }
  } else {
    // short rows: a plain loop beats creating a subarray per row
    for (let r = 0; r < rows; r++) {
      const s = srcAt + r * srcStride
      const d = dstAt + r * dstStride
      for (let j = 0; j < cols; j++) dst[d + j] = src[s + j] as number
    }
  }
}

/**
 * C ← 0 in the caller's array (what a product with k = 0 gives).
 * @example
 * // internal (not exported): a product with k = 0 is zeroMatrix(args.c, args.cOffset, args.ldc, m, n)
 * const before = setKernel({ kernel: 'wasm' })
 * try {
 *   toArray(matmul(zeros([2, 0]), zeros([0, 3]))) // → [[0, 0, 0], [0, 0, 0]]
 * } finally {
 *   setKernel(before)
 * }
 */
export const zeroMatrix = (c: Float32Array, offset: number, ld: number, rows: number, cols: number): void => {
  if (ld === cols || rows <= 1) c.fill(0, offset, offset + rows * cols)
  else for (let r = 0; r < rows; r++) c.fill(0, offset + r * ld, offset + r * ld + cols)
}
