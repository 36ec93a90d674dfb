/** `GemmEngine`: one instance of the GEMM module on its memory, growing the memory as products need. */

import { type WasmHeap, wasmHeap } from '@nabla/ndarray/core'
import type { GemmArgs } from '../gemm.js'
import { defaultGemmOptions, gemmModuleBytes, maxPages } from './gemmModule.js'
import { copyMatrix, type GemmPlacement, type GemmPlan, type PlanOptions, planGemm } from './gemmPlan.js'
import { runShare } from './gemmShare.js'

/** The exports of the GEMM module (see `gemmModuleBytes`). */
export interface GemmExports {
  packA(...args: (number | undefined)[]): void
  packB(...args: (number | undefined)[]): void
  gemm(...args: (number | undefined)[]): void
  packDotA(...args: (number | undefined)[]): void
  packDotB(...args: (number | undefined)[]): void
  gemmDot(...args: (number | undefined)[]): void
  packRowsA(...args: (number | undefined)[]): void
  packRowsB(...args: (number | undefined)[]): void
  gemmRows(...args: (number | undefined)[]): void
}

const pageBytes = 65536
const compiled = new Map<string, WebAssembly.Module>()

/**
 * The compiled GEMM module for a variant (cached: compiled once per process).
 * @example
 * // internal (not exported): the compiled module of a variant, e.g. gemmModule({ relaxed: false, shared: true }),
 * // compiled once per process; the relaxed variant runs exactly when the runtime has relaxed SIMD
 * const before = setKernel({ kernel: 'wasm' })
 * try {
 *   matmul(ones([8, 8]), ones([8, 8]))
 *   kernelInfo().last.relaxedSimd // → kernelInfo().relaxedSimd
 * } finally {
 *   setKernel(before)
 * }
 */
export const gemmModule = (variant: { relaxed: boolean; shared: boolean }): WebAssembly.Module => {
  const key = `${variant.relaxed}/${variant.shared}`
  let module = compiled.get(key)
  if (module === undefined) {
    module = new WebAssembly.Module(gemmModuleBytes({ ...defaultGemmOptions, ...variant }))
    compiled.set(key, module)
  }
  return module
}

/**
 * The process's shared WebAssembly heap when the GEMM module can work in it: it holds arrays (shared memory) and
 * has the module's declared size (2 GiB of address space); else undefined.
 * @example
 * // internal (not exported): kernelHeap() is the shared WebAssembly heap, or undefined under a tight `ulimit -v` or
 * // on a page without cross-origin isolation. An operand stored there is read in place (same bits)
 * const heap = wasmHeap()
 * const data = heap.floats(4) ?? new Float32Array(4)
 * data.set([1, 2, 3, 4])
 * const a = new Concrete('float32', [2, 2], data)
 * const before = setKernel({ kernel: 'wasm' })
 * try {
 *   toArray(matmul(a, array([[5, 6], [7, 8]]))) // → [[19, 22], [43, 50]]
 * } finally {
 *   setKernel(before)
 * }
 */
export const kernelHeap = (): WasmHeap | undefined => {
  const heap = wasmHeap()
  return heap.resident && heap.maxBytes === maxPages * 65536 ? heap : undefined
}

/** Where the operands already are in the heap (byte addresses), for `planGemm`. */
const placementIn = (heap: WasmHeap, args: GemmArgs<Float32Array>): GemmPlacement => {
  const at = (x: Float32Array, offset: number): number | undefined => {
    const ptr = heap.pointerOf(x)
    return ptr >= 0 ? ptr + 4 * offset : undefined
  }
  const [a, b, c] = [at(args.a, args.aOffset), at(args.b, args.bOffset), at(args.c, args.cOffset)]
  return { ...(a === undefined ? {} : { a }), ...(b === undefined ? {} : { b }), ...(c === undefined ? {} : { c }) }
}

/**
 * An instance of the GEMM module on a memory. Without a heap it owns the memory: each product is laid out from
 * address 0 and the memory grows as products need. On a heap (`WasmHeap`, whose memory the fused loops share),
 * each product takes a scratch block and reads operands that live in the heap in place, and may write the
 * result array directly. `prepare` lays out and copies in; `run` executes one thread's calls; `finish` copies C
 * out and gives the scratch back.
 * @example
 * // internal (not exported): an instance of the module on a memory, e.g.
 * // new GemmEngine(gemmModule({ relaxed: false, shared: false }), new WebAssembly.Memory({ initial: 1 }));
 * // the wasm tier keeps one and grows its memory as products need
 * const before = setKernel({ kernel: 'wasm', threads: 1 })
 * try {
 *   matmul(ones([2, 2]), ones([2, 2]))
 *   // a product of 4 MB operands: the memory grows
 *   matmul(ones([1000, 1000]), ones([1000, 4])).shape // → [1000, 4]
 *   toArray(matmul(array([[1, 2]]), array([[3], [4]]))) // → [[11]]
 * } finally {
 *   setKernel(before)
 * }
 */
export class GemmEngine {
  readonly exports: GemmExports
  private view: Float32Array

  /**
   * @param planOptions the layout choices products are planned with (tests turn forms off with them); the
   *   module must have been generated with the same tile shapes.
   */
  constructor(
    module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
    private readonly heap?: WasmHeap,
    private readonly planOptions: PlanOptions = defaultGemmOptions,
  ) {
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmExports
    this.view = new Float32Array(memory.buffer)
  }

  /**
   * The memory as floats (refreshed after growth).
   * @example
   * // internal (not exported): e.g. engine.floats()[0]; the view is renewed when a larger product grows the memory
   * const before = setKernel({ kernel: 'wasm', threads: 1 })
   * try {
   *   matmul(ones([2000, 1000]), ones([1000, 8])).shape // → [2000, 8]
   *   toArray(matmul(array([[2]]), array([[3]]))) // → [[6]]
   * } finally {
   *   setKernel(before)
   * }
   */
  floats(): Float32Array {
    if (this.view.buffer !== this.memory.buffer || this.view.length * 4 !== this.memory.buffer.byteLength) {
      this.view = new Float32Array(this.memory.buffer)
    }
    return this.view
  }

  /**
   * Lays the product out for `threads` threads, reserves its memory and copies in what is not there already;
   * undefined when a heap cannot hold its scratch (the caller then multiplies elsewhere).
   * @example
   * // internal (not exported): engine.prepare('gemmWasm', args, 1) lays a product out and copies A and B in; a
   * // transposed operand is copied as it is stored, and read transposed
   * const on = (kernel, f) => {
   *   const before = setKernel({ kernel, threads: 1 })
   *   try {
   *     return toArray(f())
   *   } finally {
   *     setKernel(before)
   *   }
   * }
   * const a = cast(cast(mul(uniform(key(0), [30, 20]), 5), 'int32'), 'float32')
   * const b = cast(cast(mul(uniform(key(1), [40, 30]), 5), 'int32'), 'float32')
   * on('wasm', () => matmul(transpose(a), transpose(b))) // → on('ref', () => matmul(transpose(a), transpose(b)))
   */
  prepare(op: string, args: GemmArgs<Float32Array>, threads: number): GemmPlan | undefined {
    let plan: GemmPlan
    if (this.heap === undefined) {
      plan = planGemm(args, this.planOptions, threads)
      this.grow(op, args, plan.bytes)
    } else {
      const place = placementIn(this.heap, args)
      const { bytes } = planGemm(args, this.planOptions, threads, place)
      const base = this.heap.alloc(bytes)
      if (base === undefined) return undefined
      // blocks are 64-byte aligned, as the layout's offsets are: the same layout from `base` needs the same bytes
      plan = planGemm(args, this.planOptions, threads, { ...place, base })
      if (plan.bytes !== bytes) throw new Error(`${op}: internal: the product's layout moved with its base`)
    }
    const f32 = this.floats()
    const { m, n, k, transA, transB } = args
    // compactly: the stored row length becomes the row stride
    const aCols = transA ? m : k
    const bCols = transB ? k : n
    if (plan.copyA) copyMatrix(args.a, args.aOffset, args.lda, f32, plan.aPtr / 4, aCols, transA ? k : m, aCols)
    if (plan.copyB) copyMatrix(args.b, args.bOffset, args.ldb, f32, plan.bPtr / 4, bCols, transB ? n : k, bCols)
    return plan
  }

  /**
   * Packs and multiplies a job of `planGemm`: all of its chunks when `next` is not given (a single thread),
   * else the chunks `next` hands out (see `runShare`).
   * @example
   * // internal (not exported): engine.run(plan.jobs[0]) packs and multiplies one thread's part; on one thread, all of it
   * const before = setKernel({ kernel: 'wasm', threads: 1 })
   * try {
   *   toArray(matmul(ones([3, 5]), ones([5, 20])))[2][19] // → 5
   *   kernelInfo().last.threads // → 1
   * } finally {
   *   setKernel(before)
   * }
   */
  run(job: Int32Array, next?: () => number): void {
    let chunk = 0
    runShare(this.exports, job, next ?? (() => chunk++))
  }

  /**
   * Copies C out to the caller's array (unless written in place) and gives the scratch back.
   * @example
   * // internal (not exported): engine.finish(args, plan) ends every wasm product, e.g. into a result that is a
   * // padded C (37 columns: tiles of 16)
   * const before = setKernel({ kernel: 'wasm', threads: 1 })
   * try {
   *   toArray(matmul(ones([3, 2]), ones([2, 37])))[2][36] // → 2
   * } finally {
   *   setKernel(before)
   * }
   */
  finish(args: GemmArgs<Float32Array>, plan: GemmPlan): void {
    if (!plan.cDirect) {
      copyMatrix(this.floats(), plan.cPtr / 4, plan.cStride, args.c, args.cOffset, args.ldc, args.m, args.n)
    }
    this.heap?.release(plan.base)
  }

  private grow(op: string, args: GemmArgs<Float32Array>, bytes: number): void {
    const have = this.memory.buffer.byteLength
    if (bytes <= have) return
    const pages = Math.ceil((bytes - have) / pageBytes)
    if (have / pageBytes + pages > maxPages) {
      throw new RangeError(
        `${op}: a [${args.m}×${args.k}]·[${args.k}×${args.n}] product needs ${bytes} bytes of WebAssembly ` +
          `memory, more than the ${maxPages * pageBytes} this kernel addresses`,
      )
    }
    this.memory.grow(pages)
  }
}
