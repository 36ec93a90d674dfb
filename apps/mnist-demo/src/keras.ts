/** The chapter's listings 2.1–2.5 and its review, with nabla's Keras face, printed as the book prints them. */
import { toCategorical } from '@nabla/datasets'
import { kernelInfo } from '@nabla/linalg'
import { type NDArray, reshape, slice, toArray } from '@nabla/ndarray'
import {
  type CompiledModel,
  compile,
  evaluate,
  fit,
  formatEvaluate,
  type History,
  kerasModelSequential,
  layerConv2d,
  layerDense,
  layerFlatten,
  layerMaxPooling2d,
  predictClasses,
  summary,
} from '@nabla/nn'
import { loadModel, saveModel } from '@nabla/nn/node'
import { writePlot } from '@nabla/plot/node'
import { pipe } from 'fp-ts/lib/function.js'
import { type Inputs, scaleImages } from './data.js'
import type { DemoOptions } from './options.js'
import type { Output } from './output.js'

/** What a run of the chapter produced (for the caller and tests). */
export interface ChapterResult {
  readonly loss: number
  readonly accuracy: number
  readonly predicted: readonly number[]
  readonly secondsPerEpoch: readonly number[]
  /** What fit recorded per epoch (none when the model was loaded instead of trained). */
  readonly history?: History | undefined
}

/**
 * Builds, compiles, fits and evaluates the book's network, printing each step.
 * @example
 * await runKeras(loadData(...), parseOptions([]), consoleOutput)
 */
export const runKeras = async (data: Inputs, options: DemoOptions, out: Output): Promise<ChapterResult> => {
  const {
    model: trained,
    epochTimes,
    history,
  } = options.load === undefined ? await train(data, options, out) : await load(options.load, out)
  const testImages = inputsFor(trained, data.testImages)
  const testLabels = toCategorical(data.testLabels, 10)
  if (options.plot !== undefined && history !== undefined) {
    out.command('plot(history)')
    await writePlot(history, options.plot)
    out.detail(`(the training history, loss and accuracy per epoch: written to ${options.plot})`)
  }
  if (options.save !== undefined) {
    out.command(`network %>% save_model_hdf5(${JSON.stringify(options.save)})`)
    await saveModel(trained, options.save)
    out.detail(`(the model, its optimizer state and configuration: written to ${options.save})`)
  }

  out.command('metrics <- network %>% evaluate(test_images, test_labels)')
  const metrics = evaluate(trained, testImages, testLabels, {
    batchSize: 1000,
    jit: options.jit,
    preprocess: scaleImages,
  })
  out.command('metrics')
  out.result(formatEvaluate(metrics))

  out.command('network %>% predict_classes(test_images[1:10,])')
  const predicted = toArray(
    predictClasses(trained, slice(testImages, [0, 10]), { jit: options.jit, preprocess: scaleImages }),
  ) as number[]
  out.result(`[1] ${predicted.join(' ')}`)

  const info = kernelInfo()
  const times =
    options.load === undefined
      ? `time per epoch: ${epochTimes.map((t) => `${t.toFixed(2)} s`).join(', ')}; total ${epochTimes.reduce((a, b) => a + b, 0).toFixed(2)} s`
      : `no training: the model was loaded from ${options.load} (trained for ${trained.epochsTrained} epoch(s))`
  out.result(
    `${times}\nmatrix products: ${info.tier} kernel on ${info.threads} thread(s)${info.tier === 'wasm' ? (info.relaxedSimd ? ' (WebAssembly relaxed SIMD)' : ' (WebAssembly SIMD)') : ''}`,
  )
  return {
    loss: metrics.loss,
    accuracy: metrics.accuracy ?? Number.NaN,
    predicted,
    secondsPerEpoch: epochTimes,
    history,
  }
}

/** The images as a network takes them: flat [n, 784] for the dense network, [n, 28, 28, 1] for the convnet. */
const inputsFor = (model: CompiledModel, images: NDArray): NDArray =>
  reshape(images, [images.shape[0] as number, ...model.inputShape])

/**
 * The demo's two networks: chapter 2's Dense 512 relu → Dense 10 softmax on flat images, or chapter 5's convnet on
 * [28, 28, 1] images (93,322 parameters).
 * @example
 * chapterNetwork('dense') // the network of listing 2.2
 */
export const chapterNetwork = (model: DemoOptions['model']) =>
  model === 'convnet'
    ? pipe(
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
    : pipe(
        kerasModelSequential(),
        layerDense({ units: 512, activation: 'relu', inputShape: [28 * 28] }),
        layerDense({ units: 10, activation: 'softmax' }),
      )

/** --load: the book's load_model_hdf5 instead of listings 2.2–2.5 and fit. */
const load = async (
  file: string,
  out: Output,
): Promise<{ model: CompiledModel; epochTimes: number[]; history: undefined }> => {
  out.listing('Loading the saved network (instead of listings 2.2-2.5 and training)')
  out.command(`network <- load_model_hdf5(${JSON.stringify(file)})`)
  const model = await loadModel(file)
  out.detail(summary(model))
  return { model, epochTimes: [], history: undefined }
}

/** Listings 2.2–2.5 and the training. */
const train = async (
  data: Inputs,
  options: DemoOptions,
  out: Output,
): Promise<{ model: CompiledModel; epochTimes: number[]; history: History }> => {
  const convnet = options.model === 'convnet'
  out.listing(convnet ? 'Listing 5.1 Instantiating a small convnet' : 'Listing 2.2 The network architecture')
  const network = chapterNetwork(options.model)
  out.listing('Listing 2.3 The compilation step')
  const model = compile(network, {
    optimizer: options.optimizer,
    loss: 'categorical_crossentropy',
    metrics: ['accuracy'],
    seed: options.seed,
  })
  out.detail(summary(model))

  out.listing(convnet ? 'Listing 5.3 Training the convnet on MNIST images' : 'Listing 2.4 Preparing the image data')
  const trainImages = inputsFor(model, data.trainImages)
  out.listing('Listing 2.5 Preparing the labels')
  const trainLabels = toCategorical(data.trainLabels, 10)

  out.command(
    `${options.plot === undefined ? '' : 'history <- '}network %>% fit(train_images, train_labels, epochs = ${options.epochs}, batch_size = ${options.batchSize})`,
  )
  const epochTimes: number[] = []
  let started = performance.now()
  const { model: trained, history } = await fit(model, trainImages, trainLabels, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    verbose: options.quiet ? 0 : 1,
    jit: options.jit,
    // listing 2.4's `train_images / 255`, batch by batch: the images stay bytes (47 MB, not 188 MB of floats)
    preprocess: scaleImages,
    output: out.stream,
    callbacks: {
      onEpochBegin: () => {
        started = performance.now()
      },
      onEpochEnd: () => {
        epochTimes.push((performance.now() - started) / 1000)
      },
    },
  })

  return { model: trained, epochTimes, history }
}
