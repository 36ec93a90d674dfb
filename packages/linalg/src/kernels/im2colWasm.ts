/**
 * im2col and col2im for float32 images in WebAssembly SIMD, in the shared heap where the GEMM reads its operands:
 * `im2col` copies each window's rows of the images (kw·c contiguous floats when the window row lies inside the
 * image, c floats per tap otherwise, zeros in the padding) into the rows of one matrix; `col2im` adds such a matrix
 * back into the images, four floats at a time (each add rounded to float32, in the same order as the JavaScript
 * loop, so the bits are the same).
 */

import { wasmHeap } from '@nabla/ndarray/core'
import { type Code, forStep, ModuleBuilder } from '@nabla/ndarray/wasm'

type Kernel = (...args: number[]) => void

/** Emits a copy (or with `src` null, a zero fill) of `bytes` (a multiple of 4) from byte address `src` to `dst`. */
const moveBytes = (f: Code, q: number, dst: number, src: number | null, bytes: number): void => {
  f.get(bytes).i32Const(256).i32GeS()
  f.ifElse(
    () => {
      if (src === null) f.get(dst).i32Const(0).get(bytes).memoryFill()
      else f.get(dst).get(src).get(bytes).memoryCopy()
    },
    () => {
      f.i32Const(0).set(q)
      f.block((done) =>
        f.loop((top) => {
          f.get(q).i32Const(16).i32Add().get(bytes).i32GtS().brIf(done)
          f.get(dst).get(q).i32Add()
          if (src === null) f.f32x4Const(0, 0, 0, 0)
          else f.get(src).get(q).i32Add().v128Load()
          f.v128Store().inc(q, 16).br(top)
        }),
      )
      f.block((done) =>
        f.loop((top) => {
          f.get(q).get(bytes).i32GeS().brIf(done)
          f.get(dst).get(q).i32Add()
          if (src === null) f.f32Const(0)
          else f.get(src).get(q).i32Add().f32Load()
          f.f32Store().inc(q, 4).br(top)
        }),
      )
    },
  )
}

/** Emits dst[0 … bytes) += src[0 … bytes) in float32, four lanes at a time. */
const addBytes = (f: Code, q: number, dst: number, src: number, bytes: number): void => {
  f.i32Const(0).set(q)
  f.block((done) =>
    f.loop((top) => {
      f.get(q).i32Const(16).i32Add().get(bytes).i32GtS().brIf(done)
      f.get(dst).get(q).i32Add()
      f.get(dst).get(q).i32Add().v128Load()
      f.get(src).get(q).i32Add().v128Load()
      f.f32x4Add().v128Store().inc(q, 16).br(top)
    }),
  )
  f.block((done) =>
    f.loop((top) => {
      f.get(q).get(bytes).i32GeS().brIf(done)
      f.get(dst).get(q).i32Add()
      f.get(dst).get(q).i32Add().f32Load()
      f.get(src).get(q).i32Add().f32Load()
      f.f32Add().f32Store().inc(q, 4).br(top)
    }),
  )
}

// parameters of both kernels: 0 images, 1 rows, then the geometry (taps are i32 arrays, −1 in the padding)
const names = ['images', 'rows', 'n', 'h', 'w', 'c', 'kh', 'kw', 'oh', 'ow', 'rowTap', 'colTap', 'colRun'] as const
const P = Object.fromEntries(names.map((n, i) => [n, i])) as Record<(typeof names)[number], number>

/** The loops over windows and kernel rows, `body` per kernel row with `y` the image row (−1 in the padding). */
const windowRows = (f: Code, body: (l: Record<string, number>) => void): void => {
  const l = Object.fromEntries(
    ['b', 'oy', 'ox', 'i', 'j', 'y', 'x', 'row', 'run', 'p', 'q', 'seg', 'cb', 'src', 'dst'].map((k) => [
      k,
      f.local('i32'),
    ]),
  ) as Record<string, number>
  f.get(P.c)
    .i32Const(2)
    .i32Shl()
    .set(l.cb as number)
  f.get(P.kw)
    .get(l.cb as number)
    .i32Mul()
    .set(l.seg as number)
  f.get(P.rows).set(l.p as number)
  const loop = (i: number, end: number, body2: () => void) =>
    forStep(
      f,
      i,
      () => f.i32Const(0),
      () => f.get(end),
      body2,
    )
  loop(l.b as number, P.n, () =>
    loop(l.oy as number, P.oh, () =>
      loop(l.ox as number, P.ow, () => {
        f.get(P.colRun)
          .get(l.ox as number)
          .i32Const(2)
          .i32Shl()
          .i32Add()
          .i32Load()
          .set(l.run as number)
        loop(l.i as number, P.kh, () => {
          // y = rowTap[oy·kh + i]; row = (b·h + y)·w
          f.get(P.rowTap)
            .get(l.oy as number)
            .get(P.kh)
            .i32Mul()
            .get(l.i as number)
            .i32Add()
            .i32Const(2)
            .i32Shl()
          f.i32Add()
            .i32Load()
            .set(l.y as number)
          f.get(l.b as number)
            .get(P.h)
            .i32Mul()
            .get(l.y as number)
            .i32Add()
            .get(P.w)
            .i32Mul()
            .set(l.row as number)
          body(l)
        })
      }),
    ),
  )
}

/** Byte address of image element (row + x, channel 0): images + (row + x)·c·4. */
const pixel = (f: Code, l: Record<string, number>, x: number, into: number): void => {
  f.get(P.images)
    .get(l.row as number)
    .get(x)
    .i32Add()
    .get(l.cb as number)
    .i32Mul()
    .i32Add()
    .set(into)
}

/** Column tap j of output column ox: x = colTap[ox·kw + j]. */
const columnTap = (f: Code, l: Record<string, number>): void => {
  f.get(P.colTap)
    .get(l.ox as number)
    .get(P.kw)
    .i32Mul()
    .get(l.j as number)
    .i32Add()
    .i32Const(2)
    .i32Shl()
    .i32Add()
  f.i32Load().set(l.x as number)
}

const buildIm2col = (mod: ModuleBuilder): void => {
  mod.func(
    names.map(() => 'i32'),
    [],
    (f) =>
      windowRows(f, (l) => {
        const [y, run, p, q, seg, cb, src, x, j] = ['y', 'run', 'p', 'q', 'seg', 'cb', 'src', 'x', 'j'].map(
          (k) => l[k] as number,
        ) as number[] as [number, number, number, number, number, number, number, number, number]
        f.get(y).i32Const(0).i32LtS()
        f.ifElse(
          () => moveBytes(f, q, p, null, seg),
          () => {
            f.get(run).i32Const(0).i32GeS()
            f.ifElse(
              () => {
                pixel(f, l, run, src)
                moveBytes(f, q, p, src, seg)
              },
              () =>
                forStep(
                  f,
                  j,
                  () => f.i32Const(0),
                  () => f.get(P.kw),
                  () => {
                    columnTap(f, l)
                    f.get(x).i32Const(0).i32LtS()
                    f.ifElse(
                      () => moveBytes(f, q, p, null, cb),
                      () => {
                        pixel(f, l, x, src)
                        moveBytes(f, q, p, src, cb)
                      },
                    )
                    f.get(p).get(cb).i32Add().set(p)
                  },
                ),
            )
            // the per-tap branch moved p along itself; the other two move it past the row here
            f.get(run).i32Const(0).i32GeS()
            f.ifElse(() => f.get(p).get(seg).i32Add().set(p))
          },
        )
        f.get(y).i32Const(0).i32LtS()
        f.ifElse(() => f.get(p).get(seg).i32Add().set(p))
      }),
    'im2col',
  )
}

const buildCol2im = (mod: ModuleBuilder): void => {
  mod.func(
    names.map(() => 'i32'),
    [],
    (f) =>
      windowRows(f, (l) => {
        const [y, p, q, seg, cb, dst, x, j] = ['y', 'p', 'q', 'seg', 'cb', 'dst', 'x', 'j'].map(
          (k) => l[k] as number,
        ) as number[] as [number, number, number, number, number, number, number, number]
        f.get(y).i32Const(0).i32GeS()
        f.ifElse(
          () =>
            forStep(
              f,
              j,
              () => f.i32Const(0),
              () => f.get(P.kw),
              () => {
                columnTap(f, l)
                f.get(x).i32Const(0).i32GeS()
                f.ifElse(() => {
                  pixel(f, l, x, dst)
                  addBytes(f, q, dst, p, cb)
                })
                f.get(p).get(cb).i32Add().set(p)
              },
            ),
          () => f.get(p).get(seg).i32Add().set(p),
        )
      }),
    'col2im',
  )
}

let kernels: { readonly im2col: Kernel; readonly col2im: Kernel } | undefined

/**
 * The two kernels, compiled once per process against the shared heap.
 * @example
 * // internal (not exported): gathers the images' windows into the rows of one matrix, e.g.
 * // im2colKernels().im2col(images, rows, n, h, w, c, kh, kw, oh, ow, rowTap, colTap, colRun), which the product then
 * // multiplies by the kernel. The same as a product of each window with the kernel:
 * const images = uniform(key(0), [1, 4, 4, 2])
 * const k = uniform(key(1), [3, 3, 2, 3])
 * const window = (y, x) => reshape(slice(images, [0, 1], [y, y + 3], [x, x + 3]), [3, 3, 2])
 * const byWindow = stack([0, 1].map((y) => stack([0, 1].map((x) => tensordot(window(y, x), k, 3)))))
 * toArray(reshape(conv2d(images, k), [2, 2, 3])) // → toArray(byWindow)
 */
export const im2colKernels = (): { readonly im2col: Kernel; readonly col2im: Kernel } => {
  if (kernels === undefined) {
    const mod = new ModuleBuilder()
    wasmHeap().importInto(mod)
    buildIm2col(mod)
    buildCol2im(mod)
    kernels = wasmHeap().instantiate(mod.toBytes()) as unknown as { im2col: Kernel; col2im: Kernel }
  }
  return kernels
}
