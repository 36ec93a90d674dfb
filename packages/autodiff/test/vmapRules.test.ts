// Every primitive's batching rule, by fast-check: vmap(f)(xs) with random inAxes and outAxes equals f applied to
// each example's slices and stacked at outAxes — same dtype, shape and bits.
import { dotGeneral } from '@nabla/linalg'
import { array, broadcastTo, cast, type DType, type NDArray, reshape, slice, stack, transpose } from '@nabla/ndarray'
import { bind, type Comparison, type PrimitiveName } from '@nabla/ndarray/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { batchRules, vmap } from '../src/index.js'
import { expectSame } from './same.js'

type Values = 'float' | 'positive' | 'bool' | { readonly index: number }

interface Input {
  readonly shape: readonly number[]
  readonly dtype?: DType
  readonly values?: Values
}

interface Spec {
  readonly inputs: readonly Input[]
  readonly f: (...xs: NDArray[]) => NDArray
}

/** Deterministic values for an input: float32-exact halves, positives, booleans or in-range indices. */
const fill = (input: Input, shape: readonly number[], seed: number): NDArray => {
  const n = shape.reduce((a, b) => a * b, 1)
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
  const v = input.values ?? 'float'
  const data = Array.from({ length: n }, () => {
    const u = next()
    if (v === 'float') return Math.floor(u * 81 - 40) / 2
    if (v === 'positive') return Math.floor(u * 40 + 1) / 4
    if (v === 'bool') return u < 0.5 ? 0 : 1
    return Math.floor(u * 2 * v.index) - v.index // −n…n−1, negatives counted from the end
  })
  const dtype = input.dtype ?? (v === 'bool' ? 'bool' : typeof v === 'object' ? 'int32' : 'float32')
  const typed =
    dtype === 'float64'
      ? Float64Array.from(data)
      : dtype === 'int32'
        ? Int32Array.from(data)
        : dtype === 'bool' || dtype === 'uint8'
          ? Uint8Array.from(data)
          : Float32Array.from(data)
  return array(typed, { shape: [...shape], dtype })
}

/** Example `b` of `x` along axis `axis`. */
const sliceAt = (x: NDArray, axis: number, b: number): NDArray => slice(x, ...Array<null>(axis).fill(null), b)

const dims = (max = 3) => fc.array(fc.integer({ min: 1, max }), { minLength: 0, maxLength: 3 })

/** Checks one spec under a random batch size, inAxes and outAxes. */
const checkSpec = (spec: Spec, size: number, choices: readonly number[], outChoice: number, seed: number): void => {
  const inAxes = spec.inputs.map((input, i): number | null => {
    const c = choices[i] ?? 0
    const rank = input.shape.length + 1
    // one chance in four of unmapped; otherwise any axis, negative half the time
    if (c % 4 === 3 && i > 0) return null
    const a = Math.floor(c / 4) % rank
    return c % 2 === 0 ? a : a - rank
  })
  if (!inAxes.some((a) => a !== null)) inAxes[0] = 0
  const args = spec.inputs.map((input, i) => {
    const a = inAxes[i] ?? null
    if (a === null) return fill(input, input.shape, seed + i)
    const at = a < 0 ? a + input.shape.length + 1 : a
    return fill(input, [...input.shape.slice(0, at), size, ...input.shape.slice(at)], seed + i)
  })
  const examples = Array.from({ length: size }, (_, b) =>
    spec.f(
      ...args.map((x, i) => {
        const a = inAxes[i] ?? null
        return a === null ? x : sliceAt(x, a < 0 ? a + x.rank : a, b)
      }),
    ),
  )
  const outRank = (examples[0] as NDArray).rank + 1
  const outAt = outChoice % outRank
  const outAxes = outChoice % 2 === 0 ? outAt : outAt - outRank
  const want = stack(examples, outAt)
  const got = vmap(spec.f, { inAxes, outAxes })(...args) as NDArray
  expectSame(got, want)
}

const batchArb = fc.record({
  size: fc.integer({ min: 1, max: 3 }),
  choices: fc.array(fc.nat(64), { minLength: 3, maxLength: 3 }),
  out: fc.nat(64),
  seed: fc.nat(),
})

/** Two shapes that broadcast, each of rank ≤ 3. */
const pairArb = dims().chain((base) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }),
      fc.nat(base.length),
      fc.boolean(),
    )
    .map(([ones, drop, swap]) => {
      const other = base.map((d, i) => (ones[i] ? 1 : d)).slice(drop)
      return swap ? [other, base] : [base, other]
    }),
)

const binary = (prim: PrimitiveName, values: Values = 'float'): fc.Arbitrary<Spec> =>
  pairArb.map(([a, b]) => ({
    inputs: [{ shape: a as number[] }, { shape: b as number[], values }],
    f: (x, y) => bind(prim, [x as NDArray, y as NDArray], {} as never),
  }))

const unary = (prim: PrimitiveName, values: Values = 'float'): fc.Arbitrary<Spec> =>
  dims().map((s) => ({ inputs: [{ shape: s, values }], f: (x) => bind(prim, [x as NDArray], {} as never) }))

/** A random subset of the axes of a rank-`r` shape (non-empty when `nonEmpty`). */
const axesOf = (shape: readonly number[], pick: number, nonEmpty: boolean): number[] => {
  const axes = shape.map((_, i) => i).filter((i) => (pick >> i) & 1)
  return nonEmpty && axes.length === 0 && shape.length > 0 ? [pick % shape.length] : axes
}

const permutationArb = (n: number) =>
  fc.array(fc.nat(), { minLength: n, maxLength: n }).map((ks) =>
    ks
      .map((k, i) => [k, i] as const)
      .sort((p, q) => p[0] - q[0] || p[1] - q[1])
      .map(([, i]) => i),
  )

/** A window or convolution geometry over small images: [height, width] sizes, strides, pads and dilations. */
const geometryArb = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  h: fc.integer({ min: 3, max: 6 }),
  w: fc.integer({ min: 3, max: 6 }),
  c: fc.integer({ min: 1, max: 5 }),
  f: fc.integer({ min: 1, max: 3 }),
  size: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  strides: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  padding: fc.tuple(fc.tuple(fc.nat(1), fc.nat(1)), fc.tuple(fc.nat(1), fc.nat(1))),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
})

/** The extent of a window's output along an axis of n elements. */
const windowOut = (n: number, k: number, s: number, [lo, hi]: readonly [number, number], d: number) =>
  Math.floor((n + lo + hi - d * (k - 1) - 1) / s) + 1

const convCase = (prim: 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter'): fc.Arbitrary<Spec> =>
  geometryArb.map(({ n, h, w, c, f, size: [kh, kw], strides, padding, dilation }) => {
    const dims = { strides, padding, dilation }
    const oh = windowOut(h, kh, strides[0], padding[0], dilation[0])
    const ow = windowOut(w, kw, strides[1], padding[1], dilation[1])
    const [x, k, g] = [
      [n, h, w, c],
      [kh, kw, c, f],
      [n, oh, ow, f],
    ]
    if (prim === 'conv2d')
      return { inputs: [{ shape: x }, { shape: k }], f: (a, b) => bind(prim, [a as NDArray, b as NDArray], dims) }
    if (prim === 'conv2dBackpropInput') {
      return {
        inputs: [{ shape: g }, { shape: k }],
        f: (a, b) => bind(prim, [a as NDArray, b as NDArray], { ...dims, inputSize: [h, w] }),
      }
    }
    return {
      inputs: [{ shape: x }, { shape: g }],
      f: (a, b) => bind(prim, [a as NDArray, b as NDArray], { ...dims, kernelSize: [kh, kw] }),
    }
  })

const windowCase = (prim: 'reduceWindow' | 'selectAndGather' | 'selectAndScatterAdd', op: 'max' | 'sum' = 'max') =>
  geometryArb.map(({ n, h, w, c, size, strides, padding, dilation }): Spec => {
    const p = { window: size, strides, padding, dilation, baseDilation: [1, 1] as const }
    const out = [
      n,
      windowOut(h, size[0], strides[0], padding[0], dilation[0]),
      windowOut(w, size[1], strides[1], padding[1], dilation[1]),
      c,
    ]
    const x = [n, h, w, c]
    if (prim === 'reduceWindow') return { inputs: [{ shape: x }], f: (a) => bind(prim, [a as NDArray], { op, ...p }) }
    if (prim === 'selectAndGather')
      return { inputs: [{ shape: x }, { shape: x }], f: (t, a) => bind(prim, [t as NDArray, a as NDArray], p) }
    return { inputs: [{ shape: out }, { shape: x }], f: (s, a) => bind(prim, [s as NDArray, a as NDArray], p) }
  })

const cases: Record<PrimitiveName, fc.Arbitrary<Spec>> = {
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div'),
  pow: binary('pow', 'positive'),
  maximum: binary('maximum'),
  minimum: binary('minimum'),
  neg: unary('neg'),
  sign: unary('sign'),
  exp: unary('exp'),
  log: unary('log', 'positive'),
  sqrt: unary('sqrt', 'positive'),
  tanh: unary('tanh'),
  sin: unary('sin'),
  cos: unary('cos'),
  compare: fc
    .tuple(pairArb, fc.constantFrom<Comparison>('equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'))
    .map(([[a, b], op]) => ({
      inputs: [{ shape: a as number[] }, { shape: b as number[] }],
      f: (x, y) => bind('compare', [x as NDArray, y as NDArray], { op }),
    })),
  where: fc.tuple(pairArb, fc.boolean()).map(([[a, b], condFirst]) => ({
    inputs: [
      { shape: (condFirst ? a : b) as number[], values: 'bool' },
      { shape: a as number[] },
      { shape: b as number[] },
    ],
    f: (c, x, y) => bind('where', [c as NDArray, x as NDArray, y as NDArray], {}),
  })),
  cast: fc.tuple(dims(), fc.constantFrom<DType>('int32', 'float64', 'bool', 'uint8')).map(([s, dtype]) => ({
    inputs: [{ shape: s }],
    f: (x) => cast(x as NDArray, dtype),
  })),
  reduceSum: fc.tuple(dims(), fc.nat(7)).map(([s, pick]) => ({
    inputs: [{ shape: s }],
    f: (x) => bind('reduceSum', [x as NDArray], { axes: axesOf(s, pick, false) }),
  })),
  reduceMax: fc.tuple(dims(), fc.nat(7)).map(([s, pick]) => ({
    inputs: [{ shape: s }],
    f: (x) => bind('reduceMax', [x as NDArray], { axes: axesOf(s, pick, false) }),
  })),
  argmax: fc
    .tuple(
      dims().filter((s) => s.length > 0),
      fc.nat(),
    )
    .map(([s, a]) => ({
      inputs: [{ shape: s }],
      f: (x) => bind('argmax', [x as NDArray], { axis: a % s.length }),
    })),
  reshape: fc.tuple(dims(), fc.boolean()).map(([s, flat]) => ({
    inputs: [{ shape: s }],
    f: (x) => reshape(x as NDArray, flat ? [-1] : [...s].reverse()),
  })),
  broadcastTo: pairArb.map(([a, b]) => {
    const [small, big] = (a as number[]).length <= (b as number[]).length ? [a, b] : [b, a]
    const target = (big as number[]).map((d, i) => {
      const j = i - ((big as number[]).length - (small as number[]).length)
      return j >= 0 && (small as number[])[j] !== 1 ? ((small as number[])[j] as number) : d
    })
    return { inputs: [{ shape: small as number[] }], f: (x) => broadcastTo(x as NDArray, [2, ...target]) }
  }),
  transpose: dims().chain((s) =>
    permutationArb(s.length).map((perm) => ({ inputs: [{ shape: s }], f: (x) => transpose(x as NDArray, perm) })),
  ),
  slice: dims(4).chain((s) =>
    fc.tuple(...s.map((n) => fc.tuple(fc.nat(n), fc.nat(n), fc.constantFrom(1, 2, -1, -2)))).map((ranges) => ({
      inputs: [{ shape: s }],
      f: (x) =>
        slice(
          x as NDArray,
          ...ranges.map(([p, q, step]) =>
            step > 0
              ? ([Math.min(p, q), Math.max(p, q), step] as const)
              : ([Math.max(p, q), Math.min(p, q), step] as const),
          ),
        ),
    })),
  ),
  pad: dims().chain((s) =>
    fc.tuple(...s.map(() => fc.tuple(fc.nat(2), fc.nat(2), fc.nat(1)))).map((w) => ({
      inputs: [{ shape: s }],
      f: (x) =>
        bind('pad', [x as NDArray], {
          lo: w.map((p) => p[0]),
          hi: w.map((p) => p[1]),
          interior: w.map((p) => p[2]),
        }),
    })),
  ),
  concat: fc
    .tuple(
      dims().filter((s) => s.length > 0),
      fc.nat(),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([s, a, m]) => {
      const axis = a % s.length
      const other = s.map((d, i) => (i === axis ? m : d))
      return {
        inputs: [{ shape: s }, { shape: other }, { shape: s }],
        f: (x, y, z) => bind('concat', [x as NDArray, y as NDArray, z as NDArray], { axis }),
      }
    }),
  take: fc
    .tuple(
      dims().filter((s) => s.length > 0),
      fc.nat(),
      dims(3),
    )
    .map(([s, a, ishape]) => {
      const axis = a % s.length
      return {
        inputs: [{ shape: s }, { shape: ishape, values: { index: s[axis] as number } }],
        f: (x, i) => bind('take', [x as NDArray, i as NDArray], { axis }),
      }
    }),
  scatterAdd: fc
    .tuple(dims(2), dims(2), dims(2), fc.integer({ min: 1, max: 3 }))
    .map(([pre, ishape, post, extent]) => ({
      inputs: [{ shape: [...pre, ...ishape, ...post] }, { shape: ishape, values: { index: extent } }],
      f: (u, i) => bind('scatterAdd', [u as NDArray, i as NDArray], { axis: pre.length, size: extent }),
    })),
  dotGeneral: fc
    .tuple(
      fc.constantFrom('mm', 'vm', 'mv', 'batch', 'xtg', 'outer', 'vv'),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 4, maxLength: 4 }),
    )
    .map(([kind, [m, k, n, b]]) => {
      const spec = {
        mm: [[m, k], [k, n], { contracting: [[1], [0]], batch: [[], []] }],
        vm: [[k], [k, n], { contracting: [[0], [0]], batch: [[], []] }],
        mv: [[m, k], [k], { contracting: [[1], [0]], batch: [[], []] }],
        batch: [[b, m, k], [b, k, n], { contracting: [[2], [1]], batch: [[0], [0]] }],
        xtg: [[k, m], [k, n], { contracting: [[0], [0]], batch: [[], []] }],
        outer: [[m], [n], { contracting: [[], []], batch: [[], []] }],
        vv: [[k], [k], { contracting: [[0], [0]], batch: [[], []] }],
      }[kind] as [number[], number[], Parameters<typeof dotGeneral>[2]]
      return {
        inputs: [{ shape: spec[0] }, { shape: spec[1] }],
        f: (x, y) => dotGeneral(x as NDArray, y as NDArray, spec[2]),
      }
    }),
  stopGradient: unary('stopGradient'),
  conv2d: convCase('conv2d'),
  conv2dBackpropInput: convCase('conv2dBackpropInput'),
  conv2dBackpropFilter: convCase('conv2dBackpropFilter'),
  reduceWindow: fc.oneof(windowCase('reduceWindow', 'max'), windowCase('reduceWindow', 'sum')),
  selectAndGather: windowCase('selectAndGather'),
  selectAndScatterAdd: windowCase('selectAndScatterAdd'),
}

describe('batching rules', () => {
  it('every primitive has a batching rule and a property case here', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(batchRules).sort())
  })
  for (const [prim, arb] of Object.entries(cases)) {
    it(`${prim}: vmap(f)(xs) equals f stacked over the examples, bit for bit`, () => {
      fc.assert(
        fc.property(arb, batchArb, (spec, { size, choices, out, seed }) => {
          checkSpec(spec, size, choices, out, seed)
        }),
        { numRuns: 60 },
      )
    })
  }
  it('dotGeneral of two float64 operands in a batch gives the per-example products exactly', () => {
    const spec: Spec = {
      inputs: [
        { shape: [5, 7], dtype: 'float64' },
        { shape: [7, 3], dtype: 'float64' },
      ],
      f: (x, y) => dotGeneral(x as NDArray, y as NDArray, { contracting: [[1], [0]], batch: [[], []] }),
    }
    for (const choices of [
      [0, 0, 0],
      [4, 5, 0],
      [8, 3, 0],
    ])
      checkSpec(spec, 4, choices, 3, 11)
  })
})
