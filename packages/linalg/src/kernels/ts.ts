/**
 * The TypeScript GEMM tier: cache blocking with packing (after GotoBLAS) and a 4×4 register
 * tile of scalar accumulators. Packing copies each block of op(A) and op(B) into panels
 * laid out in the order the inner loop reads them, so the four transpose combinations
 * differ only in how panels are filled and all run the same inner loop.
 */
import type { GemmArgs, GemmArray } from './gemm.js'

/** Rows of the register tile (a panel of packed A is MR rows wide). */
const MR = 4
/** Columns of the register tile (a panel of packed B is NR columns wide). */
const NR = 4
/** Depth of a block: one MR×KC panel of A and one KC×NR panel of B stay in L1. */
const KC = 256
/** Rows of a packed A block (MC×KC float64 = 128 KiB, for L2). */
const MC = 64
/** Columns of a packed B block (KC×NC float64 = 2 MiB at most, for L3). */
const NC = 1024

// Packed blocks are float64 whatever the input type, so the inner loop sees one array type
// (monomorphic) and accumulates in float64. Grown on demand, reused across calls.
const packedA = new Float64Array(MC * KC)
let packedB = new Float64Array(KC * NR)
const tile = new Float64Array(MR * NR)

/**
 * Packs rows i0…i0+mc−1, depths p0…p0+kc−1 of op(A) into MR-row panels: panel r holds
 * A[i0+r·MR+ii][p0+p] at r·MR·kc + p·MR + ii, zero-padded past row m.
 */
const packA = (x: GemmArgs, i0: number, mc: number, p0: number, kc: number, out: Float64Array): void => {
  const { a, aOffset, lda, transA } = x
  for (let r = 0; r < mc; r += MR) {
    const rows = Math.min(MR, mc - r)
    const base = (r / MR) * MR * kc
    for (let ii = 0; ii < MR; ii++) {
      let q = base + ii
      if (ii >= rows) {
        for (let p = 0; p < kc; p++, q += MR) out[q] = 0
      } else if (transA) {
        // A[i][p] = a[off + p·lda + i]: walk down column i of the stored k×m matrix
        let s = aOffset + p0 * lda + i0 + r + ii
        for (let p = 0; p < kc; p++, q += MR, s += lda) out[q] = a[s] as number
      } else {
        const s = aOffset + (i0 + r + ii) * lda + p0
        for (let p = 0; p < kc; p++, q += MR) out[q] = a[s + p] as number
      }
    }
  }
}

/**
 * Packs depths p0…p0+kc−1, columns j0…j0+nc−1 of op(B) into NR-column panels: panel s holds
 * B[p0+p][j0+s·NR+jj] at s·NR·kc + p·NR + jj, zero-padded past column n.
 */
const packB = (x: GemmArgs, p0: number, kc: number, j0: number, nc: number, out: Float64Array): void => {
  const { b, bOffset, ldb, transB } = x
  for (let s = 0; s < nc; s += NR) {
    const cols = Math.min(NR, nc - s)
    const base = (s / NR) * NR * kc
    for (let jj = 0; jj < NR; jj++) {
      let q = base + jj
      if (jj >= cols) {
        for (let p = 0; p < kc; p++, q += NR) out[q] = 0
      } else if (transB) {
        // B[p][j] = b[off + j·ldb + p]: row j of the stored n×k matrix is contiguous
        const src = bOffset + (j0 + s + jj) * ldb + p0
        for (let p = 0; p < kc; p++, q += NR) out[q] = b[src + p] as number
      } else {
        let src = bOffset + p0 * ldb + j0 + s + jj
        for (let p = 0; p < kc; p++, q += NR, src += ldb) out[q] = b[src] as number
      }
    }
  }
}

/**
 * The register tile: t = Σ_p Ap[:,p] ⊗ Bp[p,:] over one MR-row panel of packed A and one
 * NR-column panel of packed B — 16 multiply-adds per 8 loads, in 16 scalar accumulators.
 * (`| 0` keeps the index arithmetic in int32 without overflow checks.)
 */
// biome-ignore format: the tile reads best as a 4×4 grid
const microKernel = (kc: number, ap: Float64Array, ai: number, bp: Float64Array, bi: number, t: Float64Array): void => {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0
  const end = (ai + MR * kc) | 0
  while (ai < end) {
    const a0 = ap[ai] as number, a1 = ap[(ai + 1) | 0] as number, a2 = ap[(ai + 2) | 0] as number, a3 = ap[(ai + 3) | 0] as number
    const b0 = bp[bi] as number, b1 = bp[(bi + 1) | 0] as number, b2 = bp[(bi + 2) | 0] as number, b3 = bp[(bi + 3) | 0] as number
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3
    ai = (ai + MR) | 0
    bi = (bi + NR) | 0
  }
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33
}

/** Writes (first block) or adds (later blocks) the valid rows×cols corner of the tile into C. */
const storeTile = (c: GemmArray, at: number, ldc: number, rows: number, cols: number, add: boolean): void => {
  for (let ii = 0; ii < rows; ii++) {
    const row = at + ii * ldc
    for (let jj = 0; jj < cols; jj++) {
      const v = tile[ii * NR + jj] as number
      c[row + jj] = add ? (c[row + jj] as number) + v : v
    }
  }
}

/**
 * C = op(A)·op(B), blocked and packed for every size (the tier's tests call this directly,
 * so small products exercise the same packing code as large ones).
 * @example
 * // internal (not exported): the ts tier's path for all but tiny products, e.g. for xᵀ·g
 * // blockedGemm({ transA: true, transB: false, m, n, k, a, aOffset: 0, lda: m, b, bOffset: 0, ldb: n, c, cOffset: 0, ldc: n })
 * const before = setKernel({ kernel: 'ts' })
 * try {
 *   const x = reshape(cast(arange(64 * 40), 'float64'), [64, 40])
 *   const g = ones([64, 30], { dtype: 'float64' })
 *   const xtg = dotGeneral(x, g, { contracting: [[0], [0]], batch: [[], []] })
 *   kernelInfo().last.tier // → 'ts'
 *   setKernel({ kernel: 'ref' })
 *   toArray(xtg) // → toArray(dotGeneral(x, g, { contracting: [[0], [0]], batch: [[], []] }))
 * } finally {
 *   setKernel(before)
 * }
 */
export const blockedGemm = (x: GemmArgs): void => {
  const { m, n, k, c, cOffset, ldc } = x
  if (m === 0 || n === 0) return
  if (k === 0) {
    for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n)
    return
  }
  // equal depth blocks (784 = 4×196, not 3×256 + 16), so no block is too thin to pay for its stores
  const kb = Math.ceil(k / Math.ceil(k / KC))
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0)
    const ncPadded = Math.ceil(nc / NR) * NR
    for (let p0 = 0; p0 < k; p0 += kb) {
      const kc = Math.min(kb, k - p0)
      if (packedB.length < kc * ncPadded) packedB = new Float64Array(KC * ncPadded)
      packB(x, p0, kc, j0, nc, packedB)
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0)
        packA(x, i0, mc, p0, kc, packedA)
        for (let s = 0; s < nc; s += NR) {
          const cols = Math.min(NR, nc - s)
          for (let r = 0; r < mc; r += MR) {
            microKernel(kc, packedA, r * kc, packedB, s * kc, tile)
            storeTile(c, cOffset + (i0 + r) * ldc + j0 + s, ldc, Math.min(MR, mc - r), cols, p0 > 0)
          }
        }
      }
    }
  }
}

/** Products up to this many multiply-adds run as a plain loop: packing would cost more than it saves. */
const SMALL = 4096

/** The plain loop for tiny products (same float64 accumulation as the blocked path). */
const smallGemm = ({ transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc }: GemmArgs) => {
  const ai = transA ? 1 : lda
  const ap = transA ? lda : 1
  const bp = transB ? 1 : ldb
  const bj = transB ? ldb : 1
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      let qa = aOffset + i * ai
      let qb = bOffset + j * bj
      for (let p = 0; p < k; p++, qa += ap, qb += bp) s += (a[qa] as number) * (b[qb] as number)
      c[cOffset + i * ldc + j] = s
    }
  }
}

/**
 * The TypeScript tier: a plain loop for tiny products, {@link blockedGemm} otherwise.
 * @example
 * // internal (not exported): the ts tier, e.g. for h·wᵀ of a [128, 512] batch and [10, 512] weights:
 * // tsGemm({ transA: false, transB: true, m: 128, n: 10, k: 512, a, aOffset: 0, lda: 512, b, bOffset: 0, ldb: 512, c, cOffset: 0, ldc: 10 })
 * const before = setKernel({ kernel: 'ts' })
 * try {
 *   const h = ones([128, 512])
 *   const w = ones([10, 512])
 *   toArray(dot(h, transpose(w)))[0] // → Array(10).fill(512)
 *   kernelInfo().last // → { tier: 'ts', threads: 1, dtype: 'float32', m: 128, n: 10, k: 512, transA: false, transB: true, relaxedSimd: false }
 * } finally {
 *   setKernel(before)
 * }
 */
export const tsGemm = (x: GemmArgs): void => (x.m * x.n * x.k <= SMALL ? smallGemm(x) : blockedGemm(x))
