// The Keras face's model value: Sequential + layer functions, summary, compile, weights.
import { dot } from '@nabla/linalg'
import { add, array, key, maximum, normal, ones, toArray, zeros } from '@nabla/ndarray'
import { rmsprop } from '@nabla/optim'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import {
  type CompiledModel,
  compile,
  type DenseParams,
  getWeights,
  kerasModelSequential,
  layerDense,
  layerDropout,
  layerFlatten,
  predict,
  setWeights,
  summary,
} from '../src/index.js'
import { values } from './kerasFixtures.js'

const bookNetwork = () =>
  pipe(
    kerasModelSequential(),
    layerDense({ units: 512, activation: 'relu', inputShape: [28 * 28] }),
    layerDense({ units: 10, activation: 'softmax' }),
  )

const bookSummary = `Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 dense (Dense)               (None, 512)               401920

 dense_1 (Dense)             (None, 10)                5130

=================================================================
Total params: 407,050
Trainable params: 407,050
Non-trainable params: 0
_________________________________________________________________`

describe('kerasModelSequential and layer functions', () => {
  it("the issue's snippet composes with fp-ts pipe and compiles", () => {
    const network = bookNetwork()
    const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] })
    expect(model.layers.map((l) => l.name)).toEqual(['dense', 'dense_1'])
    expect(model.inputShape).toEqual([784])
    expect(model.outputShape).toEqual([10])
    const [first, second] = getWeights(model) as [DenseParams, DenseParams]
    expect(first.kernel.shape).toEqual([784, 512])
    expect(first.bias?.shape).toEqual([512])
    expect(second.kernel.shape).toEqual([512, 10])
    // compile data-last in a pipe too
    const piped = pipe(network, compile({ optimizer: 'rmsprop', loss: 'categorical_crossentropy' }))
    expect(values(piped.params)).toEqual(values(model.params))
  })
  it('models are immutable values: adding a layer makes a new model', () => {
    const empty = kerasModelSequential()
    const one = pipe(empty, layerDense({ units: 4, inputShape: [3] }))
    const two = layerDense(one, { units: 2 }) // data-first, as R's layer_dense(model, ...)
    expect(empty.layers).toHaveLength(0)
    expect(one.layers).toHaveLength(1)
    expect(two.layers.map((l) => l.name)).toEqual(['dense', 'dense_1'])
    expect(Object.isFrozen(two)).toBe(true)
  })
  it('names layers per class as Keras does, and keeps given names', () => {
    const model = pipe(
      kerasModelSequential({ name: 'mnist' }),
      layerFlatten({ inputShape: [4, 4] }),
      layerDense({ units: 8, activation: 'relu' }),
      layerDropout({ rate: 0.5 }),
      layerDense({ units: 8, activation: 'relu', name: 'hidden' }),
      layerDropout({ rate: 0.5 }),
      layerDense({ units: 3, activation: 'softmax' }),
    )
    expect(model.layers.map((l) => l.name)).toEqual(['flatten', 'dense', 'dropout', 'hidden', 'dropout_1', 'dense_1'])
    expect(() => layerDense(model, { units: 2, name: 'hidden' })).toThrow(/already has a layer named "hidden"/)
  })
  it('a dense layer computes relu(dot(x, W) + b) with the compiled weights', () => {
    const model = compile(pipe(kerasModelSequential(), layerDense({ units: 3, activation: 'relu', inputShape: [4] })), {
      optimizer: 'sgd',
      loss: 'mse',
    })
    const [{ kernel, bias = zeros([0]) }] = getWeights(model) as [DenseParams]
    const x = normal(key(1), [5, 4])
    expect(predict(model, x)).toBeAllClose(maximum(add(dot(x, kernel), bias), 0))
    expect(toArray(bias)).toEqual([0, 0, 0])
  })
  it('useBias: false leaves the bias out', () => {
    const model = compile(pipe(kerasModelSequential(), layerDense({ units: 3, inputShape: [4], useBias: false })), {
      optimizer: 'sgd',
      loss: 'mse',
    })
    const [params] = getWeights(model) as [{ kernel: never }]
    expect(Object.keys(params)).toEqual(['kernel'])
    expect(summary(model)).toMatch(/Total params: 12\n/)
  })
  it('the same compile seed gives the same weights; another seed others', () => {
    const opts = { optimizer: 'rmsprop', loss: 'categorical_crossentropy' } as const
    const a = compile(bookNetwork(), { ...opts, seed: 3 })
    const b = compile(bookNetwork(), { ...opts, seed: 3 })
    const c = compile(bookNetwork(), { ...opts, seed: 4 })
    expect(values(a.params)).toEqual(values(b.params))
    expect(values(a.params)[1]).not.toEqual(values(c.params)[1])
  })
})

describe('summary', () => {
  it("prints the book network's Keras table: 401,920 + 5,130 = 407,050 parameters", () => {
    expect(summary(bookNetwork())).toBe(bookSummary)
    const compiled = compile(bookNetwork(), { optimizer: 'rmsprop', loss: 'categorical_crossentropy' })
    expect(summary(compiled)).toBe(bookSummary)
  })
  it('shows shapes through flatten and dropout, and the model name', () => {
    const text = summary(
      pipe(
        kerasModelSequential({ name: 'convless' }),
        layerFlatten({ inputShape: [28, 28] }),
        layerDense({ units: 16, activation: 'relu' }),
        layerDropout({ rate: 0.25 }),
      ),
    )
    expect(text).toContain('Model: "convless"')
    expect(text).toContain(' flatten (Flatten)           (None, 784)               0\n')
    expect(text).toContain(' dense (Dense)               (None, 16)                12560\n')
    expect(text).toContain(' dropout (Dropout)           (None, 16)                0\n')
    expect(text).toContain('Total params: 12,560\n')
  })
  it('needs the first layer to have an inputShape', () => {
    const model = pipe(kerasModelSequential(), layerDense({ units: 10 }))
    expect(() => summary(model)).toThrow(/summary: the first layer \(dense\) needs an inputShape/)
    expect(() => summary(kerasModelSequential())).toThrow(/summary: the model has no layers/)
  })
})

describe('compile', () => {
  const net = () => pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [3] }))
  it('accepts an optimizer object (any gradient transformation)', () => {
    const model = compile(net(), { optimizer: rmsprop({ learningRate: 0.01 }), loss: 'categorical_crossentropy' })
    expect(model.compiled).toBe(true)
  })
  it('unknown names are clear errors listing the known ones', () => {
    expect(() => compile(net(), { optimizer: 'adamw' as never, loss: 'mse' })).toThrow(
      /compile: optimizer: unknown optimizer "adamw"; expected one of sgd, rmsprop, adagrad, adam/,
    )
    expect(() => compile(net(), { optimizer: 'sgd', loss: 'hinge' as never })).toThrow(
      /compile: unknown loss "hinge"; expected one of categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, mse, mean_squared_error/,
    )
    expect(() => compile(net(), { optimizer: 'sgd', loss: 'mse', metrics: ['auc' as never] })).toThrow(
      /compile: unknown metric "auc"; expected one of accuracy, acc, categorical_accuracy/,
    )
  })
  it('unknown activations, bad units, rates and shapes fail when the layer is made', () => {
    expect(() => layerDense({ units: 2, activation: 'gelu' as never })).toThrow(
      /layerDense: activation: unknown activation "gelu"; expected one of relu, sigmoid, tanh, softmax, linear/,
    )
    expect(() => layerDense({ units: 0 })).toThrow(/layerDense: units must be a positive integer, got 0/)
    expect(() => layerDense({ units: 2, inputShape: [0] })).toThrow(/layerDense: inputShape must be a non-empty list/)
    expect(() => layerDense({ units: 2, kernelInitializer: 'ones' as never })).toThrow(
      /layerDense: initializer: unknown initializer "ones"/,
    )
    expect(() => layerDropout({ rate: 1 })).toThrow(/layerDropout: rate must be a number in \[0, 1\), got 1/)
  })
  it('a model without inputShape, or not a model, cannot compile', () => {
    expect(() =>
      compile(pipe(kerasModelSequential(), layerDense({ units: 2 })), { optimizer: 'sgd', loss: 'mse' }),
    ).toThrow(/compile: the first layer \(dense\) needs an inputShape/)
    expect(() => compile({} as never, { optimizer: 'sgd', loss: 'mse' })).toThrow(/compile: expected a model/)
  })
})

describe('recompiling', () => {
  it('keeps the weights (as Keras does) with a new optimizer state', () => {
    const net = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [3] }))
    const first = compile(net, { optimizer: 'adam', loss: 'categorical_crossentropy', seed: 1 })
    const moved = setWeights(first, [{ kernel: ones([3, 2]), bias: zeros([2]) }])
    const again = compile(moved, { optimizer: 'sgd', loss: 'categorical_crossentropy', seed: 2 })
    expect(values(again.params)).toEqual(values(moved.params))
    expect(again.optState).not.toEqual(moved.optState)
  })
})

describe('getWeights and setWeights', () => {
  const model = (): CompiledModel =>
    compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), { optimizer: 'sgd', loss: 'mse' })
  it('setWeights makes a new model with the given parameters; the old one is unchanged', () => {
    const m = model()
    const before = values(m.params)
    const next = setWeights(m, [{ kernel: ones([3, 2]), bias: zeros([2]) }])
    expect(toArray(predict(next, array([[1, 2, 3]])))).toEqual([[6, 6]])
    expect(values(m.params)).toEqual(before)
    // compile can start from given weights too
    const same = compile(pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [3] })), {
      optimizer: 'sgd',
      loss: 'mse',
      weights: getWeights(next),
    })
    expect(values(same.params)).toEqual(values(next.params))
  })
  it('wrong shapes or structure are clear errors', () => {
    const m = model()
    expect(() => setWeights(m, [{ kernel: ones([4, 2]), bias: zeros([2]) }])).toThrow(
      /setWeights: layer dense expects parameters of shapes \[2\] \[3, 2\], got \[2\] \[4, 2\]/,
    )
    expect(() => setWeights(m, [])).toThrow(/setWeights: expected a list of 1 per-layer parameters/)
    expect(() => setWeights(m, [{ w: ones([3, 2]), b: zeros([2]) }])).toThrow(/setWeights: layer dense expects/)
    expect(() => getWeights({} as never)).toThrow(/getWeights: expected a compiled model/)
  })
})
