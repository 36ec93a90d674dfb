/** Property tests of element-wise ops and reductions against naive nested-index references, on arrays stored in any layout. */
import {
  abs,
  add,
  argmax,
  argmin,
  clip,
  cos,
  div,
  equal,
  exp,
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
  neg,
  notEqual,
  pow,
  sign,
  sin,
  sqrt,
  square,
  sub,
  sum,
  tanh,
  where,
} from '@nabla/ndarray'
import { broadcastGet, broadcastPairArb, type Ref, shapeArb, toNested } from '@nabla/test-utils'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { argRef, broadcastShapeRef, build, exact, get, laidOut, laidOutArb, range, reduceRef } from './naive.js'

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
