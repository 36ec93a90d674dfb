/** `threadSupport`: can products run on worker threads here (workers, SharedArrayBuffer, shared wasm memory)? */
import os from 'node:os'
import { Worker } from 'node:worker_threads'
import { wasmSupport } from '../wasm/wasmSupport.js'

/** Whether the threaded tier can run, and why not when it cannot. */
export interface ThreadSupport {
  /** Workers, SharedArrayBuffer, Atomics.wait, shared WebAssembly memory and WebAssembly SIMD are all present. */
  readonly available: boolean
  /** What is missing, when `available` is false. */
  readonly missing: readonly string[]
  /** Logical cores the process may use (`os.availableParallelism()`). */
  readonly cores: number
}

const sharedMemoryWorks = (): boolean => {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer
  } catch {
    return false
  }
}

let cached: ThreadSupport | undefined

/**
 * Probes once: Node worker threads, SharedArrayBuffer and Atomics.wait, `WebAssembly.Memory({ shared: true })`
 * and WebAssembly SIMD. When anything is missing, `gemmParallel` runs on the calling thread.
 * @example
 * threadSupport() // { available: true, missing: [], cores: 2 } on Node 20
 */
export const threadSupport = (): ThreadSupport => {
  if (cached === undefined) {
    const missing: string[] = []
    if (typeof Worker !== 'function') missing.push('node:worker_threads Worker')
    if (typeof SharedArrayBuffer !== 'function') missing.push('SharedArrayBuffer')
    if (typeof Atomics !== 'object' || typeof Atomics.wait !== 'function') missing.push('Atomics.wait')
    if (!sharedMemoryWorks()) missing.push('shared WebAssembly.Memory')
    if (!wasmSupport().simd) missing.push('WebAssembly SIMD')
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
    cached = { available: missing.length === 0, missing, cores: Math.max(1, cores) }
  }
  return cached
}
