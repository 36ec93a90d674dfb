/**
 * The threaded tier: the WebAssembly SIMD product split over Node worker threads that share one
 * WebAssembly memory with the caller. Results are bit-identical for every thread count.
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
