// Callbacks: Keras's early-stopping rule step by step against hand-worked sequences, inside fit (stopping, the
// restored model equal to a run that ends at the best epoch), checkpoints, lists, and every bad callback.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chain, learningRateOf, scaleByLearningRate, sgd, withLearningRate } from '@nabla/optim'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type CompiledModel,
  callbackEarlyStopping,
  callbackReduceLrOnPlateau,
  type FitCallbacks,
  fit,
  type Logs,
  layerDense,
  type TrainingControl,
} from '../src/index.js'
import { callbackModelCheckpoint, loadModel } from '../src/node.js'
import { sequential, values, xorClusters, xorModel } from './kerasFixtures.js'

const xorLayers = [
  layerDense({ units: 16, activation: 'relu', inputShape: [2] }),
  layerDense({ units: 2, activation: 'softmax' }),
] as const

const silent = { verbose: 0 } as const
const data = xorClusters(128)
const tmp = mkdtempSync(join(tmpdir(), 'nabla-callbacks-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** Drives a callback over a sequence of monitored values as fit would; returns where it stopped and what it restored. */
const drive = async (c: FitCallbacks, monitor: string, seq: readonly number[], rates: number[] = [0.1]) => {
  let stopped = false
  let resolved: unknown
  const control: TrainingControl = {
    get learningRate() {
      return rates[rates.length - 1]
    },
    setLearningRate: (lr) => void rates.push(lr),
    stop: () => {
      stopped = true
    },
    resolveTo: (m) => {
      resolved = m
    },
    get stopped() {
      return stopped
    },
  }
  await c.onTrainBegin?.(control)
  let epoch = 0
  for (; epoch < seq.length && !stopped; epoch++) {
    await c.onEpochEnd?.(epoch, { [monitor]: seq[epoch] as number }, { epoch } as unknown as CompiledModel, control)
  }
  await c.onTrainEnd?.({}, control)
  return { ran: epoch, restored: (resolved as { epoch: number } | undefined)?.epoch }
}

describe('callbackEarlyStopping follows Keras’s rule', () => {
  it('stops once patience epochs pass without beating the best; restores the best epoch when asked', async () => {
    const seq = [1.0, 0.9, 0.95, 0.96, 0.97, 0.5]
    expect(await drive(callbackEarlyStopping({ patience: 2 }), 'val_loss', seq)).toEqual({
      ran: 4,
      restored: undefined,
    })
    expect(await drive(callbackEarlyStopping({ patience: 2, restoreBestWeights: true }), 'val_loss', seq)).toEqual({
      ran: 4,
      restored: 1,
    })
    // patience 0: the first epoch that does not improve stops training (never the first epoch itself)
    expect(await drive(callbackEarlyStopping(), 'val_loss', [1, 2, 3])).toEqual({ ran: 2, restored: undefined })
    // minDelta: 0.9 is not better than 1.0 by more than 0.2, so epoch 1 already waits (patience 1): stop
    expect(
      await drive(callbackEarlyStopping({ minDelta: 0.2, patience: 1, restoreBestWeights: true }), 'val_loss', seq),
    ).toEqual({
      ran: 2,
      restored: 0,
    })
    // accuracies are maximised ('auto'), and mode can say so explicitly
    expect(
      await drive(
        callbackEarlyStopping({ monitor: 'val_accuracy', patience: 1 }),
        'val_accuracy',
        [0.5, 0.6, 0.55, 0.5, 0.9],
      ),
    ).toEqual({ ran: 3, restored: undefined })
    expect(
      await drive(callbackEarlyStopping({ monitor: 'score', mode: 'max', patience: 0 }), 'score', [1, 2, 3, 2]),
    ).toEqual({ ran: 4, restored: undefined })
    // a baseline not beaten: improvements do not reset the wait (and, as in Keras, an improving epoch never stops)
    const base = [1, 0.9, 0.95, 0.96, 0.97]
    expect(await drive(callbackEarlyStopping({ baseline: 0.1, patience: 2 }), 'val_loss', base)).toEqual({
      ran: 3,
      restored: undefined,
    })
    expect(await drive(callbackEarlyStopping({ patience: 2 }), 'val_loss', base)).toEqual({
      ran: 4,
      restored: undefined,
    })
    // startFromEpoch: earlier epochs are not looked at
    const rising = [1, 2, 3, 4, 5]
    expect(await drive(callbackEarlyStopping({ startFromEpoch: 2 }), 'val_loss', rising)).toEqual({
      ran: 4,
      restored: undefined,
    })
    expect(await drive(callbackEarlyStopping(), 'val_loss', rising)).toEqual({ ran: 2, restored: undefined })
  })

  it('inside fit: stops early, and the restored model is the one a fit ending at the best epoch gives', async () => {
    // monitoring the training loss as if it were to be maximised: it falls, so epoch 0 stays the best
    const seen: number[] = []
    const track: FitCallbacks = { onEpochEnd: (e) => void seen.push(e) }
    const es = callbackEarlyStopping({ monitor: 'loss', mode: 'max', patience: 2, restoreBestWeights: true })
    const opts = { ...silent, epochs: 10, batchSize: 32, seed: 3 }
    const { model, history } = await fit(xorModel(1), data.x, data.y, { ...opts, callbacks: [track, es] })
    expect(seen).toEqual([0, 1, 2])
    expect(history.metrics.loss).toHaveLength(3)
    const { model: one } = await fit(xorModel(1), data.x, data.y, { ...opts, epochs: 1 })
    expect(values(model.params)).toEqual(values(one.params))
    expect(model.epochsTrained).toBe(1)
  })

  it('names a monitor that is not among the logs, and bad options', async () => {
    await expect(
      fit(xorModel(1), data.x, data.y, { ...silent, epochs: 2, callbacks: callbackEarlyStopping() }),
    ).rejects.toThrow(
      "callbackEarlyStopping: monitor 'val_loss' is not among this fit's logs (loss, accuracy); val_ logs need validationData or validationSplit",
    )
    expect(() => callbackEarlyStopping({ patience: -1 })).toThrow(
      'callbackEarlyStopping: patience must be a non-negative integer, got -1',
    )
    expect(() => callbackEarlyStopping({ mode: 'up' as never })).toThrow(
      `callbackEarlyStopping: mode must be 'auto', 'min' or 'max', got "up"`,
    )
    expect(() => callbackEarlyStopping({ restoreBestWeights: 'yes' as never })).toThrow(
      'callbackEarlyStopping: restoreBestWeights must be true or false, got yes',
    )
  })
})

describe('callbackReduceLrOnPlateau follows Keras’s rule', () => {
  it('multiplies the rate by factor after patience epochs without improvement, then cools down; never below minLr', async () => {
    const flat = [1, 1, 1, 1, 1, 1, 0.5, 0.5]
    const rates = [0.1]
    await drive(
      callbackReduceLrOnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, cooldown: 1 }),
      'loss',
      flat,
      rates,
    )
    expect(rates).toEqual([0.1, 0.05, 0.025])
    const floored = [0.1]
    await drive(
      callbackReduceLrOnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, minLr: 0.04 }),
      'loss',
      flat,
      floored,
    )
    expect(floored).toEqual([0.1, 0.05, 0.04])
  })

  it('inside fit: the next epochs train with the new rate, as a fit resumed with that rate does', async () => {
    // the training loss falls, so with mode 'max' epoch 0 stays the best: epoch 1 reduces the rate (patience 1)
    const opts = { ...silent, batchSize: 32, seed: 4 }
    const model0 = sequential({ optimizer: sgd({ learningRate: 0.1 }), loss: 'categorical_crossentropy' }, ...xorLayers)
    const plateau = callbackReduceLrOnPlateau({ monitor: 'loss', mode: 'max', factor: 0.5, patience: 1 })
    const { model } = await fit(model0, data.x, data.y, { ...opts, epochs: 3, callbacks: plateau })
    // reduced at the end of epochs 1 and 2: 0.1 → 0.05 → 0.025 (the last for no epoch)
    expect(learningRateOf(model.optimizer)).toBe(0.025)
    const { model: two } = await fit(model0, data.x, data.y, { ...opts, epochs: 2 })
    const slower = Object.freeze({ ...two, optimizer: withLearningRate(two.optimizer, 0.05) })
    const { model: three } = await fit(slower, data.x, data.y, { ...opts, epochs: 1 })
    expect(values(model.params)).toEqual(values(three.params))
  })

  it('refuses an optimizer without a constant rate, and bad options', async () => {
    const custom = sequential(
      { optimizer: chain(scaleByLearningRate(0.1)), loss: 'categorical_crossentropy' },
      ...xorLayers,
    )
    await expect(
      fit(custom, data.x, data.y, { ...silent, callbacks: callbackReduceLrOnPlateau({ monitor: 'loss' }) }),
    ).rejects.toThrow(
      'callbackReduceLrOnPlateau: needs an optimizer made by name (sgd, rmsprop, adagrad, adam) with a constant learning rate',
    )
    expect(() => callbackReduceLrOnPlateau({ factor: 1 })).toThrow(
      'callbackReduceLrOnPlateau: factor must be a number in (0, 1), got 1',
    )
  })
})

describe('fit’s callbacks option', () => {
  it('takes one record or a list, calls each hook in order, and gives onTrainEnd the last logs', async () => {
    const calls: string[] = []
    const tag = (name: string): FitCallbacks => ({
      onTrainBegin: () => void calls.push(`${name}:begin`),
      onEpochEnd: (e) => void calls.push(`${name}:epoch${e}`),
      onTrainEnd: (logs: Logs) => void calls.push(`${name}:end:${Object.keys(logs).join('+')}`),
    })
    await fit(xorModel(1), data.x, data.y, { ...silent, epochs: 2, callbacks: [tag('a'), tag('b')] })
    expect(calls).toEqual([
      'a:begin',
      'b:begin',
      'a:epoch0',
      'b:epoch0',
      'a:epoch1',
      'b:epoch1',
      'a:end:loss+accuracy',
      'b:end:loss+accuracy',
    ])
  })
  it('rejects what is not a callback, before training', async () => {
    const run = (callbacks: unknown) => fit(xorModel(1), data.x, data.y, { ...silent, callbacks: callbacks as never })
    await expect(run([{ onEpochEnd: () => {} }, 3])).rejects.toThrow(
      'fit: callback 1 must be a record of functions (onTrainBegin, onEpochBegin, onEpochEnd, onBatchEnd, onTrainEnd), got 3',
    )
    await expect(run({ on_epoch_end: () => {} })).rejects.toThrow(
      "fit: callback 0 has an unknown hook 'on_epoch_end'; the hooks are onTrainBegin, onEpochBegin, onEpochEnd, onBatchEnd, onTrainEnd",
    )
    await expect(run({ onEpochEnd: 'save' })).rejects.toThrow(
      "fit: callback 0's onEpochEnd must be a function, got string",
    )
  })
})

describe('callbackModelCheckpoint', () => {
  it('saves every epoch under a filled-in name, or only improvements; a checkpoint loads as that epoch’s model', async () => {
    const dir = mkdtempSync(join(tmp, 'every-'))
    const models: CompiledModel[] = []
    const keep: FitCallbacks = { onEpochEnd: (_e, _l, m) => void models.push(m) }
    const every = callbackModelCheckpoint({ filepath: join(dir, 'm.{epoch:02d}-{loss:.3f}.safetensors') })
    const { history } = await fit(xorModel(2), data.x, data.y, {
      ...silent,
      epochs: 3,
      batchSize: 32,
      callbacks: [keep, every],
    })
    const names = readdirSync(dir).sort()
    expect(names).toEqual((history.metrics.loss as number[]).map((l, e) => `m.0${e + 1}-${l.toFixed(3)}.safetensors`))
    const second = await loadModel(join(dir, names[1] as string))
    expect(values(second.params)).toEqual(values((models[1] as CompiledModel).params))
    expect(values(second.optState as never)).toEqual(values((models[1] as CompiledModel).optState as never))

    // saveBestOnly, monitoring a log that only rises: only the first epoch is saved
    const best = join(tmp, 'best.safetensors')
    const only = callbackModelCheckpoint({ filepath: best, monitor: 'loss', mode: 'max', saveBestOnly: true })
    const seen: CompiledModel[] = []
    await fit(xorModel(2), data.x, data.y, {
      ...silent,
      epochs: 3,
      batchSize: 32,
      callbacks: [{ onEpochEnd: (_e, _l, m) => void seen.push(m) }, only],
    })
    expect((await loadModel(best)).epochsTrained).toBe(1)
    expect(values((await loadModel(best)).params)).toEqual(values((seen[0] as CompiledModel).params))
  })
  it('names a template field that is neither epoch nor a log, and a bad filepath', async () => {
    const c = callbackModelCheckpoint({ filepath: join(tmp, 'x-{val_acc}.safetensors') })
    await expect(fit(xorModel(2), data.x, data.y, { ...silent, epochs: 1, callbacks: c })).rejects.toThrow(
      "callbackModelCheckpoint: the file name's {val_acc} is neither epoch nor one of this fit's logs (loss, accuracy)",
    )
    expect(() => callbackModelCheckpoint({ filepath: '' })).toThrow(
      "callbackModelCheckpoint: filepath must be a file name such as 'model.{epoch:02d}.safetensors'",
    )
  })
})
