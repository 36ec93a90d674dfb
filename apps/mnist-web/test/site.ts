// The built site for the browser test and the bench: `vite build` into a temporary folder, served by `vite preview`
// (with the config's COOP/COEP headers) and by a plain static server without them, and headless Debian Chromium
// (playwright-core; nothing is downloaded). Chromium missing is a failure with install instructions, never a skip.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium } from 'playwright-core'
import { build, type PreviewServer, preview } from 'vite'

export const appDir = fileURLToPath(new URL('..', import.meta.url))
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface Site {
  /** The built site on `vite preview`: cross-origin isolated. */
  readonly isolated: string
  /** The same files from a static server that sends no COOP/COEP headers. */
  readonly plain: string
  readonly browser: Browser
  readonly buildSeconds: number
  close(): Promise<void>
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.gz': 'application/gzip',
}

const plainServer = (root: string): Server =>
  createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path))
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' })
    response.end(readFileSync(file))
  })

/**
 * Builds the site and starts both servers and Chromium.
 * @example
 * const site = await startSite(); const page = await site.browser.newPage(); await page.goto(site.isolated)
 */
export const startSite = async (): Promise<Site> => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `mnist-web browser test: no Chromium at ${chromiumPath}. Install Debian's Chromium with ` +
        '`apt-get update && apt-get install -y chromium`, or set CHROMIUM_PATH to a Chromium or Chrome binary.',
    )
  }
  const outDir = mkdtempSync(join(tmpdir(), 'nabla-mnist-web-'))
  const started = performance.now()
  await build({ root: appDir, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  const buildSeconds = (performance.now() - started) / 1000
  let server: PreviewServer | undefined
  let plain: Server | undefined
  let browser: Browser | undefined
  try {
    server = await preview({
      root: appDir,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0 },
    })
    const http = plainServer(outDir)
    plain = http
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
    })
  } catch (e) {
    await server?.close()
    plain?.close()
    rmSync(outDir, { recursive: true, force: true })
    throw e
  }
  const b = browser
  const s = server
  const p = plain
  return {
    isolated: `http://127.0.0.1:${(s.httpServer.address() as AddressInfo).port}/`,
    plain: `http://127.0.0.1:${(p.address() as AddressInfo).port}/`,
    browser: b,
    buildSeconds,
    close: async () => {
      await b.close()
      await s.close()
      await new Promise((resolve) => p.close(resolve))
      rmSync(outDir, { recursive: true, force: true })
    },
  }
}
