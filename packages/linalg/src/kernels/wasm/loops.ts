/** Loop shapes the generated GEMM functions share: counted and ranged loops, k blocks, and the panel loop of a pack export. */
import type { Code, ModuleBuilder } from '@nabla/ndarray/wasm'

/**
 * for (i = from(); i < local[end]; ) body() — the body advances `i` itself.
 * @example
 * // internal (not exported): emits a loop `for (i = from; i < end; step)`, e.g.
 * // forRange(f, jp, () => f.get(jp0), jp1, () => f.inc(jp, 1)) over the panels of B; 3 panels of 16 here
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [4, 20]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [20, 48]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const forRange = (f: Code, i: number, from: () => void, end: number, body: () => void): void => {
  from()
  f.set(i)
  f.block((done) =>
    f.loop((top) => {
      f.get(i).get(end).i32GeS().brIf(done)
      body()
      f.br(top)
    }),
  )
}

/**
 * for (i = 0; i < count; i++) body() — `i` and `count` are i32 locals; `count` is left unchanged.
 * @example
 * // internal (not exported): emits a loop of n iterations, e.g. forCount(f, i, n, () => f.get(i).call(visit)); a
 * // count of 0 runs nothing (an empty C)
 * const before = setKernel({ kernel: 'wasm', threads: 1 })
 * try {
 *   matmul(zeros([0, 5]), zeros([5, 3])).shape // → [0, 3]
 * } finally {
 *   setKernel(before)
 * }
 */
export const forCount = (f: Code, i: number, count: number, body: () => void): void =>
  forRange(
    f,
    i,
    () => f.i32Const(0),
    count,
    () => {
      body()
      f.inc(i, 1)
    },
  )

/**
 * local[out] = min(a, b), signed; `a` and `b` emit one i32 each (twice: for the comparison and for select).
 * @example
 * // internal (not exported): emits out = min(a, b), e.g. the depth of the last block,
 * // minInto(f, kc, () => f.i32Const(256), () => f.get(k).get(p0).i32Sub()); k = 300 here
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [6, 300]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [300, 40]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const minInto = (f: Code, out: number, a: () => void, b: () => void): void => {
  a()
  b()
  a()
  b()
  f.i32LtS().select().set(out)
}

/**
 * local[out] = local[value] rounded up to a multiple of 4.
 * @example
 * // internal (not exported): emits width = cols rounded up to a multiple of 4, e.g. roundUp4(f, cols, width): the last
 * // panel of B (n = 37: two panels of 16 and one of 5, packed 8 wide)
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [6, 30]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [30, 37]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const roundUp4 = (f: Code, value: number, out: number): void => {
  f.get(value).i32Const(3).i32Add().i32Const(-4).i32And().set(out)
}

/** The i32 locals of `forEvenBlocks`: the extent cut, the block length, the block start and this block's length. */
export interface EvenBlocks {
  readonly total: number
  readonly step: number
  readonly start: number
  readonly length: number
}

/**
 * Cuts local[total] into ⌈total/max⌉ blocks of nearly equal length — step = ⌈total / ⌈total/max⌉⌉, a function
 * of total alone — and runs body() for each with local[start] and local[length] (the last block may be shorter).
 * @example
 * // internal (not exported): emits a loop over ⌈total/max⌉ blocks of equal length, e.g.
 * // forEvenBlocks(f, 256, { total: k, step: kcStep, start: p0, length: kc }, () => f.get(kc).call(kernel));
 * // k = 784 is four blocks of 196, not 3×256 + 16
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [4, 784]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [784, 32]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const forEvenBlocks = (f: Code, max: number, { total, step, start, length }: EvenBlocks, body: () => void) => {
  f.get(total)
    .i32Const(max - 1)
    .i32Add()
    .i32Const(max)
    .i32DivU()
    .set(step)
  f.get(total).get(step).i32Add().i32Const(1).i32Sub().get(step).i32DivU().set(step)
  forRange(
    f,
    start,
    () => f.i32Const(0),
    total,
    () => {
      minInto(
        f,
        length,
        () => f.get(step),
        () => f.get(total).get(start).i32Sub(),
      )
      body()
      f.get(start).get(length).i32Add().set(start)
    },
  )
}

/** The parameters of a pack export and the locals of its panel loop (see `addPanelPacker`). */
export interface PanelLocals {
  readonly src: number
  readonly ld: number
  readonly trans: number
  /** Rows (m) or columns (n) of the operand: the extent cut into panels. */
  readonly extent: number
  readonly k: number
  readonly dst: number
  /** The panel index. */
  readonly panel: number
  /** Its first row or column: panel·width. */
  readonly first: number
  /** Its rows or columns inside the operand: min(width, extent − first). */
  readonly valid: number
  /** Parameters after the eight common ones (see `addPanelPacker`'s `extraParams`). */
  readonly extra: readonly number[]
}

/**
 * Adds the export `name(src, ld, trans, extent, k, dst, i0, i1, …extra)` that runs body() for each panel
 * i0 ≤ panel < i1 of `width` rows or columns, with `first` and `valid` set (the shape of packA, packB, packDotA
 * and packDotB; packA takes one extra parameter).
 * @example
 * // internal (not exported): adds a packer that loops over panels, e.g.
 * // addPanelPacker(mod, 'packA', 2, (f, { src, dst, valid }) => f.get(src).get(dst).get(valid).call(pack));
 * // the last panel of A has 1 valid row of 2 here (m = 7)
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [7, 20]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [20, 33]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const addPanelPacker = (
  mod: ModuleBuilder,
  name: string,
  width: number,
  body: (f: Code, locals: PanelLocals) => void,
  extraParams = 0,
): number =>
  mod.func(
    Array(8 + extraParams).fill('i32'),
    [],
    (f) => {
      const [src, ld, trans, extent, k, dst, i0, i1] = [0, 1, 2, 3, 4, 5, 6, 7]
      const [panel, first, valid] = [f.local('i32'), f.local('i32'), f.local('i32')]
      forRange(
        f,
        panel,
        () => f.get(i0),
        i1,
        () => {
          f.get(panel).i32Const(width).i32Mul().set(first)
          minInto(
            f,
            valid,
            () => f.i32Const(width),
            () => f.get(extent).get(first).i32Sub(),
          )
          const extra = Array.from({ length: extraParams }, (_, i) => 8 + i)
          body(f, { src, ld, trans, extent, k, dst, panel, first, valid, extra })
          f.inc(panel, 1)
        },
      )
    },
    name,
  )

/**
 * Emits: call table[w] for the w in `widths` that local `width` holds (an if-chain from the widest; the
 * narrowest is the fall-through), with the arguments `args` pushes.
 * @example
 * // internal (not exported): e.g. callByWidth(f, width, [4, 8, 16], table, () => f.get(a).get(b)) picks the packer
 * // of the last panel of B by its width: n = 20 and n = 24 end in 4- and 8-wide panels
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [6, 30]), 5), 'int32'), 'float32')
 * const b20 = cast(cast(mul(uniform(key(1), [30, 20]), 5), 'int32'), 'float32')
 * const b24 = cast(cast(mul(uniform(key(2), [30, 24]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b20)) // → on('ref', () => matmul(a, b20))
 * on('wasm', () => matmul(a, b24)) // → on('ref', () => matmul(a, b24))
 */
export const callByWidth = (
  f: Code,
  width: number,
  widths: readonly number[],
  table: Map<number, number>,
  args: () => void,
): void => {
  const emit = (i: number): void => {
    const call = () => {
      args()
      f.call(table.get(widths[i] as number) as number)
    }
    if (i === 0) call()
    else
      f.get(width)
        .i32Const(widths[i] as number)
        .i32Eq()
        .ifElse(call, () => emit(i - 1))
  }
  emit(widths.length - 1)
}
