// fit's, evaluate's and predict's preprocess option: data kept in a compact dtype, converted batch by batch inside
// the (compiled) step, trains and scores exactly as the data converted up front.

import { array, div, key, type NDArray, reshape, toArray, uniform } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { evaluate, fit, layerDense, predict, predictClasses } from '../src/index.js'
import { sequential, values } from './kerasFixtures.js'

/** 200 "images" of 16 pixels as bytes; class 1 when the first half is brighter than the second. */
const pixels = (toArray(uniform(key(3), [200, 16])) as number[][]).map((row) => row.map((v) => Math.floor(v * 256)))
const half = (row: number[], from: number) => row.slice(from, from + 8).reduce((a, b) => a + b, 0)
const x8 = array(pixels, { dtype: 'uint8' })
const y = array(pixels.map((row) => (half(row, 0) > half(row, 8) ? [0, 1] : [1, 0])))
const scale = (x: NDArray) => div(x, 255)
const floats = scale(x8)

const model = () =>
  sequential(
    { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'], seed: 1 },
    layerDense({ units: 8, activation: 'relu', inputShape: [16] }),
    layerDense({ units: 2, activation: 'softmax' }),
  )

describe('preprocess', () => {
  for (const jit of [true, false]) {
    it(`uint8 data scaled per batch trains, validates and scores as the data scaled up front (jit: ${jit})`, async () => {
      const opts = { epochs: 3, batchSize: 32, verbose: 0, jit, validationSplit: 0.25 } as const
      const a = await fit(model(), x8, y, { ...opts, preprocess: scale })
      const b = await fit(model(), floats, y, opts)
      expect(a.history.metrics).toEqual(b.history.metrics)
      expect(values(a.model.params)).toEqual(values(b.model.params))
      expect(evaluate(a.model, x8, y, { jit, preprocess: scale })).toEqual(evaluate(b.model, floats, y, { jit }))
      expect(toArray(predict(a.model, x8, { jit, preprocess: scale, batchSize: 64 }))).toEqual(
        toArray(predict(b.model, floats, { jit, batchSize: 64 })),
      )
      expect(toArray(predictClasses(a.model, x8, { jit, preprocess: scale }))).toEqual(
        toArray(predictClasses(b.model, floats, { jit })),
      )
    })
  }

  it('validationData goes through preprocess too', async () => {
    const opts = { epochs: 2, batchSize: 50, verbose: 0 } as const
    const a = await fit(model(), x8, y, { ...opts, preprocess: scale, validationData: [x8, y] })
    const b = await fit(model(), floats, y, { ...opts, validationData: [floats, y] })
    expect(a.history.metrics.val_loss).toHaveLength(2)
    expect(a.history.metrics.val_loss).toEqual(b.history.metrics.val_loss)
  })

  it('a preprocess that is not a function, or returns the wrong dtype or shape, is a clear error', async () => {
    const m = model()
    await expect(fit(m, x8, y, { verbose: 0, preprocess: 255 as never })).rejects.toThrow(
      "fit: preprocess must be a function from a batch of inputs to the network's input, got number",
    )
    expect(() => evaluate(m, x8, y, { preprocess: 'scale' as never })).toThrow(
      "evaluate: preprocess must be a function from a batch of inputs to the network's input, got string",
    )
    for (const jit of [true, false]) {
      // uint8 in, uint8 out: the network takes float32
      await expect(fit(m, x8, y, { verbose: 0, jit, batchSize: 32, preprocess: (x) => x })).rejects.toThrow(
        "fit: preprocess must return the network's float32 inputs of shape [32, 16], got uint8 [32, 16]",
      )
      expect(() => predict(m, x8, { jit, batchSize: 10, preprocess: (x) => reshape(scale(x), [5, 32]) })).toThrow(
        "predict: preprocess must return the network's float32 inputs of shape [10, 16], got float32 [5, 32]",
      )
    }
  })
})
