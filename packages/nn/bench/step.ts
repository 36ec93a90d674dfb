// Seconds per epoch of `fit` on the book's network (random data of MNIST's shape) against a bare loop of the
// compiled `trainStep`: the difference is fit's own work (batch gathering into reused buffers, state donation,
// metrics, progress, the non-finite check, yielding). Where an epoch's time goes (GEMM, element-wise, optimizer,
// batching) is apps/mnist-demo's bench/epoch.ts, on the real data.
import os from 'node:os'
import { kernelInfo } from '@nabla/linalg'
import {
  arange,
  argmax,
  cast,
  equal,
  key,
  type NDArray,
  permutation,
  reshape,
  slice,
  take,
  uniform,
} from '@nabla/ndarray'
import { type CompiledModel, compile, fit, kerasModelSequential, layerDense, trainStep } from '../src/index.js'

const samples = 60000
const batchSize = 128
const x = uniform(key(1), [samples, 784])
const y = cast(equal(reshape(argmax(uniform(key(2), [samples, 10]), { axis: -1 }), [-1, 1]), arange(10)), 'float32')
const model = compile(
  layerDense(layerDense(kerasModelSequential(), { units: 512, activation: 'relu', inputShape: [784] }), {
    units: 10,
    activation: 'softmax',
  }),
  { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] },
)

/** What fit runs per step, without its bookkeeping: shuffle, gather, the compiled trainStep. */
const bareEpoch = (m: CompiledModel, n: number): void => {
  const step = trainStep({
    loss: (p: typeof m.params, xb: NDArray, yb: NDArray) => m.loss.fn(yb, m.trainNetwork.apply(p, xb)),
    optimizer: m.optimizer,
  })
  const order = permutation(key(3), n)
  let state = { params: m.params, optState: m.optState }
  for (let b = 0; b * batchSize < n; b++) {
    const idx = slice(order, [b * batchSize, Math.min(n, (b + 1) * batchSize)])
    ;[state] = step(state, take(x, idx), take(y, idx))
  }
}

const seconds = async (f: () => unknown): Promise<number> => {
  const t = performance.now()
  await f()
  return (performance.now() - t) / 1000
}

// warm up both paths (tracing and compiling the step, the JavaScript JIT)
await fit(model, slice(x, [0, 20 * batchSize]), slice(y, [0, 20 * batchSize]), { batchSize, verbose: 0 })
bareEpoch(model, 20 * batchSize)
// alternately, twice each, keeping the second: a first epoch still carries JIT warm-up (~0.5 s)
let [bare, fitted] = [0, 0]
for (let round = 0; round < 2; round++) {
  bare = await seconds(() => bareEpoch(model, samples))
  fitted = await seconds(() => fit(model, x, y, { epochs: 1, batchSize, verbose: 0 }))
}
const steps = Math.ceil(samples / batchSize)
console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}, MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? 'unset'}`,
)
console.log(`kernel: ${JSON.stringify(kernelInfo())}`)
console.log(`one epoch (${steps} steps of ${batchSize}), rmsprop:`)
console.log(`  trainStep loop  ${bare.toFixed(2)} s  ${((1000 * bare) / steps).toFixed(1)} ms/step`)
console.log(`  fit             ${fitted.toFixed(2)} s  ${((1000 * fitted) / steps).toFixed(1)} ms/step`)
console.log(`  fit's own work  ${(fitted - bare).toFixed(2)} s  (${((100 * (fitted - bare)) / fitted).toFixed(0)}%)`)
