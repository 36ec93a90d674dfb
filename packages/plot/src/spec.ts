/**
 * The chart description shared by the command line and the browser: a training history as flat
 * rows and as one Vega-Lite spec (Keras's `plot(history)`: a panel for the loss, then one per
 * metric, training and validation as coloured series of points and lines). Pure: no rendering,
 * no Node APIs, nothing imported at run time.
 */
import type { TopLevelSpec } from 'vega-lite'

/**
 * Which data a value was measured on.
 * @category Plotting
 * @example
 * const split: Split = metricSeries('val_loss').split
 * split // → 'validation'
 * splitColors[split] // → '#00BFC4'
 */
export type Split = 'training' | 'validation'

/**
 * What the x axis counts: epochs (a fit's history) or batches (per-step logs).
 * @category Plotting
 * @example
 * const x: XField = 'batch'
 * historyRows({ metrics: { loss: [0.4, 0.2] } }, { x })[1] // → { batch: 2, metric: 'loss', split: 'training', value: 0.2 }
 * historySpec({ metrics: { loss: [0.4] } }, { x: 'step' as XField }) // throws PlotError: x: expected "epoch" or "batch", got "step"
 */
export type XField = 'epoch' | 'batch'

/**
 * What a history needs for plotting: per-epoch values by name (`loss`, `accuracy`, and
 * `val_loss`, `val_accuracy` when validating). `@nabla/nn`'s `History` (what `fit` returns) is one.
 * @category Plotting
 * @example
 * // `@nabla/nn`'s fit returns one: const { history } = await fit(model, x, y, { epochs: 2, validationSplit: 0.2 })
 * const history: HistoryLike = { metrics: { loss: [0.5, 0.3], val_loss: [0.6, 0.4] } }
 * historyRows(history).map((r) => `${r.split} ${r.epoch}: ${r.value}`) // → ['training 1: 0.5', 'training 2: 0.3', 'validation 1: 0.6', 'validation 2: 0.4']
 * historyRows({ metrics: {} }) // throws PlotError: expected at least one metric
 */
export interface HistoryLike {
  readonly metrics: Readonly<Record<string, readonly number[]>>
}

/**
 * One value of one series: the x position (`epoch`, or `batch`), the panel (`metric`: the name
 * without its `val_` prefix), the series (`split`) and the value (`null` when not finite, which the
 * chart leaves out: a diverged loss is a gap, never a broken scale).
 * @category Plotting
 * @example
 * const rows: HistoryRow[] = historyRows({ metrics: { loss: [0.5, Infinity] } })
 * rows[1] // → { epoch: 2, metric: 'loss', split: 'training', value: null } // a diverged loss: a gap in the chart
 * const [row]: HistoryRow<'batch'>[] = logRows(7, { val_accuracy: 0.9 }, { x: 'batch' })
 * row // → { batch: 7, metric: 'accuracy', split: 'validation', value: 0.9 }
 */
export type HistoryRow<X extends XField = 'epoch'> = { readonly [K in X]: number } & {
  readonly metric: string
  readonly split: Split
  readonly value: number | null
}

/**
 * Options of {@link historySpec}.
 * @category Plotting
 * @example
 * const history = { metrics: { loss: [0.3, 0.1], accuracy: [0.9, 0.97] } }
 * const options: HistorySpecOptions = { title: 'MNIST', width: 300, metrics: ['accuracy'] }
 * const spec = historySpec(history, options) as { title: string; spec: { width: number; height: number }; facet: { row: { sort: string[] } } }
 * spec.title // → 'MNIST'
 * spec.spec.width // → 300
 * spec.spec.height // → 160 // the default
 * spec.facet.row.sort // → ['accuracy'] // only the panels asked for
 * historySpec(history, { width: -1 }) // throws PlotError: width: expected a positive number of pixels, got -1
 */
export interface HistorySpecOptions {
  /** The rows' x field: `'epoch'` (default) for a fit's history, `'batch'` for per-batch values. */
  readonly x?: XField
  /** The x axis title (default: the x field's name). */
  readonly xTitle?: string
  /** A title above the chart (default: none, as Keras). */
  readonly title?: string
  /** Each panel's width in pixels (default 480). */
  readonly width?: number
  /** Each panel's height in pixels (default 160). */
  readonly height?: number
  /**
   * The name of the chart's data source (default `'history'`): a vega `View` takes more rows
   * there with `view.change(name, changeset().insert(rows))`.
   */
  readonly dataName?: string
  /** The panels, top to bottom (default: `loss`, then every other metric of the history in its order). */
  readonly metrics?: readonly string[]
  /**
   * The series in the legend (default: those the history has names for — `validation` only when a
   * `val_` name is present). A live chart that starts empty names both when it will validate.
   */
  readonly splits?: readonly Split[]
}

/**
 * The default name of the chart's data source.
 * @category Plotting
 * @example
 * historyDataName // → 'history'
 * const spec = historySpec({ metrics: { loss: [0.3] } }) as { data: { name: string } }
 * spec.data.name // → historyDataName
 * const named = historySpec({ metrics: { loss: [0.3] } }, { dataName: 'run1' }) as { data: { name: string } }
 * named.data.name // → 'run1'
 */
export const historyDataName = 'history'

/**
 * Series colours: ggplot2's first two hues, as R's keras `plot(history)` draws them.
 * @category Plotting
 * @example
 * splitColors // → { training: '#F8766D', validation: '#00BFC4' }
 * const spec = historySpec({ metrics: { loss: [0.3], val_loss: [0.4] } }) as { spec: { encoding: { color: { scale: unknown } } } }
 * spec.spec.encoding.color.scale // → { domain: ['training', 'validation'], range: [splitColors.training, splitColors.validation] }
 */
export const splitColors: Readonly<Record<Split, string>> = { training: '#F8766D', validation: '#00BFC4' }

/**
 * A user mistake in what was to be plotted or where: the message names what was expected and what
 * was given.
 * @category Plotting
 * @example
 * historyRows({ metrics: { loss: 'low' } } as never) // throws PlotError: history.metrics.loss: expected an array of numbers, got "low"
 * new PlotError('plot: …') instanceof Error          // → true
 */
export class PlotError extends Error {
  override readonly name = 'PlotError'
}

const shown = (value: unknown): string => {
  if (value === undefined) return 'undefined'
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'function') return 'a function'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/**
 * Checks the shape of a history (an object whose `metrics` maps at least one name to an array of
 * numbers) and returns its metrics; a `PlotError` naming the first problem otherwise.
 * @category Plotting
 * @example
 * checkHistory({ metrics: { loss: [0.3, 0.2] } }) // → { loss: [0.3, 0.2] }
 * checkHistory([0.3, 0.2]) // throws PlotError: plot: expected a history ({ metrics: { loss: number[], … } }, as fit returns), got an array of 2
 * checkHistory({ metrics: { loss: [0.3, '0.2'] } }) // throws PlotError: plot: history.metrics.loss[1]: expected a number, got "0.2"
 */
export const checkHistory = (history: unknown): Readonly<Record<string, readonly number[]>> => {
  if (typeof history !== 'object' || history === null || Array.isArray(history)) {
    throw new PlotError(
      `plot: expected a history ({ metrics: { loss: number[], … } }, as fit returns), got ${shown(history)}`,
    )
  }
  const metrics = (history as { metrics?: unknown }).metrics
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new PlotError(
      `plot: history.metrics: expected an object of number arrays ({ loss: number[], … }), got ${shown(metrics)}`,
    )
  }
  const names = Object.keys(metrics)
  if (names.length === 0) {
    throw new PlotError('plot: history.metrics: expected at least one metric (loss, accuracy, …), got none ({})')
  }
  for (const name of names) {
    const values = (metrics as Record<string, unknown>)[name]
    if (!Array.isArray(values)) {
      throw new PlotError(`plot: history.metrics.${name}: expected an array of numbers, got ${shown(values)}`)
    }
    values.forEach((v, i) => {
      if (typeof v !== 'number') {
        throw new PlotError(`plot: history.metrics.${name}[${i}]: expected a number, got ${shown(v)}`)
      }
    })
  }
  return metrics as Readonly<Record<string, readonly number[]>>
}

/**
 * The panel and series of a history's name: `val_` marks validation.
 * @category Plotting
 * @example
 * metricSeries('val_accuracy') // → { metric: 'accuracy', split: 'validation' }
 * metricSeries('loss')         // → { metric: 'loss', split: 'training' }
 */
export const metricSeries = (name: string): { readonly metric: string; readonly split: Split } =>
  name.startsWith('val_') && name.length > 4
    ? { metric: name.slice(4), split: 'validation' }
    : { metric: name, split: 'training' }

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null)

/** The x field an option names (default `'epoch'`); a `PlotError` for anything but `'epoch'` or `'batch'`. */
const xField = (option: unknown): XField => {
  const x = option ?? 'epoch'
  if (x !== 'epoch' && x !== 'batch') throw new PlotError(`plot: x: expected "epoch" or "batch", got ${shown(x)}`)
  return x
}

/**
 * A history as flat rows, one per recorded value: the n-th value of a name is at x = n (epochs and
 * batches count from 1, as Keras prints them), series in the history's name order.
 * @category Plotting
 * @example
 * const rows = historyRows({ metrics: { loss: [0.26, 0.1], val_loss: [0.13, 0.09] } })
 * rows.length // → 4
 * rows[0]     // → { epoch: 1, metric: 'loss', split: 'training', value: 0.26 }
 * rows[2]     // → { epoch: 1, metric: 'loss', split: 'validation', value: 0.13 }
 * historyRows({ metrics: { loss: [0.5, NaN] } }, { x: 'batch' })[1] // → { batch: 2, metric: 'loss', split: 'training', value: null }
 */
export function historyRows(history: HistoryLike): HistoryRow<'epoch'>[]
export function historyRows<X extends XField>(history: HistoryLike, options: { readonly x: X }): HistoryRow<X>[]
export function historyRows(history: HistoryLike, options?: { readonly x?: XField }): unknown[] {
  const metrics = checkHistory(history)
  const x = xField(options?.x)
  return Object.entries(metrics).flatMap(([name, values]) => {
    const series = metricSeries(name)
    return values.map((v, i) => ({ [x]: i + 1, ...series, value: finite(v) }))
  })
}

/**
 * The rows of one step's logs (what `fit`'s `onBatchEnd` or `onEpochEnd` callbacks receive), to
 * stream into a chart made by {@link historySpec}.
 * @category Plotting
 * @example
 * const [training, validation] = logRows(3, { loss: 0.2, val_loss: 0.25 })
 * training   // → { epoch: 3, metric: 'loss', split: 'training', value: 0.2 }
 * validation // → { epoch: 3, metric: 'loss', split: 'validation', value: 0.25 }
 * // a callback that streams each batch's logs (a chart would insert them into its view, see historySpec)
 * const streamed: unknown[] = []
 * const seen = 100 // batches of earlier epochs
 * const onBatchEnd = (b: number, logs: Record<string, number>) => streamed.push(...logRows(seen + b + 1, logs, { x: 'batch' }))
 * onBatchEnd(0, { loss: 0.31 })
 * streamed // → [{ batch: 101, metric: 'loss', split: 'training', value: 0.31 }]
 */
export function logRows(at: number, logs: Readonly<Record<string, number>>): HistoryRow<'epoch'>[]
export function logRows<X extends XField>(
  at: number,
  logs: Readonly<Record<string, number>>,
  options: { readonly x: X },
): HistoryRow<X>[]
export function logRows(
  at: number,
  logs: Readonly<Record<string, number>>,
  options?: { readonly x?: XField },
): unknown[] {
  const x = xField(options?.x)
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    throw new PlotError(`plot: logRows: expected a finite ${x} number, got ${shown(at)}`)
  }
  if (typeof logs !== 'object' || logs === null || Array.isArray(logs)) {
    throw new PlotError(`plot: logRows: logs: expected an object of numbers ({ loss: number, … }), got ${shown(logs)}`)
  }
  const entries = Object.entries(logs)
  if (entries.length === 0) {
    throw new PlotError('plot: logRows: logs: expected at least one metric (loss, accuracy, …), got none ({})')
  }
  for (const [name, v] of entries) {
    if (typeof v !== 'number') throw new PlotError(`plot: logRows: logs.${name}: expected a number, got ${shown(v)}`)
  }
  return entries.map(([name, v]) => ({ [x]: at, ...metricSeries(name), value: finite(v) }))
}

/** The panels of a history: loss first, then the other names (without `val_`) in order. */
const panelsOf = (metrics: Readonly<Record<string, readonly number[]>>): string[] => {
  const panels = [...new Set(Object.keys(metrics).map((n) => metricSeries(n).metric))]
  return panels.includes('loss') ? ['loss', ...panels.filter((p) => p !== 'loss')] : panels
}

const positive = (name: string, v: number | undefined, fallback: number): number => {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new PlotError(`plot: ${name}: expected a positive number of pixels, got ${shown(v)}`)
  }
  return v
}

/**
 * Keras's `plot(history)` as a Vega-Lite spec: one panel per metric stacked top to bottom (loss
 * first; each with its own y scale, named at its left), x the epoch (or batch), training and — when
 * present — validation as coloured series of points joined by lines, with a legend. The rows are
 * inline in the data source `options.dataName` (default `'history'`), so a vega `View` of the
 * compiled spec can stream more in; the same spec renders in Node (`plotHistory`) and in a browser
 * (vega-embed or `new View(parse(compile(spec).spec))`), so the pictures agree.
 * @category Plotting
 * @example
 * import { changeset, parse, View } from 'vega'
 * import { compile } from 'vega-lite'
 * const history = { metrics: { loss: [0.26, 0.1], accuracy: [0.92, 0.97], val_loss: [0.13, 0.09], val_accuracy: [0.96, 0.97] } }
 * const spec = historySpec(history) as { $schema: string; data: { name: string; values: unknown[] }; facet: { row: { sort: string[] } } }
 * spec.$schema           // → 'https://vega.github.io/schema/vega-lite/v6.json'
 * spec.data.name         // → 'history'
 * spec.data.values.length // → 8 // historyRows(history)
 * spec.facet.row.sort    // → ['loss', 'accuracy'] // one panel per metric, loss first
 * // live, per batch, starting empty (in a page: { renderer: 'svg', container: '#chart' })
 * const live = historySpec({ metrics: { loss: [], accuracy: [] } }, { x: 'batch', splits: ['training'] })
 * const view = new View(parse(compile(live).spec), { renderer: 'none' })
 * await view.change('history', changeset().insert(logRows(17, { loss: 0.31, accuracy: 0.91 }, { x: 'batch' }))).runAsync()
 * view.data('history').length // → 2
 * view.finalize()
 */
export const historySpec = (history: HistoryLike, options: HistorySpecOptions = {}): TopLevelSpec => {
  const metrics = checkHistory(history)
  const x = xField(options.x)
  const width = positive('width', options.width, 480)
  const height = positive('height', options.height, 160)
  const present = new Set(Object.keys(metrics).map((n) => metricSeries(n).split))
  const splits = options.splits ?? (['training', 'validation'] as const).filter((s) => present.has(s))
  for (const s of splits) {
    if (s !== 'training' && s !== 'validation') {
      throw new PlotError(`plot: splits: expected "training" and/or "validation", got ${shown(s)}`)
    }
  }
  const panels = options.metrics ?? panelsOf(metrics)
  if (panels.length === 0) throw new PlotError('plot: metrics: expected at least one panel name, got []')
  const dataName = options.dataName ?? historyDataName
  const xTitle = options.xTitle ?? x
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Training history: ${panels.join(', ')} per ${x}, ${splits.join(' and ')}`,
    ...(options.title === undefined ? {} : { title: options.title }),
    data: { name: dataName, values: historyRows(history, { x }) },
    ...(options.metrics === undefined ? {} : { transform: [{ filter: { field: 'metric', oneOf: [...panels] } }] }),
    facet: {
      row: {
        field: 'metric',
        type: 'nominal',
        sort: [...panels],
        title: null,
        header: { labelAngle: -90, labelOrient: 'left', labelFontSize: 12, labelPadding: 6 },
      },
    },
    spec: {
      width,
      height,
      encoding: {
        x: {
          field: x,
          type: 'quantitative',
          title: xTitle,
          scale: { zero: false, nice: false, padding: 8 },
          axis: { tickMinStep: 1, format: 'd' },
        },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false, padding: 6 } },
        color: {
          field: 'split',
          type: 'nominal',
          title: 'data',
          scale: { domain: [...splits], range: splits.map((s) => splitColors[s]) },
          legend: { orient: 'right' },
        },
      },
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 } },
        {
          mark: { type: 'point', filled: true, size: 36, opacity: 1 },
          encoding: {
            tooltip: [
              { field: x, type: 'quantitative', title: xTitle },
              { field: 'metric', type: 'nominal' },
              { field: 'split', type: 'nominal', title: 'data' },
              { field: 'value', type: 'quantitative', format: '.4~g' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
    spacing: 8,
    config: {
      view: { fill: '#EBEBEB', stroke: null },
      axis: {
        gridColor: '#FFFFFF',
        domain: false,
        tickColor: '#333333',
        labelColor: '#4D4D4D',
        titleFontWeight: 'normal',
      },
      header: { labelColor: '#1A1A1A' },
      legend: { titleFontWeight: 'normal' },
    },
  }
}
