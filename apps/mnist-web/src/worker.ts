/**
 * The training worker: loads MNIST from the site's gzipped IDX files, trains the chapter's network with nabla's
 * Keras face (Dense 512 relu → Dense 10 softmax, rmsprop), reports every batch and epoch, and evaluates models on
 * the test set. Runs off the page's thread, so the page never freezes; its matrix products use nabla's worker threads
 * when the page is cross-origin isolated.
 */
import { decodeIdxOrThrow, toCategorical } from '@nabla/datasets/bytes'
import { kernelInfo, setKernel, threadsReady } from '@nabla/linalg'
import { argmax, div, type NDArray, reshape, slice, toTypedArray } from '@nabla/ndarray'
import {
  type CompiledModel,
  compile,
  encodeModel,
  evaluate,
  fit,
  kerasModelSequential,
  layerDense,
  predict,
} from '@nabla/nn'
import { loadMnist } from './data.js'
import { readModel } from './modelCheck.js'
import type { FromWorker, TestResult, ToWorker, TrainSettings } from './protocol.js'

const post = (message: FromWorker, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(message, transfer)

interface Data {
  readonly trainImages: NDArray
  readonly trainLabels: NDArray
  readonly testX: NDArray
  readonly testY: NDArray
}

let data: Data | undefined
let stopRequested = false

/** Images [n, 28, 28] of 0…255 as the network's input: [n, 784] in [0, 1] (listing 2.4). */
const toInputs = (images: NDArray): NDArray => div(reshape(images, [images.shape[0] as number, 784]), 255)

const bufferOf = (bytes: Uint8Array): ArrayBuffer =>
  bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (bytes.slice().buffer as ArrayBuffer)

const init = async (base: string, threads: number | 'auto') => {
  setKernel({ threads })
  const ready = await threadsReady()
  const mode = {
    threads: ready.threads,
    workers: ready.workers,
    available: ready.available,
    missing: ready.missing,
    cores: ready.cores,
    kernel: kernelInfo().tier ?? 'auto',
  }
  post({ type: 'mode', mode })
  const started = performance.now()
  const raw = await loadMnist(base, (loaded, total) => post({ type: 'loading', loaded, total }))
  const decode = (role: keyof typeof raw) => decodeIdxOrThrow(raw[role], { name: role })
  const testImages = decode('testImages')
  const testLabels = decode('testLabels')
  data = {
    trainImages: decode('trainImages'),
    trainLabels: decode('trainLabels'),
    testX: toInputs(testImages),
    testY: toCategorical(testLabels, 10),
  }
  post({
    type: 'data',
    testImages: raw.testImages.subarray(16),
    testLabels: raw.testLabels.subarray(8),
    trainSamples: data.trainImages.shape[0] as number,
    seconds: (performance.now() - started) / 1000,
  })
}

const testResult = (model: CompiledModel, { testX, testY }: Data): TestResult => {
  const metrics = evaluate(model, testX, testY, { batchSize: 1000 })
  const classes = toTypedArray(argmax(predict(model, testX, { batchSize: 1000 }), { axis: 1 }))
  return { accuracy: metrics.accuracy ?? Number.NaN, loss: metrics.loss, predicted: Uint8Array.from(classes) }
}

class Stopped extends Error {}

const train = async (settings: TrainSettings) => {
  if (data === undefined) throw new Error('the data has not loaded yet')
  const d = data
  const samples = Math.min(settings.samples, d.trainImages.shape[0] as number)
  const x = toInputs(slice(d.trainImages, [0, samples]))
  const y = toCategorical(slice(d.trainLabels, [0, samples]), 10)
  const network = layerDense(
    layerDense(kerasModelSequential(), { units: 512, activation: 'relu', inputShape: [784] }),
    { units: 10, activation: 'softmax' },
  )
  const model = compile(network, {
    optimizer: 'rmsprop',
    loss: 'categorical_crossentropy',
    metrics: ['accuracy'],
    seed: settings.seed,
  })
  const steps = Math.ceil(samples / settings.batchSize)
  const secondsPerEpoch: number[] = []
  let started = 0
  let current = 0
  let previous: Readonly<Record<string, number>> = {}
  stopRequested = false
  const { model: trained, history } = await fit(model, x, y, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed: settings.seed,
    verbose: 0,
    output: { write: () => true },
    callbacks: {
      onEpochBegin: (epoch) => {
        current = epoch
        post({ type: 'epochBegin', epoch, epochs: settings.epochs, steps })
        started = performance.now()
      },
      onBatchEnd: (batch, logs) => {
        if (stopRequested) throw new Stopped()
        // the running means over the epoch, seen[b] samples so far, give each batch's own value
        const seen = Math.min(samples, (batch + 1) * settings.batchSize)
        const before = batch * settings.batchSize
        const values = Object.fromEntries(
          Object.entries(logs).map(([k, mean]) => [
            k,
            (mean * seen - (batch === 0 ? 0 : (previous[k] ?? 0)) * before) / (seen - before),
          ]),
        )
        previous = logs
        post({ type: 'batch', epoch: current, batch, steps, logs, values })
      },
      onEpochEnd: (epoch, logs, m) => {
        const seconds = (performance.now() - started) / 1000
        secondsPerEpoch.push(seconds)
        const bytes = bufferOf(encodeModel(m, { includeOptimizer: false }))
        post({ type: 'epochEnd', epoch, logs, seconds, model: bytes }, [bytes])
      },
    },
  }).catch((e: unknown) => {
    if (e instanceof Stopped) return { model: undefined, history: undefined }
    throw e
  })
  if (trained === undefined || history === undefined) {
    post({ type: 'stopped', epochs: secondsPerEpoch.length })
    return
  }
  const test = testResult(trained, d)
  const bytes = bufferOf(encodeModel(trained))
  post(
    {
      type: 'trained',
      history: { params: { ...history.params }, metrics: structuredClone(history.metrics) as Record<string, number[]> },
      secondsPerEpoch,
      test,
      model: bytes,
      threads: kernelInfo().threads,
    },
    [bytes, test.predicted.buffer],
  )
}

const evaluateFile = (bytes: ArrayBuffer, name: string) => {
  if (data === undefined) throw new Error('the data has not loaded yet')
  const model = readModel(new Uint8Array(bytes), name)
  const test = testResult(model, data)
  post({ type: 'evaluated', name, test, epochsTrained: model.epochsTrained }, [test.predicted.buffer])
}

self.onmessage = ({ data: message }: MessageEvent<ToWorker>) => {
  const during =
    message.type === 'train' || message.type === 'stop' ? 'train' : message.type === 'init' ? 'init' : 'evaluate'
  const run = async () => {
    switch (message.type) {
      case 'init':
        return init(message.base, message.threads)
      case 'train':
        return train(message.settings)
      case 'stop':
        stopRequested = true
        return
      case 'evaluate':
        return evaluateFile(message.bytes, message.name)
    }
  }
  run().catch((e: unknown) => post({ type: 'error', during, message: e instanceof Error ? e.message : String(e) }))
}
