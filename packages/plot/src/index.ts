/**
 * `@nabla/plot`: Keras's `plot(history)` as one chart description for every runtime — a training
 * history as flat rows and as a Vega-Lite spec. Rendering to SVG and PNG and writing files are in
 * `@nabla/plot/node`.
 * @module @nabla/plot
 */
export {
  checkHistory,
  type HistoryLike,
  type HistoryRow,
  type HistorySpecOptions,
  historyDataName,
  historyRows,
  historySpec,
  logRows,
  metricSeries,
  PlotError,
  type Split,
  splitColors,
  type XField,
} from './spec.js'
