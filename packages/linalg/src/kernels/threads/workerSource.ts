/** The worker's program, as source text (Node: `new Worker(src, { eval: true })`; browser: a blob URL): no file to serve. */
import { jobLength, shareSource } from '../wasm/gemmShare.js'
import { control } from './control.js'

/**
 * The worker script, for Node worker threads and browser Web Workers alike. It is given `{ module, memory,
 * control, index }` (Node: as workerData; browser: as the first message): the compiled GEMM module, the shared
 * wasm memory, the control block's SharedArrayBuffer and the worker's slot. It instantiates the module on the
 * shared memory, reports `ready`, then loops: sleep until `generation` changes, run its job when the job's round is
 * the current one, decrement `pending` (waking the caller at zero). It never returns to its event loop, so it
 * never keeps a Node process alive once unref'ed; the `stop` flag ends the loop (see `control`).
 * @example
 * // internal (not exported): what each worker runs, under Node as
 * // new Worker(workerSource, { eval: true, workerData: { module, memory, control, index: 0 } }).unref()
 * // and in a browser as new Worker(URL.createObjectURL(new Blob([workerSource]))), given the same as a message
 * const info = await threadsReady({ threads: 2 })
 * info.host // → 'node'
 * info.workers >= 1 // → true
 */
export const workerSource = `'use strict'
${shareSource}
const work = ({ module, memory, control, index }) => {
  const ctrl = new Int32Array(control)
  let e
  try {
    e = new WebAssembly.Instance(module, { env: { memory } }).exports
  } catch {
    Atomics.store(ctrl, ${control.startFailed}, 1)
    Atomics.add(ctrl, ${control.ready}, 1)
    Atomics.notify(ctrl, ${control.ready})
    throw new Error('gemm worker: could not instantiate the module')
  }
  const slot = ${control.header} + index * ${control.slot}
  const next = () => Atomics.add(ctrl, ${control.next}, 1)
  // Read the round before announcing control.ready: the caller may start a round as soon as it sees control.ready.
  let seen = Atomics.load(ctrl, ${control.generation})
  Atomics.add(ctrl, ${control.ready}, 1)
  Atomics.notify(ctrl, ${control.ready})
  let spinMs = 0.02
  for (;;) {
    // Spin 20 µs (back-to-back products skip the futex wake-up), then sleep until the caller starts a round.
    // Longer spins steal the caller's core on a loaded machine. A wake-up without a new round is the caller's
    // early call (\`prewake\`, made before it copies the operands in): then spin up to 1 ms for the round, so
    // the wake-up's latency overlaps the caller's copying instead of delaying this thread's share. (Keeping the
    // workers spinning through a whole compiled program was tried: it slowed the caller's memory-bound loops.)
    const spinUntil = performance.now() + spinMs
    while (Atomics.load(ctrl, ${control.generation}) === seen && performance.now() < spinUntil);
    if (Atomics.load(ctrl, ${control.generation}) === seen) Atomics.wait(ctrl, ${control.generation}, seen)
    const round = Atomics.load(ctrl, ${control.generation})
    spinMs = round === seen ? 1 : 0.02
    if (round === seen) continue
    seen = round
    if (Atomics.load(ctrl, ${control.stop}) !== 0) break
    if (ctrl[slot + ${control.jobRound}] !== round) continue
    try {
      runShare(e, ctrl.slice(slot, slot + ${jobLength}), next)
    } catch {
      Atomics.store(ctrl, ${control.failed}, 1)
    }
    if (Atomics.sub(ctrl, ${control.pending}, 1) === 1) Atomics.notify(ctrl, ${control.pending})
  }
}
if (typeof process === 'object' && typeof process.versions?.node === 'string') {
  // Works whether the host parses eval'd worker code as CommonJS or as a module.
  work((process.getBuiltinModule?.('node:worker_threads') ?? require('node:worker_threads')).workerData)
} else {
  // A Web Worker: the data arrives as the first message; the loop then holds the worker for good.
  self.onmessage = (event) => {
    self.onmessage = null
    work(event.data)
  }
}
`
