// fit: learning, determinism, immutability, history, callbacks, progress output, and every bad input.

import { valueAndGrad } from '@nabla/autodiff'
import {
  argmax,
  array,
  key,
  mul,
  type NDArray,
  normal,
  type Tree,
  toArray,
  toTypedArray,
  treeLeaves,
} from '@nabla/ndarray'
import { applyUpdates, chain, scaleByLearningRate, scaleByRms, sgd } from '@nabla/optim'
import { pipe } from 'fp-ts/function'
import { describe, expect, it } from 'vitest'
import {
  evaluate,
  fit,
  kerasModelSequential,
  type Logs,
  layerDense,
  layerDropout,
  TrainingError,
} from '../src/index.js'
import { collector, sequential, values, xorClusters, xorModel } from './kerasFixtures.js'

const silent = { verbose: 0 } as const

describe('fit learns', () => {
  it('XOR-like clusters to ≥ 0.95 accuracy, and the history records every epoch', async () => {
    const { x, y, labels } = xorClusters(300)
    const model = xorModel()
    const { model: trained, history } = await fit(model, x, y, { epochs: 25, batchSize: 32, ...silent })
    expect(history.params).toEqual({ epochs: 25, steps: 10, batchSize: 32, samples: 300 })
    expect(Object.keys(history.metrics)).toEqual(['loss', 'accuracy'])
    expect(history.metrics.loss).toHaveLength(25)
    expect(history.metrics.accuracy).toHaveLength(25)
    const losses = history.metrics.loss as number[]
    expect(losses[24]).toBeLessThan((losses[0] as number) / 3)
    // oracle: the predicted classes against the labels, counted by hand
    const predicted = toArray(argmax(trained.predictNetwork.apply(trained.params, x), { axis: -1 })) as number[]
    const correct = predicted.filter((p, i) => p === labels[i]).length / labels.length
    expect(correct).toBeGreaterThanOrEqual(0.95)
    expect(evaluate(trained, x, y).accuracy).toBeCloseTo(correct, 6)
  })
  it('sparse labels with sparse_categorical_crossentropy, and a sigmoid unit with binary_crossentropy', async () => {
    const { x, labels } = xorClusters(200, 5)
    const sparse = sequential(
      { optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] },
      layerDense({ units: 32, activation: 'relu', inputShape: [2] }),
      layerDense({ units: 2, activation: 'softmax' }),
    )
    const yInt = array(labels, { dtype: 'int32' })
    const a = await fit(sparse, x, yInt, { epochs: 20, batchSize: 16, ...silent })
    expect(evaluate(a.model, x, yInt).accuracy).toBeGreaterThanOrEqual(0.95)
    const binary = sequential(
      { optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['acc'] },
      layerDense({ units: 32, activation: 'relu', inputShape: [2] }),
      layerDense({ units: 1, activation: 'sigmoid' }),
    )
    const b = await fit(binary, x, array(labels), { epochs: 20, batchSize: 16, ...silent })
    expect(Object.keys(b.history.metrics)).toEqual(['loss', 'acc'])
    expect(evaluate(b.model, x, array(labels)).acc).toBeGreaterThanOrEqual(0.95)
  })
})

describe('fit is deterministic and pure', () => {
  it('the same seed gives identical weights; another seed different ones; the input model is untouched', async () => {
    const { x, y } = xorClusters(100)
    const model = xorModel()
    const before = values(model.params)
    const run = (seed: number) => fit(model, x, y, { epochs: 2, batchSize: 16, seed, ...silent })
    const [a, b, c] = [await run(7), await run(7), await run(8)]
    expect(values(a.model.params)).toEqual(values(b.model.params))
    expect(a.model.optState).toEqual(b.model.optState)
    expect(values(c.model.params)[1]).not.toEqual(values(a.model.params)[1])
    expect(values(model.params)).toEqual(before)
    expect(values(a.model.params)[1]).not.toEqual(before[1])
  })
  it('fitting 2 epochs then 1 more equals fitting 3 (shuffles follow the epoch count)', async () => {
    const { x, y } = xorClusters(64)
    const model = xorModel()
    const opts = { batchSize: 16, ...silent }
    const first = await fit(model, x, y, { ...opts, epochs: 2 })
    const more = await fit(first.model, x, y, { ...opts, epochs: 1 })
    const once = await fit(model, x, y, { ...opts, epochs: 3 })
    expect(more.model.epochsTrained).toBe(3)
    expect(values(more.model.params)).toEqual(values(once.model.params))
  })
  it('shuffle: false trains in stored order: the seed no longer matters; fit also works in a pipe', async () => {
    const { x, y } = xorClusters(48)
    const model = xorModel()
    const opts = { epochs: 2, batchSize: 16, shuffle: false, ...silent }
    const a = await fit(model, x, y, { ...opts, seed: 1 })
    const b = await pipe(model, fit(x, y, { ...opts, seed: 2 }))
    expect(values(a.model.params)).toEqual(values(b.model.params))
    const shuffled = await fit(model, x, y, { ...opts, shuffle: true })
    expect(values(shuffled.model.params)[1]).not.toEqual(values(a.model.params)[1])
  })
  it("reuses each step's storage, yet trains bit for bit as a plain grad-and-optimizer loop, leaving x and y alone", async () => {
    // 256 features, 64 hidden units, batches of 128: the compiled step writes new weights into dead states' storage
    // and takes its batches from fit's two reused heap buffers
    const samples = 384
    const x = mul(normal(key(3), [samples, 256]), 0.5)
    const labels = Array.from({ length: samples }, (_, i) => (i * 7) % 3)
    const y = array(labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))))
    // rmsprop by name and a chain of plain transformations (its own state structure)
    for (const optimizer of ['rmsprop', chain(scaleByRms(), scaleByLearningRate(1e-3))] as const) {
      const model = sequential(
        { optimizer, loss: 'categorical_crossentropy', metrics: ['accuracy'] },
        layerDense({ units: 64, activation: 'relu', inputShape: [256] }),
        layerDense({ units: 3, activation: 'softmax' }),
      )
      const [xBefore, yBefore] = [toTypedArray(x).slice(), toTypedArray(y).slice()]
      const { model: trained } = await fit(model, x, y, { epochs: 3, batchSize: 128, shuffle: false, ...silent })
      // the oracle: the same steps by hand — grad, then the optimizer as trainStep applies it — op by op
      const lossAndGrad = valueAndGrad((p: typeof model.params, xb: NDArray, yb: NDArray) =>
        model.loss.fn(yb, model.trainNetwork.apply(p, xb, { training: true })),
      )
      const opt = model.optimizer
      let state = { params: model.params as Tree, optState: model.optState as unknown }
      for (let epoch = 0; epoch < 3; epoch++) {
        for (let start = 0; start < samples; start += 128) {
          const rows = (a: typeof x) => array((toArray(a) as number[][]).slice(start, start + 128))
          const [, grads] = lossAndGrad(state.params as typeof model.params, rows(x), rows(y))
          const [updates, optState] = opt.update(grads, state.optState, state.params)
          state = { params: applyUpdates(state.params, updates), optState }
        }
      }
      expect(values(trained.params)).toEqual(values(state.params as typeof model.params))
      expect(toTypedArray(x)).toEqual(xBefore)
      expect(toTypedArray(y)).toEqual(yBefore)
    }
  })
  it("starts the matrix products' worker threads before the first epoch begins", async () => {
    const { threadSupport } = await import('@nabla/linalg')
    // the pool's own module (the same instance the package uses: its source under the test conditions)
    const { poolSize, shutdownPool } = await import('../../linalg/src/kernels/threads/gemmParallel.js')
    shutdownPool()
    const { x, y } = xorClusters(32)
    const seen: number[] = []
    await fit(xorModel(), x, y, { epochs: 1, ...silent, callbacks: { onEpochBegin: () => void seen.push(poolSize()) } })
    const support = threadSupport()
    expect(seen).toEqual([support.available ? support.cores - 1 : 0])
  })
  it('with dropout, training is still deterministic and evaluate is not stochastic', async () => {
    const { x, y } = xorClusters(64)
    const model = sequential(
      { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] },
      layerDense({ units: 16, activation: 'relu', inputShape: [2] }),
      layerDropout({ rate: 0.5 }),
      layerDense({ units: 2, activation: 'softmax' }),
    )
    const [a, b] = [await fit(model, x, y, { epochs: 2, ...silent }), await fit(model, x, y, { epochs: 2, ...silent })]
    expect(values(a.model.params)).toEqual(values(b.model.params))
    expect(evaluate(a.model, x, y)).toEqual(evaluate(a.model, x, y))
  })
  it('running averages are weighted by batch size: with a zero learning rate the epoch loss is the full-data loss', async () => {
    const { x, y } = xorClusters(50) // batches of 16, 16, 16, 2
    const model = sequential(
      { optimizer: sgd({ learningRate: 0 }), loss: 'categorical_crossentropy', metrics: ['accuracy'] },
      layerDense({ units: 8, activation: 'tanh', inputShape: [2] }),
      layerDense({ units: 2, activation: 'softmax' }),
    )
    const { history } = await fit(model, x, y, { epochs: 1, batchSize: 16, ...silent })
    const full = evaluate(model, x, y, { batchSize: 50 })
    expect(history.params.steps).toBe(4)
    expect(history.metrics.loss?.[0]).toBeCloseTo(full.loss, 5)
    expect(history.metrics.accuracy?.[0]).toBeCloseTo(full.accuracy as number, 6)
  })
})

describe('fit validation, callbacks and progress', () => {
  it('validationSplit holds out the last samples and reports val_ metrics', async () => {
    const { x, y } = xorClusters(100)
    const { model, history } = await fit(xorModel(), x, y, { epochs: 2, validationSplit: 0.2, ...silent })
    expect(history.params).toEqual({ epochs: 2, steps: 3, batchSize: 32, samples: 80, validationSamples: 20 })
    expect(Object.keys(history.metrics)).toEqual(['loss', 'accuracy', 'val_loss', 'val_accuracy'])
    const held = evaluate(model, toHeld(x), toHeld(y))
    expect(history.metrics.val_loss?.[1]).toBeCloseTo(held.loss, 5)
    const withData = await fit(xorModel(), x, y, { epochs: 1, validationData: [x, y], ...silent })
    expect(withData.history.params.validationSamples).toBe(100)
    expect(withData.history.metrics.val_loss?.[0]).toBeCloseTo(evaluate(withData.model, x, y).loss, 5)
    const asRecord = await fit(xorModel(), x, y, { epochs: 1, validationData: { x, y }, ...silent })
    expect(asRecord.history.metrics.val_loss).toEqual(withData.history.metrics.val_loss)
  })
  it('callbacks see every epoch and batch (0-based) with the logs the history keeps', async () => {
    const { x, y } = xorClusters(10)
    const calls: string[] = []
    const epochLogs: Logs[] = []
    const { history } = await fit(xorModel(), x, y, {
      epochs: 2,
      batchSize: 4,
      ...silent,
      callbacks: {
        onEpochBegin: (e) => {
          calls.push(`begin ${e}`)
        },
        onBatchEnd: (b, logs) => {
          calls.push(`batch ${b}`)
          expect(Object.keys(logs)).toEqual(['loss', 'accuracy'])
        },
        onEpochEnd: async (e, logs, model) => {
          calls.push(`end ${e}`)
          epochLogs.push(logs)
          expect(model.epochsTrained).toBe(e + 1)
        },
      },
    })
    expect(calls).toEqual([
      'begin 0',
      'batch 0',
      'batch 1',
      'batch 2',
      'end 0',
      'begin 1',
      'batch 0',
      'batch 1',
      'batch 2',
      'end 1',
    ])
    expect(epochLogs.map((l) => l.loss)).toEqual(history.metrics.loss)
  })
  it('a compiled fit reuses its own dead states’ storage, never that of a model a callback received', async () => {
    const { x, y } = xorClusters(64)
    const kept: { params: unknown; values: unknown }[] = []
    const { model } = await fit(xorModel(), x, y, {
      epochs: 4,
      batchSize: 8,
      ...silent,
      callbacks: {
        onEpochEnd: (_e, _logs, m) => {
          kept.push({ params: m.params, values: values(m.params) })
        },
      },
    })
    // 8 steps an epoch: every state but the last two of an epoch was written into an older one's buffers, and
    // the models the callback kept still hold the values they had
    for (const k of kept) expect(values(k.params as never)).toEqual(k.values)
    expect(values(model.params)).toEqual(kept.at(-1)?.values)
    const eager = await fit(xorModel(), x, y, { epochs: 4, batchSize: 8, jit: false, ...silent })
    expect(values(eager.model.params)).toEqual(values(model.params))
  })
  it('to a non-terminal: "Epoch i/n" then one final line per epoch', async () => {
    const { x, y } = xorClusters(40)
    const out = collector(false)
    await fit(xorModel(), x, y, { epochs: 2, batchSize: 16, output: out })
    const line = /3\/3 \[={30}\] - \d+s \d+(s|ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n/.source
    expect(out.text()).toMatch(new RegExp(`^Epoch 1/2\\n${line}Epoch 2/2\\n${line}$`))
    expect(out.text()).not.toContain('\r')
  })
  it('on a terminal the bar is redrawn with \\r and each epoch ends with its final line', async () => {
    const { x, y } = xorClusters(40)
    const out = collector(true)
    await fit(xorModel(), x, y, { epochs: 1, batchSize: 16, output: out })
    expect(out.chunks[0]).toBe('Epoch 1/1\n')
    expect(out.chunks.at(-1)).toMatch(/^\r3\/3 \[={30}\] - \d+s .* - loss: \d\.\d{4} - accuracy: \d\.\d{4} *\n$/)
  })
  it('verbose 2 prints one line per epoch without a bar; verbose 0 nothing', async () => {
    const { x, y } = xorClusters(40)
    const two = collector(true)
    await fit(xorModel(), x, y, { epochs: 1, batchSize: 16, verbose: 2, output: two })
    expect(two.text()).toMatch(
      /^Epoch 1\/1\n3\/3 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4} - \d+(s|ms)\/epoch - \d+(s|ms|us)\/step\n$/,
    )
    const none = collector(true)
    await fit(xorModel(), x, y, { epochs: 1, batchSize: 16, verbose: 0, output: none })
    expect(none.chunks).toEqual([])
  })
  it('does not block the event loop for a whole fit: a timer set before it fires during it', async () => {
    const { x, y } = xorClusters(64)
    let fired = false
    setTimeout(() => {
      fired = true
    }, 0)
    const seen: boolean[] = []
    await fit(xorModel(), x, y, {
      epochs: 40,
      batchSize: 8,
      ...silent,
      callbacks: { onEpochEnd: () => void seen.push(fired) },
    })
    // callbacks are awaited, but awaiting them only runs microtasks: a timer needs fit's own yields
    expect(seen.at(-1)).toBe(true)
  })
})

const toHeld = (a: Parameters<typeof toArray>[0]) => array((toArray(a) as number[][]).slice(80))

describe('fit rejects bad input before training', () => {
  const { x, y } = xorClusters(10)
  const model = xorModel()
  it('labels count, label width and input shape', async () => {
    await expect(fit(model, x, array(toTypedArray(y).slice(0, 18), { shape: [9, 2] }), silent)).rejects.toThrow(
      /fit: y must have one label per sample: x has 10 samples \(shape \[10, 2\]\), y has 9 \(shape \[9, 2\]\)/,
    )
    await expect(fit(model, x, normal(key(0), [10, 3]), silent)).rejects.toThrow(
      /fit: loss categorical_crossentropy needs one-hot labels of shape \[10, 2\] \(the last layer has 2 units\), got y of shape \[10, 3\]/,
    )
    await expect(fit(model, x, array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]), silent)).rejects.toThrow(
      /these look like integer class labels: one-hot encode them \(toCategorical\) or use loss 'sparse_categorical_crossentropy'/,
    )
    await expect(fit(model, normal(key(0), [10, 3]), y, silent)).rejects.toThrow(
      /fit: the model expects inputs of shape \[samples, 2\] \(the first layer's inputShape \[2\]\), got x of shape \[10, 3\]/,
    )
  })
  it('batchSize, epochs, verbose, validation options, and an uncompiled model', async () => {
    await expect(fit(model, x, y, { batchSize: 0 })).rejects.toThrow(/fit: batchSize must be a positive integer, got 0/)
    await expect(fit(model, x, y, { batchSize: -3 })).rejects.toThrow(/batchSize must be a positive integer, got -3/)
    await expect(fit(model, x, y, { batchSize: 2.5 })).rejects.toThrow(/batchSize must be a positive integer, got 2.5/)
    await expect(fit(model, x, y, { epochs: 0 })).rejects.toThrow(/fit: epochs must be a positive integer, got 0/)
    await expect(fit(model, x, y, { verbose: 3 as never })).rejects.toThrow(/fit: verbose must be 0, 1 or 2, got 3/)
    await expect(fit(model, x, y, { validationSplit: 1 })).rejects.toThrow(
      /validationSplit must be a number in \[0, 1\)/,
    )
    await expect(fit(model, x, y, { validationSplit: 0.95 })).rejects.toThrow(
      /fit: validationSplit 0.95 of 10 samples leaves no training samples/,
    )
    await expect(fit(model, x, y, { validationData: [x] as never })).rejects.toThrow(/validationData must be \[x, y\]/)
    const uncompiled = pipe(kerasModelSequential(), layerDense({ units: 2, inputShape: [2] }))
    await expect(fit(uncompiled as never, x, y)).rejects.toThrow(/fit: expected a compiled model; call compile/)
  })
  it('integer labels out of range for sparse crossentropy', async () => {
    const sparse = sequential(
      { optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' },
      layerDense({ units: 2, activation: 'softmax', inputShape: [2] }),
    )
    await expect(fit(sparse, x, array([0, 1, 2, 0, 0, 0, 0, 0, 0, 0]), silent)).rejects.toThrow(
      /needs integer labels in 0…1 \(the last layer has 2 units\), got 2 for sample 2/,
    )
  })
  it('a NaN loss stops training with a TrainingError naming epoch and step, holding the last good model', async () => {
    const big = mul(normal(key(3), [64, 2]), 1e4)
    const target = normal(key(4), [64, 1])
    const model = sequential(
      { optimizer: sgd({ learningRate: 1e3 }), loss: 'mse' },
      layerDense({ units: 1, inputShape: [2] }),
    )
    const initial = values(model.params)
    const error = await fit(model, big, target, { epochs: 3, batchSize: 8, ...silent }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(TrainingError)
    const e = error as TrainingError
    expect(e.message).toMatch(/^fit: the loss became (NaN|Infinity) at epoch 1\/3, step \d\/8; training stopped\./)
    expect(e.message).toContain(`step ${e.step}/8`)
    expect(e.epoch).toBe(1)
    for (const leaf of treeLeaves(e.model.params)) expect(toTypedArray(leaf).every(Number.isFinite)).toBe(true)
    expect(e.history.metrics.loss).toEqual([])
    // the step that failed came after good ones: the model kept is the one just before it
    expect(e.step).toBeGreaterThan(1)
    expect(e.model.epochsTrained).toBe(0)
    expect(values(e.model.params)).not.toEqual(values(model.params))
    expect(values(model.params)).toEqual(initial)
  })
  it('jit: true (the default) and jit: false train to the same weights, bit for bit; a bad jit option is an error', async () => {
    const x = normal(key(7), [50, 3])
    const y = normal(key(8), [50, 2])
    const make = () =>
      sequential({ optimizer: 'rmsprop', loss: 'mse', metrics: [] }, layerDense({ units: 2, inputShape: [3] }))
    const a = await fit(make(), x, y, { epochs: 2, batchSize: 16, ...silent })
    const b = await fit(make(), x, y, { epochs: 2, batchSize: 16, jit: false, ...silent })
    expect(values(a.model.params)).toEqual(values(b.model.params))
    expect(a.history.metrics).toEqual(b.history.metrics)
    await expect(fit(make(), x, y, { jit: 'yes' as never, ...silent })).rejects.toThrow(
      /fit: jit must be true or false, got yes/,
    )
  })
})
