// valueAndGrad of the MNIST network's loss on a batch of 128 against its forward pass alone.
import os from 'node:os'
import { dot, kernelInfo } from '@nabla/linalg'
import {
  add,
  exp,
  key,
  log,
  max,
  maximum,
  mean,
  mul,
  type NDArray,
  normal,
  split,
  sub,
  sum,
  uniform,
} from '@nabla/ndarray'
import { valueAndGrad } from '../src/index.js'

const [k1, k2, k3, k4] = split(key(0), 4)
const params = {
  w1: normal(k1!, [784, 512], { stddev: 0.05 }),
  b1: normal(k2!, [512], { stddev: 0.01 }),
  w2: normal(k3!, [512, 10], { stddev: 0.05 }),
  b2: normal(k4!, [10], { stddev: 0.01 }),
}
const x = uniform(key(1), [128, 784])
const y = uniform(key(2), [128, 10])

const logSoftmax = (z: NDArray) => {
  const s = sub(z, max(z, { axis: -1, keepDims: true }))
  return sub(s, log(sum(exp(s), { axis: -1, keepDims: true })))
}
const loss = (p: typeof params, input: NDArray, target: NDArray) => {
  const h = maximum(add(dot(input, p.w1), p.b1), 0)
  return mul(mean(sum(mul(target, logSoftmax(add(dot(h, p.w2), p.b2))), { axis: 1 })), -1)
}
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
