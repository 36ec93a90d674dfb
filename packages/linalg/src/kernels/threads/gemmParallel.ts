/** `gemmParallel`: the WebAssembly SIMD product split over worker threads, bit-identical for any thread count. */
import type { GemmArgs } from '../gemm.js'
import { checkGemmArgs } from '../wasm/checkGemmArgs.js'
import { defaultGemmOptions } from '../wasm/gemmModule.js'
import { threadsFor } from '../wasm/gemmPlan.js'
import { gemmWasm, useRelaxed, type WasmGemmOptions } from '../wasm/gemmWasm.js'
import { control } from './control.js'
import { GemmPool } from './gemmPool.js'
import { threadSupport } from './threadSupport.js'
import { type WorkerHost, workerHost } from './workerHost.js'

/** Options of the threaded tier. */
export interface ParallelGemmOptions extends WasmGemmOptions {
  /** Threads including the calling one (a positive integer). Default: the core count. */
  readonly threads?: number
  /** Products with fewer multiply-adds (m·n·k) than this run on the calling thread only. */
  readonly minWork?: number
}

/**
 * Below this many multiply-adds (m·n·k), waking a worker costs more than it saves: a round trip costs
 * 20–40 µs on a 2-core VM, and two threads only won from about 2·10⁶ (measured with bench/gemm-wasm.ts).
 * @example
 * // internal (not exported): products below 1 << 22 multiply-adds stay on the calling thread (gemmParallel(args,
 * // { minWork: defaultMinWork * 2 }) would raise that)
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   // 128³ ≈ 2·10⁶
 *   matmul(ones([128, 128]), ones([128, 128]))
 *   kernelInfo().last.threads // → 1
 *   // 256³ ≈ 1.7·10⁷
 *   matmul(ones([256, 256]), ones([256, 256]))
 *   kernelInfo().last.threads // → threadSupport().available ? 2 : 1
 * } finally {
 *   setKernel(before)
 * }
 */
export const defaultMinWork = 1 << 22

/**
 * The thread count `gemmParallel` uses by default: the cores this process may use.
 * @example
 * // internal (not exported): defaultThreadCount() is 2 on a 2-core machine: the cores, what 'auto' threads means
 * const before = setKernel({ kernel: 'auto', threads: 'auto' })
 * try {
 *   const info = await threadsReady()
 *   info.threads // → Math.min(threadSupport().cores, 256)
 * } finally {
 *   setKernel(before)
 * }
 */
export const defaultThreadCount = (): number => threadSupport().cores

/**
 * The most threads `gemmParallel` accepts: the calling thread and up to 255 workers.
 * @example
 * // internal (not exported): 256, the calling thread and up to 255 workers, e.g.
 * // gemmParallel(args, { threads: Math.min(wanted, maxThreads) })
 * await threadsReady({ threads: 257 }) // throws RangeError: threads must be an integer from 1 to 256, got 257
 */
export const maxThreads = control.maxWorkers + 1

const pools = new Map<boolean, GemmPool>()

/**
 * The pool for a module variant (created on first need, workers started later; needs `threadSupport().available`).
 * @example
 * // internal (not exported): the pool of a module variant, e.g. await gemmPool(false).whenReady(1) for the plain SIMD
 * // one; threadsReady starts the variant this runtime uses
 * const info = await threadsReady({ threads: 2 })
 * info.workers >= 1 // → true
 */
export const gemmPool = (relaxed: boolean): GemmPool => {
  let pool = pools.get(relaxed)
  if (pool === undefined) {
    pool = new GemmPool(relaxed, { host: workerHost() as WorkerHost, canWait: threadSupport().canWait })
    pools.set(relaxed, pool)
  }
  return pool
}

/**
 * C = op(A)·op(B) for float32 operands (see `GemmArgs`) on up to `threads` threads; returns how many took part.
 * C is cut into chunks of whole micro-kernel panels — columns when m ≤ n, else rows (see `planGemm`) — that
 * the threads, the calling one included, take from a shared counter (`runShare`); every C element is computed
 * by one thread with the same summation order as `gemmWasm`, so the result is bit-identical for every thread
 * count. When no chunk is left the calling thread waits for the workers (Atomics.wait; on a browser's main
 * thread, where that is forbidden, it spins): the call is synchronous. Operands that live in the shared
 * WebAssembly heap are read in place (see `GemmEngine`). Products below `minWork`, thread counts of 1, and runtimes without workers or
 * shared memory run on the calling thread. The pool starts on first need and never keeps the process alive;
 * `shutdownPool` stops it. Under Node the first parallel product waits for its workers to start; a browser starts
 * a worker only once the calling thread yields, so there products run on the calling thread (same bits) until the
 * workers are up — `await threadsReady()` first to use them from the start.
 * @example
 * // internal (not exported): const used = gemmParallel(args, { threads: 2 }) is 2 for a large product, 1 below the
 * // threshold; kernelInfo().last.threads is it
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   matmul(ones([512, 256]), ones([256, 256]))
 *   kernelInfo().last.threads // → threadSupport().available ? 2 : 1
 *   matmul(ones([16, 16]), ones([16, 16]))
 *   kernelInfo().last.threads // → 1
 * } finally {
 *   setKernel(before)
 * }
 */
export const gemmParallel = (args: GemmArgs<Float32Array>, options: ParallelGemmOptions = {}): number => {
  checkGemmArgs('gemmParallel', args)
  const { threads = defaultThreadCount(), minWork = defaultMinWork } = options
  if (!Number.isInteger(threads) || threads < 1 || threads > maxThreads) {
    throw new RangeError(`gemmParallel: threads must be an integer from 1 to ${maxThreads}, got ${threads}`)
  }
  if (!(minWork >= 0)) throw new RangeError(`gemmParallel: minWork must be a number ≥ 0, got ${minWork}`)
  const relaxed = useRelaxed('gemmParallel', options)
  const { m, n, k } = args
  if (threads === 1 || k === 0 || m * n * k < minWork || !threadSupport().available) {
    gemmWasm(args, options)
    return 1
  }
  const used = threadsFor(args, defaultGemmOptions, threads)
  if (used === 1) {
    gemmWasm(args, options)
    return 1
  }
  const pool = gemmPool(relaxed)
  if (!pool.ensureWorkers(used - 1)) {
    gemmWasm(args, options)
    return 1
  }
  pool.prewake()
  const placed = pool.engine.prepare('gemmParallel', args, threads)
  if (placed === undefined) {
    // the shared heap cannot hold the product's scratch: the calling thread's own memory can grow further
    gemmWasm(args, options)
    return 1
  }
  pool.run(placed)
  pool.engine.finish(args, placed)
  return used
}

/**
 * Stops every worker thread of the pool (the next `gemmParallel` starts a new one). Not needed before exit:
 * idle workers never keep the process alive.
 * @example
 * // internal (not exported; tests call shutdownPool()): stops every worker, and the next threaded product starts a new
 * // pool. Not needed before exit: idle workers never keep the process alive
 * const info = await threadsReady({ threads: 2 })
 * info.workers >= 1 // → true
 */
export const shutdownPool = (): void => {
  for (const pool of pools.values()) pool.close()
  pools.clear()
}

/**
 * Worker threads running now (across pool variants).
 * @example
 * // internal (not exported): poolSize() is 1 after a large product with threads: 2; threadsReady reports it as workers
 * const info = await threadsReady({ threads: 2 })
 * info.workers >= info.threads - 1 // → true
 */
export const poolSize = (): number => [...pools.values()].reduce((s, p) => s + p.size, 0)
