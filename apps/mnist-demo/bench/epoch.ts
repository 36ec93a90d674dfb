// Seconds per MNIST epoch of the book's network, and where the time goes: loading, batching,
// GEMM, the rest of forward+backward (element-wise, reductions, tracing), the optimizer.
// Not a test: numbers for the machine it runs on.
import os from 'node:os'
import { valueAndGrad } from '@nabla/autodiff'
import { batches, datasetMnist, toCategorical } from '@nabla/datasets'
import { gemmStats, kernelInfo, resetGemmStats, threadsReady } from '@nabla/linalg'
import { key, type NDArray, split } from '@nabla/ndarray'
import { buffersOf, openArena, recycle } from '@nabla/ndarray/core'
import { dense, type SerialParams, serial, softmaxCrossentropy } from '@nabla/nn'
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
const opt = rmsprop()
const lossAndGrad = valueAndGrad((p: SerialParams, xb: NDArray, yb: NDArray) =>
  softmaxCrossentropy(net.apply(p, xb), yb),
)

console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}, ` +
    `MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? 'unset'}, MALLOC_TRIM_THRESHOLD_=${process.env.MALLOC_TRIM_THRESHOLD_ ?? 'unset'}`,
)
console.log(`loading MNIST: ${loadSeconds.toFixed(3)} s`)
// as fit does: the matrix products' workers start before the first epoch
await threadsReady()
let params = initial
let state = opt.init(params)
let owned = false
for (const [e, k] of split(key(1), epochs).entries()) {
  const t = { batch: 0, step: 0, opt: 0 }
  resetGemmStats()
  const started = performance.now()
  const it = batches(x, y, { batchSize: 128, key: k })[Symbol.iterator]()
  for (;;) {
    t0 = performance.now()
    // as fit (and trainStep) do: the batch, the step's intermediates and its gradients go back to the pool once
    // the new state exists
    const arena = openArena()
    const item = it.next()
    if (item.done === true) {
      arena.discard()
      break
    }
    const t1 = performance.now()
    const [, grads] = lossAndGrad(params, item.value.x, item.value.y)
    const t2 = performance.now()
    // what fit does: the optimizer's fused update-and-apply (rmsprop has one), the previous weights' memory reused
    const [nextParams, s] = opt.updateAndApply!(grads, state, params)
    const next = nextParams as SerialParams
    if (owned) recycle([params, state], { keep: buffersOf(next, s) })
    params = next
    state = s
    owned = true
    arena.close(params, state)
    const t3 = performance.now()
    t.batch += t1 - t0
    t.step += t2 - t1
    t.opt += t3 - t2
  }
  const total = (performance.now() - started) / 1000
  const g = gemmStats()
  const line = (name: string, s: number) =>
    `  ${name.padEnd(34)} ${s.toFixed(2)} s  ${((100 * s) / total).toFixed(0).padStart(3)}%`
  console.log(`epoch ${e + 1}: ${total.toFixed(2)} s (469 steps of 128)`)
  // flops as 2·m·n·k of the dense product: zero skipping does less work, so this is a dense-equivalent rate
  console.log(line(`GEMM (${g.calls} calls, ${(g.flops / g.seconds / 1e9).toFixed(1)} GFLOP/s dense-eq.)`, g.seconds))
  console.log(line('rest of forward + backward', t.step / 1000 - g.seconds))
  console.log(line('optimizer (fused rmsprop step)', t.opt / 1000))
  console.log(line('batching (shuffle + gather)', t.batch / 1000))
}
console.log(`kernel: ${JSON.stringify(kernelInfo())}`)
