/** Packing for the dot-form kernel: `width` rows of an operand along k, interleaved in chunks of 4 steps. */
import type { ModuleBuilder } from '@nabla/ndarray/wasm'
import { forCount, forRange } from './loops.js'

/**
 * Adds `pack(src, ws, ps, valid, depth, dst)` and returns its function index. Element (w, p) of the source is at
 * src + w·ws + p·ps (bytes); the panel gets chunk q of row w at dst + 16·(q·width + w), that is
 * dst + 16·(⌊p/4⌋·width + w) + 4·(p mod 4), for ⌈depth/4⌉ chunks. Rows w ≥ valid and steps p ≥ depth are zero.
 * Whole chunks of full panels read along k (ps = 4) are vector copies; the rest is copied element by element.
 * @example
 * // internal (not exported): emits the dot form's packer, e.g. addPackChunks(mod, 4): rows of A in chunks of 4 floats
 * // along k, the last chunk padded with zeros (k = 33 here)
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [9, 33]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [33, 6]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const addPackChunks = (mod: ModuleBuilder, width: number): number =>
  mod.func(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [src, ws, ps, valid, depth, dst] = [0, 1, 2, 3, 4, 5]
    const [q, p0, s, d, w, p] = Array.from({ length: 6 }, () => f.local('i32')) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ]
    const whole = f.local('i32')
    f.i32Const(0).set(p0)
    f.get(ps)
      .i32Const(4)
      .i32Eq()
      .get(valid)
      .i32Const(width)
      .i32Eq()
      .i32And()
      .ifElse(() => {
        // whole chunks: for each chunk, one 16-byte copy per row
        f.get(depth).i32Const(2).i32ShrU().set(whole)
        f.get(dst).set(d)
        forCount(f, q, whole, () => {
          f.get(src).get(q).i32Const(4).i32Shl().i32Add().set(s)
          for (let r = 0; r < width; r++) {
            f.get(d)
              .get(s)
              .v128Load()
              .v128Store(16 * r)
            if (r < width - 1) f.get(s).get(ws).i32Add().set(s)
          }
          f.inc(d, 16 * width)
        })
        f.get(whole).i32Const(2).i32Shl().set(p0)
      })
    // zero from chunk p0/4 to the end, then copy the remaining elements one by one
    f.get(dst)
      .get(p0)
      .i32Const(4 * width)
      .i32Mul()
      .i32Add()
      .i32Const(0)
    f.get(depth)
      .i32Const(3)
      .i32Add()
      .i32Const(-4)
      .i32And()
      .get(p0)
      .i32Sub()
      .i32Const(4 * width)
      .i32Mul()
      .memoryFill()
    forCount(f, w, valid, () => {
      forRange(
        f,
        p,
        () => f.get(p0),
        depth,
        () => {
          // dst + 16·(⌊p/4⌋·width + w) + 4·(p mod 4) ← src + w·ws + p·ps
          f.get(dst).get(p).i32Const(2).i32ShrU().i32Const(width).i32Mul().get(w).i32Add().i32Const(4).i32Shl()
          f.i32Add().get(p).i32Const(3).i32And().i32Const(2).i32Shl().i32Add()
          f.get(src).get(w).get(ws).i32Mul().i32Add().get(p).get(ps).i32Mul().i32Add().f32Load()
          f.f32Store()
          f.inc(p, 1)
        },
      )
    })
  })
