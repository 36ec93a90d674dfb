// Seconds per epoch of the book's network trained through nabla's Keras face exactly as the demo trains it
// (src/keras.ts: the same model, compile and fit options, jit on by default), as one JSON line on stdout.
// Usage: epoch-times.ts [--model dense|convnet] [--epochs N] [--<fitOption> value …]
//   --model   dense (default): chapter 2's network, batch 128; convnet: chapter 5's (conv 32/64/64 3×3 relu with
//             2×2 max pooling, dense 64 relu, dense 10 softmax), batch 64 — the demo's --model and its batch defaults
//   other options go to fit as they are, e.g. --jit false, --batch-size 32.
// Run it with the demo launcher's malloc settings (bin/mnist-demo.js; vs-numpy.ts sets them) to time what the demo runs.
import { readFileSync } from 'node:fs'
import { toCategorical } from '@nabla/datasets'
import { kernelInfo } from '@nabla/linalg'
import { type NDArray, reshape, slice, toArray } from '@nabla/ndarray'
import { compile, evaluate, type FitOptions, fit, predictClasses } from '@nabla/nn'
import { loadData, scaleImages, toInputs } from '../src/data.js'
import { chapterNetwork } from '../src/keras.js'

type Model = 'dense' | 'convnet'

/**
 * `--some-name value` → `{ someName: value }`, with `true`/`false` and numbers as such (fit checks the rest);
 * `--epochs` and `--model` apart.
 */
const parseArgv = (argv: readonly string[]): { model: Model; epochs: number; extra: Record<string, unknown> } => {
  const extra: Record<string, unknown> = {}
  let epochs = 5
  let model: Model = 'dense'
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as string
    const raw = argv[i + 1]
    if (!flag.startsWith('--') || raw === undefined) throw new Error(`epoch-times: expected --name value, got ${flag}`)
    const name = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    const value =
      raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw
    if (name === 'epochs') epochs = Number(value)
    else if (name === 'model') {
      if (value !== 'dense' && value !== 'convnet')
        throw new RangeError(`epoch-times: --model dense or convnet, got ${raw}`)
      model = value
    } else extra[name] = value
  }
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epoch-times: --epochs must be a positive integer`)
  return { model, epochs, extra }
}

/** Peak resident memory of this process (all its threads, the matrix products' workers included) in MiB. */
const peakRssMb = (): number => {
  try {
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm !== null) return Number(hwm[1]) / 1024
  } catch {
    // not Linux: getrusage's figure below
  }
  return process.resourceUsage().maxRSS / 1024
}

const { model: which, epochs, extra } = parseArgv(process.argv.slice(2))
const seed = 42 // the demo's default
const jit = extra.jit !== false // the demo's default: on
let started = performance.now()
const data = loadData({ dir: undefined, trainSamples: undefined })
const loadSeconds = (performance.now() - started) / 1000
const network = chapterNetwork(which)
const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'], seed })
// as the demo's inputsFor: flat [n, 784] for the dense network, [n, 28, 28, 1] for the convnet
const inputs = (images: NDArray) => reshape(toInputs(images), [images.shape[0] as number, ...model.inputShape])
const trainImages = inputs(data.trainImages)
const testImages = inputs(data.testImages)
const batchSize = which === 'convnet' ? 64 : 128 // the demo's defaults
const trainLabels = toCategorical(data.trainLabels, 10)
const testLabels = toCategorical(data.testLabels, 10)

const epochTimes: number[] = []
const { model: trained } = await fit(model, trainImages, trainLabels, {
  epochs,
  batchSize,
  seed,
  jit,
  preprocess: scaleImages,
  // after the demo's settings, so --batch-size or --seed can change them; not the callbacks, which do the timing
  ...(extra as FitOptions),
  verbose: 0,
  callbacks: {
    onEpochBegin: () => {
      started = performance.now()
    },
    onEpochEnd: () => {
      epochTimes.push((performance.now() - started) / 1000)
    },
  },
})

const metrics = evaluate(trained, testImages, testLabels, { batchSize: 1000, jit, preprocess: scaleImages })
const predictions = toArray(
  predictClasses(trained, slice(testImages, [0, 10]), { jit, preprocess: scaleImages }),
) as number[]
const cpu = process.cpuUsage()
console.log(
  JSON.stringify({
    system: 'nabla',
    model: which,
    batch_size: (extra.batchSize as number | undefined) ?? batchSize,
    epochs: epochTimes.map((s) => Number(s.toFixed(4))),
    test_accuracy: metrics.accuracy,
    test_loss: metrics.loss,
    predictions,
    fit_options: { jit, ...extra },
    load_seconds: Number(loadSeconds.toFixed(3)),
    peak_rss_mb: Number(peakRssMb().toFixed(1)),
    // user + system time of the whole process (the matrix products' workers included)
    cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    kernel: kernelInfo(),
    version: `workspace sources on Node ${process.version}`,
  }),
)
