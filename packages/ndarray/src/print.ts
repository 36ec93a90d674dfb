/** Printing: `str` (R's one-line glimpse, as the book shows it) and `format` (a readable multi-line form that elides). */
import { isFloat } from './dtype.js'
import type { NDArray } from './ndarray.js'
import { toTypedArray } from './ops/create.js'
import { reshape } from './ops/shape.js'
import { slice } from './ops/slice.js'
import { concrete } from './trace.js'

const rType = (x: NDArray): string => (x.dtype === 'bool' ? 'logi' : isFloat(x.dtype) ? 'num' : 'int')

const rNumber = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf'
  return String(Number(v.toPrecision(3)))
}

/**
 * R's `str()` of an array: type, extents and the first elements in row-major order —
 * ten for integers and whole-number doubles, five for other doubles, six for logicals
 * (R's `vec.len = 4` scaled by type), then `...` if there are more. Rank 1 prints as R
 * prints a 1-d array (`(1d)`); pass `{ vector: true }` for the plain-vector form.
 * @category Printing
 * @example
 * str(zeros([60000, 28, 28], { dtype: 'uint8' })) // → 'int [1:60000, 1:28, 1:28] 0 0 0 0 0 0 0 0 0 0 ...'
 * str(array([12, 3, 6, 14, 10]))                   // → 'num [1:5(1d)] 12 3 6 14 10'
 * str(array([12, 3, 6, 14, 10]), { vector: true }) // → 'num [1:5] 12 3 6 14 10'
 * str(array([0.5, 1 / 3]))                         // → 'num [1:2(1d)] 0.5 0.333'
 * str(array([true, false]))                        // → 'logi [1:2(1d)] TRUE FALSE'
 */
export const str = (x: NDArray, { vector = false }: { readonly vector?: boolean } = {}): string => {
  const c = concrete('str', x)
  // R shows 10 integers, or 10 doubles when the first 10 print exactly in 3 significant digits, else 5
  const head = toTypedArray(x.size > 10 ? slice(reshape(c, [x.size]), [0, 10]) : c)
  const fits = (v: number) =>
    Number.isNaN(v) ||
    v === 0 ||
    (Math.abs(v) > 1e-10 && Math.abs(v) < 1e10 && Math.abs(v - Number(v.toPrecision(3))) <= 1e-12 * Math.abs(v))
  const count = x.dtype === 'bool' ? 6 : rType(x) === 'int' || head.every(fits) ? 10 : 5
  const shown = Array.from(head.subarray(0, Math.min(count, c.size)), (v) =>
    x.dtype === 'bool' ? (v ? 'TRUE' : 'FALSE') : rNumber(v),
  )
  const dims =
    x.rank === 0
      ? ''
      : x.rank === 1
        ? ` [1:${x.shape[0]}${vector ? '' : '(1d)'}]`
        : ` [${x.shape.map((d) => `1:${d}`).join(', ')}]`
  const more = c.size > count ? ' ...' : ''
  return `${rType(x)}${dims} ${shown.join(' ')}${more}`.trimEnd()
}

/**
 * Options of {@link format}.
 * @category Printing
 * @example
 * const options: FormatOptions = { threshold: 5, edgeItems: 2 }
 * format(arange(10), options)                   // → '[0, 1, ..., 8, 9]'
 * format(array([Math.PI]), { precision: 3 })    // → '[3.14]'
 */
export interface FormatOptions {
  /** Significant digits of floats (default 6). */
  readonly precision?: number
  /** Arrays with more elements than this are elided (default 1000). */
  readonly threshold?: number
  /** Entries kept at each end of an elided axis (default 3). */
  readonly edgeItems?: number
}

/**
 * A multi-line rendering with aligned columns, NumPy-style; large arrays show their
 * edges around `...`.
 * @category Printing
 * @example
 * console.log(format(reshape(arange(6), [3, 2])))
 * // prints:
 * //   [[0, 1],
 * //    [2, 3],
 * //    [4, 5]]
 * format(array([0.5, 1 / 3, 2]), { precision: 3 }) // → '[  0.5, 0.333,     2]'
 */
export const format = (x: NDArray, { precision = 6, threshold = 1000, edgeItems = 3 }: FormatOptions = {}): string => {
  // read the elements in place through the view's strides: no copy, even of a huge array that prints only its edges
  const c = concrete('format', x)
  const elide = c.size > threshold
  const text = (v: number): string =>
    x.dtype === 'bool'
      ? v
        ? 'true'
        : 'false'
      : Number.isFinite(v)
        ? String(Number(v.toPrecision(precision)))
        : String(v)
  const keep = (n: number): number[] =>
    elide && n > 2 * edgeItems
      ? [
          ...Array.from({ length: edgeItems }, (_, i) => i),
          -1,
          ...Array.from({ length: edgeItems }, (_, i) => n - edgeItems + i),
        ]
      : Array.from({ length: n }, (_, i) => i)
  const cells: string[] = []
  const collect = (depth: number, base: number): void => {
    if (depth === x.rank) {
      cells.push(text(c.data[base] as number))
      return
    }
    for (const i of keep(x.shape[depth] as number))
      if (i >= 0) collect(depth + 1, base + i * (c.strides[depth] as number))
  }
  collect(0, c.offset)
  const width = cells.reduce((w, s) => Math.max(w, s.length), 0)
  let k = 0
  const render = (depth: number): string => {
    if (depth === x.rank) return (cells[k++] as string).padStart(width)
    const parts = keep(x.shape[depth] as number).map((i) => (i < 0 ? '...' : render(depth + 1)))
    const sep = depth === x.rank - 1 ? ', ' : `,${'\n'.repeat(x.rank - depth - 1)}${' '.repeat(depth + 1)}`
    return `[${parts.join(sep)}]`
  }
  return render(0)
}
