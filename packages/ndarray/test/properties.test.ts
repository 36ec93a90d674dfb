/** Property tests: every op agrees with a naive nested-index reference, on arrays stored in any layout. */
import {
  abs,
  add,
  argmax,
  argmin,
  array,
  bernoulli,
  clip,
  concat,
  cos,
  div,
  equal,
  exp,
  greater,
  greaterEqual,
  key,
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
  neg,
  normal,
  notEqual,
  permutation,
  pow,
  reshape,
  type SliceSpec,
  sign,
  sin,
  slice,
  split,
  sqrt,
  square,
  stack,
  sub,
  sum,
  type Tree,
  take,
  tanh,
  toArray,
  toTypedArray,
  transpose,
  treeDefEqual,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeUnflatten,
  uniform,
  where,
} from '@nabla/ndarray'
import { randomBits } from '@nabla/ndarray/core'
import { broadcastGet, broadcastPairArb, fromRef, type Ref, shapeArb, toNested } from '@nabla/test-utils'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  argRef,
  broadcastShapeRef,
  build,
  concatRef,
  get,
  laidOut,
  laidOutArb,
  layoutArb,
  reduceRef,
  sliceRef,
  takeRef,
  transposeRef,
} from './naive.js'

const exact = { rtol: 0, atol: 0 }
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i)
const permArb = (rank: number) => fc.shuffledSubarray(range(rank), { minLength: rank, maxLength: rank })
const inverse = (perm: readonly number[]): number[] => range(perm.length).map((i) => perm.indexOf(i))

describe('element-wise ops', () => {
  type Binary = (x: NDArray, y: NDArray) => NDArray
  const binaries: [string, Binary, (a: number, b: number) => number][] = [
    ['add', add, (a, b) => a + b],
    ['sub', sub, (a, b) => a - b],
    ['mul', mul, (a, b) => a * b],
    ['div', div, (a, b) => a / b],
    ['pow', pow, (a, b) => a ** b],
    ['maximum', maximum, Math.max],
    ['minimum', minimum, Math.min],
  ]
  const comparisons: [string, Binary, (a: number, b: number) => boolean][] = [
    ['equal', equal, (a, b) => a === b],
    ['notEqual', notEqual, (a, b) => a !== b],
    ['greater', greater, (a, b) => a > b],
    ['greaterEqual', greaterEqual, (a, b) => a >= b],
    ['less', less, (a, b) => a < b],
    ['lessEqual', lessEqual, (a, b) => a <= b],
  ]
  // two broadcastable operands, each stored in an arbitrary layout
  const pairArb = broadcastPairArb().chain(([sa, sb]) => fc.tuple(laidOutArb(sa), laidOutArb(sb)))
  const check = (op: Binary, f: (a: number, b: number) => number, dtype: string) =>
    fc.assert(
      fc.property(pairArb, ([[ra, la], [rb, lb]]) => {
        const out = op(laidOut(ra, la), laidOut(rb, lb))
        const shape = broadcastShapeRef(ra.shape, rb.shape)
        const expected = build(shape, (i) => f(broadcastGet(ra, shape, i), broadcastGet(rb, shape, i)))
        expect(out.shape).toEqual(shape)
        expect(out.dtype).toBe(dtype)
        expect(out).toBeAllClose(toNested(expected), exact)
      }),
    )

  for (const [name, op, f] of binaries) {
    it(`${name} broadcasts like the naive loop`, () => check(op, (a, b) => Math.fround(f(a, b)), 'float32'))
  }
  for (const [name, op, f] of comparisons) {
    it(`${name} broadcasts like the naive loop and gives bool`, () => check(op, (a, b) => Number(f(a, b)), 'bool'))
  }

  it('a JS number acts as a 0-d array on either side', () => {
    fc.assert(
      fc.property(laidOutArb([2, 3]), fc.integer({ min: -9, max: 9 }), ([r, l], v) => {
        const x = laidOut(r, l)
        expect(sub(x, v)).toBeAllClose(toNested(build(r.shape, (i) => get(r, i) - v)), exact)
        expect(sub(v, x)).toBeAllClose(toNested(build(r.shape, (i) => v - get(r, i))), exact)
      }),
    )
  })

  it('integer arithmetic stays exact in int32 (uint8 widens instead of wrapping)', () => {
    const ints = fc.integer({ min: 0, max: 255 })
    fc.assert(
      fc.property(laidOutArb([3, 2], ints), laidOutArb([2], ints), ([ra, la], [rb, lb]) => {
        for (const dtype of ['int32', 'uint8'] as const) {
          const s = add(laidOut(ra, la, dtype), laidOut(rb, lb, dtype))
          expect(s.dtype).toBe('int32')
          expect(s).toBeAllClose(toNested(build([3, 2], (i) => get(ra, i) + get(rb, [i[1] as number]))), exact)
        }
      }),
    )
  })

  it('float64 arithmetic is done in float64, and float32 with float64 promotes to float64', () => {
    const doubles = fc.double({ min: -1e6, max: 1e6, noNaN: true })
    fc.assert(
      fc.property(laidOutArb([2, 3], doubles), laidOutArb([3], doubles), ([ra, la], [rb, lb]) => {
        const a = laidOut(ra, la, 'float64')
        const want = (f: (p: number, q: number) => number) =>
          toNested(build([2, 3], (i) => f(get(ra, i), get(rb, [i[1] as number]))))
        const b64 = laidOut(rb, lb, 'float64')
        expect(add(a, b64).dtype).toBe('float64')
        expect(add(a, b64)).toBeAllClose(
          want((p, q) => p + q),
          exact,
        )
        expect(div(a, b64)).toBeAllClose(
          want((p, q) => p / q),
          exact,
        )
        const b32 = laidOut({ shape: rb.shape, values: rb.values.map(Math.fround) }, lb, 'float32')
        expect(mul(a, b32).dtype).toBe('float64')
        expect(mul(a, b32)).toBeAllClose(
          want((p, q) => p * Math.fround(q)),
          exact,
        )
      }),
    )
  })

  const unaries: [string, (x: NDArray) => NDArray, (v: number) => number][] = [
    ['neg', neg, (v) => -v],
    ['sign', sign, Math.sign],
    ['exp', exp, Math.exp],
    ['log', log, Math.log],
    ['sqrt', sqrt, Math.sqrt],
    ['tanh', tanh, Math.tanh],
    ['sin', sin, Math.sin],
    ['cos', cos, Math.cos],
    ['abs', abs, Math.abs],
    ['square', square, (v) => v * v],
  ]
  for (const [name, op, f] of unaries) {
    it(`${name} agrees with Math`, () => {
      fc.assert(
        fc.property(
          shapeArb().chain((s) => laidOutArb(s)),
          ([r, l]) => {
            const out = op(laidOut(r, l))
            expect(out.dtype).toBe('float32')
            expect(out).toBeAllClose(toNested(build(r.shape, (i) => Math.fround(f(get(r, i))))), exact)
          },
        ),
      )
    })
  }

  it('where, clip and the comparisons agree with the naive loop', () => {
    const arb = broadcastPairArb().chain(([sa, sb]) =>
      fc.tuple(laidOutArb(sa), laidOutArb(sb), laidOutArb(sb, fc.integer({ min: 0, max: 1 }))),
    )
    fc.assert(
      fc.property(arb, fc.integer({ min: -10, max: 10 }), fc.nat(10), ([[rx, lx], [ry, ly], [rc, lc]], lo, w) => {
        const x = laidOut(rx, lx)
        const shape = broadcastShapeRef(rx.shape, ry.shape)
        const picked = where(laidOut(rc, lc, 'bool'), x, laidOut(ry, ly))
        const at = (r: Ref, i: readonly number[]) => broadcastGet(r, shape, i)
        expect(picked).toBeAllClose(toNested(build(shape, (i) => (at(rc, i) ? at(rx, i) : at(ry, i)))), exact)
        const clipped = build(rx.shape, (i) => Math.min(Math.max(get(rx, i), lo), lo + w))
        expect(clip(x, lo, lo + w)).toBeAllClose(toNested(clipped), exact)
        expect(clip(x, undefined, lo)).toBeAllClose(toNested(build(rx.shape, (i) => Math.min(get(rx, i), lo))), exact)
      }),
    )
  })
})

describe('reductions', () => {
  // axes as undefined (all), one number, or a list, each possibly negative
  const reductionArb = shapeArb({ maxRank: 4, maxDim: 4 }).chain((shape) =>
    fc.tuple(
      laidOutArb(shape),
      fc.oneof(
        fc.constant(undefined),
        ...(shape.length > 0 ? [fc.integer({ min: -shape.length, max: shape.length - 1 })] : []),
        fc
          .subarray(range(shape.length))
          .chain((axes) =>
            fc
              .array(fc.boolean(), { minLength: axes.length, maxLength: axes.length })
              .map((negs) => axes.map((a, i) => (negs[i] ? a - shape.length : a))),
          ),
      ),
      fc.boolean(),
    ),
  )
  const normalize = (axis: number | number[] | undefined, rank: number): number[] =>
    axis === undefined ? range(rank) : (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + rank : a))

  it('sum, mean, max and min agree with the naive reduction over every axis combination', () => {
    fc.assert(
      fc.property(reductionArb, ([[r, l], axis, keepDims]) => {
        const x = laidOut(r, l)
        const axes = normalize(axis, r.shape.length)
        const opts = axis === undefined ? { keepDims } : { axis, keepDims }
        const s = reduceRef(r, axes, keepDims, (a, v) => a + v, 0)
        expect(sum(x, opts)).toBeAllClose(toNested(s), exact)
        const count = axes.reduce((n, a) => n * (r.shape[a] as number), 1)
        expect(mean(x, opts)).toBeAllClose(toNested({ shape: s.shape, values: s.values.map((v) => v / count) }), {
          rtol: 1e-6,
        })
        if (axes.some((a) => r.shape[a] === 0)) {
          expect(() => max(x, opts)).toThrow(/max: cannot reduce an empty axis/)
          expect(() => min(x, opts)).toThrow(/min: cannot reduce an empty axis/)
        } else {
          expect(max(x, opts)).toBeAllClose(toNested(reduceRef(r, axes, keepDims, Math.max, -Infinity)), exact)
          expect(min(x, opts)).toBeAllClose(toNested(reduceRef(r, axes, keepDims, Math.min, Infinity)), exact)
          expect(min(x, opts).dtype).toBe('float32')
        }
      }),
    )
  })

  it('argmax and argmin find the first extreme along an axis or of the flattened array', () => {
    const arb = shapeArb({ maxRank: 4, maxDim: 4 }).chain((shape) =>
      fc.tuple(
        laidOutArb(shape, fc.integer({ min: -3, max: 3 })),
        shape.length === 0
          ? fc.constant(undefined)
          : fc.option(fc.integer({ min: -shape.length, max: shape.length - 1 }), { nil: undefined }),
        fc.boolean(),
      ),
    )
    fc.assert(
      fc.property(arb, ([[r, l], axis, keepDims]) => {
        const x = laidOut(r, l)
        const flat: Ref = { shape: [r.values.length], values: r.values }
        const [src, a] = axis === undefined ? [flat, 0] : [r, axis < 0 ? axis + r.shape.length : axis]
        const opts = axis === undefined ? { keepDims } : { axis, keepDims }
        if (src.shape[a] === 0) {
          expect(() => argmax(x, opts)).toThrow(/argmax: cannot search an empty axis/)
          return
        }
        for (const [op, better] of [
          [argmax, (p: number, q: number) => p > q],
          [argmin, (p: number, q: number) => p < q],
        ] as const) {
          const want = argRef(src, a, keepDims && axis !== undefined, better)
          const shape = keepDims && axis === undefined ? r.shape.map(() => 1) : want.shape
          const got = op(x, opts)
          expect(got.dtype).toBe('int32')
          expect(got).toBeAllClose(toNested({ shape, values: want.values }), exact)
        }
      }),
    )
  })
})

describe('shape ops', () => {
  it('reshape to flat and back is the identity, and reads row-major with -1 inferred', () => {
    const arb = shapeArb({ maxRank: 4, maxDim: 4 }).chain((shape) =>
      fc.tuple(laidOutArb(shape), permArb(shape.length), fc.nat(4), fc.nat(4)),
    )
    fc.assert(
      fc.property(arb, ([[r, l], perm, ones, hole]) => {
        const x = laidOut(r, l)
        expect(reshape(reshape(x, [-1]), r.shape)).toBeAllClose(toNested(r), exact)
        // another shape of the same size: the extents shuffled, with unit axes put in
        const target = perm.map((p) => r.shape[p] as number)
        target.splice(ones % (target.length + 1), 0, ...Array.from({ length: ones % 3 }, () => 1))
        const want = toNested({ shape: target, values: r.values })
        expect(reshape(x, target)).toBeAllClose(want, exact)
        const known = target.filter((_, i) => i !== hole % target.length)
        if (target.length > 0 && known.every((d) => d > 0)) {
          const withHole = target.map((d, i) => (i === hole % target.length ? -1 : d))
          expect(reshape(x, withHole).shape).toEqual(target)
          expect(reshape(x, withHole)).toBeAllClose(want, exact)
        }
      }),
    )
  })

  it('transpose agrees with the naive index permutation, and twice with the inverse is the identity', () => {
    const arb = shapeArb({ maxRank: 5, maxDim: 3 }).chain((s) => fc.tuple(laidOutArb(s), permArb(s.length)))
    fc.assert(
      fc.property(arb, ([[r, l], perm]) => {
        const x = laidOut(r, l)
        expect(transpose(x, perm)).toBeAllClose(toNested(transposeRef(r, perm)), exact)
        expect(transpose(transpose(x, perm), inverse(perm))).toBeAllClose(toNested(r), exact)
        expect(transpose(x)).toBeAllClose(toNested(transposeRef(r, range(r.shape.length).reverse())), exact)
      }),
    )
  })

  // a spec for an axis of length n: whole, an index, or a range with optional ends and a step
  const specArb = (n: number): fc.Arbitrary<SliceSpec> => {
    const end = fc.option(fc.integer({ min: -n, max: n }), { nil: null })
    const step = fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0)
    return fc.oneof(
      fc.constant(null),
      ...(n > 0 ? [fc.integer({ min: -n, max: n - 1 })] : []),
      fc.tuple(end, end),
      fc.tuple(end, end, step),
    )
  }

  it('slice with indices, ranges and steps (negative too) agrees with the naive selection', () => {
    const arb = shapeArb({ maxRank: 4, maxDim: 5 }).chain((shape) =>
      fc.tuple(
        laidOutArb(shape),
        fc
          .tuple(...shape.map(specArb))
          .chain((specs) => fc.integer({ min: 0, max: specs.length }).map((k) => specs.slice(0, k))),
      ),
    )
    fc.assert(
      fc.property(arb, ([[r, l], specs]) => {
        const got = slice(laidOut(r, l), ...specs)
        const want = sliceRef(r, specs)
        expect(got.shape).toEqual(want.shape)
        expect(got).toBeAllClose(toNested(want), exact)
      }),
    )
  })

  it('take agrees with the naive gather, for lists and 2-d index arrays', () => {
    const arb = shapeArb({ minRank: 1, maxRank: 3, minDim: 1, maxDim: 4 }).chain((shape) =>
      fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) => {
        const n = shape[axis] as number
        return fc.tuple(
          laidOutArb(shape),
          fc.constant(axis),
          fc.array(fc.integer({ min: -n, max: n - 1 }), { maxLength: 6 }),
          fc.boolean(),
        )
      }),
    )
    fc.assert(
      fc.property(arb, ([[r, l], axis, list, twoD]) => {
        const x = laidOut(r, l)
        const idx: Ref =
          twoD && list.length % 2 === 0
            ? { shape: [2, list.length / 2], values: list }
            : { shape: [list.length], values: list }
        const indices = idx.shape.length === 2 ? array(Int32Array.from(list), { shape: idx.shape }) : list
        expect(take(x, indices, axis)).toBeAllClose(toNested(takeRef(r, idx, axis)), exact)
        expect(take(x, indices, axis - r.shape.length)).toBeAllClose(toNested(takeRef(r, idx, axis)), exact)
      }),
    )
  })

  it('concat and stack agree with the naive join', () => {
    const arb = shapeArb({ minRank: 1, maxRank: 3, maxDim: 3 }).chain((shape) =>
      fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) =>
        fc.tuple(
          fc.constant(axis),
          fc.array(
            fc.nat(3).chain((extent) => laidOutArb(shape.map((d, i) => (i === axis ? extent : d)))),
            { minLength: 1, maxLength: 3 },
          ),
          fc.array(laidOutArb(shape), { minLength: 1, maxLength: 3 }),
        ),
      ),
    )
    fc.assert(
      fc.property(arb, ([axis, parts, same]) => {
        const joined = concat(
          parts.map(([r, l]) => laidOut(r, l)),
          axis,
        )
        expect(joined).toBeAllClose(
          toNested(
            concatRef(
              parts.map(([r]) => r),
              axis,
            ),
          ),
          exact,
        )
        const rank = (same[0] as [Ref, unknown])[0].shape.length
        for (const a of [axis, rank]) {
          const expanded = same.map(([r]) => ({
            shape: [...r.shape.slice(0, a), 1, ...r.shape.slice(a)],
            values: r.values,
          }))
          const stacked = stack(
            same.map(([r, l]) => laidOut(r, l)),
            a,
          )
          expect(stacked).toBeAllClose(toNested(concatRef(expanded, a)), exact)
        }
      }),
    )
  })
})

describe('random', () => {
  const seedArb = fc.integer({ min: -(2 ** 40), max: 2 ** 40 })

  it('matches the Threefry-2x32 known answer (Random123 test vector), so bits are the same everywhere', () => {
    // Random123's kat_vectors: threefry2x32_20, key (0, 0), counter (0, 0) -> 0x6b200159 0x99ba4efe
    expect(Array.from(randomBits(key(0), 2))).toEqual([0x6b200159, 0x99ba4efe])
  })

  it('the same key gives identical arrays; split keys give different ones', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const k = key(seed)
        for (const draw of [
          (q: typeof k) => uniform(q, [3, 4]),
          (q: typeof k) => normal(q, [5], { dtype: 'float64' }),
          (q: typeof k) => permutation(q, 10),
          (q: typeof k) => bernoulli(q, 0.5, [16]),
        ]) {
          expect(toArray(draw(key(seed)))).toEqual(toArray(draw(k)))
        }
        const draws = [k, ...split(k, 4)].map((q) => Array.from(toTypedArray(uniform(q, [8]))).join())
        expect(new Set(draws).size).toBe(5)
      }),
      { numRuns: 30 },
    )
  })

  it('uniform stays in [minval, maxval)', () => {
    // float32-representable bounds (float32 samples are rounded; the bounds should be too)
    const bound = fc.integer({ min: -1000, max: 1000 }).map((v) => v / 8)
    fc.assert(
      fc.property(seedArb, bound, bound, fc.constantFrom('float32' as const, 'float64' as const), (s, a, b, dtype) => {
        fc.pre(a !== b)
        const [minval, maxval] = a < b ? [a, b] : [b, a]
        const u = toTypedArray(uniform(key(s), [500], { minval, maxval, dtype }))
        expect(u.every((v) => v >= minval && v < maxval)).toBe(true)
      }),
      { numRuns: 40 },
    )
  })

  it('normal has about the requested mean and standard deviation on 100k samples', () => {
    for (const [m, sd] of [
      [0, 1],
      [3, 0.5],
    ] as const) {
      const v = Array.from(toTypedArray(normal(key(11), [100_000], { mean: m, stddev: sd })))
      const avg = v.reduce((a, b) => a + b, 0) / v.length
      const std = Math.sqrt(v.reduce((a, b) => a + (b - avg) ** 2, 0) / v.length)
      // the standard error of the mean is sd/√1e5 ≈ 0.003·sd: these bounds are ~6 of them
      expect(Math.abs(avg - m)).toBeLessThan(0.02 * sd)
      expect(Math.abs(std - sd)).toBeLessThan(0.02 * sd)
    }
    const heads = Array.from(toTypedArray(bernoulli(key(12), 0.3, [100_000]))).filter((b) => b === 1).length
    expect(Math.abs(heads / 100_000 - 0.3)).toBeLessThan(0.01)
  })

  it('permutation is a permutation of 0…n−1', () => {
    fc.assert(
      fc.property(seedArb, fc.nat(300), (s, n) => {
        const p = Array.from(toTypedArray(permutation(key(s), n)))
        expect(p.sort((a, b) => a - b)).toEqual(range(n))
      }),
      { numRuns: 50 },
    )
  })
})

describe('pytrees', () => {
  const leafArb = shapeArb({ maxRank: 2, maxDim: 3 }).chain((s) => laidOutArb(s).map(([r]) => fromRef(r)))
  const { tree: treeArb } = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb,
      fc.array(tie('tree'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('w', 'b', 'gamma', 'beta', 'layer1', 'z'), tie('tree'), {
        maxKeys: 3,
        noNullPrototype: true,
      }),
    ),
  }))

  it('flatten then unflatten rebuilds the tree with the same leaves', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const [leaves, def] = treeFlatten(tree)
        const rebuilt = treeUnflatten(def, leaves)
        expect(rebuilt).toStrictEqual(tree)
        expect(treeDefEqual(treeFlatten(rebuilt)[1], def)).toBe(true)
        expect(treeLeaves(rebuilt).every((leaf, i) => leaf === leaves[i])).toBe(true)
      }),
    )
  })

  it('treeMap applies a function to every leaf (of one tree or several in step) and keeps the structure', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const doubled = treeMap((x: NDArray, y?: NDArray) => add(x, y as NDArray), tree, tree)
        const [, def] = treeFlatten(doubled as Tree)
        expect(treeDefEqual(def, treeFlatten(tree)[1])).toBe(true)
        const before = treeLeaves(tree)
        treeLeaves(doubled as Tree).forEach((leaf, i) => {
          expect(leaf).toBeAllClose(mul(before[i] as NDArray, 2), exact)
        })
        const negated = treeLeaves(treeMap(neg, tree) as Tree)
        negated.forEach((leaf, i) => {
          expect(leaf).toBeAllClose(neg(before[i] as NDArray), exact)
        })
      }),
    )
  })

  it('flattens record keys in sorted order, as JAX does', () => {
    const [w, b] = [fromRef({ shape: [1], values: [1] }), fromRef({ shape: [1], values: [2] })]
    expect(treeLeaves({ w, b })).toEqual([b, w])
    expect(treeLeaves([w, { z: b, a: w }])).toEqual([w, w, b])
  })
})

// layouts of a transposed and reversed view produce the same values as the plain array
it('laidOut (the test helper) stores the values it is given', () => {
  fc.assert(
    fc.property(
      shapeArb({ maxRank: 3, maxDim: 3 }).chain((s) => fc.tuple(laidOutArb(s), layoutArb(s.length))),
      ([[r], layout]) => {
        expect(laidOut(r, layout)).toBeAllClose(toNested(r), exact)
      },
    ),
  )
})
