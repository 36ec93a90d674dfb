/** Naive nested-loop references for the product ops, and builders of strided (non-contiguous) inputs. */
import { array, type DType, type NDArray, slice, transpose } from '@nabla/ndarray'
import { flatIndex, indices, type Ref } from '@nabla/test-utils'

const at = (r: Ref, idx: readonly number[]): number => r.values[flatIndex(r.shape, idx)] as number

/**
 * out[o] = Σ_s x[xIndex(o, s)]·y[yIndex(o, s)] over every index s of `sumShape`: the one loop
 * every reference below is an instance of.
 */
export const naiveContract = (
  outShape: readonly number[],
  sumShape: readonly number[],
  x: Ref,
  y: Ref,
  xIndex: (o: readonly number[], s: readonly number[]) => number[],
  yIndex: (o: readonly number[], s: readonly number[]) => number[],
): Ref => ({
  shape: outShape,
  values: indices(outShape).map((o) =>
    indices(sumShape).reduce((acc, s) => acc + at(x, xIndex(o, s)) * at(y, yIndex(o, s)), 0),
  ),
})

/** NumPy's dot: dot(x, y)[i…, j…, n] = Σ_k x[i…, k]·y[j…, k, n] (y a vector: Σ_k x[i…, k]·y[k]). */
export const naiveDot = (x: Ref, y: Ref): Ref => {
  const k = x.shape[x.shape.length - 1] as number
  const xi = x.shape.slice(0, -1)
  const yFree = y.shape.length === 1 ? [] : [...y.shape.slice(0, -2), y.shape[y.shape.length - 1] as number]
  const nx = xi.length
  return naiveContract(
    [...xi, ...yFree],
    [k],
    x,
    y,
    (o, [p]) => [...o.slice(0, nx), p as number],
    (o, [p]) => (y.shape.length === 1 ? [p as number] : [...o.slice(nx, -1), p as number, o[o.length - 1] as number]),
  )
}

/** NumPy's matmul with batch broadcasting (vectors promoted to a row / a column and the unit axis removed). */
export const naiveMatmul = (x: Ref, y: Ref): Ref => {
  const x2: Ref = x.shape.length === 1 ? { shape: [1, ...x.shape], values: x.values } : x
  const y2: Ref = y.shape.length === 1 ? { shape: [...y.shape, 1], values: y.values } : y
  const bx = x2.shape.slice(0, -2)
  const by = y2.shape.slice(0, -2)
  const nb = Math.max(bx.length, by.length)
  const batch = Array.from({ length: nb }, (_, i) => {
    const dx = bx[bx.length - nb + i] ?? 1
    return dx === 1 ? (by[by.length - nb + i] ?? 1) : dx
  })
  const [m, k] = x2.shape.slice(-2) as [number, number]
  const n = y2.shape[y2.shape.length - 1] as number
  // the batch index as seen by an operand with batch shape `b` (leading axes dropped, unit axes pinned to 0)
  const own = (b: readonly number[], o: readonly number[]) =>
    b.map((d, i) => (d === 1 ? 0 : (o[nb - b.length + i] as number)))
  const out = naiveContract(
    [...batch, m, n],
    [k],
    x2,
    y2,
    (o, [p]) => [...own(bx, o), o[nb] as number, p as number],
    (o, [p]) => [...own(by, o), p as number, o[nb + 1] as number],
  )
  const shape = [...batch, ...(x.shape.length === 1 ? [] : [m]), ...(y.shape.length === 1 ? [] : [n])]
  return { shape, values: out.values }
}

/** dotGeneral by definition: batch axes, then x's free axes, then y's, summing over the contracting pairs. */
export const naiveDotGeneral = (
  x: Ref,
  y: Ref,
  contracting: readonly [readonly number[], readonly number[]],
  batch: readonly [readonly number[], readonly number[]],
): Ref => {
  const [xc, yc] = contracting
  const [xb, yb] = batch
  const xf = x.shape.map((_, i) => i).filter((i) => !xc.includes(i) && !xb.includes(i))
  const yf = y.shape.map((_, i) => i).filter((i) => !yc.includes(i) && !yb.includes(i))
  const outShape = [
    ...xb.map((a) => x.shape[a] as number),
    ...xf.map((a) => x.shape[a] as number),
    ...yf.map((a) => y.shape[a] as number),
  ]
  const place = (
    rank: number,
    b: readonly number[],
    f: readonly number[],
    c: readonly number[],
    fFrom: number,
    o: readonly number[],
    s: readonly number[],
  ): number[] => {
    const idx = new Array<number>(rank).fill(0)
    b.forEach((a, i) => {
      idx[a] = o[i] as number
    })
    f.forEach((a, i) => {
      idx[a] = o[fFrom + i] as number
    })
    c.forEach((a, i) => {
      idx[a] = s[i] as number
    })
    return idx
  }
  return naiveContract(
    outShape,
    xc.map((a) => x.shape[a] as number),
    x,
    y,
    (o, s) => place(x.shape.length, xb, xf, xc, xb.length, o, s),
    (o, s) => place(y.shape.length, yb, yf, yc, xb.length + xf.length, o, s),
  )
}

/** How an input is laid out in memory: the values are the same, the strides differ. */
export type Layout = 'contiguous' | 'transposed' | 'strided' | 'reversed'

export const layouts: readonly Layout[] = ['contiguous', 'transposed', 'strided', 'reversed']

/**
 * An NDArray holding `r`'s values with the given layout: `transposed` is a transpose view of
 * an array stored with reversed axes; `strided` a step-2 slice of an array twice as long on
 * every axis; `reversed` a step −1 slice of an array stored back to front on axis 0.
 */
export const withLayout = (r: Ref, layout: Layout, dtype: DType = 'float32'): NDArray => {
  const rank = r.shape.length
  const make = (shape: readonly number[], value: (idx: number[]) => number): NDArray => {
    const values = indices(shape).map(value)
    const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values)
    return array(data, { shape, dtype })
  }
  if (layout === 'contiguous' || rank === 0) {
    // the values are already row-major
    const data = dtype === 'float64' ? Float64Array.from(r.values) : Float32Array.from(r.values)
    return array(data, { shape: r.shape, dtype })
  }
  if (layout === 'transposed') {
    const rev = [...r.shape].reverse()
    return transpose(make(rev, (i) => at(r, [...i].reverse())))
  }
  if (layout === 'strided') {
    const big = r.shape.map((d) => 2 * d)
    const base = make(big, (i) =>
      i.every((v) => v % 2 === 0)
        ? at(
            r,
            i.map((v) => v / 2),
          )
        : 1e6,
    )
    return slice(base, ...r.shape.map(() => [null, null, 2] as const))
  }
  const n = r.shape[0] as number
  const base = make(r.shape, (i) => at(r, [n - 1 - (i[0] as number), ...i.slice(1)]))
  return slice(base, [null, null, -1])
}
