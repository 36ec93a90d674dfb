// valueAndGrad of the MNIST network's loss on a batch of 128 against its forward pass alone.
import os from 'node:os'
import { kernelInfo } from '@nabla/linalg'
import { key, normal, split, uniform } from '@nabla/ndarray'
import { valueAndGrad } from '../src/index.js'
import { mlpLoss as loss } from '../test/mlpLoss.js'

const [k1, k2, k3, k4] = split(key(0), 4)
const params = {
  w1: normal(k1!, [784, 512], { stddev: 0.05 }),
  b1: normal(k2!, [512], { stddev: 0.01 }),
  w2: normal(k3!, [512, 10], { stddev: 0.05 }),
  b2: normal(k4!, [10], { stddev: 0.01 }),
}
const x = uniform(key(1), [128, 784])
const y = uniform(key(2), [128, 10])

const step = valueAndGrad(loss)

const time = (f: () => void, reps: number): number => {
  for (let i = 0; i < 5; i++) f()
  const ts: number[] = []
  for (let i = 0; i < reps; i++) {
    const t = performance.now()
    f()
    ts.push(performance.now() - t)
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)] as number
}

const forward = time(() => loss(params, x, y), 30)
const both = time(() => step(params, x, y), 30)
console.log(`machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}`)
console.log(`kernel: ${JSON.stringify(kernelInfo())}`)
console.log(`forward pass (batch 128):          ${forward.toFixed(2)} ms`)
console.log(`valueAndGrad (forward + backward): ${both.toFixed(2)} ms`)
console.log(`ratio: ${(both / forward).toFixed(2)}× (FLOP ratio ≈ 2×: the backward pass skips d(input))`)
