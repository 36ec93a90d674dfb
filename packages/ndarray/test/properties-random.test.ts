/** Property tests of keyed random numbers (same key same bits, split keys differ, distributions) and of pytrees. */
import {
  add,
  bernoulli,
  key,
  mul,
  type NDArray,
  neg,
  normal,
  permutation,
  split,
  type Tree,
  toArray,
  toTypedArray,
  treeDefEqual,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeUnflatten,
  uniform,
} from '@nabla/ndarray'
import { randomBits } from '@nabla/ndarray/core'
import { fromRef, shapeArb, toNested } from '@nabla/test-utils'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { exact, laidOut, laidOutArb, layoutArb, range } from './naive.js'

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
