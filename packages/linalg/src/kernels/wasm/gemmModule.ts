/** Generates the GEMM WebAssembly module: packing of A and B panels, micro-kernels, and the blocked driver loop. */
import { type Code, ModuleBuilder } from '@nabla/ndarray/wasm'
import { addCompactPanel, addFiniteCheck, emitPanelBytes } from './compactPanel.js'
import { addDotFunctions } from './dotModule.js'
import { addGemmDriver } from './gemmDriver.js'
import type { GemmModuleOptions } from './gemmModuleOptions.js'
import { addPanelPacker, callByWidth, roundUp4 } from './loops.js'
import { addMicroKernel } from './microKernel.js'
import { addPackPanel } from './packing.js'
import { addRowsFunctions } from './rowsModule.js'

/**
 * The blocking this package uses, chosen by measurement on a Zen 5 core (bench/gemm-wasm.ts): a 2×16 tile
 * (8 f32x4 accumulators, 4 B vectors, 2 broadcasts: 14 of the 15 xmm registers V8 allocates) ties 5×8 and
 * beats 4×8, 3×12 and 6×8 (which spills); unrolling the k loop makes V8 hoist every load and spill.
 * The dot form's 4×2 tile (8 accumulators, 6 loads) beats 3×2, 2×4, 2×3 and 1×5 for n ≤ 15.
 * @example
 * // internal (not exported): the tiling of the module, e.g. gemmModuleBytes({ ...defaultGemmOptions, kc: 128,
 * // relaxed: false, shared: false }) builds one with k blocks of 128. With the defaults, k = 784 is summed in
 * // four blocks of 196
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [8, 784]), 5), 'int32'), 'float32')
 * const b = cast(cast(mul(uniform(key(1), [784, 48]), 5), 'int32'), 'float32')
 * on('wasm', () => matmul(a, b)) // → on('ref', () => matmul(a, b))
 */
export const defaultGemmOptions: Omit<GemmModuleOptions, 'relaxed' | 'shared'> = {
  mr: 2,
  nr: 16,
  unroll: 1,
  kc: 256,
  mcPanels: 64,
  dotMr: 4,
  dotNj: 2,
  dotKc: 1024,
  dotMaxN: 15,
  rowsMaxDensity: 0.5,
  rowsTransA: false,
  skipZeros: true,
}

/**
 * Largest memory the module may address: 2 GiB in 64 KiB pages, so byte offsets stay positive i32s.
 * @example
 * // internal (not exported): 2 GiB in 64 KiB pages, e.g. new WebAssembly.Memory({ initial: 1, maximum: maxPages,
 * // shared: true }); the shared WebAssembly heap, where the kernels can read operands in place, has that size
 * wasmHeap().maxBytes // → 2 ** 31
 */
export const maxPages = 32768

/**
 * The module's binary. It imports `env.memory` and exports
 * `packA(src, ld, trans, m, k, dst, ip0, ip1, compact)` (compact: see compactsA), `packB(src, ld, trans, n, k, dst, jp0, jp1)` and
 * `gemm(ap, bp, c, ldc, n, k, ip0, ip1, jp0, jp1)`; pointers, `ld` and `ldc` are in bytes.
 * Packed A: panel ip (rows ip·mr…) at ap + ip·aPanelBytes(mr, k, kc), mr floats per k step, rows past m zero,
 * followed by its compact copy for zero skipping (see compactPanel.ts).
 * Packed B: panel jp (columns jp·nr…) at bp + 4·jp·k·nr, `width` floats per k step, where width = nr except
 * for a narrower last panel (its columns rounded up to 4), columns past n zero.
 * `gemm` computes the whole tiles of panels [ip0, ip1)×[jp0, jp1): C must have room for mr·⌈m/mr⌉ rows
 * and 4·⌈n/4⌉ columns (the padding receives zeros), so no tile needs an edge case.
 * It also exports the dot form `packDotA`, `packDotB`, `gemmDot` with the same signatures (see dotModule.ts).
 * @example
 * // internal (not exported): const bytes = gemmModuleBytes({ ...defaultGemmOptions, relaxed: false, shared: false })
 * // is the module the wasm tier compiles; it holds the tiles, dot and sparse-rows forms, all with the same bits
 * const on = (kernel, f) => {
 *   const before = setKernel({ kernel, threads: 1 })
 *   try {
 *     return toArray(f())
 *   } finally {
 *     setKernel(before)
 *   }
 * }
 * const a = cast(cast(mul(uniform(key(0), [16, 40]), 5), 'int32'), 'float32')
 * // dot form (n ≤ 15), tiles form (n = 40, transposed A), sparse-rows form (sparse plain A, n = 48)
 * on('wasm', () => matmul(a, ones([40, 7]))) // → on('ref', () => matmul(a, ones([40, 7])))
 * on('wasm', () => matmul(transpose(a), ones([16, 40]))) // → on('ref', () => matmul(transpose(a), ones([16, 40])))
 * const sparse = cast(greater(uniform(key(2), [16, 40]), 0.9), 'float32')
 * on('wasm', () => matmul(sparse, ones([40, 48]))) // → on('ref', () => matmul(sparse, ones([40, 48])))
 */
export const gemmModuleBytes = (options: GemmModuleOptions): Uint8Array<ArrayBuffer> => {
  const { mr, nr, unroll, relaxed, shared, skipZeros, kc } = options
  const mod = new ModuleBuilder()
  mod.importMemory('env', 'memory', shared ? { initial: 1, maximum: maxPages, shared } : { initial: 1 })

  const widths = Array.from({ length: nr / 4 }, (_, i) => 4 * (i + 1))
  const kernels = new Map(widths.map((w) => [w, addMicroKernel(mod, { mr, width: w, unroll, relaxed })]))
  const sparseKernels = new Map(
    widths.map((w) => [w, addMicroKernel(mod, { mr, width: w, unroll: 1, relaxed, sparse: true })]),
  )
  const compact = addCompactPanel(mod, mr, kc)
  const finite = addFiniteCheck(mod)
  const panelWidths = [...new Set([...widths, mr])]
  const packRows = new Map(panelWidths.map((w) => [w, addPackPanel(mod, w, 'rows')]))
  const packColumns = new Map(panelWidths.map((w) => [w, addPackPanel(mod, w, 'columns')]))
  const byWidth = (f: Code, width: number, table: Map<number, number>, args: () => void) =>
    callByWidth(f, width, widths, table, args)

  // packA: A[i][p] is at src + i·ld + 4p (trans = 0) or src + p·ld + 4i (trans = 1).
  // packA's ninth parameter: whether to compact (see compactsA; the driver decides the same from n)
  addPanelPacker(
    mod,
    'packA',
    mr,
    (f, { src, ld, trans, k, dst, panel, first, valid, extra }) => {
      const at = f.local('i32')
      emitPanelBytes(f, mr, kc, k, at)
      f.get(dst).get(panel).get(at).i32Mul().i32Add().set(at)
      const rest = () => f.get(ld).get(valid).get(k).get(at)
      f.get(trans).ifElse(
        () => {
          f.get(src).get(first).i32Const(2).i32Shl().i32Add()
          rest().call(packRows.get(mr) as number)
        },
        () => {
          f.get(src).get(first).get(ld).i32Mul().i32Add()
          rest().call(packColumns.get(mr) as number)
        },
      )
      if (skipZeros) f.get(extra[0] as number).ifElse(() => f.get(at).get(k).call(compact))
    },
    1,
  )

  // packB: B[p][j] is at src + p·ld + 4j (trans = 0) or src + j·ld + 4p (trans = 1).
  addPanelPacker(mod, 'packB', nr, (f, { src, ld, trans, k, dst, panel, first, valid }) => {
    const width = f.local('i32')
    roundUp4(f, valid, width)
    const args = (first: () => void) => () => {
      first()
      f.get(ld)
        .get(valid)
        .get(k)
        .get(dst)
        .get(panel)
        .get(k)
        .i32Mul()
        .i32Const(4 * nr)
        .i32Mul()
        .i32Add()
    }
    f.get(trans).ifElse(
      () =>
        byWidth(
          f,
          width,
          packColumns,
          args(() => f.get(src).get(first).get(ld).i32Mul().i32Add()),
        ),
      () =>
        byWidth(
          f,
          width,
          packRows,
          args(() => f.get(src).get(first).i32Const(2).i32Shl().i32Add()),
        ),
    )
  })

  addGemmDriver(mod, options, {
    dense: (f, width, args) => byWidth(f, width, kernels, args),
    sparse: (f, width, args) => byWidth(f, width, sparseKernels, args),
    finite,
  })
  addDotFunctions(mod, options)
  addRowsFunctions(mod, { kc, relaxed })
  return mod.toBytes()
}
