// The three convolution primitives (conv2d and its transposes conv2dBackpropInput, conv2dBackpropFilter) against
// direct nested loops, over random shapes, strides, explicit paddings (as valid/same give them, and arbitrary) and
// dilations: float64 (the JavaScript loops) to 1e-12, float32 (the WebAssembly gather and scatter, the fast
// product) to float32 rounding; their shape rules; the 1×1 shortcut; and an empty product.
import { array, type NDArray, toTypedArray, windowGeometry } from '@nabla/ndarray'
import { bind, type Params, shapeOf } from '@nabla/ndarray/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import '../src/index.js'

type Dims = Params<'conv2d'>

interface Case {
  readonly n: number
  readonly h: number
  readonly w: number
  readonly c: number
  readonly f: number
  readonly kh: number
  readonly kw: number
  readonly dims: Dims
}

const outSize = (len: number, k: number, s: number, [lo, hi]: readonly [number, number], d: number) =>
  Math.floor((len + lo + hi - d * (k - 1) - 1) / s) + 1

/** For each (output position, tap) along one axis, the input index it reads, or −1 in the padding. */
const tapsOf = (len: number, out: number, k: number, s: number, lo: number, d: number) =>
  Array.from({ length: out }, (_, o) =>
    Array.from({ length: k }, (_, i) => {
      const q = o * s + i * d - lo
      return q >= 0 && q < len ? q : -1
    }),
  )

/** The triples (image index, kernel index, output index) the convolution sums over, each once. */
const terms = ({ n, h, w, c, f, kh, kw, dims }: Case) => {
  const oh = outSize(h, kh, dims.strides[0], dims.padding[0], dims.dilation[0])
  const ow = outSize(w, kw, dims.strides[1], dims.padding[1], dims.dilation[1])
  const ys = tapsOf(h, oh, kh, dims.strides[0], dims.padding[0][0], dims.dilation[0])
  const xs = tapsOf(w, ow, kw, dims.strides[1], dims.padding[1][0], dims.dilation[1])
  const out: [number, number, number][] = []
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const y = (ys[oy] as number[])[i] as number
            const x = (xs[ox] as number[])[j] as number
            if (y < 0 || x < 0) continue
            for (let cc = 0; cc < c; cc++)
              for (let ff = 0; ff < f; ff++)
                out.push([
                  ((b * h + y) * w + x) * c + cc,
                  ((i * kw + j) * c + cc) * f + ff,
                  ((b * oh + oy) * ow + ox) * f + ff,
                ])
          }
  return { oh, ow, out }
}

/** conv2d, and the two transposes, by their definition as sums of products (float64). */
const naive = (cs: Case, x: Float64Array, k: Float64Array, g: Float64Array) => {
  const { oh, ow, out } = terms(cs)
  const y = new Float64Array(cs.n * oh * ow * cs.f)
  const dx = new Float64Array(cs.n * cs.h * cs.w * cs.c)
  const dk = new Float64Array(cs.kh * cs.kw * cs.c * cs.f)
  for (const [xi, ki, yi] of out) {
    y[yi] = (y[yi] as number) + (x[xi] as number) * (k[ki] as number)
    dx[xi] = (dx[xi] as number) + (g[yi] as number) * (k[ki] as number)
    dk[ki] = (dk[ki] as number) + (x[xi] as number) * (g[yi] as number)
  }
  return { oh, ow, y, dx, dk }
}

const values = (len: number, seed: number) => Float64Array.from({ length: len }, (_, i) => Math.sin(seed + i * 1.3) * 2)

const asArray = (data: Float64Array, shape: readonly number[], dtype: 'float32' | 'float64'): NDArray =>
  array(dtype === 'float64' ? data : Float32Array.from(data), { shape: [...shape], dtype })

const expectClose = (got: NDArray, want: Float64Array, shape: readonly number[], tol: number) => {
  expect(got.shape).toEqual(shape)
  const g = toTypedArray(got)
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1)
  for (const [i, v] of want.entries()) expect(Math.abs((g[i] as number) - v)).toBeLessThanOrEqual(tol * scale)
}

/** Runs the three primitives on a case and checks them against the loops, in `dtype`. */
const check = (cs: Case, dtype: 'float32' | 'float64', seed: number) => {
  const { n, h, w, c, f, kh, kw, dims } = cs
  const xs = values(n * h * w * c, seed)
  const ks = values(kh * kw * c * f, seed + 7)
  const { oh, ow } = terms(cs)
  const gs = values(n * oh * ow * f, seed + 13)
  const want = naive(cs, xs, ks, gs)
  const tol = dtype === 'float64' ? 1e-12 : 2e-6 * (kh * kw * c + n * oh * ow)
  const x = asArray(xs, [n, h, w, c], dtype)
  const k = asArray(ks, [kh, kw, c, f], dtype)
  const g = asArray(gs, [n, oh, ow, f], dtype)
  const y = bind('conv2d', [x, k], dims)
  const dx = bind('conv2dBackpropInput', [g, k], { ...dims, inputSize: [h, w] })
  const dk = bind('conv2dBackpropFilter', [x, g], { ...dims, kernelSize: [kh, kw] })
  expectClose(y, want.y, [n, oh, ow, f], tol)
  expectClose(dx, want.dx, [n, h, w, c], tol)
  expectClose(dk, want.dk, [kh, kw, c, f], tol)
  for (const [prim, inputs, params, got] of [
    ['conv2d', [x, k], dims, y],
    ['conv2dBackpropInput', [g, k], { ...dims, inputSize: [h, w] }, dx],
    ['conv2dBackpropFilter', [x, g], { ...dims, kernelSize: [kh, kw] }, dk],
  ] as const) {
    expect(shapeOf(prim, inputs, params as never)).toEqual({ shape: got.shape, dtype: got.dtype })
  }
}

/** Random geometry: Keras's valid/same padding (TensorFlow's split) or arbitrary explicit pads per side. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    c: fc.integer({ min: 1, max: 6 }),
    f: fc.integer({ min: 1, max: 5 }),
    kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    dh: fc.integer({ min: 1, max: 2 }),
    dw: fc.integer({ min: 1, max: 2 }),
    padding: fc.oneof(
      fc.constantFrom('valid' as const, 'same' as const),
      fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    ),
  })
  .map(({ n, h, w, c, f, kh, kw, sh, sw, dh, dw, padding }): Case => {
    // valid is no padding; same is TensorFlow's split (windowGeometry's, as the public conv2d uses)
    const pads: Dims['padding'] =
      padding === 'valid'
        ? [
            [0, 0],
            [0, 0],
          ]
        : padding === 'same'
          ? windowGeometry('conv2d', [n, h, w, c], { size: [kh, kw], strides: [sh, sw], dilation: [dh, dw], padding })
              .pads
          : [
              [padding[0], padding[1]],
              [padding[2], padding[3]],
            ]
    const strides: [number, number] = [sh, sw]
    const dilation: [number, number] = [dh, dw]
    return { n, h, w, c, f, kh, kw, dims: { strides, padding: pads, dilation } }
  })
  .filter(
    ({ h, w, kh, kw, dims }) =>
      outSize(h, kh, dims.strides[0], dims.padding[0], dims.dilation[0]) > 0 &&
      outSize(w, kw, dims.strides[1], dims.padding[1], dims.dilation[1]) > 0,
  )

describe('the convolution primitives', () => {
  it('agree with nested loops in float64 for random shapes, strides, paddings and dilations', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(50), (cs, seed) => check(cs, 'float64', seed)),
      { numRuns: 150 },
    )
  })

  it('agree in float32 (the WebAssembly gather and scatter around the fast product)', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(50), (cs, seed) => check(cs, 'float32', seed)),
      { numRuns: 150 },
    )
  })

  it('take the chapter-5 shapes, a 1×1 kernel (no gather) and channels that are not a multiple of 4', () => {
    const same = (strides: [number, number]): Dims => ({
      strides,
      padding: [
        [0, 0],
        [0, 0],
      ],
      dilation: [1, 1],
    })
    for (const dtype of ['float32', 'float64'] as const) {
      check({ n: 2, h: 28, w: 28, c: 1, f: 32, kh: 3, kw: 3, dims: same([1, 1]) }, dtype, 1)
      check({ n: 2, h: 13, w: 13, c: 32, f: 8, kh: 3, kw: 3, dims: same([1, 1]) }, dtype, 2)
      check({ n: 3, h: 5, w: 4, c: 7, f: 6, kh: 1, kw: 1, dims: same([1, 1]) }, dtype, 3)
      check({ n: 1, h: 6, w: 6, c: 5, f: 2, kh: 1, kw: 1, dims: same([2, 2]) }, dtype, 4)
    }
  })

  it('compute in float64 when either operand is float64, and give zeros for an empty sum', () => {
    const dims: Dims = {
      strides: [1, 1],
      padding: [
        [0, 0],
        [0, 0],
      ],
      dilation: [1, 1],
    }
    const x = asArray(values(2 * 4 * 4 * 3, 1), [2, 4, 4, 3], 'float32')
    const k = asArray(values(2 * 2 * 3 * 2, 2), [2, 2, 3, 2], 'float64')
    expect(bind('conv2d', [x, k], dims).dtype).toBe('float64')
    // a window entirely in the padding reads nothing: 0
    const pad: Dims = {
      strides: [1, 1],
      padding: [
        [3, 0],
        [0, 0],
      ],
      dilation: [1, 1],
    }
    const y = bind('conv2d', [x, asArray(values(12, 3), [2, 2, 3, 1], 'float32')], pad)
    expect(y.shape).toEqual([2, 6, 3, 1])
    expect(Array.from(toTypedArray(y)).slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0])
    const noChannels = bind(
      'conv2d',
      [array(new Float32Array(0), { shape: [1, 3, 3, 0] }), array(new Float32Array(0), { shape: [2, 2, 0, 2] })],
      dims,
    )
    expect(Array.from(toTypedArray(noChannels))).toEqual(new Array(8).fill(0))
  })
})
