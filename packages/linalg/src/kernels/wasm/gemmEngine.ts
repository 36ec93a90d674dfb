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
 * const module = gemmModule({ relaxed: false, shared: true })
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
 * const heap = kernelHeap() // undefined under a tight `ulimit -v`, or on a page without cross-origin isolation
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
 * const engine = new GemmEngine(gemmModule({ relaxed: false, shared: false }), new WebAssembly.Memory({ initial: 1 }))
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

  /** The memory as floats (refreshed after growth). @example engine.floats()[0] */
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
   * const plan = engine.prepare('gemmWasm', args, 1)
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
   * engine.run(plan.jobs[0])
   */
  run(job: Int32Array, next?: () => number): void {
    let chunk = 0
    runShare(this.exports, job, next ?? (() => chunk++))
  }

  /** Copies C out to the caller's array (unless written in place) and gives the scratch back. @example engine.finish(args, plan) */
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
