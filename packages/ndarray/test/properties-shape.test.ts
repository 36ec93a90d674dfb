/** Property tests of the shape ops (reshape, transpose, slice, take, concat, broadcast…) against naive references, on any layout. */
import { array, concat, format, reshape, type SliceSpec, slice, stack, str, take, transpose } from '@nabla/ndarray'
import { fromRef, type Ref, shapeArb, toNested } from '@nabla/test-utils'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { concatRef, exact, laidOut, laidOutArb, range, sliceRef, takeRef, transposeRef } from './naive.js'

const permArb = (rank: number) => fc.shuffledSubarray(range(rank), { minLength: rank, maxLength: rank })
const inverse = (perm: readonly number[]): number[] => range(perm.length).map((i) => perm.indexOf(i))

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

describe('printing', () => {
  it('format and str read any layout as the row-major array with the same values, eliding or not', () => {
    const arb = shapeArb({ maxRank: 4, maxDim: 5 }).chain((s) =>
      fc.tuple(laidOutArb(s), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 })),
    )
    fc.assert(
      fc.property(arb, ([[r, l], threshold, edgeItems]) => {
        const x = laidOut(r, l)
        const plain = fromRef(r)
        expect(format(x, { threshold, edgeItems })).toBe(format(plain, { threshold, edgeItems }))
        expect(str(x)).toBe(str(plain))
      }),
    )
  })
})
