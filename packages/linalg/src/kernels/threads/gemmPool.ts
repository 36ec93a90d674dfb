/** `GemmPool`: worker threads sharing one WebAssembly memory with the caller, which runs its share and then waits. */
import { GemmEngine, gemmModule, kernelHeap } from '../wasm/gemmEngine.js'
import type { GemmPlan } from '../wasm/gemmPlan.js'
import { control, newControl } from './control.js'
import type { WorkerHandle, WorkerHost } from './workerHost.js'

/** How long the pool waits for new workers to start. */
const startupMs = 60_000

/** How a pool starts workers and how its caller waits for them. */
export interface PoolOptions {
  readonly host: WorkerHost
  /**
   * May the calling thread block in `Atomics.wait` (see `ThreadSupport.canWait`)? When not, it spins on the
   * `pending` count while the workers finish, and never waits synchronously for workers to start.
   */
  readonly canWait: boolean
}

/**
 * A pool of workers for one module variant. Workers are started on demand (`ensureWorkers`, `whenReady`), never
 * keep a Node process alive, and are fed through a control block; the memory is shared, so packed panels and C
 * are never copied between threads.
 * @example
 * // internal (not exported): the pool behind threaded products, e.g.
 * // const pool = new GemmPool(false, { host: workerHost()!, canWait: true })
 * // if (pool.ensureWorkers(1)) { pool.engine.prepare('gemmParallel', args, plan); pool.run(plan); pool.engine.finish(args, plan) }
 * // Through the public API (threadsReady once the wasm tier is set: a single-threaded one would start no pool):
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   const ready = await threadsReady({ threads: 2 })
 *   toArray(matmul(ones([300, 256]), ones([256, 300])))[299][299] // → 256
 *   kernelInfo().last.threads // → ready.threads
 * } finally {
 *   setKernel(before)
 * }
 */
export class GemmPool {
  readonly engine: GemmEngine
  private readonly module: WebAssembly.Module
  private readonly ctrl = newControl()
  private readonly workers: WorkerHandle[] = []
  private failure: string | undefined
  private closed = false

  constructor(
    relaxed: boolean,
    private readonly options: PoolOptions,
  ) {
    this.module = gemmModule({ relaxed, shared: true })
    // the process's shared WebAssembly heap: arrays made there (the fused optimizer's weights, products' results)
    // are read and written in place; its maximum is the module's declared one (2 GiB)
    const heap = kernelHeap()
    if (heap === undefined) {
      throw new Error('gemmParallel: internal: the WebAssembly heap is not a shared memory of the kernel’s size')
    }
    this.engine = new GemmEngine(this.module, heap.memory, heap)
  }

  /**
   * Workers started so far.
   * @example
   * // internal (not exported): pool.size; threadsReady reports the workers running
   * const info = await threadsReady({ threads: 2 })
   * info.workers >= 1 // → true
   */
  get size(): number {
    return this.workers.length
  }

  /**
   * Starts workers until there are `count`. Where the calling thread may block for them (Node), waits until all
   * have instantiated the module and returns true; elsewhere (a browser) returns at once whether they all have —
   * the caller then computes alone until they are up. Throws if a worker failed.
   * @example
   * // internal (not exported): e.g. if (pool.ensureWorkers(1)) pool.run(plan). Under Node a first threaded product
   * // starts its workers itself (and waits for them): no threadsReady needed
   * const before = setKernel({ kernel: 'wasm', threads: 2 })
   * try {
   *   matmul(ones([256, 256]), ones([256, 256])).shape // → [256, 256]
   *   kernelInfo().last.threads // → threadSupport().available ? 2 : 1
   * } finally {
   *   setKernel(before)
   * }
   */
  ensureWorkers(count: number): boolean {
    if (this.start(count)) return true
    if (!(this.options.canWait && this.options.host.startsWhileBlocked)) return false
    const deadline = performance.now() + startupMs
    for (;;) {
      const ready = Atomics.load(this.ctrl, control.ready)
      if (this.start(count)) return true
      const left = deadline - performance.now()
      if (left <= 0) throw this.startupTimeout(ready)
      Atomics.wait(this.ctrl, control.ready, ready, left)
    }
  }

  /**
   * Starts workers until there are `count` and resolves once all have instantiated the module, without blocking
   * the calling thread (a browser starts a worker only when its creator yields). Rejects if a worker failed.
   * @example
   * // internal (not exported): await pool.whenReady(1) is what threadsReady waits on; with a single-threaded
   * // tier forced (NABLA_KERNEL=ts or ref) there is no pool to wait on
   * const info = await threadsReady({ threads: 2 })
   * const single = ['ts', 'ref'].includes(kernelInfo().kernel)
   * info.threads // → info.available && !single ? 2 : 1
   */
  async whenReady(count: number): Promise<void> {
    const deadline = performance.now() + startupMs
    while (!this.start(count)) {
      if (performance.now() > deadline) throw this.startupTimeout(Atomics.load(this.ctrl, control.ready))
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  }

  /** Starts missing workers (without waiting); are all started workers ready? Throws if one failed. */
  private start(count: number): boolean {
    this.check()
    while (this.workers.length < count) {
      const index = this.workers.length
      const data = { module: this.module, memory: this.engine.memory, control: this.ctrl.buffer, index }
      try {
        this.workers.push(
          this.options.host.start(data, (message) => {
            if (!this.closed) this.failure ??= message
          }),
        )
      } catch (error) {
        // e.g. a browser's SecurityError: remember it, so every later product reports it too
        this.failure ??= `worker ${index} could not start: ${error instanceof Error ? error.message : String(error)}`
        this.check()
      }
    }
    if (Atomics.load(this.ctrl, control.startFailed) !== 0) {
      this.failure ??= 'a worker thread could not instantiate the GEMM module'
      this.check()
    }
    return Atomics.load(this.ctrl, control.ready) >= this.workers.length
  }

  private startupTimeout(ready: number): Error {
    return new Error(`gemmParallel: ${this.workers.length - ready} worker thread(s) did not start in ${startupMs} ms`)
  }

  /**
   * Runs `plan.jobs[0]` on the calling thread and job t on worker t − 1 (which must have been started), the
   * threads taking chunks of panels from one counter, and returns when all are done. Throws if a worker's job failed.
   * @example
   * // internal (not exported): pool.run(plan) runs one product on the calling thread and the workers, each taking
   * // chunks of panels; the result has the bits of a single-threaded product
   * await threadsReady({ threads: 2 })
   * const on = (threads, f) => {
   *   const before = setKernel({ kernel: 'wasm', threads })
   *   try {
   *     return toArray(f())
   *   } finally {
   *     setKernel(before)
   *   }
   * }
   * const a = uniform(key(3), [320, 256])
   * const b = uniform(key(4), [256, 200])
   * JSON.stringify(on(2, () => matmul(a, b))) === JSON.stringify(on(1, () => matmul(a, b))) // → true
   */
  run(plan: GemmPlan): void {
    this.check()
    const ctrl = this.ctrl
    const round = (Atomics.load(ctrl, control.generation) + 1) | 0
    plan.jobs.forEach((job, t) => {
      if (t === 0) return
      const slot = control.header + (t - 1) * control.slot
      ctrl.set(job, slot)
      ctrl[slot + control.jobRound] = round
    })
    Atomics.store(ctrl, control.failed, 0)
    Atomics.store(ctrl, control.next, 0)
    Atomics.store(ctrl, control.pending, plan.jobs.length - 1)
    Atomics.store(ctrl, control.generation, round)
    Atomics.notify(ctrl, control.generation)
    try {
      this.engine.run(plan.jobs[0] as Int32Array, () => Atomics.add(ctrl, control.next, 1))
    } finally {
      // The workers write C in our memory: never return (even on error) before they are done.
      if (this.options.canWait) {
        for (let spin = 0; spin < 20_000 && Atomics.load(ctrl, control.pending) !== 0; spin++);
        for (let left = Atomics.load(ctrl, control.pending); left !== 0; left = Atomics.load(ctrl, control.pending)) {
          Atomics.wait(ctrl, control.pending, left)
        }
      } else {
        // A browser's main thread may not block: spin until the workers are done (they run in parallel with us).
        while (Atomics.load(ctrl, control.pending) !== 0);
      }
    }
    if (Atomics.load(ctrl, control.failed) !== 0)
      throw new Error('gemmParallel: a worker thread failed while multiplying')
  }

  /**
   * Wakes sleeping workers ahead of a round, so that they are running (spinning, up to 1 ms) by the time the
   * caller has copied the operands in and starts it; a wake-up from sleep takes tens of microseconds or more.
   * @example
   * // internal (not exported): pool.prewake() wakes the workers while the calling thread is still copying the operands
   * // in (pool.engine.prepare('gemmParallel', args, plan); pool.run(plan)); two products back to back:
   * await threadsReady({ threads: 2 })
   * const before = setKernel({ kernel: 'wasm', threads: 2 })
   * try {
   *   const x = ones([256, 256])
   *   toArray(matmul(matmul(x, x), x))[0][0] // → 256 * 256
   * } finally {
   *   setKernel(before)
   * }
   */
  prewake(): void {
    Atomics.notify(this.ctrl, control.generation)
  }

  /**
   * Stops the workers; the pool cannot be used afterwards.
   * @example
   * // internal (not exported): pool.close(), what shutdownPool does to every pool; no public function stops the
   * // workers (idle workers never keep the process alive), and products on one thread need none
   * const before = setKernel({ kernel: 'wasm', threads: 1 })
   * try {
   *   toArray(matmul(ones([2, 2]), ones([2, 2]))) // → [[2, 2], [2, 2]]
   *   kernelInfo().last.threads // → 1
   * } finally {
   *   setKernel(before)
   * }
   */
  close(): void {
    this.closed = true
    Atomics.store(this.ctrl, control.stop, 1)
    Atomics.add(this.ctrl, control.generation, 1)
    Atomics.notify(this.ctrl, control.generation)
    for (const worker of this.workers) worker.terminate()
    this.workers.length = 0
  }

  private check(): void {
    if (this.closed) throw new Error('gemmParallel: this worker pool was shut down')
    if (this.failure !== undefined) throw new Error(`gemmParallel: ${this.failure}`)
  }
}
