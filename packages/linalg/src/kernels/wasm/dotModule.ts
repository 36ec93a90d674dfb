/** The dot form of the GEMM module (for narrow n with plain A): packDotA, packDotB and gemmDot. */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'
import { addDotKernel } from './dotKernel.js'
import { addPanelPacker, forEvenBlocks, forRange } from './loops.js'
import { addPackChunks } from './packChunks.js'

/** Tile and blocking of the dot form. */
export interface DotOptions {
  /** Rows of a tile. */
  readonly dotMr: number
  /** Columns of a tile. */
  readonly dotNj: number
  /** Longest k block, in steps (a multiple of 4). */
  readonly dotKc: number
  readonly relaxed: boolean
}

/**
 * Adds three exports with the same signatures as packA, packB and gemm:
 * `packDotA(src, ld, trans, m, k, dst, ip0, ip1)` (trans must be 0: rows of A are read along k),
 * `packDotB(src, ld, trans, n, k, dst, jp0, jp1)` and `gemmDot(ap, bp, c, ldc, n, k, ip0, ip1, jp0, jp1)`.
 * A panel ip (rows ip·dotMr…) is at ap + 16·ip·⌈k/4⌉·dotMr, a B panel jp (columns jp·dotNj…) at
 * bp + 16·jp·⌈k/4⌉·dotNj, both in chunks of 4 k steps (see addPackChunks). k is cut into ⌈k/dotKc⌉ blocks of
 * whole chunks and nearly equal length, a function of k alone. C needs room for whole tiles.
 * @example
 * // internal (not exported): adds the dot form, e.g. addDotFunctions(mod, { dotMr: 4, dotNj: 2, dotKc: 1024,
 * // relaxed: false }), for plain A and n ≤ 15: each element a dot product of a row of A and a column of B
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * // a batch of 64 times the 10 outputs of a last layer
 * const h = cast(cast(mul(uniform(key(0), [64, 784]), 5), 'int32'), 'float32')
 * const w = cast(cast(mul(uniform(key(1), [784, 10]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(h, w)) // → on('ref', () => matmul(h, w))
 */
export const addDotFunctions = (mod: ModuleBuilder, { dotMr: mr, dotNj: nj, dotKc, relaxed }: DotOptions): void => {
  const kernel = addDotKernel(mod, { mr, nj, relaxed })
  const packA = addPackChunks(mod, mr)
  const packB = mr === nj ? packA : addPackChunks(mod, nj)
  // pushes ⌈k/4⌉, the chunks of 4 steps
  const chunkCount = (f: Code, k: number) => f.get(k).i32Const(3).i32Add().i32Const(2).i32ShrU()

  // packDotA: rows of A along k (trans is 0: row i at src + i·ld, steps 4 bytes apart)
  addPanelPacker(mod, 'packDotA', mr, (f, { src, ld, k, dst, panel, first, valid }) => {
    f.get(src).get(first).get(ld).i32Mul().i32Add().get(ld).i32Const(4).get(valid).get(k)
    f.get(dst).get(panel)
    chunkCount(f, k)
      .i32Mul()
      .i32Const(16 * mr)
      .i32Mul()
      .i32Add()
      .call(packA)
  })

  addPanelPacker(mod, 'packDotB', nj, (f, { src, ld, trans, k, dst, panel, first, valid }) => {
    // column j of op(B) along k: B[p][j] at src + p·ld + 4j, or (trans) src + j·ld + 4p
    f.get(src).get(first).get(ld).i32Mul().i32Add()
    f.get(src).get(first).i32Const(2).i32Shl().i32Add()
    f.get(trans).select()
    f.get(ld).i32Const(4).get(trans).select()
    f.i32Const(4).get(ld).get(trans).select()
    f.get(valid).get(k).get(dst).get(panel)
    chunkCount(f, k)
      .i32Mul()
      .i32Const(16 * nj)
      .i32Mul()
      .i32Add()
      .call(packB)
  })

  mod.func(
    Array(10).fill('i32'),
    [],
    (f) => {
      const [ap, bp, c, ldc, , k, ip0, ip1, jp0, jp1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      const local = () => f.local('i32')
      const [chunks, step, q0, qc, ip, jp, app, cpp] = [
        local(),
        local(),
        local(),
        local(),
        local(),
        local(),
        local(),
        local(),
      ]
      chunkCount(f, k).set(chunks)
      // k blocks of step = ⌈chunks / ⌈chunks / (dotKc/4)⌉⌉ chunks; this one is chunks [q0, q0 + qc)
      forEvenBlocks(f, dotKc / 4, { total: chunks, step, start: q0, length: qc }, () => {
        forRange(
          f,
          ip,
          () => f.get(ip0),
          ip1,
          () => {
            f.get(ap)
              .get(ip)
              .get(chunks)
              .i32Mul()
              .get(q0)
              .i32Add()
              .i32Const(16 * mr)
              .i32Mul()
              .i32Add()
              .set(app)
            f.get(c).get(ip).i32Const(mr).i32Mul().get(ldc).i32Mul().i32Add().set(cpp)
            forRange(
              f,
              jp,
              () => f.get(jp0),
              jp1,
              () => {
                f.get(app)
                f.get(bp)
                  .get(jp)
                  .get(chunks)
                  .i32Mul()
                  .get(q0)
                  .i32Add()
                  .i32Const(16 * nj)
                  .i32Mul()
                  .i32Add()
                f.get(cpp)
                  .get(jp)
                  .i32Const(4 * nj)
                  .i32Mul()
                  .i32Add()
                f.get(ldc).get(qc).get(q0).i32Const(0).i32GtS().call(kernel)
                f.inc(jp, 1)
              },
            )
            f.inc(ip, 1)
          },
        )
      })
    },
    'gemmDot',
  )
}
