/** `threadsReady`: start the worker pool in the background and resolve once its workers can take products. */
import { kernelSettings } from '../settings.js'
import { useRelaxed } from '../wasm/gemmWasm.js'
import { defaultThreadCount, gemmPool, maxThreads, poolSize } from './gemmParallel.js'
import { type ThreadSupport, threadSupport } from './threadSupport.js'

/**
 * What `threadsReady` resolves to: the runtime's thread support and what is running now.
 * @category Kernels
 * @example
 * const ready: ThreadsReady = await threadsReady({ threads: 1 })
 * ready.threads   // → 1 // one thread asked for: no worker is started for it
 * ready.available // → threadSupport().available // the runtime's thread support comes with it
 * await threadsReady({ threads: 0 }) // throws RangeError: threads must be an integer from 1
 */
export interface ThreadsReady extends ThreadSupport {
  /** Threads (the calling one included) a large product can use now: 1 when the threaded tier is unavailable. */
  readonly threads: number
  /** Worker threads running now. */
  readonly workers: number
}

/**
 * Starts the workers a product on `threads` threads needs (default: the `NABLA_THREADS` / `setKernel` setting,
 * else the core count) and resolves once they are up, without blocking the calling thread. In a browser a worker
 * starts only after the calling thread yields to its event loop, so products issued before this resolves run on
 * the calling thread (same bits, just slower): `await` it before training. Under Node the first parallel product
 * would wait for the workers itself; awaiting this there merely starts them early. Where threads are unavailable
 * (e.g. a page without the COOP/COEP headers, see `missing`) it resolves at once with `threads: 1`. Rejects if a
 * worker fails to start. Call it again after raising the thread count. With the kernel set to a single-threaded
 * tier ('ts' or 'ref', by `NABLA_KERNEL` or `setKernel`) it starts nothing and resolves with `threads: 1`.
 * @category Kernels
 * @example
 * const info = await threadsReady()
 * // 2 on a 2-core machine, in a cross-origin isolated page or under Node
 * info.threads >= 1 // → true
 * // ['crossOriginIsolated (SharedArrayBuffer needs …)', 'SharedArrayBuffer'] on a page without them; under Node:
 * info.missing // → []
 * // with a single-threaded tier forced, nothing starts
 * const before = setKernel({ kernel: 'ts' })
 * try {
 *   const single = await threadsReady()
 *   single.threads // → 1
 * } finally {
 *   setKernel(before)
 * }
 */
export const threadsReady = async (options: { readonly threads?: number } = {}): Promise<ThreadsReady> => {
  const { kernel, threads: setting } = kernelSettings()
  const threads = options.threads ?? Math.min(setting === 'auto' ? defaultThreadCount() : setting, maxThreads)
  if (!Number.isInteger(threads) || threads < 1 || threads > maxThreads) {
    throw new RangeError(`threadsReady: threads must be an integer from 1 to ${maxThreads}, got ${threads}`)
  }
  const support = threadSupport()
  if (!support.available) return { ...support, threads: 1, workers: 0 }
  // the threaded tier serves 'auto' and 'wasm' only
  if (kernel === 'ts' || kernel === 'ref') return { ...support, threads: 1, workers: poolSize() }
  if (threads > 1) await gemmPool(useRelaxed('threadsReady', {})).whenReady(threads - 1)
  return { ...support, threads, workers: poolSize() }
}
