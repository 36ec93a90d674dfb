/**
 * The float32 window kernels in WebAssembly SIMD, in the shared heap: a windowed max or sum (`reduceWindow`), and
 * each window's first maximum with the value gathered from there or added into there (`selectAndGather`,
 * `selectAndScatterAdd`). Four channels at a time (the channels are contiguous in NHWC images), then one at a time;
 * the taps of each window come from the per-axis lists of `axisTaps`, so padding and holes cost nothing. Operands in
 * the heap are used in place, others copied into scratch blocks. Bits: a sum adds in the same order as the
 * JavaScript loop (each add rounded to float32), a selection picks the same element; a max may differ from the
 * JavaScript loop only in the sign of a zero (f32x4.max prefers +0).
 */
import { type Code, forStep, ModuleBuilder, unsignedLeb } from '../wasm/index.js'
import { residentFloats, wasmHeap } from '../wasmHeap.js'
import type { AxisTaps } from './window.js'

type PoolKernel = (...args: number[]) => void

interface WindowKernels {
  readonly max: PoolKernel
  readonly sum: PoolKernel
  readonly gather: PoolKernel
  readonly scatter: PoolKernel
}

/** An SIMD instruction the emitter has no method for (0xfd prefix). */
const simd = (f: Code, opcode: number): Code => f.raw(0xfd, ...unsignedLeb(opcode))
const i32x4Add = (f: Code) => simd(f, 0xae)
const i32x4Eq = (f: Code) => simd(f, 0x37)
const i32x4Const = (f: Code, lanes: readonly number[]) =>
  f.raw(0xfd, ...unsignedLeb(0x0c), ...new Uint8Array(new Int32Array(lanes).buffer))

/**
 * Params shared by every kernel: images [n, h, w, c], the taps (rs, ri: rows; cs, ci: columns, i32 arrays) and
 * `tl`, room for one window's list of taps (i32).
 */
const geometryParams = ['n', 'h', 'w', 'c', 'oh', 'ow', 'rs', 'ri', 'cs', 'ci', 'tl'] as const

/**
 * Emits the loops over output positions and, inside, over channel blocks (four lanes, then one): per position the
 * byte offsets of its window's elements (channel 0) are listed once in `tl`, then `perBlock(o, k, vector, eachTap)`
 * runs per channel block, `eachTap(visit)` giving `visit` the byte offset of each tap's element at channel k.
 */
const windowLoops = (
  f: Code,
  p: Record<(typeof geometryParams)[number], number>,
  perBlock: (o: number, k: number, vector: boolean, eachTap: (visit: (offset: number) => void) => void) => void,
): void => {
  const i32 = (): number => f.local('i32')
  const [b, oy, ox, r, t, k, row, o, cv, off, count, q] = [
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
  ]
  f.get(p.c).i32Const(-4).i32And().set(cv)
  f.i32Const(0).set(o)
  const listTaps = () => {
    f.i32Const(0).set(count)
    forStep(
      f,
      r,
      () => f.get(p.rs).get(oy).i32Const(2).i32Shl().i32Add().i32Load(),
      () => f.get(p.rs).get(oy).i32Const(2).i32Shl().i32Add().i32Load(4),
      () => {
        // row = (b·h + ri[r])·w
        f.get(b).get(p.h).i32Mul().get(p.ri).get(r).i32Const(2).i32Shl().i32Add().i32Load().i32Add()
        f.get(p.w).i32Mul().set(row)
        forStep(
          f,
          t,
          () => f.get(p.cs).get(ox).i32Const(2).i32Shl().i32Add().i32Load(),
          () => f.get(p.cs).get(ox).i32Const(2).i32Shl().i32Add().i32Load(4),
          () => {
            // tl[count++] = (row + ci[t])·c·4
            f.get(p.tl).get(count).i32Const(2).i32Shl().i32Add()
            f.get(row).get(p.ci).get(t).i32Const(2).i32Shl().i32Add().i32Load().i32Add()
            f.get(p.c).i32Mul().i32Const(2).i32Shl().i32Store()
            f.inc(count, 1)
          },
        )
      },
    )
  }
  const eachTap = (visit: (offset: number) => void) =>
    forStep(
      f,
      q,
      () => f.i32Const(0),
      () => f.get(count),
      () => {
        f.get(p.tl).get(q).i32Const(2).i32Shl().i32Add().i32Load().get(k).i32Const(2).i32Shl().i32Add().set(off)
        visit(off)
      },
    )
  const upTo = (i: number, end: number, body: () => void) =>
    forStep(
      f,
      i,
      () => f.i32Const(0),
      () => f.get(end),
      body,
    )
  upTo(b, p.n, () =>
    upTo(oy, p.oh, () =>
      upTo(ox, p.ow, () => {
        listTaps()
        forStep(
          f,
          k,
          () => f.i32Const(0),
          () => f.get(cv),
          () => perBlock(o, k, true, eachTap),
          4,
        )
        forStep(
          f,
          k,
          () => f.get(cv),
          () => f.get(p.c),
          () => perBlock(o, k, false, eachTap),
        )
        f.get(o).get(p.c).i32Const(2).i32Shl().i32Add().set(o)
      }),
    ),
  )
}

const paramIndex = (names: readonly string[]) => Object.fromEntries(names.map((n, i) => [n, i]))

/** pool(src, dst, n, h, w, c, oh, ow, rs, ri, cs, ci): each window's max or sum, dst [n, oh, ow, c]. */
const buildPool = (mod: ModuleBuilder, op: 'max' | 'sum', name: string): void => {
  const names = ['src', 'dst', ...geometryParams]
  mod.func(
    names.map(() => 'i32'),
    [],
    (f) => {
      const p = paramIndex(names) as Record<(typeof names)[number], number>
      const acc = f.local('v128')
      const one = f.local('f32')
      const init = op === 'max' ? Number.NEGATIVE_INFINITY : 0
      windowLoops(f, p as never, (o, k, vector, eachTap) => {
        if (vector) f.f32x4Const(init, init, init, init).set(acc)
        else f.f32Const(init).set(one)
        eachTap((off) => {
          if (vector)
            f.get(acc)
              .get(p.src as number)
              .get(off)
              .i32Add()
              .v128Load()
              .f32x4(op === 'max' ? 'max' : 'add')
              .set(acc)
          else
            f.get(one)
              .get(p.src as number)
              .get(off)
              .i32Add()
              .f32Load()
              .f32(op === 'max' ? 'max' : 'add')
              .set(one)
        })
        // dst + o + 4k
        f.get(p.dst as number)
          .get(o)
          .i32Add()
          .get(k)
          .i32Const(2)
          .i32Shl()
          .i32Add()
        if (vector) f.get(acc).v128Store()
        else f.get(one).f32Store()
      })
    },
    name,
  )
}

/**
 * select(x, v, out, n, h, w, c, oh, ow, rs, ri, cs, ci): per window and channel, the first maximum of x (a NaN wins);
 * gather: out [n, oh, ow, c] = v at it (0 for an empty window); scatter: out [n, h, w, c] (zeroed) += v there.
 * Four channels at a time the taps are visited twice: once to find each lane's maximum, then again to take (or
 * add) the value in the lanes whose maximum is that tap; one channel at a time, once.
 */
const buildSelect = (mod: ModuleBuilder, mode: 'gather' | 'scatter', name: string): void => {
  const names = ['x', 'v', 'out', ...geometryParams]
  mod.func(
    names.map(() => 'i32'),
    [],
    (f) => {
      const p = paramIndex(names) as Record<(typeof names)[number], number>
      const [best, idx, val, mask, acc] = [
        f.local('v128'),
        f.local('v128'),
        f.local('v128'),
        f.local('v128'),
        f.local('v128'),
      ]
      const [bestOne, valOne] = [f.local('f32'), f.local('f32')]
      const [idxOne, e, at] = [f.local('i32'), f.local('i32'), f.local('i32')]
      const x = p.x as number
      const v = p.v as number
      const out = p.out as number
      /** The lanes' byte offsets of the tap at `off`: off + [0, 4, 8, 12]. */
      const lanesOf = (off: number) => {
        f.get(off).i32x4Splat()
        i32x4Const(f, [0, 4, 8, 12])
        i32x4Add(f)
      }
      windowLoops(f, p as never, (o, k, vector, eachTap) => {
        // the byte offset of this block's output elements: o + 4k
        f.get(o).get(k).i32Const(2).i32Shl().i32Add().set(at)
        if (vector) {
          f.f32x4Const(0, 0, 0, 0).set(best)
          i32x4Const(f, [-1, -1, -1, -1]).set(idx)
          eachTap((off) => {
            f.get(x).get(off).i32Add().v128Load().set(val)
            // take the tap where nothing is taken yet, where it is larger, or where it is the first NaN
            f.get(val).get(best).f32x4Compare('gt')
            f.get(val).get(val).f32x4Compare('ne').get(best).get(best).f32x4Compare('eq').v128And().v128Or()
            f.get(idx)
            i32x4Const(f, [-1, -1, -1, -1])
            i32x4Eq(f).v128Or().set(mask)
            f.get(val).get(best).get(mask).v128Bitselect().set(best)
            lanesOf(off)
            f.get(idx).get(mask).v128Bitselect().set(idx)
          })
          if (mode === 'gather') {
            // out = v at each lane's selected tap (0 where the window is empty)
            f.f32x4Const(0, 0, 0, 0).set(acc)
            eachTap((off) => {
              f.get(v).get(off).i32Add().v128Load().get(acc)
              lanesOf(off)
              f.get(idx)
              i32x4Eq(f).v128Bitselect().set(acc)
            })
            f.get(out).get(at).i32Add().get(acc).v128Store()
          } else {
            // out at each tap += v in the lanes that selected it (+0 in the others, which changes nothing)
            f.get(v).get(at).i32Add().v128Load().set(acc)
            eachTap((off) => {
              f.get(out).get(off).i32Add()
              f.get(out).get(off).i32Add().v128Load()
              f.get(acc).f32x4Const(0, 0, 0, 0)
              lanesOf(off)
              f.get(idx)
              i32x4Eq(f).v128Bitselect()
              f.f32x4Add().v128Store()
            })
          }
          return
        }
        f.f32Const(0).set(bestOne)
        f.i32Const(-1).set(idxOne)
        eachTap((off) => {
          f.get(x).get(off).i32Add().f32Load().set(valOne)
          f.get(idxOne).i32Const(0).i32LtS()
          f.get(valOne).get(bestOne).f32Compare('gt').i32Or()
          f.get(valOne).get(valOne).f32Compare('ne').get(bestOne).get(bestOne).f32Compare('eq').i32And().i32Or()
          f.ifElse(() => {
            f.get(valOne).set(bestOne)
            f.get(off).set(idxOne)
          })
        })
        f.get(idxOne).set(e)
        if (mode === 'gather') {
          f.get(out).get(at).i32Add()
          f.get(e).i32Const(0).i32LtS()
          f.ifElse(
            () => f.f32Const(0).set(valOne),
            () => f.get(v).get(e).i32Add().f32Load().set(valOne),
          )
          f.get(valOne).f32Store()
        } else {
          f.get(e).i32Const(0).i32GeS()
          f.ifElse(() => {
            f.get(out).get(e).i32Add().set(e)
            f.get(e).get(e).f32Load().get(v).get(at).i32Add().f32Load().f32Add().f32Store()
          })
        }
      })
    },
    name,
  )
}

let kernels: WindowKernels | undefined

const windowKernels = (): WindowKernels => {
  if (kernels === undefined) {
    const mod = new ModuleBuilder()
    wasmHeap().importInto(mod)
    buildPool(mod, 'max', 'max')
    buildPool(mod, 'sum', 'sum')
    buildSelect(mod, 'gather', 'gather')
    buildSelect(mod, 'scatter', 'scatter')
    kernels = wasmHeap().instantiate(mod.toBytes()) as unknown as WindowKernels
  }
  return kernels
}

class HeapFull extends Error {}

/**
 * Runs `kernel` with its arrays in the heap: each input in place when it lives there, else copied into a scratch
 * block; the output written in place when a resident array can hold it, else into a block copied out afterwards.
 * Returns the output, or undefined when the heap has no room (the caller runs its JavaScript loop).
 */
const inHeap = (
  inputs: readonly (Float32Array | Int32Array)[],
  outSize: number,
  zeroed: boolean,
  run: (pointers: readonly number[], out: number) => void,
): Float32Array | undefined => {
  const h = wasmHeap()
  const blocks: number[] = []
  const alloc = (bytes: number): number => {
    const ptr = h.alloc(Math.max(bytes, 4))
    if (ptr === undefined) throw new HeapFull()
    blocks.push(ptr)
    return ptr
  }
  try {
    const resident = residentFloats(outSize)
    const pointers = inputs.map((x) => {
      const p = h.pointerOf(x as Float32Array)
      return p >= 0 ? { p, copy: false } : { p: alloc(x.byteLength), copy: true }
    })
    const outPtr = resident === undefined ? alloc(4 * outSize) : h.pointerOf(resident)
    // views made after every block is placed: growing the memory gives it a new buffer
    const buffer = h.memory.buffer
    inputs.forEach((x, i) => {
      const { p, copy } = pointers[i] as { p: number; copy: boolean }
      if (copy) new Uint8Array(buffer, p, x.byteLength).set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength))
    })
    if (resident === undefined && zeroed) new Float32Array(buffer, outPtr, outSize).fill(0)
    run(
      pointers.map((q) => q.p),
      outPtr,
    )
    return resident ?? new Float32Array(buffer, outPtr, outSize).slice()
  } catch (e) {
    if (e instanceof HeapFull) return undefined
    throw e
  } finally {
    for (const ptr of blocks) h.release(ptr)
  }
}

/** The per-axis tap lists, and room for one window's taps. */
const tapArrays = (rows: AxisTaps, cols: AxisTaps) => {
  let most = 0
  for (let i = 0; i < rows.out; i++) most = Math.max(most, (rows.start[i + 1] as number) - (rows.start[i] as number))
  let mostCols = 0
  for (let j = 0; j < cols.out; j++) {
    mostCols = Math.max(mostCols, (cols.start[j + 1] as number) - (cols.start[j] as number))
  }
  return [rows.start, rows.index, cols.start, cols.index, new Int32Array(Math.max(1, most * mostCols))]
}

/**
 * A windowed max or sum of float32 images [n, h, w, c] in WebAssembly, or undefined when the heap is full.
 * @example
 * import { axisTaps } from './window.js'
 * import { poolWasm } from './windowWasm.js'
 * const params = { window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], baseDilation: [1, 1] } as const
 * const x = Float32Array.from({ length: 16 }, (_, i) => i) // one 4×4 image of one channel
 * const [rows, cols] = [axisTaps(4, params, 0), axisTaps(4, params, 1)]
 * poolWasm('max', x, [1, 4, 4, 1], rows, cols) // → new Float32Array([5, 7, 13, 15])
 * poolWasm('sum', x, [1, 4, 4, 1], rows, cols) // → new Float32Array([10, 18, 42, 50])
 */
export const poolWasm = (
  op: 'max' | 'sum',
  src: Float32Array,
  [n, h, w, c]: readonly number[],
  rows: AxisTaps,
  cols: AxisTaps,
): Float32Array | undefined =>
  inHeap(
    [src, ...tapArrays(rows, cols)],
    (n as number) * rows.out * cols.out * (c as number),
    false,
    ([s, ...t], out) =>
      windowKernels()[op](
        s as number,
        out,
        n as number,
        h as number,
        w as number,
        c as number,
        rows.out,
        cols.out,
        ...t,
      ),
  )

/**
 * Each window's first maximum of the float32 images `x` [n, h, w, c] in WebAssembly: `gather` gives `v` (shaped as
 * x) there, [n, oh, ow, c]; `scatter` adds `v` ([n, oh, ow, c]) there, [n, h, w, c]. Undefined when the heap is full.
 * @example
 * import { axisTaps } from './window.js'
 * import { selectWasm } from './windowWasm.js'
 * const params = { window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], baseDilation: [1, 1] } as const
 * const x = Float32Array.from({ length: 16 }, (_, i) => i) // one 4×4 image of one channel: maxima at 5, 7, 13, 15
 * const [rows, cols] = [axisTaps(4, params, 0), axisTaps(4, params, 1)]
 * selectWasm('gather', x, x, [1, 4, 4, 1], rows, cols) // → new Float32Array([5, 7, 13, 15])
 * const dx = selectWasm('scatter', x, new Float32Array([1, 2, 3, 4]), [1, 4, 4, 1], rows, cols)
 * dx // → new Float32Array([0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4])
 */
export const selectWasm = (
  mode: 'gather' | 'scatter',
  x: Float32Array,
  v: Float32Array,
  [n, h, w, c]: readonly number[],
  rows: AxisTaps,
  cols: AxisTaps,
): Float32Array | undefined => {
  const size = mode === 'gather' ? (n as number) * rows.out * cols.out * (c as number) : x.length
  return inHeap([x, v, ...tapArrays(rows, cols)], size, mode === 'scatter', ([xp, vp, ...t], out) =>
    windowKernels()[mode](
      xp as number,
      vp as number,
      out,
      n as number,
      h as number,
      w as number,
      c as number,
      rows.out,
      cols.out,
      ...t,
    ),
  )
}
