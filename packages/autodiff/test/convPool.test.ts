// The convolution and window primitives under the transforms: every one's JVP and VJP against central finite
// differences in float64, first and second order (through the public conv2d / maxPool2d / avgPool2d and through
// bind with geometries those never make: explicit uneven pads, strides with dilation, holes, negative pads); max
// pooling's gradient at ties (all of it to the first maximum); vmap over the images, over the kernel and over both
// equals the examples stacked; and per-example gradients of a small convnet.
import { checkGrads } from '@nabla/autodiff/testing'
import { type Conv2dDims, conv2d } from '@nabla/linalg'
import {
  array,
  avgPool2d,
  key,
  maxPool2d,
  type NDArray,
  normal,
  reshape,
  slice,
  split,
  stack,
  sum,
  tanh,
  toTypedArray,
} from '@nabla/ndarray'
import { bind, type WindowParams } from '@nabla/ndarray/core'
import { describe, expect, it } from 'vitest'
import { grad, rules, vmap } from '../src/index.js'
import { expectSame } from './same.js'

const keys = split(key(11), 64)
let next = 0
const randn = (shape: number[]) => normal(keys[next++ % keys.length] as never, shape, { dtype: 'float64' })

const dims = (
  strides: [number, number],
  padding: [[number, number], [number, number]],
  dilation: [number, number],
): Conv2dDims => ({ strides, padding, dilation })

const windowOf = (
  window: [number, number],
  strides: [number, number],
  padding: [[number, number], [number, number]],
  dilation: [number, number] = [1, 1],
  baseDilation: [number, number] = [1, 1],
): WindowParams => ({ window, strides, padding, dilation, baseDilation })

/** A nonlinear scalar of a primitive's result, so second derivatives see more than a constant. */
const loss = (y: NDArray) => sum(tanh(y))

type Case = [name: string, f: (...xs: NDArray[]) => NDArray, args: () => NDArray[]]

const uneven = dims(
  [2, 1],
  [
    [1, 2],
    [0, 1],
  ],
  [1, 2],
)
const cases: Case[] = [
  [
    'conv2d (public, same padding, stride 2)',
    (x, k) => loss(conv2d(x, k, { strides: 2, padding: 'same' })),
    () => [randn([2, 5, 6, 2]), randn([3, 2, 2, 3])],
  ],
  [
    'conv2d (public, dilation 2)',
    (x, k) => loss(conv2d(x, k, { dilation: 2 })),
    () => [randn([1, 6, 6, 3]), randn([2, 2, 3, 2])],
  ],
  [
    'conv2d (uneven pads, stride with dilation)',
    (x, k) => loss(bind('conv2d', [x, k], uneven)),
    () => [randn([2, 5, 6, 2]), randn([3, 2, 2, 3])],
  ],
  [
    'conv2dBackpropInput',
    (g, k) => loss(bind('conv2dBackpropInput', [g, k], { ...uneven, inputSize: [5, 6] })),
    () => [randn([2, 3, 5, 3]), randn([3, 2, 2, 3])],
  ],
  [
    'conv2dBackpropFilter',
    (x, g) => loss(bind('conv2dBackpropFilter', [x, g], { ...uneven, kernelSize: [3, 2] })),
    () => [randn([2, 5, 6, 2]), randn([2, 3, 5, 3])],
  ],
  [
    'maxPool2d (public, same padding, overlapping windows)',
    (x) => loss(maxPool2d(x, { poolSize: 3, strides: 2, padding: 'same' })),
    () => [randn([2, 5, 6, 3])],
  ],
  [
    'avgPool2d (public, same padding)',
    (x) => loss(avgPool2d(x, { poolSize: [3, 2], strides: 1, padding: 'same' })),
    () => [randn([2, 4, 5, 2])],
  ],
  [
    'reduceWindow sum (dilation, holes, negative padding)',
    (x) =>
      loss(
        bind('reduceWindow', [x], {
          op: 'sum',
          ...windowOf(
            [2, 3],
            [2, 1],
            [
              [1, -1],
              [2, 0],
            ],
            [1, 2],
            [2, 1],
          ),
        }),
      ),
    () => [randn([1, 5, 4, 2])],
  ],
  [
    'reduceWindow max (holes)',
    (x) =>
      loss(
        bind('reduceWindow', [x], {
          op: 'max',
          ...windowOf(
            [2, 2],
            [1, 2],
            [
              [1, 0],
              [0, 1],
            ],
            [1, 1],
            [2, 1],
          ),
        }),
      ),
    () => [randn([2, 4, 5, 2])],
  ],
  [
    'selectAndGather',
    (t, x) =>
      loss(
        bind(
          'selectAndGather',
          [t, x],
          windowOf(
            [2, 3],
            [1, 2],
            [
              [0, 1],
              [1, 1],
            ],
          ),
        ),
      ),
    () => [randn([2, 4, 5, 3]), randn([2, 4, 5, 3])],
  ],
  [
    'selectAndScatterAdd',
    (s, x) =>
      loss(
        bind(
          'selectAndScatterAdd',
          [s, x],
          windowOf(
            [2, 3],
            [1, 2],
            [
              [0, 1],
              [1, 1],
            ],
          ),
        ),
      ),
    () => [randn([2, 4, 3, 3]), randn([2, 4, 5, 3])],
  ],
]

describe('every convolution and window primitive has its rules', () => {
  it('in the table', () => {
    for (const prim of [
      'conv2d',
      'conv2dBackpropInput',
      'conv2dBackpropFilter',
      'reduceWindow',
      'selectAndGather',
      'selectAndScatterAdd',
    ] as const) {
      expect(typeof rules[prim].jvp).toBe('function')
      expect(typeof rules[prim].vjp).toBe('function')
    }
  })
})

describe.each(cases)('%s', (_, f, args) => {
  it('forward and reverse mode agree with central finite differences (float64)', () => {
    checkGrads(f, args())
  })
  it('second derivatives agree too', () => {
    checkGrads(f, args(), { order: 2, rtol: 1e-5, atol: 1e-5 })
  })
})

describe('max pooling at ties', () => {
  it('sends the whole gradient to the first maximum of each window, in row-major order (as TensorFlow)', () => {
    // window 1 ties at (0, 1) and (1, 0); window 2 ties at (0, 2) and (1, 3)
    const x = reshape(array([1, 3, 5, 0, 3, 2, 4, 5], { dtype: 'float64' }), [1, 2, 4, 1])
    const g = grad((a: NDArray) => sum(maxPool2d(a)))(x)
    expect(Array.from(toTypedArray(g))).toEqual([0, 1, 1, 0, 0, 0, 0, 0])
    // forward mode takes the tangent from the same element
    const t = reshape(array([1, 2, 3, 4, 5, 6, 7, 8], { dtype: 'float64' }), [1, 2, 4, 1])
    const p = windowOf(
      [2, 2],
      [2, 2],
      [
        [0, 0],
        [0, 0],
      ],
    )
    expect(Array.from(toTypedArray(bind('selectAndGather', [t, x], p)))).toEqual([2, 3])
  })
})

/** Example b of x along axis a. */
const example = (x: NDArray, a: number, b: number) => slice(x, ...Array<null>(a).fill(null), b)

/** `shape` with an axis of `size` inserted at `axis`. */
const withAxis = (shape: readonly number[], axis: number, size: number) => [
  ...shape.slice(0, axis),
  size,
  ...shape.slice(axis),
]

/** Values that are exact in float32 (halves), so batched and per-example products agree bit for bit. */
const halves = (shape: number[], seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1)
  return reshape(array(Float32Array.from({ length: n }, (_, i) => (((i * 7 + seed * 13) % 17) - 8) / 2)), shape)
}

describe('vmap of the convolution and pooling ops', () => {
  const k = halves([3, 3, 2, 4], 1)
  const xs = halves([3, 2, 6, 6, 2], 2) // three batches of two images
  const ks = halves([3, 3, 3, 2, 4], 3) // three kernels
  const conv = (x: NDArray, kk: NDArray) => conv2d(x, kk, { padding: 'same', strides: [1, 2] })

  it('over the images equals the examples stacked (the batch folds into the images’ batch)', () => {
    for (const axis of [0, 1, 4]) {
      const moved = axis === 0 ? xs : halves(withAxis([2, 6, 6, 2], axis, 3), 4)
      const want = stack([0, 1, 2].map((b) => conv(example(moved, axis, b), k)))
      expectSame(vmap((x: NDArray) => conv(x, k), { inAxes: axis })(moved) as NDArray, want)
    }
  })

  it('over the kernel equals the examples stacked (the batch folds into the filters)', () => {
    const x = example(xs, 0, 0)
    const want = stack([0, 1, 2].map((b) => conv(x, example(ks, 0, b))))
    expectSame(vmap((kk: NDArray) => conv(x, kk))(ks) as NDArray, want)
    const last = halves([3, 3, 2, 4, 3], 5)
    const want4 = stack([0, 1, 2].map((b) => conv(x, example(last, 4, b))))
    expectSame(vmap((kk: NDArray) => conv(x, kk), { inAxes: 4 })(last) as NDArray, want4)
  })

  it('over images and kernels together (example by example)', () => {
    const want = stack([0, 1, 2].map((b) => conv(example(xs, 0, b), example(ks, 0, b))))
    expectSame(vmap(conv)(xs, ks) as NDArray, want)
  })

  it('pooling over any batch axis', () => {
    for (const axis of [0, 2, 4]) {
      const x = halves(withAxis([2, 6, 6, 2], axis, 3), 6)
      for (const pool of [
        (a: NDArray) => maxPool2d(a, { poolSize: 2, padding: 'same', strides: 1 }),
        (a: NDArray) => avgPool2d(a, { poolSize: [2, 3] }),
      ]) {
        const want = stack([0, 1, 2].map((b) => pool(example(x, axis, b))))
        expectSame(vmap(pool, { inAxes: axis })(x) as NDArray, want)
      }
    }
  })

  it('per-example gradients of a small convnet: vmap(grad(loss)) equals each example’s gradient, stacked', () => {
    const net = (kk: NDArray, image: NDArray) =>
      sum(tanh(maxPool2d(conv2d(reshape(image, [1, 6, 6, 2]), kk, { padding: 'same' }), { poolSize: 2 })))
    const images = halves([3, 6, 6, 2], 7)
    const perExample = vmap(grad(net), { inAxes: [null, 0] })(k, images) as NDArray
    const want = stack([0, 1, 2].map((b) => grad(net)(k, example(images, 0, b))))
    expect(perExample.shape).toEqual([3, 3, 3, 2, 4])
    expect(perExample).toBeAllClose(want, { rtol: 1e-5, atol: 1e-6 })
  })
})
