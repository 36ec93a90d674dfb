// Weight regularizers and the regression loss/metrics of chapters 3–4: penalties by hand, fit against a
// hand-written loop whose loss adds the penalty, evaluate's reported loss, saving, and bad options.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { valueAndGrad } from '@nabla/autodiff'
import { add, array, item, key, mul, type NDArray, normal, slice, sum, type Tree } from '@nabla/ndarray'
import { applyUpdates } from '@nabla/optim'
import { afterAll, describe, expect, it } from 'vitest'
import {
  evaluate,
  fit,
  layerDense,
  meanAbsoluteError,
  penalty,
  regularizerL1,
  regularizerL1L2,
  regularizerL2,
} from '../src/index.js'
import { loadModel, saveModel } from '../src/node.js'
import { sequential, values, xorClusters } from './kerasFixtures.js'

const silent = { verbose: 0 } as const
const tmp = mkdtempSync(join(tmpdir(), 'nabla-reg-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const data = xorClusters(96)

describe('penalties', () => {
  it('are l1·Σ|w| + l2·Σw², by hand', () => {
    expect(item(penalty(regularizerL2(0.5), array([1, 2])))).toBe(2.5)
    expect(item(penalty(regularizerL1(0.25), array([-1, 2, -4])))).toBe(1.75)
    expect(item(penalty(regularizerL1L2({ l1: 0.5, l2: 0.25 }), array([-2, 2])))).toBe(4)
    expect(regularizerL2()).toEqual({ l1: 0, l2: 0.01 })
    expect(regularizerL1L2()).toEqual({ l1: 0.01, l2: 0.01 })
  })
  it('reject bad factors and options that are not regularizers', () => {
    expect(() => regularizerL2(-1)).toThrow('regularizerL2: l2 must be a finite number ≥ 0, got -1')
    expect(() => layerDense({ units: 2, kernelRegularizer: 0.01 as never })).toThrow(
      'layerDense: kernelRegularizer must be regularizerL1(…), regularizerL2(…) or regularizerL1L2(…) (a record { l1, l2 }), got 0.01',
    )
    expect(() => layerDense({ units: 2, biasRegularizer: { l3: 1 } as never })).toThrow(
      'layerDense: biasRegularizer must be regularizerL1(…), regularizerL2(…) or regularizerL1L2(…) (a record { l1, l2 }), got {"l3":1}',
    )
  })
})

describe('a regularized model', () => {
  const model = () =>
    sequential(
      { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'], seed: 2 },
      layerDense({ units: 16, activation: 'relu', inputShape: [2], kernelRegularizer: regularizerL2(0.01) }),
      layerDense({
        units: 2,
        activation: 'softmax',
        kernelRegularizer: regularizerL1(0.001),
        biasRegularizer: regularizerL2(0.1),
      }),
    )

  it('trains as a hand-written loop whose loss adds the penalties, bit for bit', async () => {
    const m = model()
    const { model: trained } = await fit(m, data.x, data.y, { ...silent, epochs: 2, batchSize: 32, shuffle: false })
    type P = typeof m.params
    // the oracle's penalty written out term by term, in the order the layers add them
    const oracle = (p: P, xb: NDArray, yb: NDArray) => {
      const [d0, d1] = p as unknown as [{ kernel: NDArray }, { kernel: NDArray; bias: NDArray }]
      const data = m.loss.fn(yb, m.trainNetwork.apply(p, xb, { training: true }))
      const first = penalty(regularizerL2(0.01), d0.kernel)
      const second = add(penalty(regularizerL1(0.001), d1.kernel), penalty(regularizerL2(0.1), d1.bias))
      return add(data, add(first, second))
    }
    const lossAndGrad = valueAndGrad(oracle)
    let state = { params: m.params as Tree, optState: m.optState as unknown }
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let start = 0; start < 96; start += 32) {
        const rows = (a: NDArray) => slice(a, [start, start + 32])
        const [, grads] = lossAndGrad(state.params as P, rows(data.x), rows(data.y))
        const [updates, optState] = m.optimizer.update(grads, state.optState, state.params)
        state = { params: applyUpdates(state.params, updates), optState }
      }
    }
    expect(values(trained.params)).toEqual(values(state.params as P))
  })

  it('reports the penalty in evaluate’s loss, and keeps its regularizers through saving and loading', async () => {
    const m = model()
    const plain = sequential(
      { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'], seed: 2 },
      layerDense({ units: 16, activation: 'relu', inputShape: [2] }),
      layerDense({ units: 2, activation: 'softmax' }),
    )
    const [d0, d1] = m.params as unknown as [{ kernel: NDArray }, { kernel: NDArray; bias: NDArray }]
    const byHand =
      item(penalty(regularizerL2(0.01), d0.kernel)) +
      item(penalty(regularizerL1(0.001), d1.kernel)) +
      item(penalty(regularizerL2(0.1), d1.bias))
    const withReg = evaluate(m, data.x, data.y)
    const without = evaluate(plain, data.x, data.y)
    expect(withReg.loss).toBeCloseTo(without.loss + byHand, 6)
    expect(withReg.accuracy).toBe(without.accuracy)
    const file = join(tmp, 'reg.safetensors')
    await saveModel(m, file)
    const back = await loadModel(file)
    expect(back.layers[0]?.config).toMatchObject({ kernelRegularizer: { l1: 0, l2: 0.01 } })
    expect(back.layers[1]?.config).toMatchObject({
      kernelRegularizer: { l1: 0.001, l2: 0 },
      biasRegularizer: { l1: 0, l2: 0.1 },
    })
    expect(evaluate(back, data.x, data.y).loss).toBe(withReg.loss)
  })
})

describe("chapter 3's regression loss and metrics", () => {
  it('mae is mean |yPred − yTrue|, and mae/mse metrics appear in the history', async () => {
    expect(item(meanAbsoluteError(array([[1], [2]]), array([[1.5], [1]])))).toBe(0.75)
    const x = normal(key(3), [64, 3])
    const y = add(mul(sum(x, { axis: 1, keepDims: true }), 2), 1)
    const model = sequential(
      { optimizer: 'rmsprop', loss: 'mse', metrics: ['mae', 'mean_squared_error'] },
      layerDense({ units: 8, activation: 'relu', inputShape: [3] }),
      layerDense({ units: 1 }),
    )
    const { history } = await fit(model, x, y, { ...silent, epochs: 2, batchSize: 16 })
    expect(Object.keys(history.metrics)).toEqual(['loss', 'mae', 'mean_squared_error'])
    // with an mse loss and no regularizer, the mse metric is the loss
    expect(history.metrics.mean_squared_error).toEqual(history.metrics.loss)
    const maeModel = sequential({ optimizer: 'sgd', loss: 'mae' }, layerDense({ units: 1, inputShape: [3] }))
    expect(evaluate(maeModel, x, y).loss).toBeGreaterThan(0)
  })
  it('refuses an error metric on a loss computed from logits', () => {
    expect(() =>
      sequential(
        { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['mae'] },
        layerDense({ units: 2, activation: 'softmax', inputShape: [2] }),
      ),
    ).toThrow(
      "compile: metric 'mae' measures the network's output, but loss categorical_crossentropy trains it from logits; use it with a regression loss (mse, mae)",
    )
  })
})
