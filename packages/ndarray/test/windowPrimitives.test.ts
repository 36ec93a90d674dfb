// The windowed primitives (reduceWindow max and sum, selectAndGather, selectAndScatterAdd) against direct loops
// over random shapes, windows, strides, paddings (negative ones crop), dilations and holes between the input's
// elements (baseDilation, which transposes of strided windows use): float64 (the JavaScript loops) and float32
// (WebAssembly SIMD) give the reference's values exactly on small integers; the first maximum of a window is
// selected (row-major order), a NaN wins; and the shape rules agree with the results.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bind, type Params, shapeOf, type WindowParams } from '../src/core.js'
import { array, type NDArray, toTypedArray } from '../src/index.js'

/** Per output position along one axis, the input indices its taps read (padding and holes left out), in order. */
const axis = (n: number, p: WindowParams, a: 0 | 1): number[][] => {
  const b = p.baseDilation[a]
  const length = (n === 0 ? 0 : (n - 1) * b + 1) + p.padding[a][0] + p.padding[a][1]
  const span = p.dilation[a] * (p.window[a] - 1) + 1
  const out = length < span ? 0 : Math.floor((length - span) / p.strides[a]) + 1
  return Array.from({ length: out }, (_, o) => {
    const taps: number[] = []
    for (let i = 0; i < p.window[a]; i++) {
      const q = o * p.strides[a] + i * p.dilation[a] - p.padding[a][0]
      if (q >= 0 && q <= (n - 1) * b && q % b === 0) taps.push(q / b)
    }
    return taps
  })
}

/** Every window of images [n, h, w, c]: its output index and its elements' indices in row-major window order. */
const windows = ([n, h, w, c]: readonly number[], p: WindowParams) => {
  const rows = axis(h as number, p, 0)
  const cols = axis(w as number, p, 1)
  const out: { o: number; taps: number[] }[] = []
  for (let b = 0; b < (n as number); b++)
    for (const [oy, ys] of rows.entries())
      for (const [ox, xs] of cols.entries())
        for (let k = 0; k < (c as number); k++) {
          const taps = ys.flatMap((y) =>
            xs.map((x) => ((b * (h as number) + y) * (w as number) + x) * (c as number) + k),
          )
          out.push({ o: ((b * rows.length + oy) * cols.length + ox) * (c as number) + k, taps })
        }
  return { shape: [n as number, rows.length, cols.length, c as number], out }
}

/** The first position of the largest value (a NaN wins), as TensorFlow's max pooling gradient picks it. */
const firstMax = (x: readonly number[], taps: readonly number[]): number =>
  taps.reduce((best, t) => {
    if (best < 0) return t
    const v = x[t] as number
    const m = x[best] as number
    return v > m || (Number.isNaN(v) && !Number.isNaN(m)) ? t : best
  }, -1)

const naive = (x: number[], v: number[], s: number[], shape: readonly number[], p: WindowParams) => {
  const { shape: outShape, out } = windows(shape, p)
  const size = outShape.reduce((a, b) => a * b, 1)
  const max = new Array<number>(size).fill(0)
  const sum = new Array<number>(size).fill(0)
  const gathered = new Array<number>(size).fill(0)
  const scattered = new Array<number>(x.length).fill(0)
  for (const { o, taps } of out) {
    max[o] = taps.reduce(
      (a, t) => (Number.isNaN(a) || Number.isNaN(x[t] as number) ? Number.NaN : Math.max(a, x[t] as number)),
      -Infinity,
    )
    sum[o] = taps.reduce((a, t) => a + (x[t] as number), 0)
    const at = firstMax(x, taps)
    if (at >= 0) {
      gathered[o] = v[at] as number
      scattered[at] = (scattered[at] as number) + (s[o] as number)
    }
  }
  return { outShape, max, sum, gathered, scattered }
}

const params = fc.record({
  window: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  padding: fc.tuple(
    fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 })),
    fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 })),
  ),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  baseDilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
})

const caseArb = fc.record({
  shape: fc.tuple(
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 1, max: 7 }),
    fc.integer({ min: 1, max: 7 }),
    fc.integer({ min: 1, max: 9 }),
  ),
  p: params,
  // small integers (many ties), now and then a NaN or an infinity
  values: fc.array(
    fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: -3, max: 3 }) },
      fc.constantFrom(Number.NaN, -Infinity, Infinity),
    ),
    {
      minLength: 2 * 7 * 7 * 9,
      maxLength: 2 * 7 * 7 * 9,
    },
  ),
})

const images = (data: readonly number[], shape: readonly number[], dtype: 'float32' | 'float64'): NDArray =>
  array(dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data), { shape: [...shape], dtype })

/** The same values (NaN equals NaN, +0 equals −0: f32x4.max may pick either zero at a tie). */
const expectValues = (got: NDArray, shape: readonly number[], want: readonly number[]) => {
  expect(got.shape).toEqual(shape)
  const g = Array.from(toTypedArray(got))
  g.forEach((v, i) => {
    const w = want[i] as number
    if (Number.isNaN(w)) expect(v).toBeNaN()
    else expect(v === w).toBe(true)
  })
}

describe('the windowed primitives', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`agree with direct loops in ${dtype}: max, sum, the value at the first max, and the cotangent sent there`, () => {
      fc.assert(
        fc.property(caseArb, ({ shape, p, values }) => {
          const size = shape.reduce((a, b) => a * b, 1)
          const x = values.slice(0, size)
          const v = x.map((_, i) => (i % 11) - 5)
          const { outShape, ...want } = naive(x, v, [], shape, p)
          const s = want.max.map((_, i) => (i % 7) + 1)
          const { scattered } = naive(x, v, s, shape, p)
          const xa = images(x, shape, dtype)
          const max = bind('reduceWindow', [xa], { op: 'max', ...p })
          expectValues(max, outShape, want.max)
          // sums of infinities of both signs are NaN either way; finite sums of small integers are exact
          expectValues(bind('reduceWindow', [xa], { op: 'sum', ...p }), outShape, want.sum)
          expectValues(bind('selectAndGather', [images(v, shape, dtype), xa], p), outShape, want.gathered)
          expectValues(bind('selectAndScatterAdd', [images(s, outShape, dtype), xa], p), shape, scattered)
          const shaped = (
            prim: 'reduceWindow' | 'selectAndGather' | 'selectAndScatterAdd',
            inputs: NDArray[],
            q: unknown,
          ) => shapeOf(prim, inputs, q as Params<typeof prim>)
          expect(shaped('reduceWindow', [xa], { op: 'max', ...p })).toEqual({ shape: outShape, dtype })
          expect(shaped('selectAndGather', [xa, xa], p)).toEqual({ shape: outShape, dtype })
          expect(shaped('selectAndScatterAdd', [max, xa], p)).toEqual({ shape, dtype })
        }),
        { numRuns: 200 },
      )
    })
  }

  it('send a tied window’s whole gradient to its first maximum, and let a NaN win', () => {
    const p: WindowParams = {
      window: [2, 2],
      strides: [2, 2],
      padding: [
        [0, 0],
        [0, 0],
      ],
      dilation: [1, 1],
      baseDilation: [1, 1],
    }
    for (const dtype of ['float32', 'float64'] as const) {
      // window 1: 3 at (0, 1) and (1, 0); window 2: a NaN at (1, 1) after a 9
      const x = images([1, 3, 9, 0, 3, 2, 4, Number.NaN], [1, 2, 4, 1], dtype)
      const ct = images([10, 20], [1, 1, 2, 1], dtype)
      expect(Array.from(toTypedArray(bind('selectAndScatterAdd', [ct, x], p)))).toEqual([0, 10, 0, 0, 0, 0, 0, 20])
      const t = images([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4, 1], dtype)
      expect(Array.from(toTypedArray(bind('selectAndGather', [t, x], p)))).toEqual([2, 8])
    }
  })

  it('sum sums of integers in int32 and keep a max of int32 in int32', () => {
    const p: Params<'reduceWindow'> = {
      op: 'sum',
      window: [2, 1],
      strides: [1, 1],
      padding: [
        [0, 0],
        [0, 0],
      ],
      dilation: [1, 1],
      baseDilation: [1, 1],
    }
    const x = array(Int32Array.from([1, -2, 3, 4]), { shape: [1, 4, 1, 1], dtype: 'int32' })
    expect(Array.from(toTypedArray(bind('reduceWindow', [x], p)))).toEqual([-1, 1, 7])
    expect(Array.from(toTypedArray(bind('reduceWindow', [x], { ...p, op: 'max' })))).toEqual([1, 3, 4])
    const b = array(Uint8Array.from([1, 1, 0, 1]), { shape: [1, 4, 1, 1], dtype: 'bool' })
    expect(bind('reduceWindow', [b], p).dtype).toBe('int32')
  })
})
