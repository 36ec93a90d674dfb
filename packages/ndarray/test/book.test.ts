/** Every example of the book's sections 2.2–2.3 (R arrays), with the book's own printed result. */
import {
  add,
  array,
  cast,
  div,
  format,
  full,
  key,
  maximum,
  type NDArray,
  reshape,
  sizeOf,
  slice,
  str,
  toArray,
  toTypedArray,
  transpose,
  uniform,
  zeros,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'

/** A synthetic uint8 image stack whose pixels all differ, so slices can be checked by value. */
const images = (n: number): NDArray =>
  array(
    Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7 + Math.floor(i / 784)) % 256),
    { shape: [n, 28, 28] },
  )

describe('2.2 data representations', () => {
  it('2.2.1 a scalar is a rank-0 array', () => {
    const s = array(5)
    expect(s.rank).toBe(0)
    expect(s.shape).toEqual([])
    expect(toArray(s)).toBe(5)
  })

  it('2.2.2 a vector: str(x) is "num [1:5] 12 3 6 14 10" and dim(as.array(x)) is 5', () => {
    const x = array([12, 3, 6, 14, 10])
    expect(str(x, { vector: true })).toBe('num [1:5] 12 3 6 14 10')
    // as.array(x) is a 1-d array, which R's str marks with (1d)
    expect(str(x)).toBe('num [1:5(1d)] 12 3 6 14 10')
    expect(x.shape).toEqual([5])
  })

  it('2.2.3 a 3x5 matrix of zeros has dim 3 5', () => {
    const x = zeros([3, 5])
    expect(x.shape).toEqual([3, 5])
    expect(toArray(x)).toEqual([
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ])
    expect(format(x)).toBe('[[0, 0, 0, 0, 0],\n [0, 0, 0, 0, 0],\n [0, 0, 0, 0, 0]]')
  })

  it('2.2.4 a 2x3x2 array: str and dim', () => {
    const x = zeros([2, 3, 2])
    // R prints ten zeros and " ..." for 12 elements; the book's line (nine zeros, no ...) is a misprint
    expect(str(x)).toBe('num [1:2, 1:3, 1:2] 0 0 0 0 0 0 0 0 0 0 ...')
    expect(x.shape).toEqual([2, 3, 2])
  })

  describe('2.2.5 key attributes of MNIST train_images', () => {
    const trainImages = zeros([60000, 28, 28], { dtype: 'uint8' })

    it('has rank 3, shape 60000x28x28 and an integer type', () => {
      expect(trainImages.rank).toBe(3) // length(dim(train_images))
      expect(trainImages.shape).toEqual([60000, 28, 28]) // dim(train_images)
      expect(trainImages.dtype).toBe('uint8') // typeof: "integer"
      expect(str(trainImages)).toBe('int [1:60000, 1:28, 1:28] 0 0 0 0 0 0 0 0 0 0 ...')
    })

    it('train_labels is a 1-d integer array', () => {
      const labels = new Int32Array(60000)
      labels.set([5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5])
      expect(str(array(labels))).toBe('int [1:60000(1d)] 5 0 4 1 9 2 1 3 1 4 ...')
    })

    it('digit <- train_images[5,,] is slice(x, 4): one 28x28 image', () => {
      expect(slice(trainImages, 4).shape).toEqual([28, 28])
      const x = images(10)
      expect(toArray(slice(x, 4))).toEqual((toArray(x) as number[][][])[4])
    })
  })
})

describe('2.2.6 slicing (R is 1-based and inclusive; slice is 0-based and half-open)', () => {
  const trainImages = zeros([60000, 28, 28], { dtype: 'uint8' })
  const x = images(300) // a smaller first axis for the value checks; the rule is the same
  const nested = toArray(x) as number[][][]

  it('train_images[10:99,,] is slice(x, [9, 99]): shape 90x28x28, the naive selection', () => {
    expect(slice(trainImages, [9, 99]).shape).toEqual([90, 28, 28])
    expect(toArray(slice(x, [9, 99]))).toEqual(nested.slice(9, 99))
  })

  it('train_images[10:99,1:28,1:28] is the same slice with every axis spelled out', () => {
    expect(slice(trainImages, [9, 99], [0, 28], [0, 28]).shape).toEqual([90, 28, 28])
    expect(toArray(slice(x, [9, 99], [0, 28], [0, 28]))).toEqual(toArray(slice(x, [9, 99])))
  })

  it('train_images[, 15:28, 15:28] is slice(x, null, [14, 28], [14, 28]): the bottom-right 14x14 corner', () => {
    expect(slice(trainImages, null, [14, 28], [14, 28]).shape).toEqual([60000, 14, 14])
    const corner = nested.map((img) => img.slice(14, 28).map((row) => row.slice(14, 28)))
    expect(toArray(slice(x, null, [14, 28], [14, 28]))).toEqual(corner)
    // negative indices count from the end, as in NumPy: the same corner
    expect(toArray(slice(x, null, [-14, 28], [-14, 28]))).toEqual(corner)
  })
})

describe('2.2.7 batches', () => {
  it('train_images[1:128,,] and train_images[129:256,,] are slice(x, [0, 128]) and slice(x, [128, 256])', () => {
    const trainImages = zeros([60000, 28, 28], { dtype: 'uint8' })
    expect(slice(trainImages, [0, 128]).shape).toEqual([128, 28, 28])
    expect(slice(trainImages, [128, 256]).shape).toEqual([128, 28, 28])
    const x = images(300)
    const nested = toArray(x) as number[][][]
    expect(toArray(slice(x, [0, 128]))).toEqual(nested.slice(0, 128))
    expect(toArray(slice(x, [128, 256]))).toEqual(nested.slice(128, 256))
    // batch n in general: [128n, 128(n+1))
    const n = 2
    expect(toArray(slice(x, [128 * n, Math.min(128 * (n + 1), 300)]))).toEqual(nested.slice(256, 300))
  })
})

describe('2.2.12 video data', () => {
  it('a batch of four 60 s 144x256 clips at 4 fps is 106,168,320 values, 810 MB as doubles', () => {
    const shape = [4, 240, 144, 256, 3]
    expect(sizeOf(shape)).toBe(106_168_320)
    expect(Math.round((sizeOf(shape) * 8) / 2 ** 20)).toBe(810)
  })
})

describe('2.3 tensor operations', () => {
  it('Listing 2.4: array_reshape(train_images, c(60000, 28 * 28)) / 255 gives float32 in [0, 1]', () => {
    expect(reshape(zeros([60000, 28, 28], { dtype: 'uint8' }), [60000, 28 * 28]).shape).toEqual([60000, 784])
    const x = images(50)
    const scaled = div(reshape(x, [50, 28 * 28]), 255)
    expect(scaled.shape).toEqual([50, 784])
    expect(scaled.dtype).toBe('float32')
    const v = toTypedArray(scaled)
    expect(v.every((p) => p >= 0 && p <= 1)).toBe(true)
    const raw = toTypedArray(x)
    expect(Array.from(v.subarray(0, 5))).toEqual(Array.from(raw.subarray(0, 5), (p) => Math.fround(p / 255)))
    expect(Math.max(...v)).toBe(1) // some pixel is 255
  })

  it('2.3.1 naive_relu and naive_add are maximum(x, 0) and add(x, y)', () => {
    const x = array([
      [-1, 2, -3],
      [4, -5, 6],
    ])
    const y = array([
      [10, 20, 30],
      [40, 50, 60],
    ])
    const naive = (a: number[][], f: (v: number, i: number, j: number) => number) =>
      a.map((row, i) => row.map((v, j) => f(v, i, j)))
    const xs = toArray(x) as number[][]
    const ys = toArray(y) as number[][]
    expect(toArray(maximum(x, 0))).toEqual(naive(xs, (v) => Math.max(v, 0)))
    expect(toArray(add(x, y))).toEqual(naive(xs, (v, i, j) => v + (ys[i]?.[j] as number)))
  })

  it('2.3.2 the dense layer relu(dot(W, input) + b): a vector b added to every row (sweep(x, 2, y, `+`))', () => {
    const h = reshape(array(Float32Array.from({ length: 12 }, (_, i) => i - 6)), [4, 3])
    const b = array([-1, 0, 2])
    const out = maximum(add(h, b), 0)
    const hs = toArray(h) as number[][]
    expect(toArray(out)).toEqual(hs.map((row) => row.map((v, j) => Math.max(v + [-1, 0, 2][j]!, 0))))
    expect(add(zeros([128, 512]), zeros([512])).shape).toEqual([128, 512])
  })

  it('2.3.2 sweep(x, c(3, 4), y, pmax) is maximum(x, y) for x [64,3,32,10] and y = 5s of shape [32,10]', () => {
    // x <- array(round(runif(1000, 0, 9)), dim = c(64, 3, 32, 10)), with round(u) = trunc(u + 0.5) for u ≥ 0
    const x = cast(add(uniform(key(2), [64, 3, 32, 10], { minval: 0, maxval: 9 }), 0.5), 'int32')
    const y = full([32, 10], 5)
    const z = maximum(x, y)
    expect(z.shape).toEqual([64, 3, 32, 10])
    const xs = toTypedArray(x)
    expect(xs.every((v) => Number.isInteger(v) && v >= 0 && v <= 9)).toBe(true)
    // the naive pmax loop: z[i, j, k, l] = max(x[i, j, k, l], y[k, l])
    const want = new Float32Array(xs.length)
    for (let i = 0; i < 64; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 32; k++)
          for (let l = 0; l < 10; l++) {
            const at = ((i * 3 + j) * 32 + k) * 10 + l
            want[at] = Math.max(xs[at] as number, 5)
          }
    expect(Array.from(toTypedArray(z))).toEqual(Array.from(want))
  })

  it('2.3.4 array_reshape reads and writes row-major: the book’s three matrices', () => {
    const x = array([
      [0, 1],
      [2, 3],
      [4, 5],
    ])
    const col = reshape(x, [6, 1])
    expect(toArray(col)).toEqual([[0], [1], [2], [3], [4], [5]])
    expect(toArray(reshape(col, [2, 3]))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ])
  })

  it('2.3.4 t(x) of a 300x20 matrix has dim 20 300, and x[i, j] becomes x[j, i]', () => {
    expect(transpose(zeros([300, 20])).shape).toEqual([20, 300])
    const x = array([
      [0, 1, 2],
      [3, 4, 5],
    ])
    expect(toArray(transpose(x))).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ])
  })

  it('2.3.5 geometric addition: A = [0.5, 1.0] plus B = [1, 0.25]', () => {
    expect(toArray(add(array([0.5, 1.0]), array([1, 0.25])))).toEqual([1.5, 1.25])
  })
})
