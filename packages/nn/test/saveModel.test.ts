// saveModel / loadModel: a saved model predicts the same bits, keeps training as if never stopped, and every bad file is named.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeSafetensorsOrThrow, encodeSafetensorsOrThrow } from '@nabla/io'
import { type NDArray, toTypedArray } from '@nabla/ndarray'
import { rmsprop, sgd } from '@nabla/optim'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type CompiledModel,
  decodeModel,
  encodeModel,
  fit,
  layerDense,
  layerDropout,
  layerFlatten,
  ModelFileError,
  meanSquaredError,
  modelConfig,
  predict,
} from '../src/index.js'
import { loadModel, saveModel } from '../src/node.js'
import { sequential, values, xorClusters, xorModel } from './kerasFixtures.js'

const tmp = mkdtempSync(join(tmpdir(), 'nabla-savemodel-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const bits = (m: CompiledModel, x: Parameters<typeof predict>[1]) =>
  Array.from(new Uint32Array((toTypedArray(predict(m, x)) as Float32Array).slice().buffer))

const data = xorClusters(256)
const quiet = { verbose: 0 as const, batchSize: 32 }

describe('saveModel / loadModel', () => {
  it('a trained model saved and loaded predicts the same bits, and one more epoch gives the same weights as without the round trip', async () => {
    const { model: trained } = await fit(xorModel(3), data.x, data.y, { ...quiet, epochs: 2, seed: 5 })
    const path = join(tmp, 'xor.safetensors')
    await saveModel(trained, path)
    const loaded = await loadModel(path)
    expect(loaded.epochsTrained).toBe(2)
    expect(loaded.seed).toBe(3)
    expect(loaded.layers.map((l) => `${l.kind} ${l.name} ${l.activation}`)).toEqual([
      'Dense dense relu',
      'Dense dense_1 softmax',
    ])
    expect(bits(loaded, data.x)).toEqual(bits(trained, data.x))
    expect(values(loaded.params)).toEqual(values(trained.params))
    expect(values(loaded.optState as never)).toEqual(values(trained.optState as never))
    const more = { ...quiet, epochs: 1, seed: 5 }
    const [a, b] = [await fit(trained, data.x, data.y, more), await fit(loaded, data.x, data.y, more)]
    expect(values(b.model.params)).toEqual(values(a.model.params))
    expect(b.history.metrics.loss).toEqual(a.history.metrics.loss)
  })
  it('stores the architecture, compile settings and position in __metadata__, weights by layer name, optimizer state under optimizer.', () => {
    const model = sequential(
      {
        optimizer: rmsprop({ learningRate: 0.01, rho: 0.8 }),
        loss: 'categorical_crossentropy',
        metrics: ['accuracy'],
        seed: 9,
      },
      layerFlatten({ inputShape: [1, 2] }),
      layerDense({ units: 4, activation: 'tanh', useBias: false }),
      layerDropout({ rate: 0.25 }),
      layerDense({ units: 2, activation: 'softmax', name: 'out' }),
    )
    const file = decodeSafetensorsOrThrow(encodeModel(model))
    expect(file.metadata['nabla.format']).toBe('keras-sequential')
    expect(file.metadata['nabla.format_version']).toBe('1')
    expect(JSON.parse(file.metadata['nabla.model']!)).toEqual(modelConfig(model))
    expect(modelConfig(model)).toMatchObject({
      layers: [
        { class: 'Flatten', name: 'flatten', config: { inputShape: [1, 2] } },
        { class: 'Dense', name: 'dense', config: { units: 4, activation: 'tanh', useBias: false } },
        { class: 'Dropout', name: 'dropout', config: { rate: 0.25 } },
        { class: 'Dense', name: 'out', config: { units: 2, activation: 'softmax', useBias: true } },
      ],
      compile: {
        optimizer: { name: 'rmsprop', options: { learningRate: 0.01, rho: 0.8 } },
        loss: 'categorical_crossentropy',
      },
    })
    expect([...file.names].sort()).toEqual([
      'dense.kernel',
      'optimizer.0.nu.1.kernel',
      'optimizer.0.nu.3.bias',
      'optimizer.0.nu.3.kernel',
      'optimizer.1.count',
      'out.bias',
      'out.kernel',
    ])
    const back = decodeModel(encodeModel(model))
    expect(back.layers.map((l) => l.kind)).toEqual(['Flatten', 'Dense', 'Dropout', 'Dense'])
    expect(modelConfig(back)).toEqual(modelConfig(model))
    expect(back.optimizer.config).toEqual({ name: 'rmsprop', options: { learningRate: 0.01, rho: 0.8 } })
    expect(values(back.params)).toEqual(values(model.params))
  })
  it('without the optimizer state the loaded model starts a fresh one', () => {
    const model = xorModel(1)
    const bytes = encodeModel(model, { includeOptimizer: false })
    expect(decodeSafetensorsOrThrow(bytes).names.some((n) => n.startsWith('optimizer.'))).toBe(false)
    const back = decodeModel(bytes)
    expect(values(back.optState as never)).toEqual(values(model.optimizer.init(model.params) as never))
  })
  it('a custom loss or optimizer must be given again at load time, with a message saying so', () => {
    const { config: _, ...custom } = sgd()
    const myLoss = (y: NDArray, p: NDArray) => meanSquaredError(y, p)
    const model = sequential({ optimizer: custom, loss: myLoss, seed: 1 }, layerDense({ units: 2, inputShape: [2] }))
    const bytes = encodeModel(model)
    expect(() => decodeModel(bytes)).toThrow(
      'decodeModel: <bytes>: not a loadable model: expected an optimizer: the model was compiled with a custom gradient transformation, which a file cannot hold, found none given; pass it: loadModel(file, { optimizer })',
    )
    expect(() => decodeModel(bytes, { optimizer: sgd() })).toThrow(
      'expected the loss function "myLoss": the model was compiled with a function, which a file cannot hold, found none given; pass it: loadModel(file, { loss })',
    )
    expect(decodeModel(bytes, { optimizer: sgd(), loss: 'mse' }).loss.name).toBe('mse')
  })
})

describe('loadModel errors: what was expected, what was found', () => {
  const model = xorModel(2)
  const good = encodeModel(model)
  const meta = decodeSafetensorsOrThrow(good).metadata
  const tensors = decodeSafetensorsOrThrow(good).tensors
  const withMeta = (m: Record<string, string>, t = tensors) => encodeSafetensorsOrThrow({ ...t }, { metadata: m })
  const config = JSON.parse(meta['nabla.model']!)
  it.each([
    [
      'a missing file',
      async () => loadModel(join(tmp, 'nope.safetensors')),
      /^loadModel: .*nope\.safetensors: file not found: expected an existing safetensors file, found no such file$/,
    ],
    [
      'not a safetensors file',
      async () => {
        const p = join(tmp, 'text.safetensors')
        writeFileSync(p, 'hello')
        return loadModel(p)
      },
      /^loadModel: .*text\.safetensors: bad header length: expected at least 8 bytes \(the little-endian header length\), found 5 bytes$/,
    ],
    [
      'a weights-only file',
      async () => decodeModel(encodeSafetensorsOrThrow({ w: tensors['dense.kernel']! })),
      /expected __metadata__ "nabla.format": "keras-sequential" \(a file written by saveModel\), found no such key \(a safetensors file of tensors only\? read it with loadWeights from @nabla\/io\)$/,
    ],
    [
      'a newer format version',
      async () => decodeModel(withMeta({ ...meta, 'nabla.format_version': '2' })),
      /expected a model format version up to 1 \(what this @nabla\/nn reads\), found version 2, written by a newer nabla: upgrade @nabla\/nn to load it$/,
    ],
    [
      'a configuration that is not JSON',
      async () => decodeModel(withMeta({ ...meta, 'nabla.model': '{layers' })),
      /expected __metadata__ "nabla.model": the model's configuration as JSON, found /,
    ],
    [
      'an unknown layer class',
      async () =>
        decodeModel(
          withMeta({
            ...meta,
            'nabla.model': JSON.stringify({ ...config, layers: [{ ...config.layers[0], class: 'LSTM' }] }),
          }),
        ),
      /expected layer 1: a class Dense, Conv2D, MaxPooling2D, AveragePooling2D, Dropout or Flatten, found "LSTM"$/,
    ],
    [
      'a layer option its function refuses',
      async () =>
        decodeModel(
          withMeta({
            ...meta,
            'nabla.model': JSON.stringify({
              ...config,
              layers: [{ ...config.layers[0], config: { ...config.layers[0].config, units: -1 } }, config.layers[1]],
            }),
          }),
        ),
      /expected layer 1 \(dense\) to rebuild, found layerDense: units must be a positive integer, got -1$/,
    ],
    [
      'a missing weight',
      async () => {
        const { 'dense.bias': _, ...rest } = tensors
        return decodeModel(withMeta(meta, rest))
      },
      /^decodeModel: <bytes>: tensor "dense.bias": file does not match the template: expected a tensor for the template's \.weights\.dense\.bias, found none named "dense\.bias" in the file/,
    ],
    [
      'a weight of another shape',
      async () => decodeModel(withMeta(meta, { ...tensors, 'dense_1.bias': tensors['dense.bias']! })),
      /tensor "dense_1.bias": file does not match the template: expected shape \[2\] \(the template's \.weights\.dense_1\.bias\), found shape \[32\] in the file$/,
    ],
    [
      'an extra tensor',
      async () => decodeModel(withMeta(meta, { ...tensors, stray: tensors['dense.bias']! })),
      /tensor "stray": file does not match the template: expected only the template's 14 tensors, found 1 more: "stray" \(first: F32 \[32\]\)$/,
    ],
  ])('%s', async (_, run, message) => {
    const e = await run().then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(e).toBeInstanceOf(ModelFileError)
    expect((e as Error).message).toMatch(message)
  })
  it('a file saved, then truncated on disk, is named with the bytes missing', async () => {
    const p = join(tmp, 'cut.safetensors')
    await saveModel(model, p)
    const whole = readFileSync(p)
    writeFileSync(p, whole.subarray(0, whole.length - 10))
    await expect(loadModel(p)).rejects.toThrow(
      /cut\.safetensors: data section length does not match the header: expected \d+ bytes of tensor data after the \d+-byte header \(as the offsets declare\), found \d+ bytes \(truncated: 10 bytes missing\)$/,
    )
  })
})

describe('checkpoints resume exactly', () => {
  it('5 epochs straight equal 3 epochs, a save, a load in a new process and 2 more epochs, bit for bit', async () => {
    const fixtures = new URL('./kerasFixtures.ts', import.meta.url).pathname
    const node = new URL('../src/node.ts', import.meta.url).pathname
    const index = new URL('../src/index.ts', import.meta.url).pathname
    const { model: straight } = await fit(xorModel(4), data.x, data.y, { ...quiet, epochs: 5 })
    const { model: three } = await fit(xorModel(4), data.x, data.y, { ...quiet, epochs: 3 })
    const [checkpoint, resumed] = [join(tmp, 'epoch3.safetensors'), join(tmp, 'epoch5.safetensors')]
    await saveModel(three, checkpoint)
    // the new process: load the checkpoint, train 2 more epochs (seed, shuffles and optimizer state from the file)
    const script = `
      const { xorClusters } = await import(${JSON.stringify(fixtures)})
      const { fit } = await import(${JSON.stringify(index)})
      const { loadModel, saveModel } = await import(${JSON.stringify(node)})
      const data = xorClusters(256)
      const loaded = await loadModel(${JSON.stringify(checkpoint)})
      const { model } = await fit(loaded, data.x, data.y, { verbose: 0, batchSize: 32, epochs: 2 })
      await saveModel(model, ${JSON.stringify(resumed)})
      console.log(JSON.stringify({ epochs: model.epochsTrained }))`
    const out = execFileSync(
      process.execPath,
      ['--conditions=@nabla/source', '--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 60_000 },
    )
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ epochs: 5 })
    const back = await loadModel(resumed)
    expect(back.epochsTrained).toBe(5)
    expect(values(back.params)).toEqual(values(straight.params))
    expect(values(back.optState as never)).toEqual(values(straight.optState as never))
    // and resuming from a model saved without its optimizer state does not give the same weights: the test can fail
    await saveModel(three, checkpoint, { includeOptimizer: false })
    const fresh = await fit(await loadModel(checkpoint), data.x, data.y, { ...quiet, epochs: 2 })
    expect(values(fresh.model.params)).not.toEqual(values(straight.params))
  })

  it('a save that fails after writing leaves the old file in place and no temporary file behind', async () => {
    const dir = mkdtempSync(join(tmp, 'crash-'))
    // the whole file is written to a temporary sibling, then renamed over the final name; here the rename fails
    // (the final name is a non-empty directory), the last step of a save, so everything before it has run
    const path = join(dir, 'model.safetensors')
    mkdirSync(path)
    writeFileSync(join(path, 'keep'), 'x')
    await expect(saveModel(xorModel(1), path)).rejects.toThrow(ModelFileError)
    expect(readdirSync(dir)).toEqual(['model.safetensors'])
    expect(readdirSync(path)).toEqual(['keep'])
    // and a save that succeeds replaces a previous file whole
    const file = join(dir, 'ok.safetensors')
    writeFileSync(file, 'the previous checkpoint')
    await saveModel(xorModel(1), file)
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'ok.safetensors'])
    expect((await loadModel(file)).epochsTrained).toBe(0)
  })
})
