/** The reference GEMM tier: the naive triple loop, accumulating in float64 — the oracle every other tier is tested against. */
import type { GemmArgs } from './gemm.js'

/**
 * C = op(A)·op(B) by definition: c[i][j] = Σ_p A[i][p]·B[p][j], summed in float64
 * (JS numbers) and rounded once when stored.
 * @example
 * // internal (not exported): the ref tier. With c = new Float32Array(1),
 * // refGemm({ transA: false, transB: false, m: 1, n: 1, k: 2, a: Float32Array.of(1, 2), aOffset: 0, lda: 2,
 * //   b: Float32Array.of(3, 4), bOffset: 0, ldb: 1, c, cOffset: 0, ldc: 1 }) sets c to [11]. As a tier:
 * const before = setKernel({ kernel: 'ref' })
 * try {
 *   toArray(matmul(array([[1, 2]]), array([[3], [4]]))) // → [[11]]
 *   kernelInfo().last.tier // → 'ref'
 * } finally {
 *   setKernel(before)
 * }
 */
export const refGemm = ({ transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc }: GemmArgs) => {
  // A[i][p] = a[aOffset + i·ai + p·ap], B[p][j] = b[bOffset + p·bp + j·bj]
  const ai = transA ? 1 : lda
  const ap = transA ? lda : 1
  const bp = transB ? 1 : ldb
  const bj = transB ? ldb : 1
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let p = 0; p < k; p++)
        s += (a[aOffset + i * ai + p * ap] as number) * (b[bOffset + p * bp + j * bj] as number)
      c[cOffset + i * ldc + j] = s
    }
  }
}
