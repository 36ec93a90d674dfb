// The functional core learns: a small network fits a non-linear task with trainStep, deterministically.
import { argmax, array, cast, equal, item, key, mean, type NDArray, normal, toArray } from '@nabla/ndarray'
import { adam } from '@nabla/optim'
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
