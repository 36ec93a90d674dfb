/** The one signature every matrix-multiplication kernel tier implements (row-major GEMM with transpose flags). */

/**
 * Storage a GEMM kernel works on: float32 for every tier; float64 for `ref` and `ts`.
 * @category Kernels
 */
export type GemmArray = Float32Array | Float64Array

/**
 * C = op(A) · op(B), written over C (row-major).
 * - op(A) is m×k: when `transA` is false, A holds an m×k matrix with row stride `lda`
 *   (A[i][p] = a[aOffset + i·lda + p]); when true, A holds a k×m matrix (A[p][i] = a[aOffset + p·lda + i]).
 * - op(B) is k×n likewise, with `transB` and `ldb`.
 * - C is m×n with row stride `ldc`: c[cOffset + i·ldc + j].
 * `a`, `b` and `c` have the same element type; k may be 0 (C becomes zeros).
 * @category Kernels
 */
export interface GemmArgs<T extends GemmArray = GemmArray> {
  readonly transA: boolean
  readonly transB: boolean
  readonly m: number
  readonly n: number
  readonly k: number
  readonly a: T
  readonly aOffset: number
  readonly lda: number
  readonly b: T
  readonly bOffset: number
  readonly ldb: number
  readonly c: T
  readonly cOffset: number
  readonly ldc: number
}

/**
 * A kernel tier's entry point.
 * @category Kernels
 */
export type GemmKernel = (args: GemmArgs) => void
