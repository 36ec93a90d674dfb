import { arange, array, key, max, min, reshape, slice, toArray } from '@nabla/ndarray'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { arrayReshape, batches, shuffle, toCategorical } from '../src/index.js'

describe('toCategorical (listing 2.5)', () => {
  it('one-hot encodes labels, inferring numClasses as max + 1', () => {
    const y = toCategorical(array([5, 0, 4], { dtype: 'uint8' }))
    expect(y.dtype).toBe('float32')
    expect(toArray(y)).toEqual([
      [0, 0, 0, 0, 0, 1],
      [1, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 0],
    ])
  })

  it('takes numClasses, plain lists, any leading shape, and drops a trailing axis of 1 like Keras', () => {
    expect(toArray(toCategorical([2, 0], 4))).toEqual([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
    ])
    expect(toCategorical(array([[1], [0]], { dtype: 'int32' })).shape).toEqual([2, 2])
    expect(toCategorical(array([[1, 0, 2]], { dtype: 'int32' })).shape).toEqual([1, 3, 3])
    expect(toCategorical([], 10).shape).toEqual([0, 10])
  })

  it('agrees with the naive definition (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 30 }), (labels) => {
        const k = Math.max(...labels) + 1
        expect(toArray(toCategorical(labels))).toEqual(
          labels.map((l) => Array.from({ length: k }, (_, j) => +(j === l))),
        )
      }),
    )
  })

  it('rejects labels it cannot encode', () => {
    expect(() => toCategorical([1, -1, 2])).toThrow(
      'toCategorical: labels must be non-negative integers, got -1 at flat index 1 of shape [3]',
    )
    expect(() => toCategorical(array([0.5, 1]))).toThrow('got 0.5 at flat index 0')
    expect(() => toCategorical([0, 3, 1], 3)).toThrow(
      'toCategorical: labels must be below numClasses 3, got 3 (first out of range at flat index 1)',
    )
    expect(() => toCategorical([0], 0)).toThrow('toCategorical: numClasses must be a positive integer, got 0')
    expect(() => toCategorical([0], 2.5)).toThrow('got 2.5')
    expect(() => toCategorical([])).toThrow('cannot infer numClasses from empty labels (shape [0]); pass numClasses')
  })
})

describe('arrayReshape (listing 2.4)', () => {
  it('is row-major, unlike R dim<-', () => {
    expect(toArray(arrayReshape(arange(6), [2, 3]))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ])
    // each image becomes one row, read line by line
    const images = reshape(arange(2 * 2 * 3), [2, 2, 3])
    expect(toArray(arrayReshape(images, [2, 6]))).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
    ])
    expect(arrayReshape(images, [-1, 6]).shape).toEqual([2, 6])
    expect(() => arrayReshape(images, [5, 2])).toThrow('reshape: cannot reshape [2,2,3] (12 elements) into [5,2]')
  })
})

const ids = (n: number) => arange(n) // sample i has value i, so order and alignment are visible

describe('shuffle', () => {
  it('applies one permutation to x and y, deterministically per key', () => {
    const x = reshape(arange(20), [10, 2])
    const y = ids(10)
    const a = shuffle(key(1), x, y)
    const order = toArray(a.y) as number[]
    expect([...order].sort((p, q) => p - q)).toEqual([...Array(10).keys()])
    expect(order).not.toEqual([...Array(10).keys()])
    expect(toArray(a.x)).toEqual(order.map((i) => [2 * i, 2 * i + 1]))
    expect(toArray(shuffle(key(1), x, y).y)).toEqual(order)
    expect(toArray(shuffle(key(2), x, y).y)).not.toEqual(order)
  })

  it('rejects mismatched counts and bad keys', () => {
    expect(() => shuffle(key(0), arange(5), arange(4))).toThrow(
      'shuffle: x and y must have the same number of samples (first extent), got x of shape [5] and y of shape [4]: 5 ≠ 4',
    )
    expect(() => shuffle(42 as never, arange(5), arange(5))).toThrow(
      'shuffle: expected a key made by key(seed) or split(key), got number',
    )
  })
})

describe('batches', () => {
  it('60000 samples in batches of 128: 469 batches, the last of 96', () => {
    const x = reshape(ids(60000), [60000, 1])
    const b = batches(x, ids(60000), { batchSize: 128 })
    expect([b.length, b.batchSize, b.samples]).toEqual([469, 128, 60000])
    const sizes = [...b].map((batch) => batch.x.shape[0])
    expect(sizes.length).toBe(469)
    expect(sizes.slice(0, 468).every((s) => s === 128)).toBe(true)
    expect(sizes[468]).toBe(96)
  })

  it('in stored order without a key: consecutive, aligned slices', () => {
    const all = [...batches(reshape(ids(10), [10, 1]), ids(10), { batchSize: 4 })]
    expect(all.map((b) => toArray(b.y))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ])
    expect(all.map((b) => toArray(b.x))).toEqual([
      [[0], [1], [2], [3]],
      [[4], [5], [6], [7]],
      [[8], [9]],
    ])
  })

  it('with a key: every sample exactly once, x and y aligned, the same order on every pass (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 70 }), fc.nat(), (n, size, seed) => {
        const b = batches(reshape(arange(2 * n), [n, 2]), ids(n), { batchSize: size, key: key(seed) })
        const pass = [...b]
        expect(pass.length).toBe(Math.ceil(n / size))
        const seen = pass.flatMap((batch) => {
          const ys = toArray(batch.y) as number[]
          expect(toArray(batch.x)).toEqual(ys.map((i) => [2 * i, 2 * i + 1]))
          return ys
        })
        expect([...seen].sort((p, q) => p - q)).toEqual([...Array(n).keys()])
        expect([...b].flatMap((batch) => toArray(batch.y) as number[])).toEqual(seen)
      }),
      { numRuns: 50 },
    )
  })

  it('shuffles 60000 MNIST-sized indices with every sample exactly once', () => {
    const seen = new Uint8Array(60000)
    let batchCount = 0
    for (const b of batches(reshape(ids(60000), [60000, 1]), ids(60000), { batchSize: 128, key: key(7) })) {
      for (const i of toArray(b.y) as number[]) seen[i] = (seen[i] as number) + 1
      batchCount++
    }
    expect(batchCount).toBe(469)
    expect([toArray(min(array(seen))), toArray(max(array(seen)))]).toEqual([1, 1])
    const first = toArray(slice([...batches(ids(60000), ids(60000), { batchSize: 128, key: key(7) })][0]!.y, [0, 5]))
    expect(first).not.toEqual([0, 1, 2, 3, 4])
  })

  it('rejects bad batch sizes and mismatched counts', () => {
    const x = arange(6)
    for (const bad of [0, -1, 2.5, Number.NaN]) {
      expect(() => batches(x, x, { batchSize: bad })).toThrow(
        `batches: batchSize must be a positive integer, got ${bad}`,
      )
    }
    expect(() => batches(x, arange(5), { batchSize: 2 })).toThrow(
      'batches: x and y must have the same number of samples (first extent), got x of shape [6] and y of shape [5]: 6 ≠ 5',
    )
    expect(() => batches(array(1), array(1), { batchSize: 1 })).toThrow(
      'batches: x must have a sample axis (rank ≥ 1), got a scalar',
    )
    expect(() => batches(x, [1, 2] as never, { batchSize: 1 })).toThrow('batches: y must be an NDArray, got object')
  })
})
