/**
 * One thread's part of a product, as JavaScript source shared by the calling thread and the workers (whose
 * program is text): pack the operand that is not cut, whole, into this thread's own copy; then take chunks of
 * panels along the cut dimension from a shared counter until none is left, packing and multiplying each.
 * A thread that starts late (a worker waking from its sleep) simply takes fewer chunks. Every C tile is still
 * computed by one call over the whole depth, in the same order, so the bits never depend on who took what.
 */

/**
 * Length of a job (see `planGemm`): pack-A call 9, pack-B call 8, multiply 10, form, cut, panels, chunks, then
 * five more arguments of the sparse-rows multiply (B, ldb, A, lda, transA; other forms ignore them).
 */
export const jobLength = 36

/**
 * `function runShare(e, j, next)`: `e` the module's exports, `j` the job, `next()` the next chunk index (from
 * an atomic counter, or a plain one on a single thread).
 * @example
 * // internal (not exported): the source of runShare, which the calling thread and the workers both run, e.g.
 * // new Function(`${shareSource}; return runShare`)()(exports, job, next). A product on two threads:
 * await threadsReady({ threads: 2 })
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   toArray(matmul(ones([256, 300]), ones([300, 256])))[255][255] // → 300
 * } finally {
 *   setKernel(before)
 * }
 */
export const shareSource = `function runShare(e, j, next) {
  const form = j[27], byRows = j[28] === 1, panels = j[29], chunks = j[30]
  const packA = form === 2 ? e.packRowsA : form === 1 ? e.packDotA : e.packA
  const packB = form === 2 ? e.packRowsB : form === 1 ? e.packDotB : e.packB
  const mul = form === 2 ? e.gemmRows : form === 1 ? e.gemmDot : e.gemm
  let c = next()
  if (c >= chunks) return
  // the operand that is not cut, whole: rows of A when cutting by columns, columns of B when cutting by rows
  if (byRows) packB(j[9], j[10], j[11], j[12], j[13], j[14], j[15], j[16])
  else packA(j[0], j[1], j[2], j[3], j[4], j[5], j[6], j[7], j[8])
  for (; c < chunks; c = next()) {
    const lo = Math.floor((c * panels) / chunks), hi = Math.floor(((c + 1) * panels) / chunks)
    if (byRows) {
      packA(j[0], j[1], j[2], j[3], j[4], j[5], lo, hi, j[8])
      mul(j[17], j[18], j[19], j[20], j[21], j[22], lo, hi, j[25], j[26], j[31], j[32], j[33], j[34], j[35])
    } else {
      packB(j[9], j[10], j[11], j[12], j[13], j[14], lo, hi)
      mul(j[17], j[18], j[19], j[20], j[21], j[22], j[23], j[24], lo, hi, j[31], j[32], j[33], j[34], j[35])
    }
  }
}`

/** The module's exports that a share calls. */
export type ShareExports = Record<
  'packA' | 'packB' | 'gemm' | 'packDotA' | 'packDotB' | 'gemmDot' | 'packRowsA' | 'packRowsB' | 'gemmRows',
  unknown
>

/**
 * `shareSource` as a function for the calling thread.
 * @example
 * // internal (not exported): runs the chunks a counter hands out, e.g. runShare(engine.exports, plan.jobs[0],
 * // () => counter++); threads take chunks from one shared counter, and the bits do not depend on who took which
 * await threadsReady({ threads: 2 })
 * const on = (threads, f) => {
 *   const before = setKernel({ kernel: 'wasm', threads })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = normal(key(0), [256, 200])
 * const b = normal(key(1), [200, 256])
 * JSON.stringify(on(2, () => matmul(a, b))) === JSON.stringify(on(1, () => matmul(a, b))) // → true
 */
export const runShare = new Function(`${shareSource}; return runShare`)() as (
  e: ShareExports,
  job: Int32Array,
  next: () => number,
) => void
