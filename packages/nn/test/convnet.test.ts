// Chapter 5's convnet: convolution and pooling layers, their gradients against finite differences in float64,
// Keras's summary (93,322 parameters), training under jit (bit for bit the op-by-op run), saving and loading.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkGrads } from '@nabla/autodiff/testing'
import { conv2d as convolve } from '@nabla/linalg'
import { array, avgPool2d, cast, key, maxPool2d as maxPool, normal, sum, toTypedArray } from '@nabla/ndarray'
import { pipe } from 'fp-ts/lib/function.js'
import { afterAll, describe, expect, it } from 'vitest'
import {
  avgPool2d as avgPool2dLayer,
  compile,
  conv2d,
  fit,
  kerasModelSequential,
  layerAveragePooling2d,
  layerConv2d,
  layerDense,
  layerFlatten,
  layerMaxPooling2d,
  maxPool2d,
  predict,
  summary,
} from '../src/index.js'
import { loadModel, saveModel } from '../src/node.js'
import { values } from './kerasFixtures.js'

const tmp = mkdtempSync(join(tmpdir(), 'nabla-convnet-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))
const f64 = (shape: number[], seed: number) => cast(normal(key(seed), shape), 'float64')

describe('convolution and pooling under grad', () => {
  it('agree with finite differences in float64, both modes, for strides, same padding and dilation', () => {
    const x = f64([2, 6, 5, 2], 1)
    const k = f64([3, 2, 2, 3], 2)
    checkGrads((a, b) => sum(convolve(a, b, { strides: [2, 1], padding: 'same' })), [x, k])
    checkGrads((a, b) => sum(convolve(a, b, { dilation: 2 })), [x, k])
    // max pooling's gradient goes to each window's maximum (inputs with no ties); average pooling's spreads it
    checkGrads((a) => sum(maxPool(a, { poolSize: 2, padding: 'same' })), [x])
    checkGrads((a) => sum(avgPool2d(a, { poolSize: [3, 2], strides: 1, padding: 'same' })), [x])
  })
})

describe('the chapter-5 convnet', () => {
  const convnet = () =>
    pipe(
      kerasModelSequential(),
      layerConv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      layerMaxPooling2d({ poolSize: 2 }),
      layerConv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      layerMaxPooling2d({ poolSize: 2 }),
      layerConv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      layerFlatten(),
      layerDense({ units: 64, activation: 'relu' }),
      layerDense({ units: 10, activation: 'softmax' }),
    )

  it('prints Keras’s summary: output shapes, parameter counts, 93,322 in all', () => {
    const text = summary(convnet())
    expect(text).toContain(' conv2d (Conv2D)             (None, 26, 26, 32)        320')
    expect(text).toContain(' max_pooling2d (MaxPooling2D  (None, 13, 13, 32)       0')
    expect(text).toContain(' conv2d_1 (Conv2D)           (None, 11, 11, 64)        18496')
    expect(text).toContain(' conv2d_2 (Conv2D)           (None, 3, 3, 64)          36928')
    expect(text).toContain(' flatten (Flatten)           (None, 576)               0')
    expect(text).toContain('Total params: 93,322')
  })

  it('trains compiled and op by op to the same bits, and a saved model predicts the same bits', async () => {
    const small = pipe(
      kerasModelSequential(),
      layerConv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1] }),
      layerAveragePooling2d(),
      layerConv2d({ filters: 4, kernelSize: 2, padding: 'same', activation: 'relu' }),
      layerMaxPooling2d({ poolSize: 3, strides: 1 }),
      layerFlatten(),
      layerDense({ units: 3, activation: 'softmax' }),
    )
    const model = compile(small, {
      optimizer: 'rmsprop',
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
      seed: 1,
    })
    const x = normal(key(5), [48, 8, 8, 1])
    // three classes from each image's total brightness: a learnable, deterministic labelling
    const sums = toTypedArray(sum(x, { axis: [1, 2, 3] }))
    const y3 = array(
      Array.from(sums, (s) => (s > 2 ? 2 : s > -2 ? 1 : 0)),
      { dtype: 'int32' },
    )
    const opts = { epochs: 2, batchSize: 16, verbose: 0 as const }
    const a = await fit(model, x, y3, { ...opts, jit: true })
    const b = await fit(model, x, y3, { ...opts, jit: false })
    expect(values(a.model.params)).toEqual(values(b.model.params))
    expect(a.history.metrics.loss).toEqual(b.history.metrics.loss)
    const file = join(tmp, 'small.safetensors')
    await saveModel(a.model, file)
    const back = await loadModel(file)
    expect(back.layers.map((l) => l.kind)).toEqual([
      'Conv2D',
      'AveragePooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
    ])
    expect(Array.from(toTypedArray(predict(back, x)))).toEqual(Array.from(toTypedArray(predict(a.model, x))))
  })

  it('says what is wrong with a convolution on flat inputs and with bad options', () => {
    expect(() =>
      compile(pipe(kerasModelSequential(), layerConv2d({ filters: 2, kernelSize: 3, inputShape: [784] })), {
        optimizer: 'sgd',
        loss: 'mse',
      }),
    ).toThrow('conv2d: expected an image input shape [height, width, channels], got [784]; reshape flat inputs first')
    expect(() => layerConv2d({ filters: 0, kernelSize: 3 })).toThrow(
      'layerConv2d: filters must be a positive integer, got 0',
    )
    expect(() => layerConv2d({ filters: 2, kernelSize: [3] as never })).toThrow(
      'layerConv2d: kernelSize must be a positive integer or two of them, got [3]',
    )
    expect(() => conv2d(2, 3).init(key(0), [2, 2, 1])).toThrow(
      "conv2d: a window spanning 3 does not fit an input of 2 along spatial axis 1 (shape [1,2,2,1]); use padding 'same' or a smaller window",
    )
    expect(maxPool2d().init(key(0), [5, 5, 3])[0]).toEqual([2, 2, 3])
  })

  // each bad option throws when the layer is made (stax-style before init, Keras-style before compile), naming the
  // function called and the option as it spells it
  it.each<[string, () => unknown, string]>([
    [
      'conv2d(2, 3, { strides: 0 })',
      () => conv2d(2, 3, { strides: 0 }),
      'conv2d: strides must be a positive integer or two of them, got 0',
    ],
    [
      'conv2d(2, 3, { dilation: [1, 0] })',
      () => conv2d(2, 3, { dilation: [1, 0] }),
      'conv2d: dilation must be a positive integer or two of them, got [1,0]',
    ],
    [
      "conv2d(2, 3, { padding: 'full' as never })",
      () => conv2d(2, 3, { padding: 'full' as never }),
      "conv2d: padding must be 'valid' or 'same', got \"full\"",
    ],
    [
      'maxPool2d({ poolSize: 0 })',
      () => maxPool2d({ poolSize: 0 }),
      'maxPool2d: poolSize must be a positive integer or two of them, got 0',
    ],
    [
      'maxPool2d({ poolSize: 2, strides: [2] as never })',
      () => maxPool2d({ poolSize: 2, strides: [2] as never }),
      'maxPool2d: strides must be a positive integer or two of them, got [2]',
    ],
    [
      'avgPool2d({ poolSize: 1.5 })',
      () => avgPool2dLayer({ poolSize: 1.5 }),
      'avgPool2d: poolSize must be a positive integer or two of them, got 1.5',
    ],
    [
      'avgPool2d({ strides: -1 })',
      () => avgPool2dLayer({ strides: -1 }),
      'avgPool2d: strides must be a positive integer or two of them, got -1',
    ],
    [
      "avgPool2d({ padding: 'full' as never })",
      () => avgPool2dLayer({ padding: 'full' as never }),
      "avgPool2d: padding must be 'valid' or 'same', got \"full\"",
    ],
    [
      'maxPool2d(null as never)',
      () => maxPool2d(null as never),
      'maxPool2d: expected options { poolSize?, strides?, padding? }, got null',
    ],
    [
      'layerConv2d({ filters: 2, kernelSize: 3, strides: 0 })',
      () => layerConv2d({ filters: 2, kernelSize: 3, strides: 0 }),
      'layerConv2d: strides must be a positive integer or two of them, got 0',
    ],
    [
      'layerConv2d({ filters: 2, kernelSize: 3, strides: [1, 2, 3] as never })',
      () => layerConv2d({ filters: 2, kernelSize: 3, strides: [1, 2, 3] as never }),
      'layerConv2d: strides must be a positive integer or two of them, got [1,2,3]',
    ],
    [
      'layerConv2d({ filters: 2, kernelSize: 3, dilationRate: 0 })',
      () => layerConv2d({ filters: 2, kernelSize: 3, dilationRate: 0 }),
      'layerConv2d: dilationRate must be a positive integer or two of them, got 0',
    ],
    [
      "layerConv2d({ filters: 2, kernelSize: 3, padding: 'full' as never })",
      () => layerConv2d({ filters: 2, kernelSize: 3, padding: 'full' as never }),
      "layerConv2d: padding must be 'valid' or 'same', got \"full\"",
    ],
    [
      'layerAveragePooling2d({ poolSize: 0 })',
      () => layerAveragePooling2d({ poolSize: 0 }),
      'layerAveragePooling2d: poolSize must be a positive integer or two of them, got 0',
    ],
    [
      'layerAveragePooling2d({ poolSize: 2, strides: 0 })',
      () => layerAveragePooling2d({ poolSize: 2, strides: 0 }),
      'layerAveragePooling2d: strides must be a positive integer or two of them, got 0',
    ],
    [
      'layerMaxPooling2d({ poolSize: [2, 0] })',
      () => layerMaxPooling2d({ poolSize: [2, 0] }),
      'layerMaxPooling2d: poolSize must be a positive integer or two of them, got [2,0]',
    ],
    [
      'layerMaxPooling2d({ strides: 1.5 })',
      () => layerMaxPooling2d({ strides: 1.5 }),
      'layerMaxPooling2d: strides must be a positive integer or two of them, got 1.5',
    ],
    [
      "layerMaxPooling2d({ padding: 'full' as never })",
      () => layerMaxPooling2d({ padding: 'full' as never }),
      "layerMaxPooling2d: padding must be 'valid' or 'same', got \"full\"",
    ],
    [
      'layerMaxPooling2d(null as never)',
      () => layerMaxPooling2d(null as never),
      'layerMaxPooling2d: expected options { poolSize?, strides?, padding?, inputShape? }, got null',
    ],
    [
      'layerMaxPooling2d(kerasModelSequential(), { poolSize: 0 })',
      () => layerMaxPooling2d(kerasModelSequential(), { poolSize: 0 }),
      'layerMaxPooling2d: poolSize must be a positive integer or two of them, got 0',
    ],
  ])('%s throws at once', (_, make, message) => {
    expect(make).toThrow(message)
  })

  it('keeps Keras’s configuration of good pooling options', () => {
    const pooled = pipe(kerasModelSequential(), layerMaxPooling2d({ poolSize: [3, 2], inputShape: [6, 6, 1] }))
    expect(pooled.layers[0]?.config).toEqual({
      poolSize: [3, 2],
      strides: [3, 2],
      padding: 'valid',
      inputShape: [6, 6, 1],
    })
  })
})
