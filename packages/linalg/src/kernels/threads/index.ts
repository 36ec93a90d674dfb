/**
 * The threaded tier: the WebAssembly SIMD product split over worker threads (Node `worker_threads` or browser Web
 * Workers) that share one WebAssembly memory with the caller. Results are bit-identical for every thread count.
 */
export {
  defaultMinWork,
  defaultThreadCount,
  gemmParallel,
  maxThreads,
  type ParallelGemmOptions,
  poolSize,
  shutdownPool,
} from './gemmParallel.js'
export { type ThreadSupport, threadSupport } from './threadSupport.js'
export { type ThreadsReady, threadsReady } from './threadsReady.js'
