/** `GemmPool`: worker threads sharing one WebAssembly memory with the caller, which runs its share and then waits. */
import { Worker } from 'node:worker_threads'
import { GemmEngine, gemmModule } from '../wasm/gemmEngine.js'
import { maxPages } from '../wasm/gemmModule.js'
import type { GemmPlan } from '../wasm/gemmPlan.js'
import { control, newControl } from './control.js'
import { workerSource } from './workerSource.js'

/** How long the first parallel product waits for new workers to start. */
const startupMs = 60_000

/**
 * A pool of workers for one module variant. Workers are started on demand (`ensureWorkers`), unref'ed so they
 * never keep the process alive, and fed through a control block; the memory is shared, so packed panels and C
 * are never copied between threads.
 * @example
 * const pool = new GemmPool(false)
 * pool.ensureWorkers(1)
 * pool.engine.prepare('gemmParallel', args, plan)
 * pool.run(plan)
 * pool.engine.finish(args, plan)
 */
export class GemmPool {
  readonly engine: GemmEngine
  private readonly module: WebAssembly.Module
  private readonly ctrl = newControl()
  private readonly workers: Worker[] = []
  private failure: string | undefined
  private closed = false

  constructor(relaxed: boolean) {
    this.module = gemmModule({ relaxed, shared: true })
    const memory = new WebAssembly.Memory({ initial: 256, maximum: maxPages, shared: true })
    this.engine = new GemmEngine(this.module, memory)
  }

  /** Workers started so far. @example pool.size */
  get size(): number {
    return this.workers.length
  }

  /** Starts workers until there are `count`, and waits until all have instantiated the module. @example pool.ensureWorkers(1) */
  ensureWorkers(count: number): void {
    this.check()
    while (this.workers.length < count) {
      const index = this.workers.length
      const worker = new Worker(workerSource, {
        eval: true,
        // Not the parent's flags: --input-type=module would make the eval'd source a module, --import would
        // load loaders (tsx) into every worker. V8 flags such as relaxed SIMD are process-wide anyway.
        execArgv: [],
        workerData: { module: this.module, memory: this.engine.memory, control: this.ctrl.buffer, index },
      })
      worker.on('error', (error) => {
        this.failure ??= `worker ${index} failed: ${error.message}`
      })
      worker.on('exit', (code) => {
        if (!this.closed) this.failure ??= `worker ${index} exited (code ${code})`
      })
      worker.unref()
      this.workers.push(worker)
    }
    const deadline = performance.now() + startupMs
    for (;;) {
      const ready = Atomics.load(this.ctrl, control.ready)
      if (Atomics.load(this.ctrl, control.startFailed) !== 0) {
        this.failure ??= 'a worker thread could not instantiate the GEMM module'
        this.check()
      }
      if (ready >= this.workers.length) return
      const left = deadline - performance.now()
      if (left <= 0) {
        throw new Error(
          `gemmParallel: ${this.workers.length - ready} worker thread(s) did not start in ${startupMs} ms`,
        )
      }
      Atomics.wait(this.ctrl, control.ready, ready, left)
    }
  }

  /**
   * Runs `plan.jobs[0]` on the calling thread and job t on worker t − 1 (which must have been started), and
   * returns when all are done. Throws if a worker's job failed.
   * @example
   * pool.run(plan)
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
    Atomics.store(ctrl, control.pending, plan.jobs.length - 1)
    Atomics.store(ctrl, control.generation, round)
    Atomics.notify(ctrl, control.generation)
    try {
      this.engine.run(plan.jobs[0] as Int32Array)
    } finally {
      // The workers write C in our memory: never return (even on error) before they are done.
      for (let spin = 0; spin < 20_000 && Atomics.load(ctrl, control.pending) !== 0; spin++);
      for (let left = Atomics.load(ctrl, control.pending); left !== 0; left = Atomics.load(ctrl, control.pending)) {
        Atomics.wait(ctrl, control.pending, left)
      }
    }
    if (Atomics.load(ctrl, control.failed) !== 0)
      throw new Error('gemmParallel: a worker thread failed while multiplying')
  }

  /** Stops the workers; the pool cannot be used afterwards. @example pool.close() */
  close(): void {
    this.closed = true
    Atomics.store(this.ctrl, control.stop, 1)
    Atomics.add(this.ctrl, control.generation, 1)
    Atomics.notify(this.ctrl, control.generation)
    for (const worker of this.workers) void worker.terminate()
    this.workers.length = 0
  }

  private check(): void {
    if (this.closed) throw new Error('gemmParallel: this worker pool was shut down')
    if (this.failure !== undefined) throw new Error(`gemmParallel: ${this.failure}`)
  }
}
