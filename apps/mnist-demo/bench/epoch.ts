// Seconds per MNIST epoch of the book's network, op by op (eager) and compiled (jit), measured in one run so the
// two are comparable on a noisy machine; and where the time goes in each.
// Not a test: numbers for the machine it runs on. EPOCHS (default 2) epochs of each.
import os from 'node:os'
import { batches, datasetMnist, toCategorical } from '@nabla/datasets'
import { gemmStats, kernelInfo, resetGemmStats, threadsReady } from '@nabla/linalg'
import { key, type NDArray, split } from '@nabla/ndarray'
import { dense, type SerialParams, serial, softmaxCrossentropy, type TrainState, trainStep } from '@nabla/nn'
import { rmsprop } from '@nabla/optim'
import { toInputs } from '../src/data.js'

const epochs = Number(process.env.EPOCHS ?? 2)
let t0 = performance.now()
const mnist = datasetMnist()
const loadSeconds = (performance.now() - t0) / 1000
const x = toInputs(mnist.train.x)
const y = toCategorical(mnist.train.y, 10)

const net = serial(dense(512, { activation: 'relu' }), dense(10))
const [, initial] = net.init(key(0), [784])
const loss = (p: SerialParams, xb: NDArray, yb: NDArray) => softmaxCrossentropy(net.apply(p, xb), yb)

console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}, ` +
    `MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? 'unset'}, MALLOC_TRIM_THRESHOLD_=${process.env.MALLOC_TRIM_THRESHOLD_ ?? 'unset'}`,
)
console.log(`loading MNIST: ${loadSeconds.toFixed(3)} s`)
// as fit does: the matrix products' workers start before the first epoch
await threadsReady()

const run = (compiled: boolean) => {
  const opt = rmsprop()
  const step = trainStep({ loss, optimizer: opt, jit: compiled })
  let state: TrainState<SerialParams, unknown> = { params: initial, optState: opt.init(initial) }
  const perEpoch: number[] = []
  for (const [e, k] of split(key(1), epochs).entries()) {
    const t = { batch: 0, step: 0 }
    resetGemmStats()
    const started = performance.now()
    const it = batches(x, y, { batchSize: 128, key: k })[Symbol.iterator]()
    for (;;) {
      t0 = performance.now()
      const item = it.next()
      if (item.done === true) break
      const t1 = performance.now()
      ;[state] = step(state, item.value.x, item.value.y)
      t.batch += t1 - t0
      t.step += performance.now() - t1
    }
    const total = (performance.now() - started) / 1000
    perEpoch.push(total)
    const g = gemmStats()
    const line = (name: string, s: number) =>
      `  ${name.padEnd(40)} ${s.toFixed(2)} s  ${((100 * s) / total).toFixed(0).padStart(3)}%`
    console.log(`${compiled ? 'jit  ' : 'eager'} epoch ${e + 1}: ${total.toFixed(2)} s (469 steps of 128)`)
    // flops as 2·m·n·k of the dense product: zero skipping does less work, so this is a dense-equivalent rate
    console.log(line(`GEMM (${g.calls} calls, ${(g.flops / g.seconds / 1e9).toFixed(1)} GFLOP/s dense-eq.)`, g.seconds))
    console.log(line('rest of the step (element-wise, optimizer)', t.step / 1000 - g.seconds))
    console.log(line('batching (shuffle + gather)', t.batch / 1000))
  }
  return perEpoch
}

const eager = run(false)
const compiled = run(true)
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
console.log(
  `mean s/epoch: eager ${mean(eager).toFixed(2)}, jit ${mean(compiled).toFixed(2)} ` +
    `(jit/eager ${(mean(compiled) / mean(eager)).toFixed(2)}); rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
)
console.log(`kernel: ${JSON.stringify(kernelInfo())}`)
