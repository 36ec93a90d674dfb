// The demo end to end on a slice of MNIST, its printed lines, and every user error it can meet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { setKernel } from '@nabla/linalg'
import { splitColors } from '@nabla/plot'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { main, parseOptions } from '../src/index.js'

const capture = () => {
  let text = ''
  const stream = new Writable({
    write(chunk, _, done) {
      text += String(chunk)
      done()
    },
  })
  return { stream, text: () => text }
}

const run = async (argv: string[]) => {
  const out = capture()
  const err = capture()
  const code = await main(argv, { stdout: out.stream, stderr: { write: (t: string) => err.stream.write(t) } })
  return { code, stdout: out.text(), stderr: err.text() }
}

const tmp = mkdtempSync(join(tmpdir(), 'nabla-demo-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('mnist-demo', () => {
  it("prints the book's str lines, trains on 6,000 images for one epoch to a clear accuracy floor, predicts the first ten", async () => {
    const png = join(tmp, 'samples.png')
    const { code, stdout, stderr } = await run(['--epochs', '1', '--train-samples', '6000', '--png', png])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('> str(train_images)\nint [1:6000, 1:28, 1:28] 0 0 0 0 0 0 0 0 0 0 ...')
    expect(stdout).toContain('> str(train_labels)\nint [1:6000(1d)] 5 0 4 1 9 2 1 3 1 4 ...')
    expect(stdout).toContain('> str(test_images)\nint [1:10000, 1:28, 1:28] 0 0 0 0 0 0 0 0 0 0 ...')
    expect(stdout).toContain('> str(test_labels)\nint [1:10000(1d)] 7 2 1 0 4 1 4 9 5 9 ...')
    expect(stdout).toContain('Total params: 407,050')
    expect(stdout).toMatch(/Epoch 1\/1\n47\/47 \[=+\] - \d+s \d+ms\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}/)
    const acc = Number(/\$acc\n\[1\] ([\d.]+)/.exec(stdout)?.[1])
    expect(acc).toBeGreaterThan(0.85)
    const predicted = /predict_classes\(test_images\[1:10,\]\)\n\[1\] ([\d ]+)/
      .exec(stdout)?.[1]
      ?.split(' ')
      .map(Number)
    expect(predicted).toHaveLength(10)
    // after a short training most of the book's answer 7 2 1 0 4 1 4 9 5 9 is already right
    const book = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    expect(predicted!.filter((p, i) => p === book[i]).length).toBeGreaterThanOrEqual(8)
    expect(stdout).toMatch(/matrix products: wasm kernel on \d+ thread\(s\) \(WebAssembly (relaxed )?SIMD\)\n/)
  })
  it('names the kernel that ran: the TypeScript tier is not called WebAssembly', async () => {
    const before = setKernel({ kernel: 'ts', threads: 1 })
    try {
      const { code, stdout } = await run(['--epochs', '1', '--train-samples', '1000', '--png', 'none', '--quiet'])
      expect(code).toBe(0)
      expect(stdout).toMatch(/matrix products: ts kernel on 1 thread\(s\)\n?$/)
    } finally {
      setKernel(before)
    }
  })
  it('the functional mode trains the same network with grad and a hand-written loop', async () => {
    const { code, stdout } = await run([
      '--mode',
      'functional',
      '--epochs',
      '1',
      '--train-samples',
      '3000',
      '--png',
      'none',
      '--quiet',
    ])
    expect(code).toBe(0)
    expect(stdout).toMatch(/epoch 1\/1: loss \d\.\d{4}/)
    const acc = Number(/test accuracy ([\d.]+)/.exec(stdout)?.[1])
    expect(acc).toBeGreaterThan(0.8)
  })
  it('--no-jit trains op by op to the same results as the compiled default, in both modes', async () => {
    const strip = (s: string) => s.replace(/\d+s \d+ms\/step/g, 'T').replace(/\d+(\.\d+)? s\b/g, 'T')
    for (const mode of ['keras', 'functional']) {
      const args = ['--mode', mode, '--epochs', '1', '--train-samples', '2000', '--png', 'none']
      const compiled = await run(args)
      const eager = await run([...args, '--no-jit'])
      expect(compiled.code).toBe(0)
      expect(eager.code).toBe(0)
      expect(strip(eager.stdout)).toBe(strip(compiled.stdout))
    }
  })
  it('--save writes the trained model; --load skips training and prints the same evaluate and predictions', async () => {
    const file = join(tmp, 'mnist.safetensors')
    const args = ['--epochs', '1', '--train-samples', '2000', '--png', 'none']
    const saved = await run([...args, '--save', file])
    expect(saved.stderr).toBe('')
    expect(saved.code).toBe(0)
    expect(saved.stdout).toContain(`> network %>% save_model_hdf5(${JSON.stringify(file)})`)
    const loaded = await run(['--png', 'none', '--load', file])
    expect(loaded.stderr).toBe('')
    expect(loaded.code).toBe(0)
    expect(loaded.stdout).toContain(`> network <- load_model_hdf5(${JSON.stringify(file)})`)
    expect(loaded.stdout).toContain('Total params: 407,050')
    expect(loaded.stdout).not.toMatch(/Epoch 1\/1/)
    expect(loaded.stdout).toContain(`no training: the model was loaded from ${file} (trained for 1 epoch(s))`)
    // from `metrics <- …` to the predictions: the same text, digit for digit
    const results = (s: string) =>
      /> metrics <- network[\s\S]*predict_classes\(test_images\[1:10,\]\)\n\[1\] [\d ]+\n/.exec(s)?.[0]
    expect(results(saved.stdout)).toMatch(/\$loss\n\[1\] \d\.\d+/)
    expect(results(loaded.stdout)).toBe(results(saved.stdout))
  })
})

describe('--model convnet', () => {
  it("trains chapter 5's convnet (its summary, batch 64 by default), saves it, and a loaded convnet predicts the same", async () => {
    const file = join(tmp, 'convnet.safetensors')
    const trained = await run([
      '--model',
      'convnet',
      '--epochs',
      '1',
      '--train-samples',
      '1280',
      '--png',
      'none',
      '--save',
      file,
    ])
    expect(trained.stderr).toBe('')
    expect(trained.code).toBe(0)
    expect(trained.stdout).toContain('# Listing 5.1 Instantiating a small convnet')
    expect(trained.stdout).toContain(' conv2d (Conv2D)             (None, 26, 26, 32)        320')
    expect(trained.stdout).toContain('Total params: 93,322')
    expect(trained.stdout).toContain('> network %>% fit(train_images, train_labels, epochs = 1, batch_size = 64)')
    expect(trained.stdout).toMatch(/Epoch 1\/1\n20\/20 \[=+\]/)
    const loaded = await run(['--png', 'none', '--load', file])
    expect(loaded.code).toBe(0)
    const results = (t: string) =>
      /> metrics <- network[\s\S]*predict_classes\(test_images\[1:10,\]\)\n\[1\] [\d ]+\n/.exec(t)?.[0]
    expect(results(loaded.stdout)).toBe(results(trained.stdout))
  })
})

describe('--plot', () => {
  it('writes the fit history as SVG: a loss and an accuracy panel, a point per epoch at the values fit printed', async () => {
    const file = join(tmp, 'history.svg')
    const { code, stdout, stderr } = await run([
      '--epochs',
      '3',
      '--train-samples',
      '1500',
      '--png',
      'none',
      '--plot',
      file,
    ])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('> history <- network %>% fit(train_images, train_labels, epochs = 3, batch_size = 128)')
    expect(stdout).toContain(`> plot(history)\n(the training history, loss and accuracy per epoch: written to ${file})`)
    // what the progress bar printed at the end of each epoch
    const printed = [...stdout.matchAll(/ - loss: (\d\.\d{4}) - accuracy: (\d\.\d{4})\n/g)].map((m) => ({
      loss: Number(m[1]),
      accuracy: Number(m[2]),
    }))
    expect(printed).toHaveLength(3)
    const svg = readFileSync(file, 'utf8')
    expect(svg).toMatch(/^<svg /)
    expect(svg).toMatch(/>loss<\/text>[\s\S]*>accuracy<\/text>/)
    expect(svg).not.toContain('validation')
    // each point names its epoch, value and panel (vega's ARIA labels)
    const points = [
      ...svg.matchAll(/aria-label="epoch: (\d+); value: ([\d.e-]+); data: training; metric: (\w+)"/g),
    ].map((m) => ({ epoch: Number(m[1]), value: Number(m[2]), metric: m[3] as 'loss' | 'accuracy' }))
    expect(points).toHaveLength(6)
    for (const metric of ['loss', 'accuracy'] as const) {
      const series = points.filter((p) => p.metric === metric).sort((a, b) => a.epoch - b.epoch)
      expect(series.map((p) => p.epoch)).toEqual([1, 2, 3])
      for (const [i, p] of series.entries()) expect(Math.abs(p.value - printed[i]![metric])).toBeLessThan(1e-3)
    }
  })
  it('writes PNG when the name ends in .png', async () => {
    const file = join(tmp, 'history.png')
    const { code, stderr } = await run([
      '--epochs',
      '1',
      '--train-samples',
      '1000',
      '--png',
      'none',
      '--quiet',
      '--plot',
      file,
    ])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const png = PNG.sync.read(readFileSync(file))
    expect(png.width).toBeGreaterThan(800) // twice the SVG's size
    expect(png.height).toBeGreaterThan(500)
    let training = 0
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!]
      if (Math.abs(r - 0xf8) < 12 && Math.abs(g - 0x76) < 12 && Math.abs(b - 0x6d) < 12) training++
    }
    expect(splitColors.training).toBe('#F8766D')
    expect(training).toBeGreaterThan(100) // the training points and the legend's
  })
  it.each([
    [['--plot', 'history.pdf'], /--plot: plot file "history.pdf": expected a name ending in .svg or .png, got ".pdf"/],
    [['--plot', 'history'], /--plot: plot file "history": expected a name ending in .svg or .png, got no extension/],
    [['--plot', ''], /--plot: plot file: expected a file name ending in .svg or .png, got ""/],
    [
      ['--plot', join(tmp, 'no-such-dir', 'h.svg')],
      /--plot: plot file ".*h.svg": expected an existing directory, got none at /,
    ],
    [['--plot', tmp], /expected a name ending in .svg or .png/],
    [
      ['--mode', 'functional', '--plot', 'h.svg'],
      /--plot works with --mode keras \(the functional mode's loop records no fit history\), got --mode functional/,
    ],
    [
      ['--load', 'm.safetensors', '--plot', 'h.svg'],
      /--plot draws the training history, so it needs training: got --load/,
    ],
  ])('%j: a usage error before anything runs', async (argv, message) => {
    const { code, stdout, stderr } = await run(argv as string[])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).not.toMatch(/\n\s+at /)
    expect(stdout).toBe('') // no listing, no data loaded, no training
  })
})

describe('user errors: a clear message, exit code 2, no stack trace', () => {
  it.each([
    [['--epochs', 'five'], /--epochs expects a positive integer, got "five"/],
    [['--epochs', '0'], /--epochs expects a positive integer, got "0"/],
    [['--batch-size=-3'], /--batch-size expects a positive integer, got "-3"/],
    [['--batch-size', '-3'], /--batch-size/],
    [['--optimizer', 'adamw'], /--optimizer expects rmsprop, sgd, adam or adagrad, got "adamw"/],
    [['--mode', 'fast'], /--mode expects keras or functional/],
    [['--model', 'resnet'], /--model expects dense or convnet, got "resnet"/],
    [['--model', 'convnet', '--mode', 'functional'], /--model convnet works with --mode keras, got --mode functional/],
    [['--colour'], /Unknown option '--colour'/],
    [['--save', ''], /--save expects a file name, got ""/],
    [
      ['--mode', 'functional', '--load', 'm.safetensors'],
      /--load works with --mode keras \(the functional mode has no model to save\), got --mode functional/,
    ],
  ])('%j', async (argv, message) => {
    const { code, stderr } = await run(argv as string[])
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
  it('a --data directory without the four files names the missing ones', async () => {
    const dir = mkdtempSync(join(tmp, 'empty-'))
    const { code, stderr } = await run(['--data', dir, '--quiet'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/train-images-idx3-ubyte/)
    expect(stderr).toMatch(/t10k-labels-idx1-ubyte/)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
  it('a truncated or wrongly tagged file is named', async () => {
    const dir = mkdtempSync(join(tmp, 'bad-'))
    for (const f of [
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ]) {
      writeFileSync(join(dir, f), Buffer.from([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]))
    }
    const { code, stderr } = await run(['--data', dir, '--quiet'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/idx/i)
    expect(stderr).not.toMatch(/\n\s+at /)
  })
  it('--load of a missing or malformed file names it and says what was expected', async () => {
    const missing = join(tmp, 'no-such-model.safetensors')
    const a = await run(['--load', missing, '--png', 'none', '--quiet'])
    expect(a.code).toBe(2)
    expect(a.stderr).toBe(
      `mnist-demo: loadModel: ${missing}: file not found: expected an existing safetensors file, found no such file\n`,
    )
    const bad = join(tmp, 'bad-model.safetensors')
    writeFileSync(bad, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 2, 3]))
    const b = await run(['--load', bad, '--png', 'none', '--quiet'])
    expect(b.code).toBe(2)
    expect(b.stderr).toBe(
      `mnist-demo: loadModel: ${bad}: bad header length: expected a header length of at most 100000000 bytes, found 4294967295 declared in the first 8 bytes\n`,
    )
  })
  it('--help prints the options', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/--epochs N/)
    expect(stdout).toMatch(/--save FILE/)
    expect(stdout).toMatch(/--load FILE/)
    expect(stdout).toMatch(/--plot FILE/)
    expect(parseOptions([]).epochs).toBe(5)
    expect(parseOptions(['--', '--epochs', '2']).epochs).toBe(2)
  })
})
