// The page's targets, measured headless on the built site (not timed tests): seconds per epoch in the page against
// the command-line demo on the same thread count (target: within 1.5×), first paint on the preview server (target:
// under 1 s), and drawing to prediction (target: under 30 ms). Run: npx -y pnpm@10 --filter @nabla/mnist-web bench
// (BENCH_EPOCHS=n, default 3; BENCH_THREADS=n, default the core count).
import { spawnSync } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { appDir, startSite } from '../test/site.js'

const epochs = Number(process.env.BENCH_EPOCHS ?? 3)
const threads = Number(process.env.BENCH_THREADS ?? availableParallelism())
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2
}
const quantile = (xs: readonly number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] as number
const fmt = (xs: readonly number[]) => xs.map((x) => x.toFixed(2)).join(', ')

const cli = (): number[] => {
  const demo = join(appDir, '..', 'mnist-demo', 'bin', 'mnist-demo.js')
  const run = spawnSync(
    process.execPath,
    [demo, '--epochs', String(epochs), '--threads', String(threads), '--png', 'none', '--quiet'],
    {
      encoding: 'utf8',
    },
  )
  const line = /time per epoch: (.*); total/.exec(run.stdout)?.[1]
  if (run.status !== 0 || line === undefined) throw new Error(`mnist-demo failed:\n${run.stdout}\n${run.stderr}`)
  return line.split(', ').map((t) => Number.parseFloat(t))
}

const site = await startSite()
try {
  console.log(
    `mnist-web bench: built in ${site.buildSeconds.toFixed(1)} s; ${threads} thread(s), ${epochs} epoch(s) of 60,000 images`,
  )

  // first paint, each in a fresh context (nothing cached)
  const paints: number[] = []
  const contentful: number[] = []
  for (let i = 0; i < 5; i++) {
    const context = await site.browser.newContext()
    const page = await context.newPage()
    await page.goto(site.isolated, { waitUntil: 'load' })
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0)
    const [fp, fcp] = await page.evaluate(() => [
      performance.getEntriesByName('first-paint')[0]?.startTime ?? Number.NaN,
      performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    ])
    paints.push(fp as number)
    contentful.push(fcp as number)
    await context.close()
  }
  console.log(
    `first paint: median ${median(paints).toFixed(0)} ms, first contentful paint: median ${median(contentful).toFixed(0)} ms (5 cold loads; target < 1000 ms)`,
  )

  // seconds per epoch in the page
  const page = await site.browser.newPage({ viewport: { width: 1100, height: 900 } })
  await page.goto(`${site.isolated}?train=60000&epochs=${epochs}&threads=${threads}`)
  await page.locator('#load-text[data-ready]').waitFor({ timeout: 60_000 })
  const mode = await page.locator('#mode').textContent()
  await page.click('#train')
  await page.locator('#test-accuracy[data-accuracy]').waitFor({ timeout: 600_000 })
  const web = JSON.parse(
    (await page.locator('#test-accuracy').getAttribute('data-seconds-per-epoch')) ?? '[]',
  ) as number[]
  const accuracy = Number(await page.locator('#test-accuracy').getAttribute('data-accuracy'))
  const command = cli()
  const rest = (xs: number[]) => (xs.length > 1 ? xs.slice(1) : xs)
  const ratio = median(rest(web)) / median(rest(command))
  console.log(`page: ${mode}`)
  console.log(`seconds per epoch in the page: ${fmt(web)} (test accuracy ${(accuracy * 100).toFixed(2)} %)`)
  console.log(`seconds per epoch, mnist-demo --threads ${threads}: ${fmt(command)}`)
  console.log(`page / command line (median after the first epoch): ${ratio.toFixed(2)}× (target ≤ 1.5×)`)

  // drawing to prediction: every update of the page's latency readout while strokes are drawn
  await page.evaluate(() => {
    const readout = document.getElementById('latency') as HTMLElement
    const seen: [number, number][] = []
    ;(globalThis as unknown as { latencies: [number, number][] }).latencies = seen
    new MutationObserver(() => seen.push([Number(readout.dataset.ms), Number(readout.dataset.computeMs)])).observe(
      readout,
      { attributes: true, attributeFilter: ['data-ms'] },
    )
  })
  await page.locator('#pad').scrollIntoViewIfNeeded()
  const box = await page.locator('#pad').boundingBox()
  if (box === null) throw new Error('the pad is not visible')
  for (let k = 0; k < 5; k++) {
    await page.click('#clear')
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.2, { steps: 20 })
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.85, { steps: 20 })
    await page.mouse.up()
  }
  const pairs = await page.evaluate(() => (globalThis as unknown as { latencies: [number, number][] }).latencies)
  const latencies = pairs.map(([total]) => total)
  const computing = pairs.map(([, c]) => c)
  console.log(
    `drawing to prediction (pointer event's time stamp to the bars updated): median ${median(latencies).toFixed(1)} ms, ` +
      `95th percentile ${quantile(latencies, 0.95).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms over ` +
      `${latencies.length} pointer events (target < 30 ms); of which computing (ink, preprocessing, the network): ` +
      `median ${median(computing).toFixed(1)} ms, 95th percentile ${quantile(computing, 0.95).toFixed(1)} ms`,
  )
} finally {
  await site.close()
}
