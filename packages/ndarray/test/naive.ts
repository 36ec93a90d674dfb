/** Naive nested-index references for the ndarray tests, and arrays laid out in memory in arbitrary ways. */
import type { DType, NDArray, SliceSpec } from '@nabla/ndarray'
import { Concrete, contiguousStrides, type TypedArrayOf } from '@nabla/ndarray/core'
import { flatIndex, indices, type Ref } from '@nabla/test-utils'
import fc from 'fast-check'

/** No tolerance: the ops under test must agree with the references bit for bit. */
export const exact = { rtol: 0, atol: 0 }

/** 0, 1, …, n − 1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)

/** The element of `r` at a multi-index. */
export const get = (r: Ref, index: readonly number[]): number => r.values[flatIndex(r.shape, index)] as number

/** The reference tensor of `shape` whose element at each index is `f(index)`. */
export const build = (shape: readonly number[], f: (index: readonly number[]) => number): Ref => ({
  shape,
  values: indices(shape).map(f),
})

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** NumPy's broadcast shape, computed the slow way. */
export const broadcastShapeRef = (a: readonly number[], b: readonly number[]): number[] => {
  const n = Math.max(a.length, b.length)
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1
    const db = b[b.length - n + i] ?? 1
    return da === 1 ? db : da
  })
}

/**
 * How an array is laid out in memory: `perm[j]` is the logical axis stored j-th
 * (outermost first), `flips[k]` stores axis k backwards (a negative stride), and `pad`
 * unused cells (filled with a sentinel) come before and after the elements.
 */
export interface Layout {
  readonly perm: readonly number[]
  readonly flips: readonly boolean[]
  readonly pad: number
}

/** A layout for an array of rank `rank`: any storage order, any flips, up to 3 cells of padding. */
export const layoutArb = (rank: number): fc.Arbitrary<Layout> =>
  fc.record({
    perm: fc.shuffledSubarray(
      Array.from({ length: rank }, (_, i) => i),
      { minLength: rank, maxLength: rank },
    ),
    flips: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
    pad: fc.integer({ min: 0, max: 3 }),
  })

/** The plain row-major layout. */
export const contiguousLayout = (rank: number): Layout => ({
  perm: Array.from({ length: rank }, (_, i) => i),
  flips: Array.from({ length: rank }, () => false),
  pad: 0,
})

const SENTINEL = 12345

/**
 * A Concrete array with the values of `r` stored in `layout`: what a chain of transposes,
 * reversed slices and offsets produces, built directly so that ops are tested on every
 * kind of strided input without trusting the ops that make views.
 */
export const laidOut = (r: Ref, layout: Layout, dtype: DType = 'float32'): NDArray => {
  const { shape } = r
  const storageShape = layout.perm.map((k) => shape[k] as number)
  const storageStrides = contiguousStrides(storageShape)
  const strides = shape.map((_, k) => {
    const s = storageStrides[layout.perm.indexOf(k)] as number
    return layout.flips[k] ? -s : s
  })
  const offset =
    layout.pad +
    shape.reduce((acc, d, k) => acc + (layout.flips[k] && d > 0 ? (d - 1) * -(strides[k] as number) : 0), 0)
  const Ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array }[
    dtype
  ]
  const data = new Ctor(2 * layout.pad + size(shape)) as TypedArrayOf[typeof dtype]
  data.fill(dtype === 'bool' ? 1 : dtype === 'uint8' ? 201 : SENTINEL)
  for (const index of indices(shape)) {
    const at = index.reduce((acc, i, k) => acc + i * (strides[k] as number), offset)
    data[at] = get(r, index)
  }
  return new Concrete(dtype, shape, data, strides, offset)
}

/** An arbitrary reference tensor of `shape` together with a layout to store it in. */
export const laidOutArb = (shape: readonly number[], values?: fc.Arbitrary<number>) =>
  fc.tuple(
    fc
      .array(values ?? fc.integer({ min: -40, max: 40 }).map((v) => v / 2), {
        minLength: size(shape),
        maxLength: size(shape),
      })
      .map((vs): Ref => ({ shape, values: vs })),
    layoutArb(shape.length),
  )

/** `r` reduced over `axes` with `combine`, starting from `init` (keepDims keeps unit axes). */
export const reduceRef = (
  r: Ref,
  axes: readonly number[],
  keepDims: boolean,
  combine: (acc: number, v: number) => number,
  init: number,
): Ref => {
  const kept = r.shape.map((d, i) => (axes.includes(i) ? 1 : d))
  const acc = build(kept, () => init).values.slice()
  for (const index of indices(r.shape)) {
    const at = flatIndex(
      kept,
      index.map((v, i) => (axes.includes(i) ? 0 : v)),
    )
    acc[at] = combine(acc[at] as number, get(r, index))
  }
  return { shape: keepDims ? kept : r.shape.filter((_, i) => !axes.includes(i)), values: acc }
}

/** Index of the first element along `axis` that no later element beats (`better(a, b)`: a beats b). */
export const argRef = (r: Ref, axis: number, keepDims: boolean, better: (a: number, b: number) => boolean): Ref => {
  const kept = r.shape.map((d, i) => (i === axis ? 1 : d))
  const out = build(kept, (index) => {
    let best = 0
    for (let i = 1; i < (r.shape[axis] as number); i++) {
      const at = (k: number) =>
        get(
          r,
          index.map((v, j) => (j === axis ? k : v)),
        )
      if (better(at(i), at(best))) best = i
    }
    return best
  })
  return keepDims ? out : { shape: r.shape.filter((_, i) => i !== axis), values: out.values }
}

/** The indices one axis of length `n` keeps under a slice spec, with Python's rules (`{ drop }` for an index). */
export const specIndices = (spec: SliceSpec | undefined, n: number): number[] | { drop: number } => {
  if (spec === undefined || spec === null) return Array.from({ length: n }, (_, i) => i)
  if (typeof spec === 'number') return { drop: spec < 0 ? spec + n : spec }
  const [start = null, stop = null, step = 1] = spec
  const norm = (v: number) => (v < 0 ? v + n : v)
  const out: number[] = []
  if (step > 0) {
    for (let i = start === null ? 0 : norm(start); i < (stop === null ? n : norm(stop)); i += step) out.push(i)
  } else {
    const from = start === null ? n - 1 : Math.min(norm(start), n - 1)
    for (let i = from; i > (stop === null ? -1 : norm(stop)); i += step) out.push(i)
  }
  return out
}

/** `r` sliced by `specs`, by enumerating the kept indices of each axis. */
export const sliceRef = (r: Ref, specs: readonly SliceSpec[]): Ref => {
  const perAxis = r.shape.map((n, k) => specIndices(specs[k], n))
  const keptAxes = perAxis.flatMap((p, k) => (Array.isArray(p) ? [k] : []))
  const shape = keptAxes.map((k) => (perAxis[k] as number[]).length)
  return build(shape, (index) =>
    get(
      r,
      perAxis.map((p, k) => (Array.isArray(p) ? (p[index[keptAxes.indexOf(k)] as number] as number) : p.drop)),
    ),
  )
}

/** NumPy's `take`: the sub-blocks of `r` at `idx` along `axis`. */
export const takeRef = (r: Ref, idx: Ref, axis: number): Ref => {
  const n = r.shape[axis] as number
  const m = idx.shape.length
  const shape = [...r.shape.slice(0, axis), ...idx.shape, ...r.shape.slice(axis + 1)]
  return build(shape, (index) => {
    const i = get(idx, index.slice(axis, axis + m))
    return get(r, [...index.slice(0, axis), i < 0 ? i + n : i, ...index.slice(axis + m)])
  })
}

/** `rs` joined along `axis`. */
export const concatRef = (rs: readonly Ref[], axis: number): Ref => {
  const first = rs[0] as Ref
  const extents = rs.map((r) => r.shape[axis] as number)
  const shape = first.shape.map((d, i) => (i === axis ? extents.reduce((a, b) => a + b, 0) : d))
  return build(shape, (index) => {
    let i = index[axis] as number
    let k = 0
    while (i >= (extents[k] as number)) i -= extents[k++] as number
    return get(
      rs[k] as Ref,
      index.map((v, j) => (j === axis ? i : v)),
    )
  })
}

/** `r` with its axes permuted: out[i] = r[j] where j[perm[k]] = i[k]. */
export const transposeRef = (r: Ref, perm: readonly number[]): Ref =>
  build(
    perm.map((p) => r.shape[p] as number),
    (index) => {
      const j = new Array<number>(perm.length)
      perm.forEach((p, k) => {
        j[p] = index[k] as number
      })
      return get(r, j)
    },
  )
