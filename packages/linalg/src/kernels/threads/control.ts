/** The layout of the pool's control block: an Int32Array on a SharedArrayBuffer, read with Atomics by all threads. */

/**
 * Indices in the control block. Header: `generation` (the caller increments it to start a round; workers sleep
 * on it), `pending` (workers with a job this round that have not finished; the caller sleeps on it), `stop`
 * (nonzero: workers leave their loop), `ready` (workers that have instantiated the module), `failed` (a job
 * threw), `startFailed` (a worker could not instantiate the module; it also bumps `ready`), `next` (the next
 * chunk of panels to take this round, see `runShare`).
 * Worker w's slot starts at `header + w·slot`: its job (`jobLength` ints, see `planGemm`) and, at `jobRound`,
 * the round the job belongs to (a worker runs it only in that round).
 * @example
 * // internal (not exported): offsets into the pool's control block, e.g. Atomics.load(ctrl, control.generation) and
 * // ctrl.set(job, control.header + w * control.slot). A threaded product goes through it (threadsReady is asked
 * // once the wasm tier is set: under a single-threaded tier it would start nothing and report 1):
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   const ready = await threadsReady({ threads: 2 })
 *   toArray(matmul(ones([256, 300]), ones([300, 256])))[0][0] // → 300
 *   kernelInfo().last.threads // → ready.threads
 * } finally {
 *   setKernel(before)
 * }
 */
export const control = {
  generation: 0,
  pending: 1,
  stop: 2,
  ready: 3,
  failed: 4,
  startFailed: 5,
  next: 6,
  header: 16,
  slot: 40,
  jobRound: 39,
  /** Most worker threads one pool may have. */
  maxWorkers: 255,
} as const

/**
 * A zeroed control block for up to `control.maxWorkers` workers.
 * @example
 * // internal (not exported): a zeroed control block; after const ctrl = newControl(),
 * // Atomics.load(ctrl, control.generation) is 0. Each pool has one, made when it starts:
 * const info = await threadsReady({ threads: 2 })
 * info.workers >= 1 // → info.available
 */
export const newControl = (): Int32Array<SharedArrayBuffer> =>
  new Int32Array(new SharedArrayBuffer(4 * (control.header + control.slot * control.maxWorkers)))
