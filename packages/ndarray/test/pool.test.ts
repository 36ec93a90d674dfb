// maxPool2d / avgPool2d against direct loops (Keras semantics: NHWC, TF's same padding, padded positions never
// win a max and are not counted in an average), NaN, and bad arguments.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { array, avgPool2d, maxPool2d, type NDArray, reshape, toTypedArray } from '../src/index.js'

const naive = (
  x: Float64Array,
  [n, h, w, c]: readonly [number, number, number, number],
  [ph, pw]: readonly [number, number],
  [sh, sw]: readonly [number, number],
  padding: 'valid' | 'same',
  kind: 'max' | 'avg',
) => {
  const size = (len: number, p: number, s: number) => {
    if (padding === 'valid') return { out: Math.floor((len - p) / s) + 1, lo: 0 }
    const out = Math.ceil(len / s)
    return { out, lo: Math.floor(Math.max((out - 1) * s + p - len, 0) / 2) }
  }
  const Y = size(h, ph, sh)
  const X = size(w, pw, sw)
  const out = new Float64Array(n * Y.out * X.out * c)
  for (let b = 0; b < n; b++)
    for (let yy = 0; yy < Y.out; yy++)
      for (let xx = 0; xx < X.out; xx++)
        for (let cc = 0; cc < c; cc++) {
          let acc = kind === 'max' ? -Infinity : 0
          let count = 0
          for (let i = 0; i < ph; i++)
            for (let j = 0; j < pw; j++) {
              const r = yy * sh + i - Y.lo
              const q = xx * sw + j - X.lo
              if (r < 0 || r >= h || q < 0 || q >= w) continue
              const v = x[((b * h + r) * w + q) * c + cc] as number
              acc = kind === 'max' ? (Number.isNaN(v) || Number.isNaN(acc) ? Number.NaN : Math.max(acc, v)) : acc + v
              count++
            }
          out[((b * Y.out + yy) * X.out + xx) * c + cc] = kind === 'max' ? acc : acc / count
        }
  return { out, shape: [n, Y.out, X.out, c] }
}

const images = (data: Float64Array, shape: readonly number[]): NDArray =>
  reshape(array(Array.from(data), { dtype: 'float64' }), shape)

describe('maxPool2d and avgPool2d', () => {
  it('agree with direct loops for random shapes, pool sizes, strides and paddings (float64)', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 1, max: 8 }),
          w: fc.integer({ min: 1, max: 8 }),
          c: fc.integer({ min: 1, max: 3 }),
          ph: fc.integer({ min: 1, max: 3 }),
          pw: fc.integer({ min: 1, max: 3 }),
          sh: fc.integer({ min: 1, max: 3 }),
          sw: fc.integer({ min: 1, max: 3 }),
          padding: fc.constantFrom('valid' as const, 'same' as const),
          negative: fc.boolean(),
        }),
        ({ n, h, w, c, ph, pw, sh, sw, padding, negative }) => {
          if (padding === 'valid' && (h < ph || w < pw)) return
          // all-negative images: a padded position (zero) would win a max if padding were not excluded
          const xs = Float64Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 2.3) * 3 - (negative ? 4 : 0))
          const x = images(xs, [n, h, w, c])
          for (const kind of ['max', 'avg'] as const) {
            const want = naive(xs, [n, h, w, c], [ph, pw], [sh, sw], padding, kind)
            const got = (kind === 'max' ? maxPool2d : avgPool2d)(x, { poolSize: [ph, pw], strides: [sh, sw], padding })
            expect(got.shape).toEqual(want.shape)
            const g = toTypedArray(got)
            for (const [i, v] of want.out.entries()) {
              expect(Math.abs((g[i] as number) - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)))
            }
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('default to a 2×2 pool with stride 2, propagate NaN, and keep float32', () => {
    const x = images(
      Float64Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    )
    expect(Array.from(toTypedArray(maxPool2d(x)))).toEqual([5, 7, 13, 15])
    expect(Array.from(toTypedArray(avgPool2d(x)))).toEqual([2.5, 4.5, 10.5, 12.5])
    const withNaN = images(Float64Array.from([1, Number.NaN, 3, 4]), [1, 2, 2, 1])
    expect(toTypedArray(maxPool2d(withNaN))[0]).toBeNaN()
    expect(maxPool2d(reshape(array([1, 2, 3, 4]), [1, 2, 2, 1])).dtype).toBe('float32')
  })

  it('say what is wrong with bad arguments', () => {
    const x = images(new Float64Array(2 * 5 * 5 * 3), [2, 5, 5, 3])
    expect(() => maxPool2d(array([1, 2]))).toThrow(
      'maxPool2d: expected images [batch, height, width, channels], got shape [2]',
    )
    expect(() => avgPool2d(x, { poolSize: 6 })).toThrow(
      "avgPool2d: a window spanning 6 does not fit an input of 5 along spatial axis 1 (shape [2,5,5,3]); use padding 'same' or a smaller window",
    )
    expect(() => maxPool2d(x, { poolSize: [2, 0] })).toThrow(
      'maxPool2d: the window size must be a positive integer or two of them, got [2,0]',
    )
    expect(() => maxPool2d(reshape(array([1, 2, 3, 4], { dtype: 'int32' }), [1, 2, 2, 1]))).toThrow(
      'maxPool2d: expected float32 or float64 images, got int32',
    )
  })
})
