// conv2d against a direct float64 loop (Keras/TensorFlow semantics: cross-correlation, NHWC, TF's same padding),
// over random shapes, strides, dilations and paddings; and every bad argument.
import { array, type NDArray, reshape as reshapeTo, toTypedArray } from '@nabla/ndarray'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { conv2d } from '../src/index.js'

/** out[n, y, x, f] = Σ_{i, j, c} in[n, y·sh + i·dh − padTop, x·sw + j·dw − padLeft, c] · k[i, j, c, f] (zero outside). */
const naive = (
  x: Float64Array,
  [n, h, w, c]: readonly [number, number, number, number],
  k: Float64Array,
  [kh, kw, , f]: readonly [number, number, number, number],
  [sh, sw]: readonly [number, number],
  [dh, dw]: readonly [number, number],
  padding: 'valid' | 'same',
) => {
  const size = (len: number, kk: number, s: number, d: number) => {
    const span = d * (kk - 1) + 1
    if (padding === 'valid') return { out: Math.floor((len - span) / s) + 1, lo: 0 }
    const out = Math.ceil(len / s)
    return { out, lo: Math.floor(Math.max((out - 1) * s + span - len, 0) / 2) }
  }
  const Y = size(h, kh, sh, dh)
  const X = size(w, kw, sw, dw)
  const out = new Float64Array(n * Y.out * X.out * f)
  for (let b = 0; b < n; b++)
    for (let yy = 0; yy < Y.out; yy++)
      for (let xx = 0; xx < X.out; xx++)
        for (let ff = 0; ff < f; ff++) {
          let s = 0
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const r = yy * sh + i * dh - Y.lo
              const q = xx * sw + j * dw - X.lo
              if (r < 0 || r >= h || q < 0 || q >= w) continue
              for (let cc = 0; cc < c; cc++)
                s += (x[((b * h + r) * w + q) * c + cc] as number) * (k[((i * kw + j) * c + cc) * f + ff] as number)
            }
          out[((b * Y.out + yy) * X.out + xx) * f + ff] = s
        }
  return { out, shape: [n, Y.out, X.out, f] }
}

const values = (len: number, seed: number) => Float64Array.from({ length: len }, (_, i) => Math.sin(seed + i * 1.7) * 2)

describe('conv2d', () => {
  it('agrees with the direct loop for random shapes, strides, dilations and paddings (float64)', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          c: fc.integer({ min: 1, max: 3 }),
          f: fc.integer({ min: 1, max: 4 }),
          kh: fc.integer({ min: 1, max: 3 }),
          kw: fc.integer({ min: 1, max: 3 }),
          sh: fc.integer({ min: 1, max: 3 }),
          sw: fc.integer({ min: 1, max: 3 }),
          dh: fc.integer({ min: 1, max: 2 }),
          dw: fc.integer({ min: 1, max: 2 }),
          padding: fc.constantFrom('valid' as const, 'same' as const),
          seed: fc.nat(100),
        }),
        ({ n, h, w, c, f, kh, kw, sh, sw, dh, dw, padding, seed }) => {
          if (padding === 'valid' && (h < dh * (kh - 1) + 1 || w < dw * (kw - 1) + 1)) return
          const xs = values(n * h * w * c, seed)
          const ks = values(kh * kw * c * f, seed + 50)
          const want = naive(xs, [n, h, w, c], ks, [kh, kw, c, f], [sh, sw], [dh, dw], padding)
          const x = reshape4(xs, [n, h, w, c])
          const k = reshape4(ks, [kh, kw, c, f])
          const got = conv2d(x, k, { strides: [sh, sw], dilation: [dh, dw], padding })
          expect(got.shape).toEqual(want.shape)
          const g = toTypedArray(got)
          for (const [i, v] of want.out.entries()) {
            expect(Math.abs((g[i] as number) - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)))
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('takes Keras’s shapes: the chapter-5 convnet’s first layer, and same padding with a stride', () => {
    const x = reshape4(values(2 * 28 * 28, 1), [2, 28, 28, 1])
    expect(conv2d(x, reshape4(values(9 * 32, 2), [3, 3, 1, 32])).shape).toEqual([2, 26, 26, 32])
    expect(conv2d(x, reshape4(values(9 * 4, 2), [3, 3, 1, 4]), { padding: 'same', strides: 2 }).shape).toEqual([
      2, 14, 14, 4,
    ])
    // data-last for pipe
    expect(conv2d(reshape4(values(9 * 4, 2), [3, 3, 1, 4]))(x).shape).toEqual([2, 26, 26, 4])
  })

  it('says what is wrong with bad arguments', () => {
    const x = reshape4(values(2 * 5 * 5 * 3, 1), [2, 5, 5, 3])
    expect(() => conv2d(x, reshape4(values(9 * 2 * 4, 1), [3, 3, 2, 4]))).toThrow(
      'conv2d: the images have 3 channels (shape [2,5,5,3]) but the kernel takes 2 (shape [3,3,2,4])',
    )
    expect(() => conv2d(x, array([1, 2, 3]))).toThrow(
      'conv2d: expected a kernel [kernelHeight, kernelWidth, channels, filters], got shape [3]',
    )
    expect(() => conv2d(array([1, 2]), reshape4(values(9 * 3, 1), [3, 3, 3, 1]))).toThrow(
      'conv2d: expected images [batch, height, width, channels], got shape [2]',
    )
    expect(() => conv2d(x, reshape4(values(36 * 3, 1), [6, 6, 3, 1]))).toThrow(
      "conv2d: a window spanning 6 does not fit an input of 5 along spatial axis 1 (shape [2,5,5,3]); use padding 'same' or a smaller window",
    )
    expect(() => conv2d(x, reshape4(values(27, 1), [3, 3, 3, 1]), { padding: 'full' as never })).toThrow(
      `conv2d: padding must be 'valid' or 'same', got "full"`,
    )
    expect(() => conv2d(x, reshape4(values(27, 1), [3, 3, 3, 1]), { strides: 0 })).toThrow(
      'conv2d: strides must be a positive integer or two of them, got 0',
    )
  })
})

function reshape4(data: Float64Array, shape: readonly number[]): NDArray {
  return reshapeTo(array(Array.from(data), { dtype: 'float64' }), shape)
}
