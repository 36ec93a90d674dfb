/**
 * The live charts: the same Vega-Lite description as `plotHistory` on the command line (`@nabla/plot`'s
 * `historySpec`: loss above accuracy, training series in ggplot2's red), drawn with vega-embed, one per batch and one
 * per epoch. Rows stream in through the Vega View's changeset API, a few times a second at most.
 */
import { historyDataName, historySpec, logRows } from '@nabla/plot'
import { changeset, Error as errorsOnly, type View } from 'vega'
import embed from 'vega-embed'

export interface LiveCharts {
  /** A batch's loss and accuracy (x: batches since the start of training, from 1). */
  batch(at: number, logs: Readonly<Record<string, number>>): void
  /** An epoch's loss and accuracy (x: the epoch, from 1). */
  epoch(at: number, logs: Readonly<Record<string, number>>): void
  /** Empties both charts (a new training run). */
  reset(): void
}

const empty = { metrics: { loss: [], accuracy: [] } }

const chart = async (element: HTMLElement, x: 'batch' | 'epoch', width: number) => {
  const spec = historySpec(empty, {
    x,
    xTitle: x === 'batch' ? 'batch' : 'epoch',
    width,
    height: 130,
    splits: ['training'],
    metrics: ['loss', 'accuracy'],
  })
  // an empty chart's scales have no extent yet: Vega's warnings about that are noise, its errors are not
  const { view } = await embed(element, spec, { actions: false, renderer: 'svg', logLevel: errorsOnly })
  return view
}

/**
 * Embeds the two charts in their elements (sized to fit them) and returns the functions that feed them.
 * @example
 * const charts = await liveCharts(batchDiv, epochDiv)
 * charts.batch(17, { loss: 0.31, accuracy: 0.91 })
 */
export const liveCharts = async (batchElement: HTMLElement, epochElement: HTMLElement): Promise<LiveCharts> => {
  const width = Math.max(160, Math.min(480, batchElement.clientWidth - 150))
  const views: Record<'batch' | 'epoch', View> = {
    batch: await chart(batchElement, 'batch', width),
    epoch: await chart(epochElement, 'epoch', width),
  }
  const pending: Record<'batch' | 'epoch', object[]> = { batch: [], epoch: [] }
  let scheduled = false
  const flush = () => {
    scheduled = false
    for (const x of ['batch', 'epoch'] as const) {
      if (pending[x].length === 0) continue
      const rows = pending[x]
      pending[x] = []
      // a faceted chart lays its panels out again only when asked (it started with none)
      void views[x].change(historyDataName, changeset().insert(rows)).resize().runAsync()
    }
  }
  const push = (x: 'batch' | 'epoch', rows: object[]) => {
    pending[x].push(...rows)
    if (!scheduled) {
      scheduled = true
      setTimeout(flush, 250)
    }
  }
  return {
    batch: (at, logs) => push('batch', logRows(at, logs, { x: 'batch' })),
    epoch: (at, logs) => push('epoch', logRows(at, logs, { x: 'epoch' })),
    reset: () => {
      pending.batch = []
      pending.epoch = []
      for (const view of Object.values(views)) {
        void view
          .change(
            historyDataName,
            changeset().remove(() => true),
          )
          .resize()
          .runAsync()
      }
    },
  }
}
