/** The register-blocked SIMD micro-kernel: an MR×W tile of C += (packed A panel)·(packed B panel) over kc steps. */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'

/** Shape and instruction choices of one micro-kernel. */
export interface MicroKernelSpec {
  /** Rows of the tile (rows of a packed A panel). */
  readonly mr: number
  /** Columns of the tile, a multiple of 4 (columns of a packed B panel). */
  readonly width: number
  /** Steps of k per loop iteration. */
  readonly unroll: number
  /** Use `f32x4.relaxed_madd` instead of `f32x4.mul` + `f32x4.add`. */
  readonly relaxed: boolean
  /**
   * The zero-skipping form: packed A holds only the kept k steps, and a seventh parameter points at their
   * indices (i32, steps from the block's start), by which each step's row of the B panel is found.
   */
  readonly sparse?: boolean
}

/**
 * Adds `kernel(ap, bp, cp, ldc, kc, accumulate)` to the module and returns its function index.
 * Packed A holds mr floats per k step (A[i][p] at ap + 4·(p·mr + i)), packed B holds width floats per step
 * (B[p][j] at bp + 4·(p·width + j)); C rows are `ldc` bytes apart. The tile lives in mr·width/4 f32x4
 * accumulators: per step, width/4 vector loads of B, mr broadcast loads of A and mr·width/4 multiply-adds.
 * Each C element's products are summed in k order from 0, then added to C when `accumulate` is nonzero
 * (so a k-blocked product sums each block in order and adds the blocks in order: fixed by the blocking alone).
 * The sparse form, `kernel(ap, bp, cp, ldc, count, accumulate, idx)`, runs `count` kept steps: step t multiplies
 * A's t-th packed step by the B panel's step idx[t] (B row at bp + 4·width·idx[t]). Its accumulators see the
 * same products in the same order as the dense kernel's, less the skipped ones; `packA` skips a step only when
 * the panel's A values there are all ±0 (see compactPanel.ts), so with finite B the bits are the same.
 * @example
 * // internal (not exported): emits the 2×16 f32x4 tile of the tiles form, e.g.
 * // addMicroKernel(mod, { mr: 4, width: 8, unroll: 4, relaxed: false }); C's edges (37×40 here) are padded tiles
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [37, 50]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [50, 40]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const addMicroKernel = (mod: ModuleBuilder, spec: MicroKernelSpec): number => {
  const { mr, width, unroll, relaxed, sparse = false } = spec
  const nv = width / 4
  return mod.func(Array(sparse ? 7 : 6).fill('i32'), [], (f) => {
    const [ap, bp, cp, ldc, kc, accumulate, idx] = [0, 1, 2, 3, 4, 5, 6]
    const row = f.local('i32')
    const bq = sparse ? f.local('i32') : bp
    const acc = Array.from({ length: mr * nv }, () => f.local('v128'))
    const b = Array.from({ length: nv }, () => f.local('v128'))
    const a = f.local('v128')
    const accAt = (i: number, v: number) => acc[i * nv + v] as number

    // Accumulators start from zero; C is added after the loop, so no C pointer is live inside it.
    for (const r of acc) f.f32x4Const(0, 0, 0, 0).set(r)

    const step = (u: number) => {
      // the sparse form: this step's B row, from its index
      if (sparse)
        f.get(idx)
          .i32Load(4 * u)
          .i32Const(4 * width)
          .i32Mul()
          .get(bp)
          .i32Add()
          .set(bq)
      for (let v = 0; v < nv; v++)
        f.get(bq)
          .v128Load(4 * ((sparse ? 0 : u * width) + 4 * v))
          .set(b[v] as number)
      for (let i = 0; i < mr; i++) {
        f.get(ap)
          .v128Load32Splat(4 * (u * mr + i))
          .set(a)
        for (let v = 0; v < nv; v++) madd(f, relaxed, accAt(i, v), a, b[v] as number)
      }
    }
    // Main loop, `unroll` steps per iteration; then the remaining kc mod unroll steps one at a time.
    // (the dense form walks B; the sparse form walks the indices)
    const advance = (steps: number) => {
      f.inc(ap, 4 * steps * mr)
      if (sparse) f.inc(idx, 4 * steps)
      else f.inc(bp, 4 * steps * width)
    }
    loopWhile(f, kc, unroll, () => {
      for (let u = 0; u < unroll; u++) step(u)
      advance(unroll)
    })
    if (unroll > 1) {
      loopWhile(f, kc, 1, () => {
        step(0)
        advance(1)
      })
    }

    // C = (C +) tile: a later k block adds its partial sums to what the earlier blocks stored.
    const store = (add: boolean) => {
      f.get(cp).set(row)
      for (let i = 0; i < mr; i++) {
        for (let v = 0; v < nv; v++) {
          f.get(row).get(accAt(i, v))
          if (add)
            f.get(row)
              .v128Load(16 * v)
              .f32x4Add()
          f.v128Store(16 * v)
        }
        if (i < mr - 1) f.get(row).get(ldc).i32Add().set(row)
      }
    }
    f.get(accumulate).ifElse(
      () => store(true),
      () => store(false),
    )
  })
}

/**
 * local[acc] += local[a]·local[b], lane-wise on f32x4: one `f32x4.relaxed_madd`, or `f32x4.mul` + `f32x4.add`.
 * @example
 * // internal (not exported): madd(f, relaxed, acc, a, b) emits acc += a·b: f32x4.relaxed_madd (fused on FMA hardware)
 * // where the runtime has relaxed SIMD, else f32x4.mul and f32x4.add; kernelInfo says which ran
 * const before = setKernel({ kernel: 'wasm' })
 * try {
 *   matmul(ones([4, 4]), ones([4, 4]))
 *   kernelInfo().last.relaxedSimd // → kernelInfo().relaxedSimd
 * } finally {
 *   setKernel(before)
 * }
 */
export const madd = (f: Code, relaxed: boolean, acc: number, a: number, b: number): void => {
  if (relaxed) f.get(a).get(b).get(acc).f32x4RelaxedMadd().set(acc)
  else f.get(acc).get(a).get(b).f32x4Mul().f32x4Add().set(acc)
}

// while (counter >= chunk) { body(); counter -= chunk }
const loopWhile = (f: Code, counter: number, chunk: number, body: () => void): void => {
  f.block((done) =>
    f.loop((top) => {
      f.get(counter).i32Const(chunk).i32LtS().brIf(done)
      body()
      f.inc(counter, -chunk).br(top)
    }),
  )
}
