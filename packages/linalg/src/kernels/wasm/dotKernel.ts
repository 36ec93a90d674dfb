/** The dot-form micro-kernel for narrow products: an mr×nj tile of C from dot products along k, 4 steps per vector. */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'
import { madd } from './microKernel.js'

/** Shape and instruction choices of one dot-form kernel. */
export interface DotKernelSpec {
  /** Rows of the tile (rows of op(A) interleaved in a packed panel). */
  readonly mr: number
  /** Columns of the tile (columns of op(B) interleaved in a packed panel). */
  readonly nj: number
  /** Use `f32x4.relaxed_madd` instead of `f32x4.mul` + `f32x4.add`. */
  readonly relaxed: boolean
}

/**
 * Adds `kernel(ap, bp, cp, ldc, chunks, accumulate)` and returns its function index. Packed panels hold k in
 * chunks of 4: chunk q of row i of A at ap + 16·(q·mr + i), of column j of B at bp + 16·(q·nj + j). Accumulator
 * (i, j) is an f32x4 of four partial sums, lane l collecting the steps p ≡ l (mod 4); at the end its lanes are
 * added as (l0 + l1) + (l2 + l3), and the sum is stored to C (or added to C when `accumulate` is nonzero).
 * Per chunk: mr + nj vector loads and mr·nj multiply-adds, with no zero columns when n is not a multiple of 4.
 * @example
 * // internal (not exported): emits the dot form's 4×2 tile, e.g. addDotKernel(mod, { mr: 4, nj: 2, relaxed: false });
 * // a 5×3 C is two rows of tiles and two columns, the last of each partial
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [5, 33]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [33, 3]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const addDotKernel = (mod: ModuleBuilder, { mr, nj, relaxed }: DotKernelSpec): number =>
  mod.func(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [ap, bp, cp, ldc, chunks, accumulate] = [0, 1, 2, 3, 4, 5]
    const acc = Array.from({ length: mr * nj }, () => f.local('v128'))
    const a = Array.from({ length: mr }, () => f.local('v128'))
    const b = Array.from({ length: nj }, () => f.local('v128'))
    const accAt = (i: number, j: number) => acc[i * nj + j] as number
    for (const r of acc) f.f32x4Const(0, 0, 0, 0).set(r)

    f.block((done) =>
      f.loop((top) => {
        f.get(chunks).i32Eqz().brIf(done)
        for (let j = 0; j < nj; j++)
          f.get(bp)
            .v128Load(16 * j)
            .set(b[j] as number)
        for (let i = 0; i < mr; i++) {
          f.get(ap)
            .v128Load(16 * i)
            .set(a[i] as number)
          for (let j = 0; j < nj; j++) madd(f, relaxed, accAt(i, j), a[i] as number, b[j] as number)
        }
        f.inc(ap, 16 * mr)
          .inc(bp, 16 * nj)
          .inc(chunks, -1)
          .br(top)
      }),
    )

    // C[i][j] = (C[i][j] +) Σ lanes; cp advances by rows
    const store = (add: boolean) => {
      for (let i = 0; i < mr; i++) {
        for (let j = 0; j < nj; j++) {
          f.get(cp)
          laneSum(f, accAt(i, j))
          if (add)
            f.get(cp)
              .f32Load(4 * j)
              .f32Add()
          f.f32Store(4 * j)
        }
        if (i < mr - 1) f.get(cp).get(ldc).i32Add().set(cp)
      }
    }
    f.get(accumulate).ifElse(
      () => store(true),
      () => store(false),
    )
  })

// (v0 + v1) + (v2 + v3) of the f32x4 in local v
const laneSum = (f: Code, v: number): void => {
  f.get(v).f32x4ExtractLane(0).get(v).f32x4ExtractLane(1).f32Add()
  f.get(v).f32x4ExtractLane(2).get(v).f32x4ExtractLane(3).f32Add()
  f.f32Add()
}
