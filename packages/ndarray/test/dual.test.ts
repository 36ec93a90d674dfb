/** Dual ops work data-first and in fp-ts `pipe`; no op changes its inputs, and views never expose a later change. */
import {
  abs,
  add,
  argmax,
  argmin,
  array,
  broadcastTo,
  cast,
  clip,
  concat,
  cos,
  div,
  equal,
  exp,
  expandDims,
  flatten,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  type NDArray,
  type NestedArray,
  neg,
  notEqual,
  pad,
  pow,
  reshape,
  sign,
  sin,
  slice,
  sqrt,
  square,
  squeeze,
  stack,
  sub,
  sum,
  take,
  tanh,
  toArray,
  toTypedArray,
  transpose,
  where,
} from '@nabla/ndarray'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'

const x = array([
  [1, -2, 3],
  [-4, 5, -6],
])
const y = array([0.5, 2, -1])

/** [name, data-first result, pipe result] for every dual op. */
const pairs: [string, () => NDArray, () => NDArray][] = [
  ['add', () => add(x, y), () => pipe(x, add(y))],
  ['sub', () => sub(x, 1), () => pipe(x, sub(1))],
  ['mul', () => mul(x, y), () => pipe(x, mul(y))],
  ['div', () => div(x, 255), () => pipe(x, div(255))],
  ['pow', () => pow(x, 2), () => pipe(x, pow(2))],
  ['maximum', () => maximum(x, 0), () => pipe(x, maximum(0))],
  ['minimum', () => minimum(x, y), () => pipe(x, minimum(y))],
  ['equal', () => equal(x, 3), () => pipe(x, equal(3))],
  ['notEqual', () => notEqual(x, 3), () => pipe(x, notEqual(3))],
  ['greater', () => greater(x, y), () => pipe(x, greater(y))],
  ['greaterEqual', () => greaterEqual(x, 1), () => pipe(x, greaterEqual(1))],
  ['less', () => less(x, y), () => pipe(x, less(y))],
  ['lessEqual', () => lessEqual(x, 1), () => pipe(x, lessEqual(1))],
  ['clip', () => clip(x, -1, 2), () => pipe(x, clip(-1, 2))],
  ['cast', () => cast(x, 'int32'), () => pipe(x, cast('int32'))],
  ['sum', () => sum(x), () => pipe(x, sum())],
  ['sum axis', () => sum(x, { axis: 1, keepDims: true }), () => pipe(x, sum({ axis: 1, keepDims: true }))],
  ['mean', () => mean(x, { axis: 0 }), () => pipe(x, mean({ axis: 0 }))],
  ['max', () => max(x, { axis: -1 }), () => pipe(x, max({ axis: -1 }))],
  ['min', () => min(x), () => pipe(x, min())],
  ['argmax', () => argmax(x, { axis: 1 }), () => pipe(x, argmax({ axis: 1 }))],
  ['argmin', () => argmin(x), () => pipe(x, argmin())],
  ['reshape', () => reshape(x, [3, 2]), () => pipe(x, reshape([3, 2]))],
  ['reshape -1', () => reshape(x, [-1]), () => pipe(x, reshape([-1]))],
  ['transpose', () => transpose(x), () => pipe(x, transpose())],
  ['transpose perm', () => transpose(x, [1, 0]), () => pipe(x, transpose([1, 0]))],
  ['expandDims', () => expandDims(x, 1), () => pipe(x, expandDims(1))],
  ['squeeze', () => squeeze(reshape(x, [1, 6])), () => pipe(reshape(x, [1, 6]), squeeze())],
  ['squeeze axis', () => squeeze(reshape(x, [1, 6]), 0), () => pipe(x, reshape([1, 6]), squeeze(0))],
  ['broadcastTo', () => broadcastTo(y, [4, 3]), () => pipe(y, broadcastTo([4, 3]))],
  ['slice', () => slice(x, 1, [0, 3, 2]), () => pipe(x, slice(1, [0, 3, 2]))],
  ['slice batch', () => slice(x, [0, 1]), () => pipe(x, slice([0, 1]))],
  ['take', () => take(x, [1, 0, 1]), () => pipe(x, take([1, 0, 1]))],
  ['take axis', () => take(x, [2, 0], 1), () => pipe(x, take([2, 0], 1))],
]

describe('dual ops', () => {
  for (const [name, first, piped] of pairs) {
    it(`${name}: data-first and pipe agree`, () => {
      const a = first()
      const b = piped()
      expect(b.shape).toEqual(a.shape)
      expect(b.dtype).toBe(a.dtype)
      expect(toArray(b)).toEqual(toArray(a))
    })
  }

  it('unary ops are plain functions, so they go in pipe as they are', () => {
    expect(toArray(pipe(x, neg, abs))).toEqual(toArray(abs(x)))
    expect(toArray(pipe(x, maximum(0), sqrt))).toEqual(toArray(sqrt(maximum(x, 0))))
  })

  it('reads like R’s %>%: array_reshape then / 255', () => {
    const images = array(new Uint8Array([0, 51, 102, 153, 204, 255, 0, 255]), { shape: [2, 2, 2] })
    const prepared = pipe(images, reshape([2, 4]), div(255))
    expect(prepared.dtype).toBe('float32')
    const want = [
      [0, 0.2, 0.4, 0.6],
      [0.8, 1, 0, 1],
    ]
    expect(toArray(prepared)).toEqual(want.map((row) => row.map(Math.fround)))
  })
})

describe('immutability', () => {
  const snapshot = (a: NDArray): NestedArray => toArray(a)

  it('no op changes its inputs', () => {
    const inputs = [x, y]
    const before = inputs.map(snapshot)
    const t = transpose(x)
    const ops: (() => unknown)[] = [
      ...pairs.flatMap(([, first, piped]) => [first, piped]),
      () => [neg, sign, exp, log, sqrt, tanh, sin, cos, abs, square].map((f) => f(x)),
      () => where(greater(x, 0), x, y),
      () => concat([x, x], 1),
      () => stack([x, x]),
      () => pad(x, [[1, 1]]),
      () => flatten(x),
      () => add(t, 1),
      () => sum(t, { axis: 0 }),
    ]
    for (const op of ops) op()
    expect(inputs.map(snapshot)).toEqual(before)
    expect(snapshot(t)).toEqual(toArray(transpose(array(before[0] as number[][]))))
  })

  it('views (reshape, transpose, slice, broadcastTo) and their bases never see a later op', () => {
    const base = array([
      [1, 2, 3],
      [4, 5, 6],
    ])
    const views = [
      reshape(base, [3, 2]),
      transpose(base),
      slice(base, [null, null, -1], 1),
      broadcastTo(slice(base, 0), [2, 3]),
    ]
    const before = [base, ...views].map(snapshot)
    // every op on the views and on the base makes new arrays
    for (const v of [base, ...views]) {
      add(v, 1)
      mul(v, v)
      maximum(v, 3)
      reshape(v, [-1])
      transpose(v)
      slice(v, 0)
      cast(v, 'int32')
      sum(v, { axis: 0 })
    }
    expect([base, ...views].map(snapshot)).toEqual(before)
  })

  it('toTypedArray gives a copy, and array() copies what it is given', () => {
    const source = new Float32Array([1, 2, 3, 4])
    const a = array(source, { shape: [2, 2] })
    source[0] = 99
    expect(toArray(a)).toEqual([
      [1, 2],
      [3, 4],
    ])
    const copy = toTypedArray(a)
    copy[1] = 99
    expect(toArray(a)).toEqual([
      [1, 2],
      [3, 4],
    ])
    const view = toTypedArray(slice(a, 1))
    view[0] = 99
    expect(toArray(a)).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('shapes are frozen', () => {
    expect(Object.isFrozen(x.shape)).toBe(true)
    expect(() => (x.shape as number[]).push(1)).toThrow(TypeError)
  })
})
