// The functional core learns: a small network fits a non-linear task with trainStep, deterministically.
import {
  argmax,
  array,
  cast,
  equal,
  item,
  key,
  mean,
  mul,
  type NDArray,
  normal,
  sum,
  toArray,
  toTypedArray,
  treeLeaves,
} from '@nabla/ndarray'
import { adam, sgd } from '@nabla/optim'
import { describe, expect, it } from 'vitest'
import { dense, type SerialParams, serial, softmaxCrossentropy, trainStep } from '../src/index.js'

/** XOR of the signs of two coordinates: not linearly separable. */
const xorData = (n: number) => {
  const x = normal(key(11), [n, 2])
  const rows = toArray(x) as number[][]
  const labels = rows.map(([a, b]) => ((a as number) > 0 !== (b as number) > 0 ? 1 : 0))
  const y = array(labels.map((l) => [1 - l, l]))
  return { x, y, labels }
}

const train = (seed: number) => {
  const { x, y } = xorData(400)
  const net = serial(dense(16, { activation: 'tanh' }), dense(2))
  const [, params] = net.init(key(seed), [2])
  const optimizer = adam({ learningRate: 0.03 })
  const step = trainStep<SerialParams, unknown>({
    loss: (p, xb, yb) => softmaxCrossentropy(net.apply(p, xb), yb),
    optimizer,
  })
  let state = { params, optState: optimizer.init(params) as unknown }
  let loss: NDArray = array(0)
  for (let i = 0; i < 300; i++) [state, loss] = step(state, x, y)
  const predicted = argmax(net.apply(state.params, x), { axis: 1 })
  const accuracy = item(mean(cast(equal(predicted, argmax(y, { axis: 1 })), 'float32')))
  return { state, loss: item(loss), accuracy }
}

describe('trainStep', () => {
  it('learns XOR to high accuracy', () => {
    const { accuracy, loss } = train(0)
    expect(accuracy).toBeGreaterThan(0.95)
    expect(loss).toBeLessThan(0.2)
  })
  it('is deterministic: the same seed gives identical weights', () => {
    const a = train(1).state.params as { kernel: NDArray }[]
    const b = train(1).state.params as { kernel: NDArray }[]
    expect(toArray(a[0]!.kernel)).toEqual(toArray(b[0]!.kernel))
    expect(toArray(a[1]!.kernel)).toEqual(toArray(b[1]!.kernel))
    const c = train(2).state.params as { kernel: NDArray }[]
    expect(toArray(c[0]!.kernel)).not.toEqual(toArray(a[0]!.kernel))
  })
})

describe('trainStep compiled with jit (the default) and op by op', () => {
  const { x, y } = xorData(64)
  const net = serial(dense(8, { activation: 'relu' }), dense(2))
  const loss = (p: SerialParams, xb: NDArray, yb: NDArray) => softmaxCrossentropy(net.apply(p, xb), yb)
  const run = (jitted: boolean) => {
    const optimizer = adam({ learningRate: 0.01 })
    const step = trainStep<SerialParams, unknown>({ loss, optimizer, jit: jitted })
    const [, p0] = net.init(key(5), [2])
    let state = { params: p0, optState: optimizer.init(p0) as unknown }
    const losses: number[] = []
    for (let i = 0; i < 5; i++) {
      const [next, value] = step(state, x, y)
      state = next
      losses.push(item(value))
    }
    return { losses, params: treeLeaves(state.params).map((l) => Array.from(toTypedArray(l))) }
  }

  it('gives the same losses and weights, bit for bit', () => {
    const a = run(true)
    const b = run(false)
    expect(a.losses).toEqual(b.losses)
    expect(a.params).toEqual(b.params)
  })

  it('under jit, a loss that reads values is a clear error', () => {
    const optimizer = sgd({ learningRate: 0.1 })
    const step = trainStep<SerialParams, unknown>({
      loss: (p, xb, yb) => mul(loss(p, xb, yb), item(sum(xb)) > 0 ? 1 : 2),
      optimizer,
    })
    const [, p0] = net.init(key(5), [2])
    expect(() => step({ params: p0, optState: optimizer.init(p0) }, x, y)).toThrow(
      /item: cannot read the values of a traced array .* inside a transform such as grad or jit/,
    )
  })
})
