// The built page end to end in headless Chromium: it loads without console errors, is cross-origin isolated and
// trains on more than one thread; says so when the page is not isolated; names a bad model file; trains one epoch
// on 4,000 images to a clear accuracy floor; loads the model the command-line demo saved and predicts the first ten
// test digits as the book does; classifies digits drawn with a mouse and a finger, and test images painted through
// its own preprocessing; leaves a screenshot in test-results/.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compile, encodeModel, kerasModelSequential, layerDense } from '@nabla/nn'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDir, type Site, startSite } from './site.js'

const repo = join(appDir, '..', '..')
const demoBin = join(repo, 'apps', 'mnist-demo', 'bin', 'mnist-demo.js')
const results = join(appDir, 'test-results')
const tmp = mkdtempSync(join(tmpdir(), 'nabla-mnist-web-test-'))

/**
 * The model the command-line demo saves after the book's full run (60,000 images, 5 epochs, about 7 s): its first
 * ten test predictions are the book's 7 2 1 0 4 1 4 9 5 9. Shorter runs are no safe stand-in: after 1, 3 or 4
 * epochs the ninth digit (a hard 5) still reads as 6.
 */
const demoModel = (file: string): Promise<void> =>
  new Promise((resolve, reject) => {
    if (!existsSync(join(repo, 'apps', 'mnist-demo', 'dist', 'index.js'))) {
      reject(new Error('mnist-web browser test: apps/mnist-demo is not built (run `npx -y pnpm@10 build` first)'))
      return
    }
    const child = spawn(process.execPath, [demoBin, '--save', file, '--png', 'none', '--quiet'], {
      cwd: tmp,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += String(d)))
    child.stderr.on('data', (d) => (output += String(d)))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`mnist-demo --save exited with ${code}:\n${output}`)),
    )
  })

let site: Site | undefined
let page: Page
const errors: string[] = []
const demoFile = join(tmp, 'demo.safetensors')

beforeAll(async () => {
  // the demo trains while Vite builds the site
  const [built] = await Promise.all([startSite(), demoModel(demoFile)])
  site = built
  page = await site.browser.newPage({ viewport: { width: 1100, height: 900 } })
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`))
}, 120_000)

afterAll(async () => {
  await site?.close()
  rmSync(tmp, { recursive: true, force: true })
})

const guess = async () => page.locator('#guess').getAttribute('data-digit')

/** Strokes through the pad with the mouse (pointer events); points are fractions of the pad's size. */
const drawWithMouse = async (strokes: readonly (readonly [number, number])[][]) => {
  const box = await page.locator('#pad').boundingBox()
  if (box === null) throw new Error('the pad is not visible')
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.map(([x, y]) => [box.x + x * box.width, box.y + y * box.height] as const)
    await page.mouse.move(first![0], first![1])
    await page.mouse.down()
    for (const [x, y] of rest) await page.mouse.move(x, y, { steps: 8 })
    await page.mouse.up()
  }
}

/** A stroke with a finger: touch events from Chromium's input pipeline, which the page sees as touch pointers. */
const drawWithTouch = async (stroke: readonly (readonly [number, number])[]) => {
  const box = await page.locator('#pad').boundingBox()
  if (box === null) throw new Error('the pad is not visible')
  const cdp = await page.context().newCDPSession(page)
  const points = stroke.map(([x, y]) => ({ x: box.x + x * box.width, y: box.y + y * box.height }))
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [points[0]!] })
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!]
    for (let s = 1; s <= 3; s++) {
      const t = s / 3
      const at = { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at] })
    }
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
  await cdp.detach()
}

const loadModelFile = async (name: string, bytes: Buffer | Uint8Array) => {
  await page
    .locator('#model-file')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) })
}

/** Drops a file on the page as a drag from the desktop would. */
const dropModelFile = async (name: string, bytes: Uint8Array) => {
  await page.evaluate(
    ([name, data]) => {
      const transfer = new DataTransfer()
      transfer.items.add(new File([new Uint8Array(data)], name))
      const target = document.getElementById('drop') as HTMLElement
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }))
      }
    },
    [name, [...bytes]] as const,
  )
}

describe('mnist-web in headless Chromium', () => {
  it('loads with no console errors, cross-origin isolated, its worker training on more than one thread', async () => {
    await page.goto(`${site!.isolated}?train=4000&epochs=1`)
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true)
    await page.locator('#mode[data-threads]:not([data-threads=""])').waitFor()
    expect(Number(await page.locator('#mode').getAttribute('data-threads'))).toBeGreaterThan(1)
    await expect.poll(() => page.locator('#mode').textContent()).toMatch(/^Threaded: .* use \d+ threads/)
    await page.locator('#load-text[data-ready]').waitFor({ timeout: 30_000 })
    expect(await page.locator('#load-text').textContent()).toMatch(
      /^Loaded 60,000 training images and 10,000 test images in/,
    )
    expect(await page.locator('#alerts').textContent()).toBe('')
    expect(errors).toEqual([])
  })

  it('an empty drawing and a bad model file get clear messages', async () => {
    await page.click('#clear')
    expect(await page.locator('#guess').textContent()).toBe(
      'The canvas is empty: draw a digit (0 to 9) with the mouse, a pen or a finger.',
    )
    await loadModelFile('notes.safetensors', new TextEncoder().encode('these are my notes, not a model'))
    await page.locator('#model-status[data-error]').waitFor()
    expect(await page.locator('#model-status').textContent()).toMatch(
      /^Could not load notes\.safetensors: notes\.safetensors is not a model file this page can read .*decodeModel: notes\.safetensors: bad header length/,
    )
    // a well-formed model of the wrong shape, dropped on the page
    const small = compile(layerDense(kerasModelSequential(), { units: 3, activation: 'softmax', inputShape: [5] }), {
      optimizer: 'rmsprop',
      loss: 'categorical_crossentropy',
    })
    await dropModelFile('small.safetensors', encodeModel(small))
    await expect
      .poll(() => page.locator('#model-status').textContent())
      .toBe(
        'Could not load small.safetensors: small.safetensors holds a network for inputs of shape [5] and outputs of ' +
          'shape [3]; this page needs one for 28 × 28 = 784 pixels in and 10 digit classes out, like the one ' +
          'mnist-demo --save writes.',
      )
    expect(await page.locator('#download').isDisabled()).toBe(true)
  })

  it('trains one epoch on 4,000 images in the worker to a test accuracy above 75 %', async () => {
    await page.click('#train')
    await page.locator('#test-accuracy[data-accuracy]').waitFor({ timeout: 60_000 })
    const accuracy = Number(await page.locator('#test-accuracy').getAttribute('data-accuracy'))
    // the command line reaches 0.8122 with the same seed and data (the same bits on any thread count)
    expect(accuracy).toBeGreaterThan(0.75)
    expect(await page.locator('#epoch-table tbody tr').count()).toBe(1)
    expect(await page.locator('#batch-text').textContent()).toMatch(/^32\/32 · loss 0\.\d{4} · accuracy 0\.\d{4}$/)
    // the charts drew the batches (Vega SVG with one point per batch and metric)
    await expect
      .poll(() =>
        page.locator('#chart-batch svg path[aria-roledescription="point"], #chart-batch svg .mark-symbol path').count(),
      )
      .toBeGreaterThanOrEqual(64)
    expect(await page.locator('#grid .cell').count()).toBe(100)
    expect(await page.locator('#confusion tbody tr').count()).toBe(10)
    expect(errors).toEqual([])
  })

  it("loads the command-line demo's saved model and predicts the first ten test digits 7 2 1 0 4 1 4 9 5 9", async () => {
    await loadModelFile('demo.safetensors', readFileSync(demoFile))
    await page.locator('#model-status[data-loaded="demo.safetensors"]').waitFor({ timeout: 30_000 })
    expect(await page.locator('#model-status').textContent()).toMatch(
      /^Loaded demo\.safetensors \(trained for 5 epochs\): test accuracy 9[78]\.\d\d %\.$/,
    )
    const firstTen = await page
      .locator('#grid .cell')
      .evaluateAll((cells) => cells.slice(0, 10).map((c) => (c as HTMLElement).dataset.predicted))
    expect(firstTen.join(' ')).toBe('7 2 1 0 4 1 4 9 5 9')
  })

  it('classifies a digit drawn with the mouse and one drawn with a finger', async () => {
    await page.click('#clear')
    // a 7: the bar, then the stem
    await drawWithMouse([
      [
        [0.25, 0.2],
        [0.75, 0.2],
        [0.45, 0.85],
      ],
    ])
    expect(await guess()).toBe('7')
    expect(Number(await page.locator('#latency').getAttribute('data-ms'))).toBeGreaterThan(0)
    await page.click('#clear')
    expect(await guess()).toBe('')
    // a 0 with a finger: an ellipse
    const ellipse = Array.from({ length: 25 }, (_, i) => {
      const t = (i / 24) * 2 * Math.PI
      return [0.5 + 0.22 * Math.sin(t), 0.5 - 0.33 * Math.cos(t)] as const
    })
    await drawWithTouch(ellipse)
    expect(await guess()).toBe('0')
  })

  it("classifies test images painted on the pad through the page's own preprocessing", async () => {
    // the first eight test digits (the ninth, a hard 5, is the one the demo's model only just gets right)
    const cells = page.locator('#grid .cell')
    for (let i = 0; i < 8; i++) {
      const cell = cells.nth(i)
      await cell.click()
      expect(await guess(), `test image ${i}`).toBe(await cell.getAttribute('data-label'))
    }
    mkdirSync(results, { recursive: true })
    await page.screenshot({ path: join(results, 'mnist-web.png'), fullPage: true })
    expect(errors).toEqual([])
  })

  it('a page without COOP/COEP says it is not cross-origin isolated and trains on one thread', async () => {
    const plain = await site!.browser.newPage()
    const plainErrors: string[] = []
    plain.on('console', (m) => {
      if (m.type() === 'error') plainErrors.push(m.text())
    })
    plain.on('pageerror', (e) => plainErrors.push(e.message))
    try {
      await plain.goto(site!.plain)
      expect(await plain.evaluate(() => crossOriginIsolated)).toBe(false)
      await plain.locator('#mode[data-threads="1"]').waitFor()
      expect(await plain.locator('#alerts').textContent()).toContain(
        'This page is not cross-origin isolated, so nabla cannot share memory with worker threads: training runs on ' +
          'one thread. The host must send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: ' +
          'require-corp',
      )
      expect(await plain.locator('#mode').textContent()).toMatch(/^One thread: .*crossOriginIsolated/)
      await plain.locator('#load-text[data-ready]').waitFor({ timeout: 30_000 })
      expect(plainErrors).toEqual([])
    } finally {
      await plain.close()
    }
  })
})
