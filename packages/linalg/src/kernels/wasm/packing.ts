/** Packing routines: copy one W-wide panel of an operand into the contiguous layout the micro-kernel reads. */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'
import { forCount, forRange } from './loops.js'

/**
 * How a panel's element (w, p) — w across the panel, p along k — is laid out in the source:
 * 'rows' = at src + p·ld + 4w (the panel's w run along a source row: A transposed, B plain);
 * 'columns' = at src + w·ld + 4p (each w is a source row read along k: A plain, B transposed).
 */
export type PanelSource = 'rows' | 'columns'

/**
 * Adds `pack(src, ld, valid, depth, dst)` for panels of `width` floats and returns its function index.
 * It writes dst + 4·(p·width + w) for p < depth, w < width: the source element for w < valid, zero beyond,
 * so the micro-kernel can always compute whole tiles. `ld` is in bytes.
 * Full panels take SIMD paths: vector (or 8-byte) copies ('rows'), 4×4 transposes or 2-row interleaves ('columns').
 * @example
 * // internal (not exported): emits a panel packer, e.g. addPackPanel(mod, 16, 'rows') for 16-wide panels of B;
 * // transposed operands are packed from their stored layout, so op(B) = Bᵀ costs no copy
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [24, 30]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [50, 30]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, transpose(b))) // → on('ref', () => matmul(a, transpose(b)))
 * kernelInfo().last.transB // → true
 */
export const addPackPanel = (mod: ModuleBuilder, width: number, source: PanelSource): number =>
  mod.func(['i32', 'i32', 'i32', 'i32', 'i32'], [], (f) => {
    const [src, ld, valid, depth, dst] = [0, 1, 2, 3, 4]
    const w = f.local('i32')
    const p = f.local('i32')
    const p0 = f.local('i32') // the scalar loop starts at k step p0 (after a SIMD path's whole groups of 4)
    const s = f.local('i32')
    const d = f.local('i32')
    const full = () => f.get(valid).i32Const(width).i32Eq()

    f.i32Const(0).set(p0)
    if (source === 'rows' && (width % 4 === 0 || width === 2)) {
      full().ifElse(() => {
        forCount(f, p, depth, () => {
          if (width === 2) f.get(dst).get(src).i64Load().i64Store()
          for (let v = 0; v < Math.floor(width / 4); v++)
            f.get(dst)
              .get(src)
              .v128Load(16 * v)
              .v128Store(16 * v)
          f.get(src).get(ld).i32Add().set(src)
          f.inc(dst, 4 * width)
        })
        f.raw(0x0f) // return
      })
    } else if (source === 'columns' && (width % 4 === 0 || width === 2)) {
      full().ifElse(() => {
        f.get(depth).i32Const(-4).i32And().set(p0)
        if (width === 2) interleaveRows(f, { src, ld, dst, p, p0, s, d })
        else transposeRows(f, width, { src, ld, dst, p, p0, s, d })
      })
    }
    // Scalar path: partial panels (zero padding first) and the k steps a SIMD path left.
    full()
      .i32Eqz()
      .ifElse(() => {
        f.get(dst)
          .i32Const(0)
          .get(depth)
          .i32Const(4 * width)
          .i32Mul()
          .memoryFill()
      })
    forCount(f, w, valid, () => {
      // s = source of element (w, p0), d = its destination
      if (source === 'rows') f.get(src).get(p0).get(ld).i32Mul().i32Add().get(w).i32Const(2).i32Shl().i32Add().set(s)
      else f.get(src).get(w).get(ld).i32Mul().i32Add().get(p0).i32Const(2).i32Shl().i32Add().set(s)
      f.get(dst).get(p0).i32Const(width).i32Mul().get(w).i32Add().i32Const(2).i32Shl().i32Add().set(d)
      forRange(
        f,
        p,
        () => f.get(p0),
        depth,
        () => {
          f.get(d).get(s).f32Load().f32Store()
          if (source === 'rows') f.get(s).get(ld).i32Add().set(s)
          else f.inc(s, 4)
          f.inc(d, 4 * width).inc(p, 1)
        },
      )
    })
  })

interface PackLocals {
  readonly src: number
  readonly ld: number
  readonly dst: number
  readonly p: number
  readonly p0: number
  readonly s: number
  readonly d: number
}

// Byte lanes of an i8x16.shuffle that picks f32 lanes (0–3 first operand, 4–7 second).
const f32Lanes = (lanes: readonly number[]): number[] => lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])
// Rows a, b → [a0 b0 a1 b1] (low halves interleaved) and [a2 b2 a3 b3] (high halves).
const interleaveLow = f32Lanes([0, 4, 1, 5])
const interleaveHigh = f32Lanes([2, 6, 3, 7])

// Two source rows a, b → [a0 b0 a1 b1], [a2 b2 a3 b3]: four k steps of a 2-wide panel per iteration.
const interleaveRows = (f: Code, { src, ld, dst, p, p0, s, d }: PackLocals): void => {
  f.get(src).set(s)
  f.get(dst).set(d)
  forCount(f, p, p0, () => {
    for (const [lanes, at] of [
      [interleaveLow, 0],
      [interleaveHigh, 16],
    ] as const)
      f.get(d).get(s).v128Load().get(s).get(ld).i32Add().v128Load().i8x16Shuffle(lanes).v128Store(at)
    f.inc(s, 16).inc(d, 32).inc(p, 3)
  })
}

// Each group of 4 source rows: 4×4 transposes, four k steps per iteration.
const transposeRows = (f: Code, width: number, { src, ld, dst, p, p0, s, d }: PackLocals): void => {
  const v = Array.from({ length: 4 }, () => f.local('v128'))
  const t = Array.from({ length: 4 }, () => f.local('v128'))
  const [v0, v1, v2, v3] = v as [number, number, number, number]
  const [t0, t1, t2, t3] = t as [number, number, number, number]
  for (let g = 0; g < width / 4; g++) {
    f.get(src)
      .get(ld)
      .i32Const(4 * g)
      .i32Mul()
      .i32Add()
      .set(s)
    f.get(dst).set(d)
    forCount(f, p, p0, () => {
      for (let r = 0; r < 4; r++) {
        f.get(s)
        for (let i = 0; i < r; i++) f.get(ld).i32Add()
        f.v128Load().set(v[r] as number)
      }
      // [a b c d] rows → t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
      for (const [x, y, lanes, out] of [
        [v0, v1, interleaveLow, t0],
        [v0, v1, interleaveHigh, t1],
        [v2, v3, interleaveLow, t2],
        [v2, v3, interleaveHigh, t3],
      ] as const)
        f.get(x).get(y).i8x16Shuffle(lanes).set(out)
      // k step j of the four rows: [a_j b_j c_j d_j], stored at d + 4·(j·width + 4g)
      const out = (x: number, y: number, lanes: number[], j: number) =>
        f
          .get(d)
          .get(x)
          .get(y)
          .i8x16Shuffle(f32Lanes(lanes))
          .v128Store(4 * (j * width + 4 * g))
      out(t0, t2, [0, 1, 4, 5], 0)
      out(t0, t2, [2, 3, 6, 7], 1)
      out(t1, t3, [0, 1, 4, 5], 2)
      out(t1, t3, [2, 3, 6, 7], 3)
      f.inc(s, 16)
        .inc(d, 16 * width)
        .inc(p, 3)
    })
  }
}
