/** `WorkerHost`: where the pool's workers come from — Node's `worker_threads` or a browser's Web Workers. */
import { workerSource } from './workerSource.js'

/** What a worker is given: the compiled GEMM module, the shared memory, the control block and its slot. */
export interface WorkerData {
  readonly module: WebAssembly.Module
  readonly memory: WebAssembly.Memory
  readonly control: SharedArrayBuffer
  readonly index: number
}

/** A started worker. */
export interface WorkerHandle {
  terminate(): void
}

/** Starts workers that run `workerSource`. */
export interface WorkerHost {
  /** `'node'`: `worker_threads`; `'web'`: Web Workers. */
  readonly kind: 'node' | 'web'
  /**
   * Does a new worker start while the thread that created it blocks in `Atomics.wait`? Node: yes. Browsers: no —
   * a Web Worker starts only after its creator returns to its event loop (in Chromium this holds for a page and
   * for a dedicated worker alike), so there the pool never waits synchronously for workers to start.
   */
  readonly startsWhileBlocked: boolean
  /** Starts one worker; `onFailure` hears of an uncaught error (or, in Node, an exit). */
  start(data: WorkerData, onFailure: (message: string) => void): WorkerHandle
}

type NodeWorkerThreads = typeof import('node:worker_threads')

interface WebWorker {
  postMessage(data: unknown): void
  terminate(): void
  onerror: ((event: { readonly message?: string }) => void) | null
}

/** The globals host selection reads (`globalThis` by default; tests pass their own). */
export interface HostScope {
  readonly process?: { readonly getBuiltinModule?: (id: string) => unknown }
  readonly Worker?: unknown
  readonly Blob?: unknown
  readonly URL?: { readonly createObjectURL?: unknown }
}

const nodeHost = (threads: NodeWorkerThreads): WorkerHost => ({
  kind: 'node',
  startsWhileBlocked: true,
  start: (workerData, onFailure) => {
    const worker = new threads.Worker(workerSource, {
      eval: true,
      // Not the parent's flags: --input-type=module would make the eval'd source a module, --import would
      // load loaders (tsx) into every worker. V8 flags such as relaxed SIMD are process-wide anyway.
      execArgv: [],
      workerData,
    })
    worker.on('error', (error) => onFailure(`worker ${workerData.index} failed: ${error.message}`))
    worker.on('exit', (code) => onFailure(`worker ${workerData.index} exited (code ${code})`))
    // Idle workers sleep in Atomics.wait and never use their event loop: unref'ed, they never hold the process.
    worker.unref()
    return { terminate: () => void worker.terminate() }
  },
})

const webHost = (scope: HostScope): WorkerHost => {
  const WorkerClass = scope.Worker as new (url: string) => WebWorker
  const BlobClass = scope.Blob as new (parts: string[], options: { type: string }) => unknown
  const createObjectURL = scope.URL?.createObjectURL as (blob: unknown) => string
  // One blob URL for every worker of every pool: no file to serve, and a few bytes kept for the page's lifetime.
  let url: string | undefined
  return {
    kind: 'web',
    startsWhileBlocked: false,
    start: (data, onFailure) => {
      url ??= createObjectURL.call(scope.URL, new BlobClass([workerSource], { type: 'text/javascript' }))
      const worker = new WorkerClass(url)
      // A script the page may not load (e.g. a Content-Security-Policy without blob: in worker-src) gives no message.
      worker.onerror = (event) =>
        onFailure(
          `worker ${data.index} failed: ${event.message || 'it did not load (may this page run blob: workers?)'}`,
        )
      // WebAssembly.Module and shared memory are cloned by reference to a worker of a cross-origin isolated page.
      worker.postMessage(data)
      return { terminate: () => worker.terminate() }
    },
  }
}

/**
 * The worker host a scope offers: Node's `worker_threads` when `process.getBuiltinModule` finds it (Node ≥ 20.16;
 * no static `node:` import, so browser bundles load this file), else Web Workers when `Worker`, `Blob` and
 * `URL.createObjectURL` exist, else null.
 * @example
 * // internal (not exported): pickWorkerHost()?.kind is 'node' under Node, 'web' in a browser page or worker;
 * // pickWorkerHost({}) is null. threadSupport reports the host it found
 * threadSupport().host // → 'node'
 */
export const pickWorkerHost = (scope: HostScope = globalThis as unknown as HostScope): WorkerHost | null => {
  const threads = scope.process?.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined
  if (typeof threads?.Worker === 'function') return nodeHost(threads)
  if (
    typeof scope.Worker === 'function' &&
    typeof scope.Blob === 'function' &&
    typeof scope.URL?.createObjectURL === 'function'
  ) {
    return webHost(scope)
  }
  return null
}

let cached: WorkerHost | null | undefined

/**
 * This runtime's worker host (picked once).
 * @example
 * // internal (not exported): workerHost()?.startsWhileBlocked is true under Node: a first threaded product can
 * // start its workers and wait for them synchronously
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   matmul(ones([256, 256]), ones([256, 256]))
 *   kernelInfo().last.threads // → threadSupport().available ? 2 : 1
 * } finally {
 *   setKernel(before)
 * }
 */
export const workerHost = (): WorkerHost | null => {
  if (cached === undefined) cached = pickWorkerHost()
  return cached
}
