// plotHistory and its chart description: rows, spec, the SVG read back panel by panel, the PNG, files and errors.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { add, array, key, normal } from '@nabla/ndarray'
import { compile as compileModel, fit as fitModel, type History, kerasModelSequential, layerDense } from '@nabla/nn'
import { pipe } from 'fp-ts/lib/function.js'
import { PNG } from 'pngjs'
import { changeset, parse, View } from 'vega'
import { compile } from 'vega-lite'
import { afterAll, describe, expect, it } from 'vitest'
import {
  checkPlotPath,
  type HistoryLike,
  historyRows,
  historySpec,
  logRows,
  metricSeries,
  PlotError,
  plotHistory,
  plotHistoryPng,
  splitColors,
  writePlot,
} from '../src/node.js'
import { axisMap, type Panel, readChart } from './svg.js'

const tmp = mkdtempSync(join(tmpdir(), 'nabla-plot-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

// a history as fit returns it after 5 epochs with validation (the shape of @nabla/nn's History)
const validated: History = {
  params: { epochs: 5, steps: 375, batchSize: 128, samples: 48000, validationSamples: 12000 },
  metrics: {
    loss: [0.2575, 0.1038, 0.0684, 0.0497, 0.0372],
    accuracy: [0.9254, 0.9693, 0.9794, 0.9851, 0.9888],
    val_loss: [0.1302, 0.0995, 0.0904, 0.0851, 0.0883],
    val_accuracy: [0.9601, 0.9702, 0.9751, 0.9772, 0.9763],
  },
}
const trainingOnly: HistoryLike = {
  metrics: { accuracy: [0.8, 0.9, 0.93], loss: [0.6, 0.35, 0.2] }, // loss still goes on top
}

/** Checks one panel against the series it must show: one line and one point per value, at the values. */
const expectPanel = (
  panel: Panel,
  series: { color: string; values: readonly number[] }[],
  xOf: (epoch: number) => number,
) => {
  const yOf = axisMap(panel.yTicks, (i) => panel.yTicks[i]!.y)
  expect(panel.lines.map((l) => l.color).sort()).toEqual(series.map((s) => s.color).sort())
  expect(panel.points).toHaveLength(series.reduce((n, s) => n + s.values.length, 0))
  for (const { color, values } of series) {
    const line = panel.lines.find((l) => l.color === color)!
    expect(line.points).toHaveLength(values.length)
    const points = panel.points.filter((p) => p.color === color).sort((a, b) => a.x - b.x)
    expect(points).toHaveLength(values.length)
    values.forEach((v, i) => {
      // where the axis says this value is, within a pixel: the line's vertex and the point
      expect(Math.abs(points[i]!.x - xOf(i + 1))).toBeLessThan(1)
      expect(Math.abs(points[i]!.y - yOf(v))).toBeLessThan(1)
      expect(Math.abs(line.points[i]![0] - xOf(i + 1))).toBeLessThan(1)
      expect(Math.abs(line.points[i]![1] - yOf(v))).toBeLessThan(1)
    })
  }
}

describe('historyRows, logRows, metricSeries', () => {
  it('one row per recorded value, epochs from 1, val_ as the validation split of the same panel', () => {
    expect(historyRows({ metrics: { loss: [0.5, 0.25], val_loss: [0.75, Number.NaN] } })).toEqual([
      { epoch: 1, metric: 'loss', split: 'training', value: 0.5 },
      { epoch: 2, metric: 'loss', split: 'training', value: 0.25 },
      { epoch: 1, metric: 'loss', split: 'validation', value: 0.75 },
      { epoch: 2, metric: 'loss', split: 'validation', value: null }, // not finite: left out of the chart
    ])
    expect(historyRows(validated)).toHaveLength(20)
    expect(historyRows({ metrics: { loss: [3, 2, 1] } }, { x: 'batch' })).toEqual([
      { batch: 1, metric: 'loss', split: 'training', value: 3 },
      { batch: 2, metric: 'loss', split: 'training', value: 2 },
      { batch: 3, metric: 'loss', split: 'training', value: 1 },
    ])
  })
  it('logRows turns one step of callback logs into rows', () => {
    expect(logRows(7, { loss: 0.2, accuracy: 0.9 }, { x: 'batch' })).toEqual([
      { batch: 7, metric: 'loss', split: 'training', value: 0.2 },
      { batch: 7, metric: 'accuracy', split: 'training', value: 0.9 },
    ])
    expect(logRows(2, { val_loss: Number.POSITIVE_INFINITY })).toEqual([
      { epoch: 2, metric: 'loss', split: 'validation', value: null },
    ])
    expect(() => logRows(Number.NaN, { loss: 1 })).toThrow(/logRows: expected a finite epoch number, got NaN/)
  })
  it('logRows names the logs it was given, not a history, in its errors', () => {
    expect(() => logRows(1, { loss: 0.2, accuracy: '0.9' } as never)).toThrow(
      new PlotError('plot: logRows: logs.accuracy: expected a number, got "0.9"'),
    )
    expect(() => logRows(1, {})).toThrow(
      new PlotError('plot: logRows: logs: expected at least one metric (loss, accuracy, …), got none ({})'),
    )
    expect(() => logRows(1, undefined as never)).toThrow(
      new PlotError('plot: logRows: logs: expected an object of numbers ({ loss: number, … }), got undefined'),
    )
  })
  it('historyRows and logRows check x as historySpec does', () => {
    const message = new PlotError('plot: x: expected "epoch" or "batch", got "step"')
    expect(() => historyRows({ metrics: { loss: [0.5] } }, { x: 'step' as never })).toThrow(message)
    expect(() => logRows(1, { loss: 0.5 }, { x: 'step' as never })).toThrow(message)
    expect(() => historySpec({ metrics: { loss: [0.5] } }, { x: 'step' as never })).toThrow(message)
  })
  it('metricSeries', () => {
    expect(metricSeries('val_accuracy')).toEqual({ metric: 'accuracy', split: 'validation' })
    expect(metricSeries('accuracy')).toEqual({ metric: 'accuracy', split: 'training' })
    expect(metricSeries('val_')).toEqual({ metric: 'val_', split: 'training' })
  })
})

describe('historySpec', () => {
  it('a Vega-Lite spec: named inline data holding the rows, a row per panel (loss first), colours by split', () => {
    const spec = historySpec(trainingOnly) as unknown as Record<string, unknown>
    expect(spec.$schema).toMatch(/vega-lite\/v6\.json$/)
    expect(spec.data).toEqual({ name: 'history', values: historyRows(trainingOnly) })
    const facet = spec.facet as { row: { field: string; sort: string[] } }
    expect(facet.row.field).toBe('metric')
    expect(facet.row.sort).toEqual(['loss', 'accuracy'])
    const color = (spec.spec as { encoding: { color: { scale: unknown } } }).encoding.color
    expect(color.scale).toEqual({ domain: ['training'], range: [splitColors.training] })
    const both = historySpec(validated) as { spec: { encoding: { color: { scale: unknown } } } }
    expect(both.spec.encoding.color.scale).toEqual({
      domain: ['training', 'validation'],
      range: [splitColors.training, splitColors.validation],
    })
  })
  it('compiles with vega-lite without warnings, to a vega spec whose data source keeps its name', () => {
    const warnings: unknown[] = []
    const logger = {
      level: () => logger,
      error: (...a: unknown[]) => warnings.push(a) && logger,
      warn: (...a: unknown[]) => warnings.push(a) && logger,
      info: () => logger,
      debug: () => logger,
    }
    const vg = compile(historySpec(validated, { dataName: 'fit' }), { logger: logger as never }).spec
    expect(warnings).toEqual([])
    expect(vg.data?.[0]).toMatchObject({ name: 'fit' })
  })
  it('a live chart: an empty history, per batch, takes rows streamed into its data source', async () => {
    const spec = historySpec({ metrics: { loss: [], accuracy: [] } }, { x: 'batch', splits: ['training'] })
    const view = new View(parse(compile(spec).spec), { renderer: 'none' })
    await view.runAsync()
    expect(readChart(await view.toSVG()).panels.flatMap((p) => p.points)).toHaveLength(0)
    const losses = [2.3, 1.1, 0.7, 0.5]
    const accuracies = [0.1, 0.6, 0.8, 0.85]
    for (const [i, loss] of losses.entries()) {
      await view
        .change('history', changeset().insert(logRows(i + 1, { loss, accuracy: accuracies[i]! }, { x: 'batch' })))
        .runAsync()
    }
    const chart = readChart(await view.toSVG())
    view.finalize()
    expect(chart.panelNames).toEqual(['loss', 'accuracy'])
    expect(chart.xTitle).toBe('batch')
    const xOf = axisMap(chart.xTicks, (i) => chart.xTicks[i]!.x)
    expectPanel(chart.panels[0]!, [{ color: splitColors.training, values: losses }], xOf)
    expectPanel(chart.panels[1]!, [{ color: splitColors.training, values: accuracies }], xOf)
  })
  it('options: the panels shown and their order, titles, sizes', async () => {
    const spec = historySpec(validated, { metrics: ['accuracy'], title: 'MNIST', xTitle: 'Epoch', width: 300 })
    const chart = readChart(await plotHistory(validated, { metrics: ['accuracy'], title: 'MNIST', xTitle: 'Epoch' }))
    expect((spec as { title?: string }).title).toBe('MNIST')
    expect(chart.panelNames).toEqual(['accuracy'])
    expect(chart.xTitle).toBe('Epoch')
    expect(chart.panels).toHaveLength(1)
    const narrow = readChart(await plotHistory(validated, { width: 200 }))
    const wide = readChart(await plotHistory(validated, { width: 600 }))
    expect(wide.width - narrow.width).toBe(400)
    expect(() => historySpec(validated, { width: -1 })).toThrow(
      /plot: width: expected a positive number of pixels, got -1/,
    )
    expect(() => historySpec(validated, { x: 'step' as never })).toThrow(/x: expected "epoch" or "batch", got "step"/)
    expect(() => historySpec(validated, { splits: ['test' as never] })).toThrow(
      /splits: expected "training" and\/or "validation", got "test"/,
    )
  })
})

describe('plotHistory: the SVG shows every series at its values', () => {
  it('training and validation: two panels, two coloured series each, a point per epoch where the axes put it', async () => {
    const chart = readChart(await plotHistory(validated))
    expect(chart.panelNames).toEqual(['loss', 'accuracy'])
    expect(chart.xTitle).toBe('epoch')
    expect(chart.xTicks.map((t) => t.value)).toEqual([1, 2, 3, 4, 5])
    expect(chart.legend).toEqual([
      { label: 'training', color: splitColors.training },
      { label: 'validation', color: splitColors.validation },
    ])
    const xOf = axisMap(chart.xTicks, (i) => chart.xTicks[i]!.x)
    const m = validated.metrics
    expectPanel(
      chart.panels[0]!,
      [
        { color: splitColors.training, values: m.loss! },
        { color: splitColors.validation, values: m.val_loss! },
      ],
      xOf,
    )
    expectPanel(
      chart.panels[1]!,
      [
        { color: splitColors.training, values: m.accuracy! },
        { color: splitColors.validation, values: m.val_accuracy! },
      ],
      xOf,
    )
  })
  it('no validation: one series per panel and no validation anywhere, legend included', async () => {
    const svg = await plotHistory(trainingOnly)
    const chart = readChart(svg)
    expect(chart.panelNames).toEqual(['loss', 'accuracy'])
    expect(chart.legend).toEqual([{ label: 'training', color: splitColors.training }])
    expect(svg).not.toContain('validation')
    expect(svg).not.toContain(splitColors.validation)
    const xOf = axisMap(chart.xTicks, (i) => chart.xTicks[i]!.x)
    expectPanel(chart.panels[0]!, [{ color: splitColors.training, values: trainingOnly.metrics.loss! }], xOf)
    expectPanel(chart.panels[1]!, [{ color: splitColors.training, values: trainingOnly.metrics.accuracy! }], xOf)
  })
  it('validation of the loss only: the accuracy panel has one series, the loss panel two', async () => {
    const history = { metrics: { loss: [1, 0.5], accuracy: [0.5, 0.7], val_loss: [1.2, 0.8] } }
    const chart = readChart(await plotHistory(history))
    const xOf = axisMap(chart.xTicks, (i) => chart.xTicks[i]!.x)
    expectPanel(
      chart.panels[0]!,
      [
        { color: splitColors.training, values: [1, 0.5] },
        { color: splitColors.validation, values: [1.2, 0.8] },
      ],
      xOf,
    )
    expectPanel(chart.panels[1]!, [{ color: splitColors.training, values: [0.5, 0.7] }], xOf)
  })
  it("the history of a real fit (nn's History, validationSplit) plots with its val_ series", async () => {
    const n = 64
    const centres = Array.from({ length: n }, (_, i) => [i % 2 === 0 ? 1 : -1, i % 4 < 2 ? 1 : -1])
    const x = add(array(centres), normal(key(3), [n, 2], { stddev: 0.3 }))
    const y = array(centres.map(([a, b]) => (a !== b ? [0, 1] : [1, 0])))
    const model = compileModel(
      pipe(
        kerasModelSequential(),
        layerDense({ units: 8, activation: 'relu', inputShape: [2] }),
        layerDense({ units: 2, activation: 'softmax' }),
      ),
      { optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'], seed: 0 },
    )
    const { history } = await fitModel(model, x, y, { epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: 0 })
    const chart = readChart(await plotHistory(history))
    const xOf = axisMap(chart.xTicks, (i) => chart.xTicks[i]!.x)
    expect(chart.panelNames).toEqual(['loss', 'accuracy'])
    expectPanel(
      chart.panels[0]!,
      [
        { color: splitColors.training, values: history.metrics.loss! },
        { color: splitColors.validation, values: history.metrics.val_loss! },
      ],
      xOf,
    )
  })
  it('a diverged value (NaN) is a gap in its series, not an error', async () => {
    const chart = readChart(await plotHistory({ metrics: { loss: [1, Number.NaN, 0.5] } }))
    expect(chart.panels[0]!.points).toHaveLength(2)
  })
})

describe('plotHistoryPng', () => {
  it("decodes to the SVG's size times the scale, with the series' colour and the text drawn", async () => {
    const chart = readChart(await plotHistory(validated))
    for (const scale of [1, 2]) {
      const png = PNG.sync.read(Buffer.from(await plotHistoryPng(validated, { scale })))
      expect([png.width, png.height]).toEqual([chart.width * scale, chart.height * scale])
      let coloured = 0
      let text = 0
      const labelsEnd = (chart.origin[0] - 40) * scale // left of the y axes' labels: only the panels' names
      for (let y = 0; y < png.height; y++) {
        for (let x = 0; x < png.width; x++) {
          const i = (y * png.width + x) * 4
          const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!]
          if (Math.abs(r - 0xf8) < 12 && Math.abs(g - 0x76) < 12 && Math.abs(b - 0x6d) < 12) coloured++
          if (x < labelsEnd && r < 120 && g < 120 && b < 120) text++
        }
      }
      expect(coloured).toBeGreaterThan(200 * scale * scale) // the training lines and points
      expect(text).toBeGreaterThan(30 * scale * scale) // "loss" and "accuracy" in DejaVu Sans
    }
  })
  it('panel sizes change the image size; a bad scale is refused', async () => {
    const small = PNG.sync.read(Buffer.from(await plotHistoryPng(validated, { width: 200, height: 100, scale: 1 })))
    const big = PNG.sync.read(Buffer.from(await plotHistoryPng(validated, { width: 400, height: 100, scale: 1 })))
    expect(big.width - small.width).toBe(200)
    expect(big.height).toBe(small.height)
    await expect(plotHistoryPng(validated, { scale: 0 })).rejects.toThrow(
      /scale: expected a number of PNG pixels per SVG pixel in \(0, 16\], got 0/,
    )
  })
})

describe('writePlot and checkPlotPath', () => {
  it('writes SVG or PNG by the extension', async () => {
    const svg = join(tmp, 'history.svg')
    const png = join(tmp, 'history.PNG')
    expect(await writePlot(validated, svg)).toBe('svg')
    expect(await writePlot(validated, png, { scale: 1 })).toBe('png')
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(readChart(readFileSync(svg, 'utf8')).panels).toHaveLength(2)
    expect([...readFileSync(png).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  })
  it('checkPlotPath: the format of a good path, a clear error for a bad one, nothing written', () => {
    expect(checkPlotPath(join(tmp, 'a.svg'))).toBe('svg')
    expect(checkPlotPath(join(tmp, 'a.png'))).toBe('png')
    const file = join(tmp, 'plain.txt')
    writeFileSync(file, 'x')
    mkdirSync(join(tmp, 'dir.svg'), { recursive: true })
    const cases: [string, RegExp][] = [
      ['history.pdf', /plot file "history.pdf": expected a name ending in .svg or .png, got ".pdf"/],
      ['history', /plot file "history": expected a name ending in .svg or .png, got no extension/],
      ['', /plot file: expected a file name ending in .svg or .png, got ""/],
      [join(tmp, 'missing', 'h.svg'), /expected an existing directory, got none at .*missing/],
      [join(file, 'h.png'), /expected a directory, got a file at .*plain\.txt/],
      [join(tmp, 'dir.svg'), /dir\.svg": expected a file name, got a directory/],
    ]
    for (const [path, message] of cases) {
      expect(() => checkPlotPath(path)).toThrow(PlotError)
      expect(() => checkPlotPath(path)).toThrow(message)
    }
  })
  it('writePlot refuses a bad path before rendering', async () => {
    await expect(writePlot(validated, join(tmp, 'h.jpeg'))).rejects.toThrow(
      /expected a name ending in .svg or .png, got ".jpeg"/,
    )
    await expect(writePlot(validated, join(tmp, 'nowhere', 'h.svg'))).rejects.toThrow(/expected an existing directory/)
  })
})

describe('an empty or malformed history: a PlotError naming what was expected and what was given', () => {
  it.each([
    [null, /plot: expected a history \(\{ metrics: \{ loss: number\[\], … \} \}, as fit returns\), got null/],
    [42, /expected a history .*, got 42/],
    [[1, 2], /expected a history .*, got an array of 2/],
    [{}, /plot: history.metrics: expected an object of number arrays .*, got undefined/],
    [{ metrics: [0.5] }, /history.metrics: expected an object of number arrays .*, got an array of 1/],
    [{ metrics: {} }, /plot: history.metrics: expected at least one metric \(loss, accuracy, …\), got none/],
    [{ metrics: { loss: 0.5 } }, /plot: history.metrics.loss: expected an array of numbers, got 0.5/],
    [{ metrics: { loss: [0.5, '0.4'] } }, /plot: history.metrics.loss\[1\]: expected a number, got "0.4"/],
    [
      { metrics: { loss: [], accuracy: [] } },
      /expected a history with at least one recorded epoch, got none \(loss: \[\], accuracy: \[\]\)/,
    ],
  ])('%j', async (history, message) => {
    await expect(plotHistory(history as never)).rejects.toThrow(PlotError)
    await expect(plotHistory(history as never)).rejects.toThrow(message)
    await expect(writePlot(history as never, join(tmp, 'bad.png'))).rejects.toThrow(message)
  })
  it('historyRows and historySpec check the same shape (an empty live history is fine for a spec)', () => {
    expect(() => historyRows({ metrics: { loss: [1, null] } } as never)).toThrow(
      /history.metrics.loss\[1\]: expected a number, got null/,
    )
    expect(() => historySpec({ metrics: {} })).toThrow(/expected at least one metric/)
    expect(historySpec({ metrics: { loss: [] } }).data).toEqual({ name: 'history', values: [] })
  })
})
