/**
 * The sparse-rows form of the GEMM module, for a sparse op(A) (MNIST's images are 81 % background) against a
 * plain B with n a multiple of 4: each row of op(A) is packed as the list of its nonzero k steps — (byte offset
 * of B's row p, value) pairs — and a 1×W tile of C sums value·B[p][j…j+W] over that list, reading B in place
 * (no packing of B). Unlike the tiles form's 2-row panels, every row skips exactly its own zeros, and a 1×32
 * tile (8 accumulators, one broadcast and eight loads of B per step) is as fast per multiply-add as 2×16
 * without FMA: both are bound by the multiplies.
 *
 * Bits: k is cut into the same ⌈k/kc⌉ even blocks as the tiles form; a tile sums each block's kept steps in k
 * order from +0 and adds the blocks in order. The skipped products are ±0 against finite B, and a sum from +0
 * is never −0, so C is bit for bit the tiles form's (and the same for every thread count: a tile is one call).
 * Where a block of B's column panel holds an infinity or NaN (checked once per block and panel when B's panels
 * are "packed"), that block's tiles run densely over op(A) in place, so 0·∞ still gives NaN.
 *
 * Packed A (`rowsABytes`): the start of each row's steps of each k block (m·(⌈k/kc⌉ + 1) i32 addresses; the
 * last one is the row's end), then row i's pairs at 8·k·i from the list region's start. Packed B: one i32 per
 * (k block, column panel), 1 when that part of B is finite.
 */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'
import { callByWidth, forEvenBlocks, forRange, minInto } from './loops.js'
import { madd } from './microKernel.js'

/** Columns of a tile of the sparse-rows form (narrower tiles, of 4·j columns, serve the last panel). */
export const rowsNr = 48

const align = (x: number): number => Math.ceil(x / 64) * 64

/**
 * Bytes of packed A in the sparse-rows form: the block starts of each row, then room for every step of every row.
 * @example
 * // internal (not exported): rowsABytes(128, 784, 256) is align(128·5·4) + 8·128·784: the sparse-rows form packs each
 * // row of A as its nonzero steps. A batch of 128 MNIST-like images times a first layer's weights:
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const images = cast(greater(uniform(key(0), [128, 784]), 0.8), 'float32')
 * const w = cast(cast(mul(uniform(key(1), [784, 48]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(images, w)) // → on('ref', () => matmul(images, w))
 */
export const rowsABytes = (m: number, k: number, kcMax: number): number =>
  align(4 * m * (Math.ceil(k / kcMax) + 1)) + 8 * m * k

/**
 * Bytes of packed B in the sparse-rows form: a finiteness flag per k block and column panel.
 * @example
 * // internal (not exported): rowsBBytes(512, 784, 256) is 4·4·16 — B is read in place in the sparse-rows form. Rows of
 * // A that are all zero give zero rows of C:
 * const before = setKernel({ kernel: 'wasm', threads: 1 })
 * try {
 *   const a = concat([zeros([3, 64]), ones([1, 64])], 0)
 *   toArray(matmul(a, ones([64, 36]))).map((row) => row[0]) // → [0, 0, 0, 64]
 * } finally {
 *   setKernel(before)
 * }
 */
export const rowsBBytes = (n: number, k: number, kcMax: number): number =>
  4 * Math.ceil(k / kcMax) * Math.ceil(n / rowsNr)

// N i32 locals (or indices) as a tuple
type Tuple<N extends number, R extends number[] = []> = R['length'] extends N ? R : Tuple<N, [...R, number]>
const tuple = <N extends number>(length: N, make: (i: number) => number): Tuple<N> =>
  Array.from({ length }, (_, i) => make(i)) as Tuple<N>

// v128.any_true: 1 when any bit of the vector is set
const anyTrue = (f: Code): Code => f.raw(0xfd, 0x53)

/**
 * Adds the sparse-rows exports, called as the other forms' are (see `runShare`):
 * `packRowsA(src, ld, trans, m, k, dst, i0, i1, ldb)`, `packRowsB(src, ld, trans, n, k, dst, jp0, jp1)` and
 * `gemmRows(ap, bflags, c, ldc, n, k, ip0, ip1, jp0, jp1, b, ldb, a, lda, transA)` (bytes throughout; rows of
 * op(A) are panels of one row, column panels are `rowsNr` wide). B must be plain (trans 0) and n a multiple of 4.
 * @example
 * // internal (not exported): adds the sparse-rows form, e.g. addRowsFunctions(mod, { kc: 256, relaxed: false }):
 * // 1×48 tiles of C, n a multiple of 4 (here 52: one 48-wide tile and a 4-wide one)
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const images = cast(greater(uniform(key(0), [10, 300]), 0.8), 'float32')
 * const w = cast(cast(mul(uniform(key(1), [300, 52]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(images, w)) // → on('ref', () => matmul(images, w))
 */
export const addRowsFunctions = (mod: ModuleBuilder, { kc: kcMax, relaxed }: { kc: number; relaxed: boolean }) => {
  const widths = Array.from({ length: rowsNr / 4 }, (_, i) => 4 * (i + 1))
  const sparse = new Map(widths.map((w) => [w, addRowsKernel(mod, w, relaxed, true)]))
  const dense = new Map(widths.map((w) => [w, addRowsKernel(mod, w, relaxed, false)]))
  const blocks = (f: Code, k: number, out: number) =>
    f
      .get(k)
      .i32Const(kcMax - 1)
      .i32Add()
      .i32Const(kcMax)
      .i32DivU()
      .set(out)

  // packRowsA: each row's nonzero steps, as (p·ldb, value) pairs
  mod.func(
    Array(9).fill('i32'),
    [],
    (f) => {
      const [src, ld, trans, m, k, dst, i0, i1, ldb] = [0, 1, 2, 3, 4, 5, 6, 7, 8]
      const local = () => f.local('i32')
      const [nb1, lists, i, p, end, cur, row, bits, block, step, p0, kc, ptr, off] = tuple(14, local)
      const mask = f.local('v128')
      f.i32Const(0x7fffffff).i32x4Splat().set(mask)
      blocks(f, k, nb1)
      f.inc(nb1, 1)
      // lists = dst + align64(4·m·nb1)
      f.get(dst).get(m).get(nb1).i32Mul().i32Const(2).i32Shl().i32Const(63).i32Add().i32Const(-64).i32And()
      f.i32Add().set(lists)
      // ptr = the block starts of row i
      const rowPtr = () => f.get(dst).get(i).get(nb1).i32Mul().i32Const(2).i32Shl().i32Add().set(ptr)
      const anyNonzero = (at: () => void) => {
        at()
        f.v128Load().get(mask).v128And()
        anyTrue(f)
      }
      f.get(trans).ifElse(
        () => {
          // op(A)[i][p] at src + p·ld + 4i: walk A's stored rows p, appending to the rows i they touch; the end
          // slot of each row (ptr[nb1 − 1]) is its cursor
          forRange(
            f,
            i,
            () => f.get(i0),
            i1,
            () => {
              rowPtr()
              f.get(ptr).get(nb1).i32Const(2).i32Shl().i32Add().i32Const(4).i32Sub()
              f.get(lists).get(i).get(k).i32Mul().i32Const(3).i32Shl().i32Add().i32Store()
              f.inc(i, 1)
            },
          )
          f.i32Const(0).set(block)
          forEvenBlocks(f, kcMax, { total: k, step, start: p0, length: kc }, () => {
            forRange(
              f,
              i,
              () => f.get(i0),
              i1,
              () => {
                rowPtr()
                f.get(ptr).get(block).i32Const(2).i32Shl().i32Add()
                f.get(ptr).get(nb1).i32Const(2).i32Shl().i32Add().i32Const(4).i32Sub().i32Load().i32Store()
                f.inc(i, 1)
              },
            )
            f.get(p0).get(kc).i32Add().set(end)
            forRange(
              f,
              p,
              () => f.get(p0),
              end,
              () => {
                f.get(src).get(p).get(ld).i32Mul().i32Add().set(row)
                f.get(p).get(ldb).i32Mul().set(off)
                const one = () => {
                  f.get(row).get(i).i32Const(2).i32Shl().i32Add().i32Load().set(bits)
                  f.get(bits)
                    .i32Const(0x7fffffff)
                    .i32And()
                    .ifElse(() => {
                      rowPtr()
                      f.get(ptr).get(nb1).i32Const(2).i32Shl().i32Add().i32Const(4).i32Sub().set(ptr)
                      f.get(ptr).i32Load().set(cur)
                      f.get(cur).get(off).i32Store()
                      f.get(cur).get(bits).i32Store(4)
                      f.get(ptr).get(cur).i32Const(8).i32Add().i32Store()
                    })
                  f.inc(i, 1)
                }
                f.get(i0).set(i)
                f.block((done) =>
                  f.loop((top) => {
                    f.get(i).i32Const(4).i32Add().get(i1).i32GtS().brIf(done)
                    anyNonzero(() => f.get(row).get(i).i32Const(2).i32Shl().i32Add())
                    f.ifElse(
                      () => {
                        for (let u = 0; u < 4; u++) one()
                      },
                      () => f.inc(i, 4),
                    )
                    f.br(top)
                  }),
                )
                f.block((done) =>
                  f.loop((top) => {
                    f.get(i).get(i1).i32GeS().brIf(done)
                    one()
                    f.br(top)
                  }),
                )
                f.inc(p, 1)
              },
            )
            f.inc(block, 1)
          })
        },
        () => {
          // op(A)[i][p] at src + i·ld + 4p: each row along k, four steps at a time where they are all zero
          forRange(
            f,
            i,
            () => f.get(i0),
            i1,
            () => {
              rowPtr()
              f.get(src).get(i).get(ld).i32Mul().i32Add().set(row)
              f.get(lists).get(i).get(k).i32Mul().i32Const(3).i32Shl().i32Add().set(cur)
              f.i32Const(0).set(block)
              const one = () => {
                f.get(row).get(p).i32Const(2).i32Shl().i32Add().i32Load().set(bits)
                f.get(cur).get(p).get(ldb).i32Mul().i32Store()
                f.get(cur).get(bits).i32Store(4)
                // advance only past a nonzero (a bit set besides the sign): branch-free
                f.get(cur).get(bits).i32Const(0x7fffffff).i32And().i32Const(0).i32Ne().i32Const(3).i32Shl()
                f.i32Add().set(cur)
                f.inc(p, 1)
              }
              forEvenBlocks(f, kcMax, { total: k, step, start: p0, length: kc }, () => {
                f.get(ptr).get(block).i32Const(2).i32Shl().i32Add().get(cur).i32Store()
                f.get(p0).get(kc).i32Add().set(end)
                f.get(p0).set(p)
                f.block((done) =>
                  f.loop((top) => {
                    f.get(p).i32Const(4).i32Add().get(end).i32GtS().brIf(done)
                    anyNonzero(() => f.get(row).get(p).i32Const(2).i32Shl().i32Add())
                    f.ifElse(
                      () => {
                        for (let u = 0; u < 4; u++) one()
                      },
                      () => f.inc(p, 4),
                    )
                    f.br(top)
                  }),
                )
                f.block((done) =>
                  f.loop((top) => {
                    f.get(p).get(end).i32GeS().brIf(done)
                    one()
                    f.br(top)
                  }),
                )
                f.inc(block, 1)
              })
              f.get(ptr).get(block).i32Const(2).i32Shl().i32Add().get(cur).i32Store()
              f.inc(i, 1)
            },
          )
        },
      )
    },
    'packRowsA',
  )

  // packRowsB: B stays in place; flag each (k block, column panel) that is finite (Σ x·0 is ±0 exactly then)
  mod.func(
    Array(8).fill('i32'),
    [],
    (f) => {
      const [src, ld, , n, k, dst, jp0, jp1] = [0, 1, 2, 3, 4, 5, 6, 7]
      const local = () => f.local('i32')
      const [nPanels, block, step, p0, kc, jp, cols, p, end, at, v, sum] = tuple(12, local)
      const [acc, zero] = [f.local('v128'), f.local('v128')]
      const accs = [acc, f.local('v128'), f.local('v128'), f.local('v128')]
      f.f32x4Const(0, 0, 0, 0).set(zero)
      f.get(n)
        .i32Const(rowsNr - 1)
        .i32Add()
        .i32Const(rowsNr)
        .i32DivU()
        .set(nPanels)
      f.i32Const(0).set(block)
      forEvenBlocks(f, kcMax, { total: k, step, start: p0, length: kc }, () => {
        forRange(
          f,
          jp,
          () => f.get(jp0),
          jp1,
          () => {
            minInto(
              f,
              cols,
              () => f.i32Const(rowsNr),
              () => f.get(n).get(jp).i32Const(rowsNr).i32Mul().i32Sub(),
            )
            for (const r of accs) f.get(zero).set(r)
            f.get(p0).get(kc).i32Add().set(end)
            forRange(
              f,
              p,
              () => f.get(p0),
              end,
              () => {
                f.get(src)
                  .get(p)
                  .get(ld)
                  .i32Mul()
                  .i32Add()
                  .get(jp)
                  .i32Const(4 * rowsNr)
                  .i32Mul()
                  .i32Add()
                  .set(at)
                // four accumulators, 16 columns at a time while they last (a single chain would wait on each add)
                f.i32Const(0).set(v)
                f.block((done) =>
                  f.loop((top) => {
                    f.get(v).i32Const(16).i32Add().get(cols).i32GtS().brIf(done)
                    for (const [u, r] of accs.entries())
                      f.get(r)
                        .get(at)
                        .v128Load(16 * u)
                        .get(zero)
                        .f32x4Mul()
                        .f32x4Add()
                        .set(r)
                    f.inc(at, 64).inc(v, 16).br(top)
                  }),
                )
                forRange(
                  f,
                  v,
                  () => f.get(v),
                  cols,
                  () => {
                    f.get(acc).get(at).v128Load().get(zero).f32x4Mul().f32x4Add().set(acc)
                    f.inc(at, 16).inc(v, 4)
                  },
                )
                f.inc(p, 1)
              },
            )
            // flag: the sum of the lanes is finite
            for (const r of accs.slice(1)) f.get(acc).get(r).f32x4Add().set(acc)
            f.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Add()
            f.get(acc).f32x4ExtractLane(2).f32Add().get(acc).f32x4ExtractLane(3).f32Add()
            f.raw(0xbc) // i32.reinterpret_f32
            f.set(sum)
            f.get(dst).get(block).get(nPanels).i32Mul().get(jp).i32Add().i32Const(2).i32Shl().i32Add()
            // finite ⇔ the sum's exponent bits are not all ones
            f.get(sum).i32Const(0x7f800000).i32And().i32Const(0x7f800000).i32Ne()
            f.i32Store()
            f.inc(jp, 1)
          },
        )
        f.inc(block, 1)
      })
    },
    'packRowsB',
  )

  mod.func(
    Array(15).fill('i32'),
    [],
    (f) => {
      const [ap, flags, c, ldc, n, k, ip0, ip1, jp0, jp1, b, ldb, a, lda, transA] = tuple(15, (i) => i)
      const local = () => f.local('i32')
      const [nb1, nPanels, block, step, p0, kc, accumulate, jp, cols, width, bBase, finite, i, cpp, s] = tuple(
        15,
        local,
      )
      const [aRow, aStep] = [local(), local()]
      f.get(k)
        .i32Const(kcMax - 1)
        .i32Add()
        .i32Const(kcMax)
        .i32DivU()
        .i32Const(1)
        .i32Add()
        .set(nb1)
      f.get(n)
        .i32Const(rowsNr - 1)
        .i32Add()
        .i32Const(rowsNr)
        .i32DivU()
        .set(nPanels)
      f.get(lda).i32Const(4).get(transA).select().set(aStep)
      f.i32Const(0).set(block)
      forEvenBlocks(f, kcMax, { total: k, step, start: p0, length: kc }, () => {
        f.get(p0).i32Const(0).i32GtS().set(accumulate)
        forRange(
          f,
          jp,
          () => f.get(jp0),
          jp1,
          () => {
            minInto(
              f,
              cols,
              () => f.i32Const(rowsNr),
              () => f.get(n).get(jp).i32Const(rowsNr).i32Mul().i32Sub(),
            )
            f.get(cols).i32Const(3).i32Add().i32Const(-4).i32And().set(width)
            f.get(b)
              .get(jp)
              .i32Const(4 * rowsNr)
              .i32Mul()
              .i32Add()
              .set(bBase)
            f.get(flags).get(block).get(nPanels).i32Mul().get(jp).i32Add().i32Const(2).i32Shl().i32Add()
            f.i32Load().set(finite)
            forRange(
              f,
              i,
              () => f.get(ip0),
              ip1,
              () => {
                f.get(c)
                  .get(i)
                  .get(ldc)
                  .i32Mul()
                  .i32Add()
                  .get(jp)
                  .i32Const(4 * rowsNr)
                  .i32Mul()
                  .i32Add()
                  .set(cpp)
                f.get(finite).ifElse(
                  () => {
                    // s = the starts of row i's blocks, at ap + 4·(i·nb1 + block)
                    f.get(ap).get(i).get(nb1).i32Mul().get(block).i32Add().i32Const(2).i32Shl().i32Add().set(s)
                    callByWidth(f, width, widths, sparse, () => {
                      f.get(s).i32Load().get(s).i32Load(4).get(bBase).get(cpp).get(accumulate)
                    })
                  },
                  () => {
                    // densely over op(A) in place: row i from step p0
                    f.get(a).get(p0).get(aStep).i32Mul().i32Add()
                    f.get(i).i32Const(2).i32Shl().get(i).get(lda).i32Mul().get(transA).select().i32Add().set(aRow)
                    callByWidth(f, width, widths, dense, () => {
                      f.get(aRow).get(aStep).get(bBase).get(p0).get(ldb).i32Mul().i32Add().get(ldb).get(kc)
                      f.get(cpp).get(accumulate)
                    })
                  },
                )
                f.inc(i, 1)
              },
            )
            f.inc(jp, 1)
          },
        )
        f.inc(block, 1)
      })
    },
    'gemmRows',
  )
}

/**
 * A 1×width tile: sparse `(s, e, bBase, cp, accumulate)` sums the pairs from s to e (value·B row at bBase + offset);
 * dense `(a, aStep, bRow, ldb, kc, cp, accumulate)` sums kc steps of A (a, a + aStep, …) times B's rows from bRow.
 * C = tile, or C += tile when accumulate is nonzero.
 */
const addRowsKernel = (mod: ModuleBuilder, width: number, relaxed: boolean, sparse: boolean): number =>
  mod.func(Array(sparse ? 5 : 7).fill('i32'), [], (f) => {
    const nv = width / 4
    const acc = Array.from({ length: nv }, () => f.local('v128'))
    const av = f.local('v128')
    const bv = f.local('v128')
    const row = f.local('i32')
    for (const r of acc) f.f32x4Const(0, 0, 0, 0).set(r)
    const body = (aAt: () => void) => {
      aAt()
      f.set(av)
      for (let v = 0; v < nv; v++) {
        f.get(row)
          .v128Load(16 * v)
          .set(bv)
        madd(f, relaxed, acc[v] as number, av, bv)
      }
    }
    let cp: number
    let accumulate: number
    if (sparse) {
      const [s, e, bBase] = [0, 1, 2]
      cp = 3
      accumulate = 4
      f.block((done) =>
        f.loop((top) => {
          f.get(s).get(e).i32GeS().brIf(done)
          f.get(bBase).get(s).i32Load().i32Add().set(row)
          body(() => f.get(s).v128Load32Splat(4))
          f.inc(s, 8).br(top)
        }),
      )
    } else {
      const [a, aStep, bRow, ldb, kc] = [0, 1, 2, 3, 4]
      cp = 5
      accumulate = 6
      f.block((done) =>
        f.loop((top) => {
          f.get(kc).i32Eqz().brIf(done)
          f.get(bRow).set(row)
          body(() => f.get(a).v128Load32Splat())
          f.get(a).get(aStep).i32Add().set(a)
          f.get(bRow).get(ldb).i32Add().set(bRow)
          f.inc(kc, -1).br(top)
        }),
      )
    }
    const store = (add: boolean) => {
      for (let v = 0; v < nv; v++) {
        f.get(cp).get(acc[v] as number)
        if (add)
          f.get(cp)
            .v128Load(16 * v)
            .f32x4Add()
        f.v128Store(16 * v)
      }
    }
    f.get(accumulate).ifElse(
      () => store(true),
      () => store(false),
    )
  })
