/** `threadSupport`: can products run on worker threads here (workers, SharedArrayBuffer, shared wasm memory)? */
import { wasmSupport } from '@nabla/ndarray/wasm'
import { kernelHeap } from '../wasm/gemmEngine.js'
import { type HostScope, pickWorkerHost } from './workerHost.js'

/**
 * Whether the threaded tier can run, and why not when it cannot.
 * @category Kernels
 * @example
 * const support: ThreadSupport = threadSupport()
 * support.available // → support.missing.length === 0
 * support.canWait   // → support.available // under Node the calling thread may block in Atomics.wait
 * support.cores >= 1 // → true
 */
export interface ThreadSupport {
  /** Workers, SharedArrayBuffer, Atomics.wait, shared WebAssembly memory and WebAssembly SIMD are all present. */
  readonly available: boolean
  /** What is missing, when `available` is false. */
  readonly missing: readonly string[]
  /** Logical cores the process may use (`os.availableParallelism()`, in a browser `navigator.hardwareConcurrency`). */
  readonly cores: number
  /** Where workers come from: `'node'` (`worker_threads`), `'web'` (Web Workers) or null. */
  readonly host: 'node' | 'web' | null
  /**
   * May this thread block in `Atomics.wait`? Not on a browser page's main thread: there the caller spins while the
   * workers finish their share, and products run on the calling thread until the workers have started.
   */
  readonly canWait: boolean
}

/** The globals `probeThreadSupport` reads (`globalThis` by default; tests pass their own). */
export interface ThreadScope extends HostScope {
  readonly process?: HostScope['process'] & { readonly versions?: { readonly node?: string } }
  readonly crossOriginIsolated?: boolean
  readonly SharedArrayBuffer?: unknown
  readonly Atomics?: { readonly wait?: unknown }
  readonly WebAssembly?: { readonly Memory?: unknown }
  readonly navigator?: { readonly hardwareConcurrency?: number }
}

type NodeOs = typeof import('node:os')

const sharedMemoryWorks = (scope: ThreadScope): boolean => {
  try {
    const Memory = scope.WebAssembly?.Memory as typeof WebAssembly.Memory
    const { buffer } = new Memory({ initial: 1, maximum: 1, shared: true })
    // Not `instanceof SharedArrayBuffer`: a page that is not cross-origin isolated has no such global.
    return Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]'
  } catch {
    return false
  }
}

/** Atomics.wait on a value that differs returns at once where blocking is allowed and throws where it is not. */
const waitAllowed = (scope: ThreadScope): boolean => {
  try {
    const wait = scope.Atomics?.wait as typeof Atomics.wait
    wait(new Int32Array(new (scope.SharedArrayBuffer as typeof SharedArrayBuffer)(4)), 0, 1, 0)
    return true
  } catch {
    return false
  }
}

const coreCount = (scope: ThreadScope): number => {
  const os = scope.process?.getBuiltinModule?.('node:os') as NodeOs | undefined
  if (os !== undefined)
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length
  return scope.navigator?.hardwareConcurrency ?? 1
}

/**
 * What a scope offers the threaded tier (`threadSupport` probes `globalThis` once).
 * @example
 * // internal (not exported): probeThreadSupport({ crossOriginIsolated: false, navigator: { hardwareConcurrency: 8 } })
 * // .missing[0] is 'crossOriginIsolated (SharedArrayBuffer needs …)'; threadSupport() is its result for this runtime
 * const support = threadSupport()
 * support.available // → support.missing.length === 0
 * support.cores >= 1 // → true
 */
export const probeThreadSupport = (scope: ThreadScope = globalThis as unknown as ThreadScope): ThreadSupport => {
  const missing: string[] = []
  if (scope.crossOriginIsolated === false) {
    missing.push(
      'crossOriginIsolated (SharedArrayBuffer needs the page served with Cross-Origin-Opener-Policy: same-origin ' +
        'and Cross-Origin-Embedder-Policy: require-corp)',
    )
  }
  const host = pickWorkerHost(scope)
  if (host === null) missing.push(scope.process?.versions?.node !== undefined ? 'node:worker_threads Worker' : 'Worker')
  if (typeof scope.SharedArrayBuffer !== 'function') missing.push('SharedArrayBuffer')
  if (typeof scope.Atomics !== 'object' || typeof scope.Atomics.wait !== 'function') missing.push('Atomics.wait')
  if (!sharedMemoryWorks(scope)) missing.push('shared WebAssembly.Memory')
  if (!wasmSupport().simd) missing.push('WebAssembly SIMD')
  return {
    available: missing.length === 0,
    missing,
    cores: Math.max(1, coreCount(scope)),
    host: host?.kind ?? null,
    canWait: missing.length === 0 && waitAllowed(scope),
  }
}

let cached: ThreadSupport | undefined

/**
 * Probes this runtime once: a worker host (Node worker threads, or Web Workers), SharedArrayBuffer (in a browser:
 * a cross-origin isolated page), Atomics.wait, `WebAssembly.Memory({ shared: true })` and WebAssembly SIMD.
 * When anything is missing, `gemmParallel` runs on the calling thread.
 * @category Kernels
 * @example
 * // { available: true, missing: [], cores: 2, host: 'node', canWait: true } on Node 20 with two cores
 * const support = threadSupport()
 * support.host // → 'node'
 * support.missing // → []
 * support.canWait // → true
 * Number.isInteger(support.cores) // → true
 */
export const threadSupport = (): ThreadSupport => {
  cached ??= withHeap(probeThreadSupport())
  return cached
}

// The pool works in the process's shared WebAssembly heap: where the runtime has shared memory but will not
// reserve the heap's address space (2 GiB, e.g. under a tight `ulimit -v`), products stay on the calling thread.
const withHeap = (support: ThreadSupport): ThreadSupport => {
  if (!support.available) return support
  if (kernelHeap() !== undefined) return support
  return {
    ...support,
    available: false,
    canWait: false,
    missing: ['a shared WebAssembly heap of 2 GiB of address space'],
  }
}
