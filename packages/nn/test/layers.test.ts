// Layers, losses and metrics against the book's formulas and hand-computed values.
import { grad } from '@nabla/autodiff'
import { checkGrads } from '@nabla/autodiff/testing'
import { dot } from '@nabla/linalg'
import {
  add,
  array,
  item,
  key,
  max,
  maximum,
  mean,
  min,
  type NDArray,
  normal,
  ones,
  split,
  sum,
  toArray,
  toTypedArray,
  uniform,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  activation,
  binaryCrossentropy,
  categoricalAccuracy,
  categoricalCrossentropy,
  dense,
  dropout,
  flatten,
  glorotUniform,
  logSoftmax,
  meanSquaredError,
  relu,
  serial,
  sigmoid,
  softmax,
  softmaxCrossentropy,
  sparseCategoricalAccuracy,
  sparseCategoricalCrossentropy,
} from '../src/index.js'

const leafCount = (params: unknown): number =>
  Array.isArray(params)
    ? params.reduce((n, p) => n + leafCount(p), 0)
    : typeof params === 'object' && params !== null && 'shape' in params
      ? (params as NDArray).size
      : Object.values(params as object).reduce((n: number, p) => n + leafCount(p), 0)

describe('layers as pure init/apply pairs', () => {
  it("the book's network: shapes from init equal apply's, 407,050 parameters", () => {
    const net = serial(dense(512, { activation: 'relu' }), dense(10, { activation: 'softmax' }))
    const [outShape, params] = net.init(key(0), [784])
    expect(outShape).toEqual([10])
    expect(leafCount(params)).toBe(407_050)
    const y = net.apply(params, uniform(key(1), [3, 784]))
    expect(y.shape).toEqual([3, ...outShape])
    expect(toArray(sum(y, { axis: 1 }))).toBeAllClose([1, 1, 1], { rtol: 1e-5 })
  })
  it('dense is relu(dot(input, W) + b), the book’s formula with samples in rows', () => {
    const layer = dense(4, { activation: 'relu' })
    const [, params] = layer.init(key(2), [3])
    const x = normal(key(3), [5, 3])
    const bias = params.bias as NDArray
    expect(layer.apply(params, x)).toBeAllClose(maximum(add(dot(x, params.kernel), bias), 0))
    expect(toArray(bias)).toEqual([0, 0, 0, 0])
  })
  it('useBias: false gives a kernel only, and activation(dot(x, W))', () => {
    const layer = dense(3, { useBias: false })
    const [, params] = layer.init(key(8), [2])
    expect(Object.keys(params)).toEqual(['kernel'])
    const x = normal(key(9), [4, 2])
    expect(layer.apply(params, x)).toBeAllClose(dot(x, params.kernel))
  })
  it('glorot-uniform stays within ±√(6/(fanIn+fanOut)) and spreads over it', () => {
    const w = glorotUniform(key(4), [784, 512])
    const limit = Math.fround(Math.sqrt(6 / (784 + 512))) // the bound as float32 stores it
    expect(item(max(w))).toBeLessThanOrEqual(limit)
    expect(item(min(w))).toBeGreaterThanOrEqual(-limit)
    expect(item(max(w))).toBeGreaterThan(0.99 * limit)
    expect(Math.abs(item(mean(w)))).toBeLessThan(0.01 * limit)
  })
  it('flatten, activation and dropout layers', () => {
    const net = serial(flatten(), dense(6), activation('tanh'), dropout(0.5))
    const [shape, params] = net.init(key(5), [2, 3])
    expect(shape).toEqual([6])
    const x = normal(key(6), [4, 2, 3])
    const inference = net.apply(params, x)
    expect(inference.shape).toEqual([4, 6])
    const trained = toArray(net.apply(params, x, { training: true, key: key(7) })) as number[][]
    const plain = toArray(inference) as number[][]
    const zeros = trained.flat().filter((v) => v === 0).length
    expect(zeros).toBeGreaterThan(0)
    trained.flat().forEach((v, i) => {
      if (v !== 0) expect(v).toBeCloseTo(2 * (plain.flat()[i] as number), 5)
    })
  })
  it('bad input shapes are clear errors', () => {
    const layer = dense(4)
    const [, params] = layer.init(key(0), [3])
    expect(() => layer.apply(params, ones([2, 5]))).toThrow(/dense: expected input of shape \[batch, 3\], got \[2, 5\]/)
    expect(() => dense(0)).toThrow(/units must be a positive integer, got 0/)
    expect(() => dense(3).init(key(0), [2, 2])).toThrow(/expected a flat input shape/)
    expect(() => dense(3, { activation: 'gelu' as never })).toThrow(
      /unknown activation "gelu"; expected one of relu, sigmoid, tanh, softmax, linear/,
    )
    expect(() => dropout(1)).toThrow(/rate must be in \[0, 1\)/)
    expect(() => dropout(0.5).apply([], ones([1]), { training: true })).toThrow(/training mode needs a key/)
  })
})

describe('activations', () => {
  it('relu keeps NaN (as NumPy and JAX), gives +0 for −0, and has derivative 0 at and below 0, 1 above', () => {
    const r = toTypedArray(relu(array([Number.NaN, -0, -3, 4])))
    expect(Number.isNaN(r[0])).toBe(true)
    expect(Object.is(r[1], 0)).toBe(true)
    expect(Array.from(r.subarray(2))).toEqual([0, 4])
    expect(toArray(grad((x: NDArray) => sum(relu(x)))(array([-1, 0, 2])))).toEqual([0, 0, 1])
  })
  it('relu has derivative 0 at 0 and softmax rows sum to 1, stable at ±1000', () => {
    expect(toArray(relu(array([-1, 0, 2])))).toEqual([0, 0, 2])
    const z = array([
      [1000, 0, -1000],
      [1, 2, 3],
    ])
    const s = toArray(softmax(z)) as number[][]
    expect(s[0]).toBeAllClose([1, 0, 0])
    const e = [1, 2, 3].map(Math.exp)
    expect(s[1]).toBeAllClose(
      e.map((v) => v / (e[0]! + e[1]! + e[2]!)),
      { rtol: 1e-6 },
    )
    expect(toArray(logSoftmax(z))).toBeAllClose([[0, -1000, -2000], (s[1] as number[]).map(Math.log)], { rtol: 1e-5 })
    expect(toArray(sigmoid(array([-1000, 0, 1000])))).toEqual([0, 0.5, 1])
  })
})

describe('losses against hand-computed values', () => {
  const logits = array([
    [2, 1, 0.1],
    [0.5, 2.5, 0.3],
  ])
  const y = array([
    [1, 0, 0],
    [0, 0, 1],
  ])
  const p = (row: number[]) => {
    const e = row.map(Math.exp)
    const t = e.reduce((a, b) => a + b, 0)
    return e.map((v) => v / t)
  }
  const expected = -(Math.log(p([2, 1, 0.1])[0]!) + Math.log(p([0.5, 2.5, 0.3])[2]!)) / 2
  it('categorical crossentropy from logits, from probabilities, and sparse', () => {
    expect(item(softmaxCrossentropy(logits, y))).toBeCloseTo(expected, 5)
    expect(item(categoricalCrossentropy(y, softmax(logits)))).toBeCloseTo(expected, 5)
    expect(item(categoricalCrossentropy(y, logits, { fromLogits: true }))).toBeCloseTo(expected, 5)
    expect(
      item(sparseCategoricalCrossentropy(array([0, 2], { dtype: 'int32' }), logits, { fromLogits: true })),
    ).toBeCloseTo(expected, 5)
  })
  it('stays finite for logits of ±1000', () => {
    const big = array([
      [1000, -1000],
      [-1000, 1000],
    ])
    const labels = array([
      [0, 1],
      [0, 1],
    ])
    expect(item(softmaxCrossentropy(big, labels))).toBeCloseTo(1000, 3)
    expect(item(binaryCrossentropy(array([[1], [0]]), array([[1000], [1000]]), { fromLogits: true }))).toBeCloseTo(
      500,
      3,
    )
  })
  it('binary crossentropy and mean squared error', () => {
    const yb = array([[1], [0]])
    const pb = array([[0.8], [0.3]])
    expect(item(binaryCrossentropy(yb, pb))).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 5)
    expect(item(meanSquaredError(array([1, 2]), array([1.5, 1])))).toBeCloseTo((0.25 + 1) / 2, 6)
  })
  it('accuracy, categorical and sparse', () => {
    expect(item(categoricalAccuracy(y, logits))).toBeCloseTo(0.5)
    expect(item(sparseCategoricalAccuracy(array([0, 1], { dtype: 'int32' }), logits))).toBeCloseTo(1)
  })
  it('labels whose count or width differs are clear errors', () => {
    expect(() => softmaxCrossentropy(logits, array([[1, 0, 0]]))).toThrow(/1 labels for 2 predictions/)
    expect(() =>
      softmaxCrossentropy(
        logits,
        array([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toThrow(/labels of shape \[2,2\] do not match predictions of shape \[2,3\]/)
  })
})

describe('softmaxCrossentropy has its own derivative', () => {
  it('which agrees with finite differences in float64, in both modes and to second order (checkGrads)', () => {
    const labels = softmax(normal(key(12), [3, 4], { dtype: 'float64' }))
    checkGrads((z: NDArray) => softmaxCrossentropy(z, labels), [normal(key(13), [3, 4], { dtype: 'float64' })], {
      order: 2,
      rtol: 1e-5,
      atol: 1e-7,
    })
  })
  it('(softmax(z) − y)/n, equal to the derivative of the plain composition', async () => {
    const { grad } = await import('@nabla/autodiff')
    const [k1, k2] = split(key(9), 2)
    const z = normal(k1!, [4, 5], { dtype: 'float64' })
    const labels = softmax(normal(k2!, [4, 5], { dtype: 'float64' }))
    const custom = grad((a: NDArray) => softmaxCrossentropy(a, labels))(z)
    const plain = grad((a: NDArray) => categoricalCrossentropy(labels, softmax(a)))(z)
    expect(custom).toBeAllClose(plain, { rtol: 1e-6, atol: 1e-9 })
  })
})
