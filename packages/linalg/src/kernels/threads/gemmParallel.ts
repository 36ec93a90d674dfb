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
 * gemmParallel(args, { minWork: defaultMinWork * 2 })
 */
export const defaultMinWork = 1 << 22

/**
 * The thread count `gemmParallel` uses by default: the cores this process may use.
 * @example
 * defaultThreadCount() // 2 on a 2-core machine
 */
export const defaultThreadCount = (): number => threadSupport().cores

/**
 * The most threads `gemmParallel` accepts: the calling thread and up to 255 workers.
 * @example
 * gemmParallel(args, { threads: Math.min(wanted, maxThreads) })
 */
export const maxThreads = control.maxWorkers + 1

const pools = new Map<boolean, GemmPool>()

/**
 * The pool for a module variant (created on first need, workers started later; needs `threadSupport().available`).
 * @example
 * await gemmPool(false).whenReady(1)
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
 * const used = gemmParallel(args, { threads: 2 }) // 2 for a large product, 1 below the threshold
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
 * Keeps the worker threads awake (spinning, not sleeping) between products until the returned function is
 * called: what a compiled program does around a run, whose products come a few hundred microseconds apart and
 * would otherwise each wait for a worker's wake-up from sleep. Does nothing where no pool has started.
 * @example
 * const release = holdWorkers()
 * try { exe.run(args) } finally { release() }
 */
export const holdWorkers = (): (() => void) => {
  const releases = [...pools.values()].map((p) => p.hold())
  return () => {
    for (const release of releases) release()
  }
}

/**
 * Stops every worker thread of the pool (the next `gemmParallel` starts a new one). Not needed before exit:
 * idle workers never keep the process alive.
 * @example
 * shutdownPool()
 */
export const shutdownPool = (): void => {
  for (const pool of pools.values()) pool.close()
  pools.clear()
}

/**
 * Worker threads running now (across pool variants).
 * @example
 * poolSize() // 1 after a large product with threads: 2
 */
export const poolSize = (): number => [...pools.values()].reduce((s, p) => s + p.size, 0)
