/** `GemmEngine`: one instance of the GEMM module on its memory, growing the memory as products need. */
import type { GemmArgs } from '../gemm.js'
import { defaultGemmOptions, gemmModuleBytes, maxPages } from './gemmModule.js'
import { copyMatrix, type GemmPlan } from './gemmPlan.js'
import { runShare } from './gemmShare.js'

/** The exports of the GEMM module (see `gemmModuleBytes`). */
export interface GemmExports {
  packA(...args: (number | undefined)[]): void
  packB(...args: (number | undefined)[]): void
  gemm(...args: (number | undefined)[]): void
  packDotA(...args: (number | undefined)[]): void
  packDotB(...args: (number | undefined)[]): void
  gemmDot(...args: (number | undefined)[]): void
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
 * An instance with its memory. `prepare` grows the memory and copies A and B in; `run` executes one thread's
 * calls; `finish` copies C out.
 * @example
 * const engine = new GemmEngine(gemmModule({ relaxed: false, shared: false }), new WebAssembly.Memory({ initial: 1 }))
 */
export class GemmEngine {
  readonly exports: GemmExports
  private view: Float32Array

  constructor(
    module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
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

  /** Grows the memory to the plan's size and copies A and B in. @example engine.prepare('gemmWasm', args, plan) */
  prepare(op: string, args: GemmArgs<Float32Array>, plan: GemmPlan): void {
    const have = this.memory.buffer.byteLength
    if (plan.bytes > have) {
      const pages = Math.ceil((plan.bytes - have) / pageBytes)
      if (have / pageBytes + pages > maxPages) {
        throw new RangeError(
          `${op}: a [${args.m}×${args.k}]·[${args.k}×${args.n}] product needs ${plan.bytes} bytes of WebAssembly ` +
            `memory, more than the ${maxPages * pageBytes} this kernel addresses`,
        )
      }
      this.memory.grow(pages)
    }
    const f32 = this.floats()
    const { m, n, k, transA, transB } = args
    // compactly: the stored row length becomes the row stride
    const aCols = transA ? m : k
    const bCols = transB ? k : n
    copyMatrix(args.a, args.aOffset, args.lda, f32, plan.aPtr / 4, aCols, transA ? k : m, aCols)
    copyMatrix(args.b, args.bOffset, args.ldb, f32, plan.bPtr / 4, bCols, transB ? n : k, bCols)
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

  /** Copies C out to the caller's array. @example engine.finish(args, plan) */
  finish(args: GemmArgs<Float32Array>, plan: GemmPlan): void {
    copyMatrix(this.floats(), plan.cPtr / 4, plan.cStride, args.c, args.cOffset, args.ldc, args.m, args.n)
  }
}
