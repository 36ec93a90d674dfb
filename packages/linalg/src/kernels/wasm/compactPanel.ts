/**
 * Zero skipping: the packed A panel's k steps whose values are all ±0, left out of a compact copy the sparse
 * micro-kernel reads. Images (MNIST's are 80 % background) and ReLU activations make such steps common, and a
 * skipped step is skipped for a whole 2×16 tile.
 *
 * A packed A panel (`mr` rows over k steps) takes `aPanelBytes` bytes: the dense panel (mr·k floats), the compact
 * copy (the same room), the kept steps' indices (k i32s: steps from their k block's start) and the number kept
 * in each k block (⌈k/kc⌉ i32s). k blocks are those of the driver (`forEvenBlocks` with the same longest block),
 * so a block's kept steps start where its dense steps do.
 */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'
import { forEvenBlocks, forRange } from './loops.js'

/**
 * Whether a product compacts its A panels: only when its tiles span more than two column panels. Compacting costs
 * about one pass of a single tile over the panel, and a product with n ≤ 2·nr (the 10 classes of an output layer)
 * would spend more on it than the skipped steps save.
 * @example
 * // internal (not exported): compactsA(512, 16) is true and compactsA(10, 16) false: A's panels get a compact copy
 * // for zero skipping only when C has more than two 16-wide panels. Either way, the dense product's bits:
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const x = cast(greater(uniform(key(0), [64, 100]), 0.8), 'float32')
 * const g512 = cast(cast(mul(uniform(key(1), [64, 512]), 5), 'int32'), 'float32')
 * const g10 = cast(cast(mul(uniform(key(2), [64, 10]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(transpose(x), g512)) // → on('ref', () => matmul(transpose(x), g512))
 * on('wasm', () => matmul(transpose(x), g10)) // → on('ref', () => matmul(transpose(x), g10))
 */
export const compactsA = (n: number, nr: number): boolean => n > 2 * nr

/**
 * Bytes of one packed A panel with its compact copy, indices and counts (see the file comment).
 * @example
 * // internal (not exported): aPanelBytes(2, 784, 256) is 4·(5·784 + 4), a 2-row panel of A with its compact copy.
 * // Through matmul, a transposed sparse A (xᵀ·g, MNIST's first weight gradient) on the wasm tier:
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const x = cast(greater(uniform(key(0), [32, 784]), 0.8), 'float32')
 * const g = cast(cast(mul(uniform(key(1), [32, 64]), 5), 'int32'), 'float32')
 * const xtg = (x, g) => dotGeneral(x, g, { contracting: [[0], [0]], batch: [[], []] })
 * on('wasm', () => xtg(x, g)) // → on('ref', () => xtg(x, g))
 */
export const aPanelBytes = (mr: number, k: number, kcMax: number): number =>
  4 * ((2 * mr + 1) * k + Math.ceil(k / kcMax))

/**
 * Addresses inside the packed A panel at local `panel`, for a matrix of local `k` steps: each pushes one i32.
 * @example
 * // internal (not exported): where the parts of a packed panel are, e.g. panelParts(f, 2, k).compactAt(panel, p0),
 * // where block p0's kept steps start; k = 600 spans three blocks, each skipping its own zero steps
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const x = cast(greater(uniform(key(0), [600, 40]), 0.7), 'float32')
 * const g = cast(cast(mul(uniform(key(1), [600, 48]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(transpose(x), g)) // → on('ref', () => matmul(transpose(x), g))
 */
export const panelParts = (f: Code, mr: number, k: number) => ({
  /** panel + 4·mr·(k + local[p0]): the compact copy of the block starting at step p0 */
  compactAt: (panel: number, p0: number) =>
    f
      .get(panel)
      .get(k)
      .get(p0)
      .i32Add()
      .i32Const(4 * mr)
      .i32Mul()
      .i32Add(),
  /** panel + 8·mr·k + 4·local[p0]: the indices of the block starting at step p0 */
  indicesAt: (panel: number, p0: number) =>
    f
      .get(panel)
      .get(k)
      .i32Const(8 * mr)
      .i32Mul()
      .i32Add()
      .get(p0)
      .i32Const(2)
      .i32Shl()
      .i32Add(),
  /** panel + 4·(2·mr + 1)·k + 4·local[block]: the count of kept steps of k block number `block` */
  countAt: (panel: number, block: number) =>
    f
      .get(panel)
      .get(k)
      .i32Const(4 * (2 * mr + 1))
      .i32Mul()
      .i32Add()
      .get(block)
      .i32Const(2)
      .i32Shl()
      .i32Add(),
})

/**
 * local[out] = aPanelBytes(mr, local[k], kcMax).
 * @example
 * // internal (not exported): emits aPanelBytes at run time, e.g. emitPanelBytes(f, 2, 256, k, stride): the stride of
 * // A's packed panels, so row panels of any k line up (k = 5 here, a single short block)
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const x = cast(greater(uniform(key(0), [5, 9]), 0.5), 'float32')
 * const g = cast(cast(mul(uniform(key(1), [5, 64]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(transpose(x), g)) // → on('ref', () => matmul(transpose(x), g))
 */
export const emitPanelBytes = (f: Code, mr: number, kcMax: number, k: number, out: number): void => {
  f.get(k)
    .i32Const(4 * (2 * mr + 1))
    .i32Mul()
  f.get(k)
    .i32Const(kcMax - 1)
    .i32Add()
    .i32Const(kcMax)
    .i32DivU()
    .i32Const(2)
    .i32Shl()
    .i32Add()
    .set(out)
}

/**
 * Adds `compact(panel, k)`: from the dense panel at `panel`, writes the compact copy, the indices and the
 * per-block counts. Branch-free: every step is written at the next free place, which advances only if one of the
 * step's mr values has a bit set besides the sign.
 * @example
 * // internal (not exported): emits the packer of A's compact copy, e.g. addCompactPanel(mod, 2, 256): the k steps
 * // where a 2-row panel is not all ±0. A panel that is all zeros is skipped entirely:
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const x = concat([zeros([40, 6]), cast(greater(uniform(key(0), [40, 6]), 0.5), 'float32')], 1)
 * const g = cast(cast(mul(uniform(key(1), [40, 64]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(transpose(x), g)) // → on('ref', () => matmul(transpose(x), g))
 */
export const addCompactPanel = (mod: ModuleBuilder, mr: number, kcMax: number): number =>
  mod.func(['i32', 'i32'], [], (f) => {
    const [panel, k] = [0, 1]
    const local = () => f.local('i32')
    const [step, p0, kc, block] = [local(), local(), local(), local()]
    const [s, d, x, q, kept, nonzero] = [local(), local(), local(), local(), local(), local()]
    const v = Array.from({ length: mr }, local)
    const parts = panelParts(f, mr, k)
    f.i32Const(0).set(block)
    forEvenBlocks(f, kcMax, { total: k, step, start: p0, length: kc }, () => {
      // s walks the block's dense steps; d and x are the next free compact step and index
      f.get(panel)
        .get(p0)
        .i32Const(4 * mr)
        .i32Mul()
        .i32Add()
        .set(s)
      parts.compactAt(panel, p0).set(d)
      parts.indicesAt(panel, p0).set(x)
      f.i32Const(0).set(kept)
      forRange(
        f,
        q,
        () => f.i32Const(0),
        kc,
        () => {
          for (let i = 0; i < mr; i++) {
            f.get(s)
              .i32Load(4 * i)
              .set(v[i] as number)
          }
          f.get(v[0] as number)
          for (let i = 1; i < mr; i++) f.get(v[i] as number).i32Or()
          f.i32Const(0x7fffffff).i32And().i32Const(0).i32Ne().set(nonzero)
          for (let i = 0; i < mr; i++)
            f.get(d)
              .get(v[i] as number)
              .i32Store(4 * i)
          f.get(x).get(q).i32Store()
          f.get(d)
            .get(nonzero)
            .i32Const(4 * mr)
            .i32Mul()
            .i32Add()
            .set(d)
          f.get(x).get(nonzero).i32Const(2).i32Shl().i32Add().set(x)
          f.get(kept).get(nonzero).i32Add().set(kept)
          f.inc(s, 4 * mr).inc(q, 1)
        },
      )
      // counts[block] = kept
      parts.countAt(panel, block).get(kept).i32Store()
      f.inc(block, 1)
    })
  })

/**
 * Adds `finite(ptr, bytes)` → 1 when the `bytes` (a multiple of 16) from `ptr` hold no infinity or NaN, else 0:
 * the products x·0 are summed in four f32x4 accumulators, which stay ±0 exactly when every x is finite.
 * The driver asks it of a packed B micro-panel before skipping steps against it (0·∞ is NaN, not 0).
 * @example
 * // internal (not exported): emits the check that a block of B is finite, e.g. addFiniteCheck(mod); zeros are skipped
 * // only then, since 0·∞ is NaN, not 0
 * const before = setKernel({ kernel: 'wasm', threads: 1 })
 * try {
 *   const g = full([16, 64], Infinity)
 *   toArray(matmul(transpose(zeros([16, 4])), g))[0][0] // → NaN
 * } finally {
 *   setKernel(before)
 * }
 */
export const addFiniteCheck = (mod: ModuleBuilder): number =>
  mod.func(['i32', 'i32'], ['i32'], (f) => {
    const [ptr, bytes] = [0, 1]
    const end = f.local('i32')
    const zero = f.local('v128')
    const acc = Array.from({ length: 4 }, () => f.local('v128'))
    const sum = f.local('f32')
    f.f32x4Const(0, 0, 0, 0).set(zero)
    for (const a of acc) f.get(zero).set(a)
    f.get(ptr).get(bytes).i32Add().set(end)
    const add = (a: number, offset: number) => f.get(a).get(ptr).v128Load(offset).get(zero).f32x4Mul().f32x4Add().set(a)
    // 64 bytes per iteration while they last, then 16
    f.block((done) =>
      f.loop((top) => {
        f.get(ptr).i32Const(64).i32Add().get(end).i32GtS().brIf(done)
        for (const [i, a] of acc.entries()) add(a, 16 * i)
        f.inc(ptr, 64).br(top)
      }),
    )
    f.block((done) =>
      f.loop((top) => {
        f.get(ptr).get(end).i32GeS().brIf(done)
        add(acc[0] as number, 0)
        f.inc(ptr, 16).br(top)
      }),
    )
    f.get(acc[0] as number)
    for (let i = 1; i < 4; i++) f.get(acc[i] as number).f32x4Add()
    f.set(acc[0] as number)
    f.get(acc[0] as number).f32x4ExtractLane(0)
    for (let lane = 1; lane < 4; lane++)
      f.get(acc[0] as number)
        .f32x4ExtractLane(lane)
        .f32Add()
    f.set(sum)
    f.get(sum).get(sum).f32Eq()
  })
