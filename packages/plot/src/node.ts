/**
 * `plotHistory` for Node: the chart of {@link historySpec} rendered without a browser — vega's
 * headless View to SVG, resvg (prebuilt, no native build) to PNG with a bundled DejaVu Sans — and
 * written to a file by its extension.
 * @module @nabla/plot/node
 */
import { accessSync, constants, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, resolve } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import { parse, View } from 'vega'
import { compile } from 'vega-lite'
import { checkHistory, type HistoryLike, type HistorySpecOptions, historySpec, PlotError } from './spec.js'

export * from './index.js'

/**
 * Options of {@link plotHistoryPng} and {@link writePlot}: the chart's, and the PNG's pixel density.
 * @category Plotting
 * @example
 * const history = { metrics: { loss: [0.3, 0.1] } }
 * // the PNG's width, from its IHDR chunk
 * const widthOf = (png: Uint8Array) => new DataView(png.buffer, png.byteOffset).getUint32(16)
 * const options: PlotPngOptions = { width: 200, height: 100, scale: 1 }
 * const small = widthOf(await plotHistoryPng(history, options))
 * const large = widthOf(await plotHistoryPng(history, { ...options, scale: 2 }))
 * large // → 2 * small
 */
export interface PlotPngOptions extends HistorySpecOptions {
  /** PNG pixels per SVG pixel (default 2: sharp on high-density screens and in READMEs). */
  readonly scale?: number
}

/**
 * The file formats {@link writePlot} writes.
 * @category Plotting
 * @example
 * const history = { metrics: { loss: [0.3, 0.1] } }
 * const format: PlotFormat = checkPlotPath('history.svg')
 * format // → 'svg'
 * await writePlot(history, 'history.PNG', { scale: 1 }) // → 'png'
 * checkPlotPath('history.jpeg') // throws PlotError: expected a name ending in .svg or .png, got ".jpeg"
 */
export type PlotFormat = 'svg' | 'png'

const fontFile = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')

const withValues = (history: HistoryLike): void => {
  const metrics = checkHistory(history)
  if (Object.values(metrics).every((values) => values.length === 0)) {
    const names = Object.keys(metrics)
      .map((n) => `${n}: []`)
      .join(', ')
    throw new PlotError(`plot: expected a history with at least one recorded epoch, got none (${names})`)
  }
}

/**
 * The history's chart ({@link historySpec}) as an SVG document, rendered by vega in Node (no
 * browser, no canvas). Text is left as `<text>` in the `sans-serif` family.
 * @category Plotting
 * @example
 * // a history as `fit` returns it (`const { history } = await fit(model, x, y, { validationSplit: 0.2 })`)
 * const history = { metrics: { loss: [0.26, 0.1, 0.07], val_loss: [0.13, 0.09, 0.08] } }
 * const svg = await plotHistory(history)
 * svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') // → true
 * svg.endsWith('</svg>')                                   // → true
 * await plotHistory({ metrics: { loss: [] } })             // throws PlotError: at least one recorded epoch
 */
export const plotHistory = async (history: HistoryLike, options: HistorySpecOptions = {}): Promise<string> => {
  withValues(history)
  const spec = compile(historySpec(history, options)).spec
  const view = new View(parse(spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/**
 * The history's chart as PNG bytes: {@link plotHistory}'s SVG rasterised by resvg with DejaVu Sans
 * (shipped in the `dejavu-fonts-ttf` package, so text renders on machines without fonts). The
 * image is the SVG's size times `scale`; `width` and `height` set each panel's size, as in
 * {@link historySpec}.
 * @category Plotting
 * @example
 * const history = { metrics: { loss: [0.26, 0.1, 0.07], accuracy: [0.92, 0.97, 0.98] } }
 * const png = await plotHistoryPng(history, { width: 400, height: 150, scale: 1 })
 * Array.from(png.subarray(0, 8)) // → [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] // the PNG signature: "\x89PNG\r\n\x1a\n"
 * await plotHistoryPng(history, { scale: 0 }) // throws PlotError: scale
 */
export const plotHistoryPng = async (history: HistoryLike, options: PlotPngOptions = {}): Promise<Uint8Array> => {
  const scale = options.scale ?? 2
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > 16) {
    throw new PlotError(`plot: scale: expected a number of PNG pixels per SVG pixel in (0, 16], got ${String(scale)}`)
  }
  const svg = await plotHistory(history, options)
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      loadSystemFonts: false,
      fontFiles: [fontFile],
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    logLevel: 'off',
  })
  return new Uint8Array(resvg.render().asPng())
}

/**
 * Checks, without writing anything, that `file` can take a plot: its extension is `.svg` or
 * `.png` and its directory exists and is writable (and `file` is not a directory). Returns the
 * format; throws a `PlotError` that names what was expected and what was given. Synchronous, so a
 * program can call it while parsing its options, before a long training.
 * @category Plotting
 * @example
 * checkPlotPath('history.png') // → 'png'
 * checkPlotPath('history.SVG') // → 'svg'
 * checkPlotPath('history.pdf') // throws PlotError: plot file "history.pdf": expected a name ending in .svg or .png, got ".pdf"
 * checkPlotPath('no/such/dir/history.svg') // throws PlotError: expected an existing directory
 */
export const checkPlotPath = (file: string): PlotFormat => {
  if (typeof file !== 'string' || file === '') {
    throw new PlotError(
      `plot file: expected a file name ending in .svg or .png, got ${JSON.stringify(file) ?? String(file)}`,
    )
  }
  const ext = extname(file).toLowerCase()
  if (ext !== '.svg' && ext !== '.png') {
    throw new PlotError(
      `plot file ${JSON.stringify(file)}: expected a name ending in .svg or .png, got ${ext === '' ? 'no extension' : JSON.stringify(extname(file))}`,
    )
  }
  const dir = dirname(resolve(file))
  let isDir: boolean
  try {
    isDir = statSync(dir).isDirectory()
  } catch {
    throw new PlotError(`plot file ${JSON.stringify(file)}: expected an existing directory, got none at ${dir}`)
  }
  if (!isDir) throw new PlotError(`plot file ${JSON.stringify(file)}: expected a directory, got a file at ${dir}`)
  try {
    accessSync(dir, constants.W_OK)
  } catch {
    throw new PlotError(`plot file ${JSON.stringify(file)}: expected a writable directory, got ${dir} (not writable)`)
  }
  try {
    const existing = statSync(file)
    if (existing.isDirectory()) {
      throw new PlotError(`plot file ${JSON.stringify(file)}: expected a file name, got a directory`)
    }
    accessSync(file, constants.W_OK)
  } catch (e) {
    if (e instanceof PlotError) throw e
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PlotError(`plot file ${JSON.stringify(file)}: expected a writable file, got one that is not writable`)
    }
  }
  return ext === '.svg' ? 'svg' : 'png'
}

/**
 * Writes the history's chart to `file` as SVG or PNG, by its extension (checked first with
 * {@link checkPlotPath}); resolves to the format written.
 * @category Plotting
 * @example
 * import { readFileSync } from 'node:fs'
 * const history = { metrics: { loss: [0.26, 0.1, 0.07], val_loss: [0.13, 0.09, 0.08] } }
 * await writePlot(history, 'history.svg')             // → 'svg'
 * await writePlot(history, 'history.png', { scale: 1 }) // → 'png'
 * readFileSync('history.svg', 'utf8').startsWith('<svg') // → true
 * await writePlot(history, 'history.jpg')             // throws PlotError: expected a name ending in .svg or .png
 */
export const writePlot = async (
  history: HistoryLike,
  file: string,
  options: PlotPngOptions = {},
): Promise<PlotFormat> => {
  const format = checkPlotPath(file)
  const bytes = format === 'svg' ? await plotHistory(history, options) : await plotHistoryPng(history, options)
  try {
    writeFileSync(file, bytes)
  } catch (e) {
    throw new PlotError(`plot file ${JSON.stringify(file)}: expected to write it, got ${(e as Error).message}`)
  }
  return format
}
