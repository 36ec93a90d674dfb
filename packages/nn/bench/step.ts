// Seconds per MNIST epoch of the book's network with the functional trainStep, and where the time goes.
import os from 'node:os'
import { valueAndGrad } from '@nabla/autodiff'
import { gemmStats, kernelInfo, resetGemmStats } from '@nabla/linalg'
import { cast, div, key, type NDArray, permutation, slice, take, uniform } from '@nabla/ndarray'
import { applyUpdates, rmsprop } from '@nabla/optim'
import { dense, type SerialParams, serial, softmaxCrossentropy } from '../src/index.js'

const samples = 60000
const batchSize = 128
const x = div(cast(uniform(key(1), [samples, 784], { minval: 0, maxval: 255 }), 'int32'), 255)
const y = cast(uniform(key(2), [samples, 10]), 'float32')
const net = serial(dense(512, { activation: 'relu' }), dense(10))
const [, params0] = net.init(key(0), [784])
const opt = rmsprop()
const lossFn = (p: SerialParams, xb: NDArray, yb: NDArray) => softmaxCrossentropy(net.apply(p, xb), yb)
const lossAndGrad = valueAndGrad(lossFn)

const epoch = (steps: number) => {
  let params = params0
  let state = opt.init(params)
  const order = permutation(key(3), samples)
  const t = { batch: 0, grad: 0, opt: 0 }
  for (let s = 0; s < steps; s++) {
    let t0 = performance.now()
    const idx = slice(order, [s * batchSize, Math.min(samples, (s + 1) * batchSize)])
    const xb = take(x, idx)
    const yb = take(y, idx)
    let t1 = performance.now()
    t.batch += t1 - t0
    const [, g] = lossAndGrad(params, xb, yb)
    t0 = performance.now()
    t.grad += t0 - t1
    const [u, ns] = opt.update(g, state, params)
    params = applyUpdates(params, u)
    state = ns
    t1 = performance.now()
    t.opt += t1 - t0
  }
  return t
}

const steps = Math.ceil(samples / batchSize)
epoch(20) // warm up
resetGemmStats()
const t = epoch(steps)
const total = t.batch + t.grad + t.opt
console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}`)
console.log(`kernel: ${JSON.stringify(kernelInfo())}`)
console.log(`one epoch (${steps} steps of ${batchSize}): ${(total / 1000).toFixed(2)} s`)
console.log(`  batching       ${(t.batch / 1000).toFixed(2)} s`)
console.log(
  `  loss+gradient  ${(t.grad / 1000).toFixed(2)} s  (GEMM calls ${gemmStats().calls}, ${JSON.stringify(gemmStats())})`,
)
console.log(`  optimizer      ${(t.opt / 1000).toFixed(2)} s`)
