/** The GEMM driver: loops over k blocks, row-panel blocks and tiles, calling the micro-kernel for each tile. */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'
import { emitPanelBytes, panelParts } from './compactPanel.js'
import type { GemmModuleOptions } from './gemmModuleOptions.js'
import { forEvenBlocks, forRange, minInto, roundUp4 } from './loops.js'

/** How the driver calls the micro-kernels: `dense` and `sparse` emit the call for the panel width held in local `width`. */
export interface KernelCalls {
  readonly dense: (f: Code, width: number, args: () => void) => void
  readonly sparse: (f: Code, width: number, args: () => void) => void
  /** The function index of `finite(ptr, bytes)` (see compactPanel.ts). */
  readonly finite: number
}

/**
 * Adds the exported `gemm(ap, bp, c, ldc, n, k, ip0, ip1, jp0, jp1)` (see `gemmModuleBytes`).
 * Loop order (outer to inner): k blocks; blocks of `mcPanels` row panels (their packed A stays in L2);
 * column panels (one packed B micro-panel, kc×16 floats = 16 KiB, stays in L1); row panels: one tile each.
 * k is cut into ⌈k/kc⌉ blocks of nearly equal length — a function of k alone, so the summation order of a C
 * element never depends on how tiles are shared between threads.
 * With `skipZeros`, a tile whose A panel kept fewer than all of the block's steps (see compactPanel.ts) runs the
 * sparse micro-kernel on the compact copy — if the block's B micro-panel is finite, which is checked once per
 * micro-panel and only when a tile asks. The choice depends on the data of the tile alone, never on the thread.
 * @example
 * // internal (not exported): emits the tiles form's blocked loop, addGemmDriver(mod, options, { dense, sparse,
 * // finite }): panels of A and B, k in blocks of at most 256 (k = 600: three blocks of 200)
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [20, 600]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [600, 36]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const addGemmDriver = (
  mod: ModuleBuilder,
  { mr, nr, kc: kcMax, mcPanels, skipZeros }: GemmModuleOptions,
  calls: KernelCalls,
): number =>
  mod.func(
    Array(10).fill('i32'),
    [],
    (f) => {
      const [ap, bp, c, ldc, n, k, ip0, ip1, jp0, jp1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
      const local = () => f.local('i32')
      const [kcStep, p0, kc, accumulate, ib, ibEnd, jp, ip] = [
        local(),
        local(),
        local(),
        local(),
        local(),
        local(),
        local(),
        local(),
      ]
      const [c0, cols, width, app, bpp, cpp] = [local(), local(), local(), local(), local(), local()]
      const [stride, block, panel, kept, finite, compacted] = [local(), local(), local(), local(), local(), local()]
      const skip = local()
      const parts = panelParts(f, mr, k)
      emitPanelBytes(f, mr, kcMax, k, stride)
      // packA compacted the panels exactly when n > 2·nr (compactsA)
      f.get(n)
        .i32Const(2 * nr)
        .i32GtS()
        .set(compacted)
      f.i32Const(0).set(block)

      // k blocks of kcStep = ⌈k / ⌈k / kcMax⌉⌉ steps; this one is [p0, p0 + kc)
      forEvenBlocks(f, kcMax, { total: k, step: kcStep, start: p0, length: kc }, () => {
        f.get(p0).i32Const(0).i32GtS().set(accumulate)
        forRange(
          f,
          ib,
          () => f.get(ip0),
          ip1,
          () => {
            minInto(
              f,
              ibEnd,
              () => f.get(ib).i32Const(mcPanels).i32Add(),
              () => f.get(ip1),
            )
            forRange(
              f,
              jp,
              () => f.get(jp0),
              jp1,
              () => {
                f.get(jp).i32Const(nr).i32Mul().set(c0)
                minInto(
                  f,
                  cols,
                  () => f.i32Const(nr),
                  () => f.get(n).get(c0).i32Sub(),
                )
                roundUp4(f, cols, width)
                // whether this block's B micro-panel is finite: −1 until a tile asks
                f.i32Const(-1).set(finite)
                // bpp = bp + 4·(jp·k·nr + p0·width): k block p0 of column panel jp
                f.get(bp).get(jp).get(k).i32Mul().i32Const(nr).i32Mul().get(p0).get(width).i32Mul().i32Add()
                f.i32Const(2).i32Shl().i32Add().set(bpp)
                forRange(
                  f,
                  ip,
                  () => f.get(ib),
                  ibEnd,
                  () => {
                    // panel = ap + ip·stride; app = panel + 4·mr·p0; cpp = c + ip·mr·ldc + 4·c0
                    f.get(ap).get(ip).get(stride).i32Mul().i32Add().set(panel)
                    f.get(panel)
                      .get(p0)
                      .i32Const(4 * mr)
                      .i32Mul()
                      .i32Add()
                      .set(app)
                    f.get(c).get(ip).i32Const(mr).i32Mul().get(ldc).i32Mul().i32Add()
                    f.get(c0).i32Const(2).i32Shl().i32Add().set(cpp)
                    const dense = () =>
                      calls.dense(f, width, () => f.get(app).get(bpp).get(cpp).get(ldc).get(kc).get(accumulate))
                    if (!skipZeros) dense()
                    else {
                      // skip = compacted, fewer than kc steps kept in this block, and B's micro-panel finite
                      f.i32Const(0).set(skip)
                      f.get(compacted).ifElse(() => {
                        parts.countAt(panel, block).i32Load().set(kept)
                        f.get(kept)
                          .get(kc)
                          .i32Ne()
                          .ifElse(() => {
                            f.get(finite)
                              .i32Const(0)
                              .i32LtS()
                              .ifElse(() => {
                                f.get(bpp).get(kc).get(width).i32Mul().i32Const(2).i32Shl()
                                f.call(calls.finite).set(finite)
                              })
                            f.get(finite).set(skip)
                          })
                      })
                      f.get(skip).ifElse(
                        () =>
                          calls.sparse(f, width, () => {
                            // compact A of this block, then B, C, ldc, count, accumulate, indices
                            parts.compactAt(panel, p0)
                            f.get(bpp).get(cpp).get(ldc).get(kept).get(accumulate)
                            parts.indicesAt(panel, p0)
                          }),
                        dense,
                      )
                    }
                    f.inc(ip, 1)
                  },
                )
                f.inc(jp, 1)
              },
            )
            f.get(ibEnd).set(ib)
          },
        )
        f.inc(block, 1)
      })
    },
    'gemm',
  )
