// The threaded tier in a real browser: browserPage.ts, bundled with esbuild and served from 127.0.0.1, runs in
// headless Debian Chromium (playwright-core, no browser download). A cross-origin isolated page multiplies on 2
// threads from its main thread (the caller spins) and from a dedicated Web Worker (the caller waits), bit-identical
// to 1 thread and within the float64 triple loop's error bound; a page without COOP/COEP computes on one thread
// and says why. Chromium missing is a failure with install instructions, never a skip.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import type { PageReport } from './browserPage.js'

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

const html = '<!doctype html><meta charset="utf-8"><title>nabla linalg</title><script src="page.js"></script>\n'

let server: Server | undefined
let context: BrowserContext | undefined
let profile = ''

/** Bundles the page, serves it and launches Chromium (once; every test awaits it, so each fails if it fails). */
const start = async (): Promise<{ context: BrowserContext; origin: string }> => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `browser test: no Chromium at ${chromiumPath}. Install Debian's Chromium with ` +
        '`apt-get update && apt-get install -y chromium`, or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    )
  }
  // Fails if anything on the browser path imports a node: module statically (esbuild cannot resolve it there).
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./browserPage.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@nabla/source'],
    logLevel: 'silent',
  })
  const script = bundle.outputFiles[0]?.text ?? ''
  // /isolated/ is served with the COOP/COEP headers that make a page cross-origin isolated, /plain/ without.
  const http = createServer((request, response) => {
    const [, folder, file] = /^\/(isolated|plain)\/(page\.js)?$/.exec(request.url ?? '') ?? []
    if (folder === undefined) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, {
      'Content-Type': file === undefined ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
      'Cache-Control': 'no-store',
      ...(folder === 'isolated' ? isolation : {}),
    })
    response.end(file === undefined ? html : script)
  })
  server = http
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  profile = mkdtempSync(join(tmpdir(), 'nabla-chromium-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return { context, origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}` }
}

let started: ReturnType<typeof start> | undefined

afterAll(async () => {
  await context?.close()
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)))
  if (profile !== '') rmSync(profile, { recursive: true, force: true })
})

/** Opens `folder`'s page and runs the products where `where` says; fails on any uncaught page error. */
const report = async (folder: 'isolated' | 'plain', where: 'page' | 'worker'): Promise<PageReport> => {
  started ??= start()
  const { context, origin } = await started
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  try {
    await page.goto(`${origin}/${folder}/`)
    const result = await page.evaluate(
      (w) => (globalThis as unknown as { nabla: Record<string, () => Promise<PageReport>> }).nabla[w]?.(),
      where,
    )
    expect(errors).toEqual([])
    return result as PageReport
  } finally {
    await page.close()
  }
}

/** Every product: on 1 thread before the workers were up, on `threads` after, on 1 thread; all the same bits. */
const expectProducts = (r: PageReport, threads: number) => {
  expect(r.products).toHaveLength(2)
  for (const { before, after, one } of r.products) {
    expect([before.threads, after.threads, one.threads]).toEqual([1, threads, 1])
    expect(after.bits).toBe(one.bits)
    expect(before.bits).toBe(one.bits)
    for (const p of [before, after, one]) expect(p.errorOverBound).toBeLessThan(1)
  }
  // the transposed-operand product differs from the plain one (the check is not vacuous)
  expect(r.products[0]?.one.bits).not.toBe(r.products[1]?.one.bits)
}

describe('in headless Chromium', () => {
  it('a cross-origin isolated page multiplies on 2 threads from its main thread (spinning, never blocking)', async () => {
    const r = await report('isolated', 'page')
    expect(r.crossOriginIsolated).toBe(true)
    expect(r.support).toMatchObject({ available: true, missing: [], host: 'web', canWait: false })
    expect(r.support.cores).toBe(r.hardwareConcurrency)
    expect(r.ready).toMatchObject({ available: true, threads: 2, workers: 1 })
    expect(r.info).toEqual({ threads: 2, workers: true })
    expectProducts(r, 2)
  })

  it('so does a dedicated Web Worker of that page (which may block, and starts its own workers)', async () => {
    const r = await report('isolated', 'worker')
    expect(r.where).toBe('worker')
    expect(r.crossOriginIsolated).toBe(true)
    expect(r.support).toMatchObject({ available: true, missing: [], host: 'web', canWait: true })
    expect(r.ready).toMatchObject({ threads: 2, workers: 1 })
    expect(r.info).toEqual({ threads: 2, workers: true })
    expectProducts(r, 2)
  })

  it('a page without COOP/COEP falls back to one thread, computes correctly and names crossOriginIsolated', async () => {
    const r = await report('plain', 'page')
    expect(r.crossOriginIsolated).toBe(false)
    expect(r.support.available).toBe(false)
    expect(r.support.missing[0]).toMatch(
      /^crossOriginIsolated \(SharedArrayBuffer needs .*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)$/,
    )
    expect(r.support.missing.slice(1)).toEqual(['SharedArrayBuffer'])
    expect(r.ready).toMatchObject({ available: false, threads: 1, workers: 0 })
    expect(r.info).toEqual({ threads: 1, workers: false })
    expectProducts(r, 1)
  })
})
