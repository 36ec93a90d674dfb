/**
 * The page: starts the training worker, shows its progress, charts and results, and classifies what is drawn.
 * URL parameters preset the form: `?train=4000&epochs=1` (training images, epochs), `threads=N` (the worker's
 * matrix-product threads; default: every core).
 */
import type { CompiledModel } from '@nabla/nn'
import type { LiveCharts } from './charts.js'
import { drawingPad, type Pad } from './draw.js'
import { mnistBox, preprocess } from './preprocess.js'
import type { FromWorker, TestResult, ThreadMode, ToWorker, TrainSettings } from './protocol.js'
import { supportIssues } from './support.js'
import { confusionMatrix, digitCanvas, renderConfusion } from './testset.js'

const $ = <E extends HTMLElement = HTMLElement>(id: string): E => {
  const element = document.getElementById(id)
  if (element === null) throw new Error(`the page has no #${id}`)
  return element as E
}

const ui = {
  mode: $('mode'),
  alerts: $('alerts'),
  loadProgress: $<HTMLProgressElement>('load-progress'),
  loadText: $('load-text'),
  form: $<HTMLFormElement>('train-form'),
  samples: $<HTMLSelectElement>('samples'),
  epochs: $<HTMLInputElement>('epochs'),
  train: $<HTMLButtonElement>('train'),
  stop: $<HTMLButtonElement>('stop'),
  epochLabel: $('epoch-label'),
  epochProgress: $<HTMLProgressElement>('epoch-progress'),
  batchText: $('batch-text'),
  testAccuracy: $('test-accuracy'),
  epochTable: $<HTMLTableElement>('epoch-table'),
  chartBatch: $('chart-batch'),
  chartEpoch: $('chart-epoch'),
  pad: $<HTMLCanvasElement>('pad'),
  seen: $<HTMLCanvasElement>('seen'),
  clear: $<HTMLButtonElement>('clear'),
  guess: $('guess'),
  bars: $<HTMLOListElement>('bars'),
  latency: $('latency'),
  download: $<HTMLButtonElement>('download'),
  drop: $('drop'),
  modelFile: $<HTMLInputElement>('model-file'),
  modelStatus: $('model-status'),
  testSummary: $('test-summary'),
  onlyMistakes: $<HTMLInputElement>('only-mistakes'),
  grid: $<HTMLUListElement>('grid'),
  confusion: $<HTMLTableElement>('confusion'),
}

/** A message in the page's alert area (kind `error` for what stopped something, `warning` for a slower mode). */
const alert = (kind: 'error' | 'warning', text: string, key?: string): void => {
  if (key !== undefined) ui.alerts.querySelector(`[data-key="${key}"]`)?.remove()
  const p = document.createElement('p')
  p.className = kind
  p.textContent = text
  if (key !== undefined) p.dataset.key = key
  ui.alerts.append(p)
}

const percent = (v: number, digits = 2) => `${(v * 100).toFixed(digits)} %`
const plural = (n: number, unit: string) => `${n.toLocaleString('en')} ${unit}${n === 1 ? '' : 's'}`

// ---- URL parameters ---------------------------------------------------------------------------------------------

const params = new URLSearchParams(location.search)
const intParam = (name: string, min: number, max: number): number | undefined => {
  const raw = params.get(name)
  if (raw === null) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) {
    alert('warning', `Ignored the URL parameter ${name}=${raw}: expected a whole number from ${min} to ${max}.`)
    return undefined
  }
  return n
}
const presetSamples = intParam('train', 1, 60000)
const presetEpochs = intParam('epochs', 1, 50)
const presetThreads = intParam('threads', 1, 64)
if (presetSamples !== undefined) {
  if (![...ui.samples.options].some((o) => Number(o.value) === presetSamples)) {
    ui.samples.add(new Option(presetSamples.toLocaleString('en'), String(presetSamples)))
  }
  ui.samples.value = String(presetSamples)
}
if (presetEpochs !== undefined) ui.epochs.value = String(presetEpochs)

// ---- state ------------------------------------------------------------------------------------------------------

let nabla: typeof import('./classifier.js') | undefined
let model: CompiledModel | undefined
let modelBytes: { bytes: Uint8Array; name: string } | undefined
let charts: LiveCharts | undefined
let testImages: Uint8Array | undefined
let testLabels: Uint8Array | undefined
let training = false
let dataReady = false
let batchesSeen = 0
let lastResult: TestResult | undefined

// ---- the browser, and the worker --------------------------------------------------------------------------------

const issues = supportIssues(globalThis as never)
for (const issue of issues) alert(issue.fatal ? 'error' : 'warning', issue.message)
const fatal = issues.some((i) => i.fatal)

const worker = fatal ? undefined : new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })
const send = (message: ToWorker, transfer: Transferable[] = []) => worker?.postMessage(message, transfer)

const showMode = (mode: ThreadMode) => {
  ui.mode.dataset.threads = String(mode.threads)
  ui.mode.dataset.kernel = mode.kernel
  ui.mode.textContent =
    mode.threads > 1
      ? `Threaded: training runs in a Web Worker whose matrix products use ${mode.threads} threads ` +
        `(this page is cross-origin isolated; ${mode.cores} cores).`
      : mode.available
        ? `One thread: training runs in a Web Worker on one thread (threads=${presetThreads ?? 1}).`
        : `One thread: training runs in a Web Worker on one thread (no worker threads here: ${mode.missing.join('; ')}).`
  ui.mode.className = `mode ${mode.threads > 1 ? 'threaded' : 'single'}`
}

const modelReady = (m: CompiledModel, bytes: Uint8Array, name: string) => {
  model = m
  modelBytes = { bytes, name }
  ui.download.disabled = false
  classifyNow(performance.now())
}

const onMessage = async (message: FromWorker) => {
  switch (message.type) {
    case 'mode':
      showMode(message.mode)
      return
    case 'loading':
      ui.loadProgress.value = message.loaded / message.total
      ui.loadText.textContent = `Loading MNIST: ${Math.round((100 * message.loaded) / message.total)} % of ${(message.total / 1e6).toFixed(0)} MB unpacked`
      return
    case 'data':
      testImages = message.testImages
      testLabels = message.testLabels
      dataReady = true
      ui.loadProgress.value = 1
      ui.loadText.textContent =
        `Loaded ${plural(message.trainSamples, 'training image')} and ${plural(testLabels.length, 'test image')} ` +
        `in ${message.seconds.toFixed(1)} s.`
      ui.loadText.dataset.ready = 'true'
      setIdle()
      renderGrid()
      return
    case 'epochBegin':
      ui.epochLabel.textContent = `Epoch ${message.epoch + 1}/${message.epochs}`
      ui.epochProgress.max = message.steps
      ui.epochProgress.value = 0
      return
    case 'batch': {
      ui.epochProgress.value = message.batch + 1
      const { loss = Number.NaN, accuracy = Number.NaN } = message.logs
      ui.batchText.textContent = `${message.batch + 1}/${message.steps} · loss ${loss.toFixed(4)} · accuracy ${accuracy.toFixed(4)}`
      batchesSeen++
      charts?.batch(batchesSeen, message.values)
      return
    }
    case 'epochEnd': {
      const { loss = Number.NaN, accuracy = Number.NaN } = message.logs
      const row = ui.epochTable.tBodies[0]?.insertRow()
      if (row !== undefined) {
        row.dataset.seconds = String(message.seconds)
        for (const text of [
          String(message.epoch + 1),
          loss.toFixed(4),
          accuracy.toFixed(4),
          message.seconds.toFixed(2),
        ]) {
          row.insertCell().textContent = text
        }
      }
      ui.epochTable.hidden = false
      charts?.epoch(message.epoch + 1, message.logs)
      await loadNabla()
      const bytes = new Uint8Array(message.model)
      modelReady(nabla!.prepareModel(bytes, 'the model being trained'), bytes, `epoch ${message.epoch + 1}`)
      return
    }
    case 'trained': {
      training = false
      const bytes = new Uint8Array(message.model)
      await loadNabla()
      modelReady(nabla!.prepareModel(bytes, 'the trained model'), bytes, 'mnist-web.safetensors')
      const mean = message.secondsPerEpoch.reduce((a, b) => a + b, 0) / message.secondsPerEpoch.length
      ui.testAccuracy.dataset.accuracy = String(message.test.accuracy)
      ui.testAccuracy.dataset.secondsPerEpoch = JSON.stringify(message.secondsPerEpoch)
      ui.testAccuracy.textContent =
        `Test accuracy ${percent(message.test.accuracy)} (loss ${message.test.loss.toFixed(4)}) on ` +
        `${plural(message.test.predicted.length, 'test image')}; ${mean.toFixed(2)} s per epoch on ` +
        `${plural(message.threads, 'thread')}.`
      showTest(message.test, 'the trained model')
      setIdle()
      return
    }
    case 'stopped':
      training = false
      ui.epochLabel.textContent = `Stopped after ${plural(message.epochs, 'complete epoch')}`
      setIdle()
      return
    case 'evaluated':
      ui.modelStatus.textContent =
        `Loaded ${message.name} (trained for ${plural(message.epochsTrained, 'epoch')}): test accuracy ` +
        `${percent(message.test.accuracy)}.`
      ui.modelStatus.dataset.loaded = message.name
      showTest(message.test, message.name)
      setIdle()
      return
    case 'error':
      training = false
      alert(
        'error',
        `${message.during === 'init' ? 'Loading the data' : message.during === 'train' ? 'Training' : 'Evaluating the model'} failed: ${message.message}`,
      )
      setIdle()
      return
  }
}

if (worker !== undefined) {
  worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
    onMessage(data).catch((e: unknown) => alert('error', `The page failed: ${(e as Error).message}`))
  }
  worker.onerror = (event) => {
    alert('error', `The training worker failed to start: ${event.message || 'it did not load'}.`)
  }
  send({ type: 'init', base: document.baseURI, threads: presetThreads ?? 'auto' })
} else {
  ui.mode.textContent = 'This browser cannot run the page (see above).'
  ui.loadText.textContent = 'Not loaded.'
}

// ---- training ---------------------------------------------------------------------------------------------------

const setIdle = () => {
  ui.train.disabled = !dataReady || training
  ui.stop.disabled = !training
  ui.modelFile.disabled = !dataReady || training
  ui.samples.disabled = ui.epochs.disabled = training
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault()
  if (!dataReady || training) return
  const epochs = Number(ui.epochs.value)
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 50) {
    alert('error', `Epochs must be a whole number from 1 to 50, not "${ui.epochs.value}".`, 'epochs')
    ui.epochs.focus()
    return
  }
  ui.alerts.querySelector('[data-key="epochs"]')?.remove()
  const settings: TrainSettings = { samples: Number(ui.samples.value), epochs, batchSize: 128, seed: 42 }
  training = true
  batchesSeen = 0
  ui.epochTable.tBodies[0]?.replaceChildren()
  ui.testAccuracy.textContent = ''
  delete ui.testAccuracy.dataset.accuracy
  ui.epochLabel.textContent = 'Starting…'
  charts?.reset()
  setIdle()
  send({ type: 'train', settings })
})

ui.stop.addEventListener('click', () => {
  send({ type: 'stop' })
  ui.stop.disabled = true
  ui.epochLabel.textContent = 'Stopping after this batch…'
})

// ---- drawing ----------------------------------------------------------------------------------------------------

const seenCtx = ui.seen.getContext('2d')
for (let d = 0; d < 10; d++) {
  const li = document.createElement('li')
  li.innerHTML = `<span class="digit">${d}</span><span class="bar"><span class="fill"></span></span><span class="p">–</span>`
  ui.bars.append(li)
}

const showSeen = (pixels: Float32Array | null) => {
  if (seenCtx === null) return
  const image = seenCtx.createImageData(28, 28)
  for (let i = 0; i < 784; i++) {
    const v = 255 - Math.round(255 * (pixels?.[i] ?? 0))
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = v
    image.data[i * 4 + 3] = 255
  }
  seenCtx.putImageData(image, 0, 0)
}

const showBars = (p: Float32Array | null) => {
  const best = p === null ? -1 : p.indexOf(Math.max(...p))
  ;[...ui.bars.children].forEach((li, d) => {
    const v = p?.[d] ?? 0
    ;(li.querySelector('.fill') as HTMLElement).style.width = `${(v * 100).toFixed(1)}%`
    ;(li.querySelector('.p') as HTMLElement).textContent = p === null ? '–' : `${(v * 100).toFixed(1)} %`
    li.classList.toggle('best', d === best)
    li.setAttribute('aria-label', p === null ? `${d}: no prediction` : `${d}: ${(v * 100).toFixed(1)} percent`)
  })
}

const classifyNow = (at: number) => {
  const began = performance.now()
  const processed = preprocess(pad.ink())
  showSeen(processed?.pixels ?? null)
  if (processed === null) {
    ui.guess.textContent = 'The canvas is empty: draw a digit (0 to 9) with the mouse, a pen or a finger.'
    ui.guess.dataset.digit = ''
    ui.guess.className = 'guess empty'
    showBars(null)
    return
  }
  if (model === undefined || nabla === undefined) {
    ui.guess.textContent =
      'No model yet: train one (section 2) or load a saved one (section 4) to classify the drawing.'
    ui.guess.dataset.digit = ''
    ui.guess.className = 'guess empty'
    return
  }
  const p = nabla.classify(model, processed.pixels)
  const digit = p.indexOf(Math.max(...p))
  showBars(p)
  ui.guess.textContent = `It looks like a ${digit} (${((p[digit] as number) * 100).toFixed(1)} %).`
  ui.guess.dataset.digit = String(digit)
  ui.guess.className = 'guess'
  const now = performance.now()
  const ms = now - at
  ui.latency.dataset.computeMs = (now - began).toFixed(2)
  ui.latency.dataset.ms = ms.toFixed(2)
  ui.latency.textContent = `Drawing to prediction: ${ms.toFixed(1)} ms, ${(now - began).toFixed(1)} ms of it computing (box ${processed.box.x1 - processed.box.x0}×${processed.box.y1 - processed.box.y0} px scaled to ${processed.scaled.width}×${processed.scaled.height}, at most ${mnistBox}).`
}

const pad: Pad = drawingPad(ui.pad, (at) => classifyNow(at))
ui.clear.addEventListener('click', () => {
  pad.clear()
  ui.latency.textContent = ''
})

// ---- the test set -----------------------------------------------------------------------------------------------

const renderGrid = () => {
  if (testImages === undefined || testLabels === undefined) return
  const labels = testLabels
  const predicted = lastResult?.predicted
  const indices: number[] = []
  for (let i = 0; i < labels.length && indices.length < 100; i++) {
    if (!ui.onlyMistakes.checked || (predicted !== undefined && predicted[i] !== labels[i])) indices.push(i)
  }
  const items = indices.map((i) => {
    const li = document.createElement('li')
    const button = document.createElement('button')
    button.type = 'button'
    const label = labels[i] as number
    const guess = predicted?.[i]
    const wrong = guess !== undefined && guess !== label
    button.className = `cell${wrong ? ' wrong' : ''}`
    button.dataset.index = String(i)
    button.dataset.label = String(label)
    if (guess !== undefined) button.dataset.predicted = String(guess)
    button.setAttribute(
      'aria-label',
      `Test image ${i + 1}, a ${label}` +
        (guess === undefined ? '' : wrong ? `, predicted ${guess}: a mistake` : `, predicted ${guess}`) +
        '. Draw it on the pad.',
    )
    const caption = document.createElement('span')
    caption.className = 'caption'
    caption.textContent = guess === undefined ? String(label) : wrong ? `${guess} ✗ ${label}` : String(guess)
    button.append(digitCanvas(testImages as Uint8Array, i * 784), caption)
    button.addEventListener('click', () => {
      pad.paint((testImages as Uint8Array).subarray(i * 784, (i + 1) * 784))
      ui.pad.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
    })
    li.append(button)
    return li
  })
  ui.grid.replaceChildren(...items)
}

const showTest = (result: TestResult, source: string) => {
  lastResult = result
  if (testLabels === undefined) return
  const mistakes = result.predicted.reduce((n, p, i) => n + (p === testLabels![i] ? 0 : 1), 0)
  ui.testSummary.textContent =
    `${source}: ${plural(mistakes, 'mistake')} on ${plural(result.predicted.length, 'test image')} ` +
    `(accuracy ${percent(result.accuracy)}). Mistakes are marked "predicted ✗ true"; pick a digit to draw it on the pad.`
  ui.onlyMistakes.disabled = false
  renderGrid()
  renderConfusion(ui.confusion, confusionMatrix(testLabels, result.predicted))
}
ui.onlyMistakes.addEventListener('change', renderGrid)

// ---- saving and loading models ----------------------------------------------------------------------------------

ui.download.addEventListener('click', () => {
  if (modelBytes === undefined) return
  const url = URL.createObjectURL(
    new Blob([modelBytes.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  )
  const a = document.createElement('a')
  a.href = url
  a.download = modelBytes.name.endsWith('.safetensors') ? modelBytes.name : 'mnist-web.safetensors'
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
})

const loadFile = async (file: File) => {
  ui.modelStatus.textContent = `Reading ${file.name}…`
  ui.modelStatus.className = 'note'
  delete ui.modelStatus.dataset.loaded
  delete ui.modelStatus.dataset.error
  try {
    if (training) throw new Error('wait until training has finished (or stop it) before loading a model')
    if (!dataReady) throw new Error('wait until the data has loaded')
    await loadNabla()
    const bytes = new Uint8Array(await file.arrayBuffer())
    const loaded = nabla!.prepareModel(bytes, file.name)
    modelReady(loaded, bytes, file.name)
    ui.modelStatus.textContent = `Loaded ${file.name}; evaluating it on the test set…`
    const copy = bytes.slice().buffer
    send({ type: 'evaluate', bytes: copy, name: file.name }, [copy])
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    ui.modelStatus.textContent = `Could not load ${file.name}: ${message}`
    ui.modelStatus.className = 'note error'
    ui.modelStatus.dataset.error = 'true'
  }
}

ui.modelFile.addEventListener('change', () => {
  const file = ui.modelFile.files?.[0]
  if (file !== undefined) void loadFile(file)
  ui.modelFile.value = ''
})
for (const type of ['dragenter', 'dragover'] as const) {
  document.addEventListener(type, (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return
    e.preventDefault()
    ui.drop.classList.add('over')
  })
}
document.addEventListener('dragleave', (e) => {
  if (e.relatedTarget === null) ui.drop.classList.remove('over')
})
document.addEventListener('drop', (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return
  e.preventDefault()
  ui.drop.classList.remove('over')
  const file = e.dataTransfer.files[0]
  if (file !== undefined) void loadFile(file)
})

// ---- what loads after the first paint ---------------------------------------------------------------------------

let nablaLoading: Promise<void> | undefined
const loadNabla = (): Promise<void> =>
  (nablaLoading ??= import('./classifier.js').then((m) => {
    nabla = m
  }))

const start = () => {
  void loadNabla()
  import('./charts.js')
    .then(({ liveCharts }) => liveCharts(ui.chartBatch, ui.chartEpoch))
    .then((c) => {
      charts = c
    })
    .catch((e: unknown) => alert('error', `The charts could not be drawn: ${(e as Error).message}`))
}
requestAnimationFrame(() => setTimeout(start, 0))
classifyNow(performance.now())
