// Reads back what vega drew: the panels of a rendered history chart, their axes, lines and points.

/** A tag's attributes. */
const attributes = (tag: string): Record<string, string> =>
  Object.fromEntries([...tag.matchAll(/([a-zA-Z:-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]))

const translate = (transform: string | undefined): [number, number] => {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(transform ?? '')
  if (m === null) throw new Error(`no translate in ${transform}`)
  return [Number(m[1]), Number(m[2])]
}

/** One panel (a facet cell): its y axis (tick value → pixel), its lines and its points, in the cell's coordinates. */
export interface Panel {
  readonly yTicks: readonly { readonly value: number; readonly y: number }[]
  readonly lines: readonly { readonly color: string; readonly points: readonly [number, number][] }[]
  readonly points: readonly { readonly color: string; readonly x: number; readonly y: number }[]
}

/** The parts of a chart drawn by `historySpec` that a reader sees. */
export interface Chart {
  readonly width: number
  readonly height: number
  /** The root group's offset: what lies left of it is the panels' row labels. */
  readonly origin: [number, number]
  /** Row labels, top to bottom. */
  readonly panelNames: readonly string[]
  readonly panels: readonly Panel[]
  /** The x axis below the last panel: tick value → pixel. */
  readonly xTicks: readonly { readonly value: number; readonly x: number }[]
  readonly xTitle: string | undefined
  readonly legend: readonly { readonly label: string; readonly color: string }[]
}

const texts = (s: string) =>
  [...s.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ ...attributes(m[1]!), text: m[2]! }))

const group = (svg: string, cls: string): string[] => {
  const starts = [...svg.matchAll(new RegExp(`<g class="${cls}[" ]`, 'g'))].map((m) => m.index)
  return starts.map((start) => {
    // the group runs to its matching </g>
    let depth = 0
    const re = /<g[\s>]|<\/g>/g
    re.lastIndex = start
    for (let m = re.exec(svg); m !== null; m = re.exec(svg)) {
      depth += m[0] === '</g>' ? -1 : 1
      if (depth === 0) return svg.slice(start, m.index + 4)
    }
    throw new Error(`unclosed group ${cls}`)
  })
}

/** The items of a mark group: its child groups (one per facet cell for the cells' group). */
const items = (markGroup: string): string[] => {
  const out: string[] = []
  let depth = 0
  let start = 0
  const re = /<g[\s>]|<\/g>/g
  for (let m = re.exec(markGroup); m !== null; m = re.exec(markGroup)) {
    if (m[0] === '</g>') {
      depth--
      if (depth === 1) out.push(markGroup.slice(start, m.index + 4))
    } else {
      if (depth === 1) start = m.index
      depth++
    }
  }
  return out
}

/**
 * Parses vega's SVG of a history chart.
 * @example
 * readChart(await plotHistory(history)).panels[0].points.length
 */
export const readChart = (svg: string): Chart => {
  const root = attributes(/<svg[^>]*>/.exec(svg)![0])
  const origin = translate(/<g fill="none"[^>]*transform="([^"]*)"/.exec(svg)![1])
  const panelNames = group(svg, 'mark-group role-row-header').flatMap((g) => texts(g).map((t) => t.text))
  const panels = group(svg, 'mark-group role-scope cell')
    .flatMap(items)
    .map((cell): Panel => {
      const axisTicks = group(cell, 'mark-rule role-axis-tick')[0] ?? ''
      const ys = [...axisTicks.matchAll(/<line([^>]*)\/>/g)].map((m) => translate(attributes(m[1]!).transform)[1])
      const labels = texts(group(cell, 'mark-text role-axis-label')[0] ?? '').map((t) => Number(t.text))
      const lines = group(cell, 'mark-line role-mark').flatMap((g) =>
        [...g.matchAll(/<path([^>]*)\/>/g)].map((m) => {
          const a = attributes(m[1]!)
          const points = [...(a.d ?? '').matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map(
            (p) => [Number(p[1]), Number(p[2])] as [number, number],
          )
          return { color: a.stroke ?? '', points }
        }),
      )
      const points = group(cell, 'mark-symbol role-mark').flatMap((g) =>
        [...g.matchAll(/<path([^>]*)\/>/g)].map((m) => {
          const a = attributes(m[1]!)
          const [x, y] = translate(a.transform)
          return { color: a.fill ?? '', x, y }
        }),
      )
      return { yTicks: ys.map((y, i) => ({ value: labels[i]!, y })), lines, points }
    })
  const footer = group(svg, 'mark-group role-column-footer').at(-1) ?? ''
  const xs = [...(group(footer, 'mark-rule role-axis-tick')[0] ?? '').matchAll(/<line([^>]*)\/>/g)].map(
    (m) => translate(attributes(m[1]!).transform)[0],
  )
  const xLabels = texts(group(footer, 'mark-text role-axis-label')[0] ?? '').map((t) => Number(t.text))
  const xTitle = texts(group(footer, 'mark-text role-axis-title')[0] ?? '')[0]?.text
  const legendLabels = texts(group(svg, 'mark-text role-legend-label').join('')).map((t) => t.text)
  const legendColors = group(svg, 'mark-symbol role-legend-symbol').map(
    (g) => attributes(/<path[^>]*\/>/.exec(g)![0]).fill ?? '',
  )
  return {
    width: Number(root.width),
    height: Number(root.height),
    origin,
    panelNames,
    panels,
    xTicks: xs.map((x, i) => ({ value: xLabels[i]!, x })),
    xTitle,
    legend: legendLabels.map((label, i) => ({ label, color: legendColors[i]! })),
  }
}

/** The linear map through two ticks (value → pixel), as the axis shows it. */
export const axisMap = (ticks: readonly { readonly value: number }[], at: (i: number) => number) => {
  if (ticks.length < 2) throw new Error(`an axis with ${ticks.length} tick(s)`)
  const [a, b] = [0, ticks.length - 1]
  const va = ticks[a]!.value
  const vb = ticks[b]!.value
  return (v: number) => at(a) + ((v - va) / (vb - va)) * (at(b) - at(a))
}
