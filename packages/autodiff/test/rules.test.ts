// Every primitive's JVP and VJP rule against central finite differences in float64, plus ⟨ȳ, J·ẋ⟩ = ⟨Jᵀ·ȳ, ẋ⟩.
import { checkGrads } from '@nabla/autodiff/testing'
import { dot, dotGeneral, matmul } from '@nabla/linalg'
import {
  add,
  array,
  broadcastTo,
  cast,
  concat,
  cos,
  div,
  exp,
  greater,
  key,
  log,
  max,
  maximum,
  minimum,
  mul,
  type NDArray,
  neg,
  normal,
  pad,
  pow,
  reshape,
  scatterAdd,
  sin,
  slice,
  split,
  sqrt,
  sub,
  sum,
  take,
  tanh,
  transpose,
  uniform,
  where,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { grad, rules } from '../src/index.js'

const keys = split(key(7), 64)
let next = 0
const randn = (shape: number[]) => normal(keys[next++ % keys.length]!, shape, { dtype: 'float64' })
const positive = (shape: number[]) =>
  uniform(keys[next++ % keys.length]!, shape, { minval: 0.5, maxval: 2, dtype: 'float64' })

type Case = [
  name: string,
  f: (...xs: NDArray[]) => NDArray,
  args: () => NDArray[],
  tolerance?: { eps: number; rtol: number },
]

const cases: Case[] = [
  ['add (broadcast [3,4] + [4])', (x, y) => add(x, y), () => [randn([3, 4]), randn([4])]],
  ['add (broadcast [3,1] + [1,4])', (x, y) => add(x, y), () => [randn([3, 1]), randn([1, 4])]],
  ['sub (broadcast)', (x, y) => sub(x, y), () => [randn([2, 3]), randn([2, 1])]],
  ['mul (broadcast)', (x, y) => mul(x, y), () => [randn([2, 3, 4]), randn([3, 1])]],
  ['div', (x, y) => div(x, y), () => [randn([3, 4]), positive([4])]],
  ['pow', (x, y) => pow(x, y), () => [positive([3, 4]), randn([3, 4])]],
  ['maximum (no ties)', (x, y) => maximum(x, y), () => [randn([5, 3]), randn([3])]],
  ['minimum (no ties)', (x, y) => minimum(x, y), () => [randn([5, 3]), randn([5, 3])]],
  ['neg', (x) => neg(x), () => [randn([4])]],
  ['exp', (x) => exp(x), () => [randn([3, 2])]],
  ['log', (x) => log(x), () => [positive([3, 2])]],
  ['sqrt', (x) => sqrt(x), () => [positive([6])]],
  ['tanh', (x) => tanh(x), () => [randn([2, 5])]],
  ['sin', (x) => sin(x), () => [randn([5])]],
  ['cos', (x) => cos(x), () => [randn([5])]],
  ['where', (x, y) => where(greater(x, 0), x, y), () => [randn([4, 3]), randn([3])]],
  // a float32 round trip rounds to ~1e-7, so finite differences need a wider step and tolerance
  [
    'cast float64→float32→float64',
    (x) => cast(mul(cast(x, 'float32'), 1), 'float64'),
    () => [randn([3])],
    { eps: 1e-2, rtol: 1e-4 },
  ],
  ['reduceSum (axis 0)', (x) => sum(x, { axis: 0 }), () => [randn([3, 4])]],
  ['reduceSum (axes [0,2], keepDims)', (x) => sum(x, { axis: [0, 2], keepDims: true }), () => [randn([2, 3, 4])]],
  ['reduceMax (no ties)', (x) => max(x, { axis: 1 }), () => [randn([3, 5])]],
  ['reshape', (x) => reshape(x, [6, 2]), () => [randn([3, 4])]],
  ['broadcastTo', (x) => broadcastTo(x, [2, 3, 4]), () => [randn([3, 1])]],
  ['transpose', (x) => transpose(x, [2, 0, 1]), () => [randn([2, 3, 4])]],
  ['slice (ranges, index, step)', (x) => slice(x, [1, 3], 2, [null, null, 2]), () => [randn([4, 3, 5])]],
  ['slice (negative step)', (x) => slice(x, [null, null, -2], [3, 0, -1]), () => [randn([5, 4])]],
  [
    'pad (edges and interior)',
    (x) =>
      pad(x, [
        [1, 2, 1],
        [0, 1],
      ]),
    () => [randn([3, 2])],
  ],
  ['concat', (x, y) => concat([x, y, x], 1), () => [randn([2, 3]), randn([2, 1])]],
  ['take (repeated indices)', (x) => take(x, [2, 0, 2], 1), () => [randn([3, 4])]],
  ['scatterAdd', (u) => scatterAdd(u, [1, 3, 1], 4, 0), () => [randn([3, 2])]],
  ['dot matrix·matrix', (x, y) => dot(x, y), () => [randn([3, 4]), randn([4, 5])]],
  ['dot vector·vector', (x, y) => dot(x, y), () => [randn([4]), randn([4])]],
  ['dot rank 4 · matrix', (x, y) => dot(x, y), () => [randn([2, 2, 3, 4]), randn([4, 2])]],
  ['matmul batched broadcast', (x, y) => matmul(x, y), () => [randn([2, 1, 3, 4]), randn([3, 4, 2])]],
  [
    'dotGeneral (batch and two contracting axes)',
    (x, y) =>
      dotGeneral(x, y, {
        contracting: [
          [1, 3],
          [2, 0],
        ],
        batch: [[0], [1]],
      }),
    () => [randn([2, 3, 4, 5]), randn([5, 2, 3, 2])],
  ],
  [
    'dotGeneral xᵀ·g (transposed operand)',
    (x, g) => dotGeneral(x, g, { contracting: [[0], [0]], batch: [[], []] }),
    () => [randn([4, 3]), randn([4, 2])],
  ],
]

describe('every primitive has its rules', () => {
  it('the table has a JVP and a VJP for each primitive (a missing one is also a compile error)', () => {
    for (const [name, rule] of Object.entries(rules)) {
      expect(typeof rule.jvp, name).toBe('function')
      expect(typeof rule.vjp, name).toBe('function')
    }
    expect(Object.keys(rules)).toContain('dotGeneral')
  })
})

describe.each(cases)('%s', (_, f, args, tolerance) => {
  it('forward and reverse mode agree with central finite differences (float64)', () => {
    checkGrads(f, args(), tolerance ?? {})
  })
  it('second derivatives agree too', () => {
    checkGrads(f, args(), { order: 2, rtol: 1e-5, atol: 1e-5, ...tolerance })
  })
})

describe('subgradient conventions (as JAX)', () => {
  it('maximum splits the gradient evenly at ties', () => {
    const x = array([1, 2, 3], { dtype: 'float64' })
    const g = grad((a: NDArray) => sum(maximum(a, 2)))(x)
    expect(g).toBeAllClose([0, 0.5, 1])
  })
  it('max over an axis shares the gradient among the positions that attain it', () => {
    const x = array(
      [
        [1, 3, 3],
        [5, 0, 2],
      ],
      { dtype: 'float64' },
    )
    expect(grad((a: NDArray) => sum(max(a, { axis: 1 })))(x)).toBeAllClose([
      [0, 0.5, 0.5],
      [1, 0, 0],
    ])
  })
})
