// evaluate, predict and predictClasses: shapes, agreement with each other and with hand-computed losses.
import { argmax, array, item, key, mean, type NDArray, normal, square, sub, sum, toArray } from '@nabla/ndarray'
import { pipe } from 'fp-ts/function'
import { describe, expect, it } from 'vitest'
import {
  binaryCrossentropy,
  categoricalAccuracy,
  categoricalCrossentropy,
  evaluate,
  fit,
  layerDense,
  layerDropout,
  predict,
  predictClasses,
} from '../src/index.js'
import { sequential, xorClusters, xorModel } from './kerasFixtures.js'

describe('predict and predictClasses', () => {
  const { x } = xorClusters(45)
  const model = xorModel()
  it('predict gives probabilities [samples, units] summing to 1, whatever the batch size', () => {
    const p = predict(model, x)
    expect(p.shape).toEqual([45, 2])
    expect(sum(p, { axis: -1 })).toBeAllClose(array(Array(45).fill(1)), { atol: 1e-6 })
    expect(predict(model, x, { batchSize: 7 })).toBeAllClose(p, { atol: 1e-7 })
    expect(pipe(model, predict(x, { batchSize: 45 }))).toBeAllClose(p, { atol: 1e-7 })
  })
  it('predictClasses is the int32 argmax of predict', () => {
    const classes = predictClasses(model, x)
    expect(classes.dtype).toBe('int32')
    expect(classes.shape).toEqual([45])
    expect(toArray(classes)).toEqual(toArray(argmax(predict(model, x), { axis: -1 })))
    expect(toArray(pipe(model, predictClasses(x)))).toEqual(toArray(classes))
  })
  it('one sigmoid unit: classes are p > 0.5', () => {
    const binary = sequential(
      { optimizer: 'sgd', loss: 'binary_crossentropy' },
      layerDense({ units: 1, activation: 'sigmoid', inputShape: [2] }),
    )
    const p = toArray(predict(binary, x)) as number[][]
    expect(toArray(predictClasses(binary, x))).toEqual(p.map(([v]) => ((v as number) > 0.5 ? 1 : 0)))
  })
  it('dropout is off at inference', () => {
    const withDropout = sequential(
      { optimizer: 'sgd', loss: 'categorical_crossentropy' },
      layerDense({ units: 8, activation: 'relu', inputShape: [2] }),
      layerDropout({ rate: 0.5 }),
      layerDense({ units: 2, activation: 'softmax' }),
    )
    expect(toArray(predict(withDropout, x))).toEqual(toArray(predict(withDropout, x)))
  })
  it('bad inputs are clear errors', () => {
    expect(() => predict(model, normal(key(0), [4, 3]))).toThrow(
      /predict: the model expects inputs of shape \[samples, 2\] \(the first layer's inputShape \[2\]\), got x of shape \[4, 3\]/,
    )
    expect(() => predict(model, normal(key(0), [4]))).toThrow(/got x of shape \[4\]/)
    expect(() => predict(model, x, { batchSize: 0 })).toThrow(/predict: batchSize must be a positive integer, got 0/)
    expect(() => predictClasses({} as never, x)).toThrow(/predict: expected a compiled model/)
    expect(() => predict(model, [[1, 2]] as never)).toThrow(/predict: x must be an NDArray/)
  })
})

describe('evaluate', () => {
  const { x, y } = xorClusters(45)
  it('the loss from logits equals crossentropy of the predicted probabilities (hand oracle), and accuracy too', async () => {
    const { model } = await fit(xorModel(), x, y, { epochs: 3, verbose: 0 })
    const p = predict(model, x)
    const result = evaluate(model, x, y)
    expect(Object.keys(result)).toEqual(['loss', 'accuracy'])
    expect(result.loss).toBeCloseTo(item(categoricalCrossentropy(y, p)), 5)
    expect(result.accuracy).toBeCloseTo(item(categoricalAccuracy(y, p)), 6)
    expect(result.acc).toBe(result.accuracy) // the book's name, as an alias
  })
  it('averages over samples, not batches: any batch size gives the same numbers', () => {
    const model = xorModel(3)
    const whole = evaluate(model, x, y, { batchSize: 45 })
    for (const batchSize of [1, 7, 32]) {
      const r = evaluate(model, x, y, { batchSize })
      expect(r.loss).toBeCloseTo(whole.loss, 5)
      expect(r.accuracy).toBeCloseTo(whole.accuracy as number, 6)
    }
    expect(pipe(model, evaluate(x, y)).loss).toBeCloseTo(whole.loss, 5)
  })
  it('a sigmoid output with binary crossentropy: loss from logits equals the probability formula', () => {
    const model = sequential(
      { optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['binary_accuracy'] },
      layerDense({ units: 1, activation: 'sigmoid', inputShape: [2] }),
    )
    const labels = array((toArray(argmax(y, { axis: -1 })) as number[]).map((l) => [l]))
    const r = evaluate(model, x, labels)
    expect(Object.keys(r)).toEqual(['loss', 'binary_accuracy'])
    expect(r.loss).toBeCloseTo(item(binaryCrossentropy(labels, predict(model, x))), 5)
    // labels of shape [n] are accepted for a single unit
    expect(evaluate(model, x, argmax(y, { axis: -1 })).loss).toBeCloseTo(r.loss, 6)
  })
  it('a loss given as a function (yTrue, yPred) sees the probabilities', async () => {
    const squared = (yTrue: NDArray, yPred: NDArray) => mean(square(sub(yPred, yTrue)))
    const model = sequential(
      { optimizer: 'adam', loss: squared, metrics: ['accuracy'] },
      layerDense({ units: 2, activation: 'softmax', inputShape: [2] }),
    )
    expect(evaluate(model, x, y).loss).toBeCloseTo(item(squared(y, predict(model, x))), 6)
    const { history } = await fit(model, x, y, { epochs: 2, verbose: 0 })
    expect(history.metrics.loss).toHaveLength(2)
  })
  it('bad labels are clear errors', () => {
    const model = xorModel()
    expect(() => evaluate(model, x, array([[1, 0]]))).toThrow(
      /evaluate: y must have one label per sample: x has 45 samples \(shape \[45, 2\]\), y has 1 \(shape \[1, 2\]\)/,
    )
    expect(() => evaluate(model, x, normal(key(1), [45, 5]))).toThrow(
      /evaluate: loss categorical_crossentropy needs one-hot labels of shape \[45, 2\] \(the last layer has 2 units\), got y of shape \[45, 5\]/,
    )
    expect(() => evaluate(model, x, y, { batchSize: 1.5 })).toThrow(/evaluate: batchSize must be a positive integer/)
  })
})
