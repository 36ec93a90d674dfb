/** `gemmWasm`: the WebAssembly SIMD tier — float32 C = op(A)·op(B) on the calling thread. */

import { wasmSupport } from '@nabla/ndarray/wasm'
import type { GemmArgs } from '../gemm.js'
import { checkGemmArgs } from './checkGemmArgs.js'
import { GemmEngine, gemmModule, kernelHeap } from './gemmEngine.js'
import { type GemmPlan, zeroMatrix } from './gemmPlan.js'

/** Options of the WebAssembly tier. */
export interface WasmGemmOptions {
  /**
   * Multiply-add with `f32x4.relaxed_madd` (fused on FMA hardware): `true` requires relaxed SIMD, `false` uses
   * `f32x4.mul` + `f32x4.add`. Default: relaxed exactly when the runtime has it.
   */
  readonly relaxedSimd?: boolean
}

/**
 * Whether relaxed SIMD is used for these options; throws when it is demanded but missing, or SIMD is missing.
 * @example
 * // internal (not exported): useRelaxed('gemmWasm', {}) is whether the runtime has relaxed SIMD (false on a stock
 * // Node 20 without --experimental-wasm-relaxed-simd); wasm products report it
 * const before = setKernel({ kernel: 'wasm' })
 * try {
 *   matmul(ones([4, 4]), ones([4, 4]))
 *   kernelInfo().last.relaxedSimd // → kernelInfo().relaxedSimd
 * } finally {
 *   setKernel(before)
 * }
 */
export const useRelaxed = (op: string, { relaxedSimd }: WasmGemmOptions): boolean => {
  const support = wasmSupport()
  if (!support.simd) {
    throw new Error(`${op}: this runtime has no WebAssembly SIMD; use the 'ts' or 'ref' kernel`)
  }
  if (relaxedSimd === true && !support.relaxedSimd) {
    throw new Error(
      `${op}: relaxedSimd: true, but this runtime has no relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)`,
    )
  }
  return relaxedSimd ?? support.relaxedSimd
}

const engines = new Map<boolean, GemmEngine>()
const heapEngines = new Map<boolean, GemmEngine>()

// One engine per variant, created on first use; its memory is kept and reused by later calls.
const engineFor = (relaxed: boolean): GemmEngine => {
  let engine = engines.get(relaxed)
  if (engine === undefined) {
    engine = new GemmEngine(gemmModule({ relaxed, shared: false }), new WebAssembly.Memory({ initial: 16 }))
    engines.set(relaxed, engine)
  }
  return engine
}

// An engine in the process's shared WebAssembly heap, for a product with an operand there (it reads that operand
// in place instead of copying it into its own memory); undefined when there is none or the heap cannot serve.
const heapEngineFor = (relaxed: boolean, args: GemmArgs<Float32Array>): GemmEngine | undefined => {
  const heap = kernelHeap()
  if (heap === undefined || [args.a, args.b, args.c].every((x) => heap.pointerOf(x) < 0)) return undefined
  let engine = heapEngines.get(relaxed)
  if (engine === undefined) {
    engine = new GemmEngine(gemmModule({ relaxed, shared: true }), heap.memory, heap)
    heapEngines.set(relaxed, engine)
  }
  return engine
}

/**
 * C = op(A)·op(B) for float32 operands (see `GemmArgs`), on the calling thread with WebAssembly SIMD:
 * A and B are copied into wasm memory, packed into panels (reading the transposed layout directly, so
 * transposed operands cost nothing extra), and multiplied by a 2×16 register-blocked f32x4 micro-kernel
 * with cache blocking over k. Each C element sums its products in k order within ⌈k/256⌉ equal blocks,
 * and the blocks in order — the same order as the threaded tier, so results agree bit for bit.
 * k steps where a 2-row panel of A is all ±0 are skipped for the whole tile when that block of B is finite
 * (images, ReLU activations): the skipped products are ±0 and the sums never −0, so the bits are those of
 * the dense product, with about the share of kept steps of its work. A sparse plain A (at most half nonzero, by a
 * fixed sample) against plain B with n a multiple of 4 takes the sparse-rows form instead (rowsModule.ts): each
 * row of op(A) packed as its list of nonzero steps, 1×48 tiles reading B in place — the same bits again.
 * The wasm memory grows as needed and is reused across calls. An operand that lives in the shared WebAssembly
 * heap (`wasmHeap()`) is read there in place, and an unpadded C there written directly (same bits).
 * @example
 * // internal (not exported): on typed arrays,
 * // const a = Float32Array.of(1, 2, 3, 4) // [[1, 2], [3, 4]]
 * // const b = Float32Array.of(5, 6, 7, 8) // [[5, 6], [7, 8]]
 * // const c = new Float32Array(4)
 * // gemmWasm({ transA: false, transB: false, m: 2, n: 2, k: 2, a, aOffset: 0, lda: 2,
 * //   b, bOffset: 0, ldb: 2, c, cOffset: 0, ldc: 2 })
 * // sets c to [19, 22, 43, 50]. Through matmul, on the wasm tier:
 * const before = setKernel({ kernel: 'wasm', threads: 1 })
 * try {
 *   toArray(matmul(array([[1, 2], [3, 4]]), array([[5, 6], [7, 8]]))) // → [[19, 22], [43, 50]]
 *   kernelInfo().last.tier // → 'wasm'
 * } finally {
 *   setKernel(before)
 * }
 */
export const gemmWasm = (args: GemmArgs<Float32Array>, options: WasmGemmOptions = {}): void => {
  checkGemmArgs('gemmWasm', args)
  const relaxed = useRelaxed('gemmWasm', options)
  const { m, n, k } = args
  if (m === 0 || n === 0) return
  if (k === 0) {
    zeroMatrix(args.c, args.cOffset, args.ldc, m, n)
    return
  }
  // in the heap when an operand is there and the heap has room for the scratch; else in the engine's own memory,
  // which always has room (or throws a RangeError past what the kernel addresses)
  const inHeap = heapEngineFor(relaxed, args)
  const placed = inHeap?.prepare('gemmWasm', args, 1)
  const engine = placed === undefined ? engineFor(relaxed) : (inHeap as GemmEngine)
  const plan = placed ?? (engine.prepare('gemmWasm', args, 1) as GemmPlan)
  engine.run(plan.jobs[0] as Int32Array)
  engine.finish(args, plan)
}
