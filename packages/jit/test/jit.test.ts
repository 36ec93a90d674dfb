// jit against its oracle, the same function run eagerly: bit for bit (same kernel tier), for every primitive,
// for random compositions (fast-check), under every composition with the other transforms; retracing; errors.
import { customVjp, grad, jvp, valueAndGrad, vjp } from '@nabla/autodiff'
import { dotGeneral, matmul } from '@nabla/linalg'
import {
  abs,
  add,
  argmax,
  array,
  broadcastTo,
  cast,
  concat,
  cos,
  div,
  equal,
  exp,
  greater,
  item,
  less,
  log,
  max,
  maximum,
  mean,
  minimum,
  mul,
  type NDArray,
  neg,
  pad,
  pow,
  reshape,
  sign,
  sin,
  slice,
  sqrt,
  square,
  sub,
  sum,
  take,
  tanh,
  toTypedArray,
  transpose,
  where,
} from '@nabla/ndarray'
import { clusterWasmStats, wasmHeap } from '@nabla/ndarray/core'
import { wasmSupport } from '@nabla/ndarray/wasm'
import { broadcastPairArb, fromRef, refArb, shapeArb } from '@nabla/test-utils'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileJaxpr, jit, makeJaxpr, printJaxpr } from '../src/index.js'
import { expectSame } from './same.js'

const expectTreeSame = (got: unknown, want: unknown) => {
  if (Array.isArray(want)) {
    expect(Array.isArray(got)).toBe(true)
    for (const [i, w] of (want as unknown[]).entries()) expectTreeSame((got as unknown[])[i], w)
  } else if (want !== null && typeof want === 'object' && !('dtype' in (want as object))) {
    for (const k of Object.keys(want as object)) expectTreeSame((got as never)[k], (want as never)[k])
  } else expectSame(got as NDArray, want as NDArray)
}

/** Runs `f` eagerly and jitted (twice: the second run is the compiled program reused) and compares. */
const agree = (f: (...xs: NDArray[]) => NDArray | NDArray[], ...xs: NDArray[]) => {
  const want = f(...xs)
  const jf = jit(f)
  expectTreeSame(jf(...xs), want)
  expectTreeSame(jf(...xs), want)
  expect(jf.traceCount).toBe(1)
}

const rand = (shape: number[], seed = 1, dtype: 'float32' | 'float64' = 'float32') => {
  let s = seed
  const n = shape.reduce((a, b) => a * b, 1)
  const v = Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return (s / 2147483648) * 4 - 2
  })
  return array(dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v), { shape, dtype })
}

describe('makeJaxpr and printJaxpr', () => {
  it('print the program: typed inputs, one line per equation, the outputs', () => {
    const text = printJaxpr(makeJaxpr((x: NDArray) => sum(exp(mul(x, 2))))(rand([3])))
    expect(text).toBe(
      [
        '{ lambda ; a:f32[3]. let',
        '    b:f32[3] = mul a 2.0:f32',
        '    c:f32[3] = exp b',
        '    d:f32[] = reduceSum[axes=[0]] c',
        '  in (d) }',
      ].join('\n'),
    )
  })

  it('list captured arrays as constants before the semicolon', () => {
    const w = rand([2, 3])
    const jaxpr = makeJaxpr((x: NDArray) => matmul(x, w))(rand([4, 2]))
    expect(printJaxpr(jaxpr).split('\n')[0]).toBe('{ lambda a:f32[2,3] ; b:f32[4,2]. let')
    expect(jaxpr.constValues[0]).toBe(w)
  })
})

describe('compileJaxpr', () => {
  it('lists its steps as data, in run order: a product, then a fused loop closing in a reduction', () => {
    const w = rand([8, 4], 7)
    const f = (x: NDArray) => sum(exp(mul(matmul(x, w), 0.5)), { axis: 1 })
    const x = rand([16, 8], 8)
    const exe = compileJaxpr(makeJaxpr(f)(x))
    expect(exe.steps).toEqual([
      { kind: 'dot', shape: [16, 4], eqns: 1, prim: null },
      { kind: 'cluster', shape: [16, 4], eqns: 3, prim: 'reduceSum' },
    ])
    expect(exe.describe()).toContain('1: fused loop of 3 equation(s) over [16,4] ending in reduceSum')
    expectSame(exe.run([x as never])[0] as NDArray, f(x))
  })
})

describe('fused loops over arrays outside the WebAssembly heap', () => {
  it('copy in (and out) only the window they touch, with the eager bits', () => {
    // a large ordinary array (not in the heap) of which the SIMD loop reads rows 1000–1255, and rows 7 apart
    const big = rand([4096, 64], 11)
    const f = (x: NDArray) => {
      const w = slice(x, [1000, 1256])
      return add(sqrt(add(mul(w, w), 1)), slice(x, [20, 2068, 8]))
    }
    const before = clusterWasmStats.copies
    expectSame(jit(f)(big) as NDArray, f(big))
    // the SIMD loops are off with a JavaScript kernel tier forced (NABLA_KERNEL=ts or ref)
    const simd = wasmSupport().simd && process.env.NABLA_KERNEL !== 'ref' && process.env.NABLA_KERNEL !== 'ts'
    if (simd) expect(clusterWasmStats.copies).toBeGreaterThan(before)
  })
})

describe('jit gives the eager bits, primitive by primitive', () => {
  const x = rand([4, 5], 3)
  const y = rand([4, 5], 7)
  it.each([
    ['neg', neg],
    ['sign', sign],
    ['exp', exp],
    ['log', log],
    ['sqrt', sqrt],
    ['tanh', tanh],
    ['sin', sin],
    ['cos', cos],
    ['abs', abs],
    ['square', square],
  ] as const)('%s', (_, op) => {
    agree((a) => op(a), x)
  })

  it.each([
    ['add', add],
    ['sub', sub],
    ['mul', mul],
    ['div', div],
    ['pow', pow],
    ['maximum', maximum],
    ['minimum', minimum],
  ] as const)('%s, with broadcasting and scalars (fast-check)', (_, op) => {
    fc.assert(
      fc.property(
        broadcastPairArb().chain(([a, b]) => fc.tuple(refArb(a), refArb(b))),
        fc.constantFrom(-1.5, 0, 2),
        ([ra, rb], s) => {
          agree((a, b) => op(op(a, b), s), fromRef(ra), fromRef(rb))
        },
      ),
      { numRuns: 25 },
    )
  })

  it('compare, where and cast (to bool, int32, uint8, float64)', () => {
    agree((a, b) => where(greater(a, b), a, b), x, y)
    agree((a, b) => cast(less(a, b), 'float32'), x, y)
    agree((a) => cast(equal(a, a), 'int32'), x)
    agree((a) => cast(mul(a, 100), 'int32'), x)
    agree((a) => cast(abs(mul(a, 50)), 'uint8'), x)
    agree((a) => mul(cast(a, 'float64'), 1 / 3), x)
    agree((a) => cast(a, 'bool'), x)
  })

  it('int32 and float64 arithmetic round as the eager kernels do', () => {
    const i = cast(mul(x, 1000), 'int32')
    agree((a) => add(mul(a, a), 7), i)
    agree((a) => div(a, 3), i)
    agree((a) => exp(div(a, 3)), rand([4, 5], 5, 'float64'))
  })

  it('reductions over every axis set, with and without keepDims, after element-wise work (fast-check)', () => {
    fc.assert(
      fc.property(
        shapeArb({ minRank: 1, maxRank: 4, maxDim: 4 }).chain((s) =>
          fc.tuple(refArb(s), fc.subarray(s.map((_, i) => i)), fc.boolean()),
        ),
        ([r, axes, keepDims]) => {
          const a = fromRef(r)
          agree((v) => sum(exp(mul(v, 0.1)), { axis: axes, keepDims }), a)
          // the max of an empty axis is an error, eagerly as under jit
          if (r.values.length > 0) agree((v) => max(sub(v, 1), { axis: axes, keepDims }), a)
          agree((v) => mean(v, { axis: axes }), a)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('views (reshape, transpose, broadcastTo, slice) as strides, feeding fused loops', () => {
    agree((a) => exp(transpose(a)), x)
    agree((a) => add(reshape(a, [2, 10]), 1), x)
    agree((a) => mul(broadcastTo(reshape(sum(a, { axis: 0 }), [1, 5]), [3, 5]), 2), x)
    agree((a) => neg(slice(a, [1, 3], [0, 5, 2])), x)
    agree((a) => add(reshape(transpose(a), [20]), 1), x) // a reshape strides cannot express: a copy
    agree((a) => reshape(transpose(a), [20]), x)
    agree((a) => transpose(a), x)
  })

  it('pad and concat as loops into planned buffers: interior padding, views, bool and int32, -0 and NaN', () => {
    const special = reshape(array([0, -0, Number.NaN, 1.5, -2, Number.POSITIVE_INFINITY]), [2, 3])
    agree(
      (a) =>
        mul(
          pad(a, [
            [1, 2, 1],
            [0, 1, 2],
          ]),
          2,
        ),
      special,
    )
    agree((a, b) => exp(concat([transpose(a), slice(b, null, [1, 5, 2]), a], 1)), rand([3, 3], 21), rand([3, 5], 22))
    agree((a) => concat([greater(a, 0), pad(less(a, 0), [[0, 1]])], 0), rand([4], 23))
    agree(
      (a) =>
        pad(cast(mul(a, 10), 'int32'), [
          [2, 1, 1],
          [1, 0],
        ]),
      rand([3, 2], 24),
    )
  })

  it('argmax and take by their evaluation rules, beside pad and concat loops', () => {
    agree((a) => argmax(exp(a), { axis: 1 }), x)
    agree(
      (a) =>
        pad(a, [
          [1, 0],
          [0, 2],
        ]),
      x,
    )
    agree((a, b) => concat([a, neg(b)], 1), x, y)
    agree((a) => take(exp(a), array([2, 0, 2], { dtype: 'int32' }), 1), x)
  })

  it('matrix products, into planned buffers, with fused work around them', () => {
    const w = rand([5, 3], 11)
    agree((a, b) => tanh(add(matmul(a, b), 1)), x, w)
    agree((a) => dotGeneral(a, a, { contracting: [[0], [0]], batch: [[], []] }), x)
    agree((a, b) => sum(matmul(exp(a), b)), x, w)
  })

  it('random compositions of element-wise ops and reductions (fast-check)', () => {
    const unary = [exp, neg, tanh, sin, (a: NDArray) => mul(a, a), (a: NDArray) => maximum(a, 0)]
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: unary.length + 2 }), fc.integer({ min: 0, max: 1 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (program) => {
          const f = (a: NDArray, b: NDArray) => {
            let v = a
            for (const [op, which] of program) {
              if (op < unary.length) v = (unary[op] as (x: NDArray) => NDArray)(v)
              else if (op === unary.length) v = add(v, which === 0 ? b : a)
              else if (op === unary.length + 1) v = sub(v, max(v, { axis: 1, keepDims: true }))
              else v = div(v, add(sum(exp(v), { axis: which, keepDims: true }), 1))
            }
            return [v, sum(v)]
          }
          agree(f as never, x, y)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('outputs that are inputs, literals, repeated values or views of intermediates', () => {
    agree((a) => [a, a], x)
    agree(() => array(2.5))
    agree((a) => [exp(a), exp(a), reshape(exp(a), [20])], x)
    const w = rand([5, 3], 2)
    agree((a, b) => reshape(matmul(a, b), [12]), x, w)
  })

  it('results of one run are not overwritten by the next', () => {
    const f = jit((a: NDArray) => reshape(add(matmul(a, transpose(a)), 1), [16]))
    const first = f(x)
    const before = Float32Array.from(toTypedArray(first) as Float32Array)
    f(y)
    expect(toTypedArray(first)).toEqual(before)
  })
})

describe('jit composes with the other transforms', () => {
  const w = rand([5, 3], 4)
  const x = rand([4, 5], 9)
  const loss = (p: { w: NDArray; b: NDArray }, xs: NDArray) => mean(square(tanh(add(matmul(xs, p.w), p.b))))
  const params = { w, b: rand([3], 6) }

  it('jit(grad(f)) and jit(valueAndGrad(f))', () => {
    expectTreeSame(jit(grad(loss))(params, x), grad(loss)(params, x))
    expectTreeSame(jit(valueAndGrad(loss))(params, x), valueAndGrad(loss)(params, x))
  })

  it('grad(jit(f)), jvp and vjp of a jitted function', () => {
    const jl = jit(loss)
    expectTreeSame(grad(jl)(params, x), grad(loss)(params, x))
    const f = (a: NDArray) => sin(mul(a, a))
    expectTreeSame(jvp(jit(f), [x], [y1()]), jvp(f, [x], [y1()]))
    const [out, back] = vjp(jit(f), x)
    const [outE, backE] = vjp(f, x)
    expectSame(out as NDArray, outE as NDArray)
    expectTreeSame(back(x), backE(x))
  })

  it('nested jit, and jit of a function with a customVjp', () => {
    const inner = jit((a: NDArray) => exp(neg(a)))
    const outer = jit((a: NDArray) => add(inner(a), inner(mul(a, 2))))
    const f = (a: NDArray) => add(exp(neg(a)), exp(neg(mul(a, 2))))
    expectSame(outer(x) as NDArray, f(x))
    const clipped = customVjp((a: NDArray) => mul(a, 3), {
      fwd: (a: NDArray) => [mul(a, 3), a] as const,
      bwd: (_res: NDArray, g: NDArray) => [minimum(maximum(g, -1), 1)],
    })
    const h = (a: NDArray) => sum(clipped(square(a)))
    expectTreeSame(jit(grad(h))(x), grad(h)(x))
    expectSame(jit(h)(x) as NDArray, h(x))
  })

  it('a jitted function closing over a tracer of an enclosing grad is inlined into it', () => {
    const f = (a: NDArray) => {
      const g = jit((b: NDArray) => mul(b, a))
      return sum(g(exp(a)))
    }
    expectTreeSame(grad(f)(x), grad((a: NDArray) => sum(mul(exp(a), a)))(x))
  })

  const y1 = () => rand([4, 5], 12)
})

describe('retracing', () => {
  it('traces once per structure, shape and dtype, and reports each trace', () => {
    const events: string[] = []
    const f = jit((p: { a: NDArray }, b: NDArray) => add(p.a, b), { onTrace: (e) => events.push(e.signature) })
    f({ a: rand([2]) }, rand([2]))
    f({ a: rand([2], 5) }, rand([2], 6))
    expect(f.traceCount).toBe(1)
    f({ a: rand([3]) }, rand([3]))
    expect(f.traceCount).toBe(2)
    f({ a: rand([3], 1, 'float64') }, rand([3]))
    expect(f.traceCount).toBe(3)
    ;(f as unknown as (p: unknown, b: NDArray) => NDArray)({ a: rand([3]), c: rand([1]) }, rand([3]))
    expect(f.traceCount).toBe(4)
    expect(events).toHaveLength(4)
    expect(new Set(events).size).toBe(4)
  })

  it('specialises to static arguments by value', () => {
    const f = jit((a: NDArray, n: number, o: { neg: boolean }) => (o.neg ? neg(mul(a, n)) : mul(a, n)), {
      staticArgnums: [1, 2],
    })
    const a = rand([3])
    expectSame(f(a, 2, { neg: false }) as NDArray, mul(a, 2))
    expectSame(f(a, 2, { neg: false }) as NDArray, mul(a, 2))
    expect(f.traceCount).toBe(1)
    expectSame(f(a, 3, { neg: true }) as NDArray, neg(mul(a, 3)))
    expect(f.traceCount).toBe(2)
    expect(printJaxpr(f.lower(a, 3, { neg: true }))).toContain('mul a 3.0:f32')
  })
})

describe('donation', () => {
  it('writes an update into the donated argument’s storage and forbids reading the argument afterwards', () => {
    const step = jit((p: NDArray, g: NDArray) => sub(p, mul(g, 0.1)), { donateArgnums: [0] })
    const p0 = rand([256, 256], 1)
    const g = rand([256, 256], 2)
    const want = sub(p0, mul(g, 0.1))
    const storage = (x: NDArray) => (x as unknown as { data: Float32Array }).data
    const p1 = step(p0, g) as NDArray
    expectSame(p1, want)
    // p0 lives outside the WebAssembly heap, so p1 was given heap storage (read in place from then on) …
    expect(wasmHeap().pointerOf(storage(p1))).toBeGreaterThanOrEqual(0)
    expect(() => toTypedArray(p0)).toThrow(/donated to a jitted function/)
    expect(() => step(p0, g)).toThrow(/argument 0 holds an array that was donated/)
    // … and p1, in the heap, is written over by the next step
    const p1Storage = storage(p1)
    const p2 = step(p1, g) as NDArray
    expectSame(p2, sub(want, mul(g, 0.1)))
    expect(storage(p2)).toBe(p1Storage)
    expect(() => toTypedArray(p1)).toThrow(/donated to a jitted function/)
  })

  it('writes a result into a donated argument the function never reads (the previous result, in a loop)', () => {
    const f = (p: NDArray, x: NDArray) => [exp(matmul(x, p)), mul(p, 2)]
    const looped = jit((p: NDArray, x: NDArray, _previous: unknown) => f(p, x), { donateArgnums: [2] })
    // 64 KiB each: large enough to live in the heap
    const p = rand([128, 128], 4)
    const x = rand([128, 128], 5)
    const storage = (r: unknown) => (r as NDArray[]).map((a) => (a as unknown as { data: Float32Array }).data)
    let previous = jit(f)(p, x) as NDArray[]
    for (let i = 0; i < 3; i++) {
      const before = storage(previous)
      const next = looped(p, x, previous) as NDArray[]
      expectTreeSame(next, f(p, x))
      // each heap-resident result takes over the storage of the donated one of its shape
      const resident = before.filter((s) => wasmHeap().pointerOf(s) >= 0)
      expect(resident.length).toBeGreaterThan(0)
      storage(next).forEach((s, k) => {
        if (wasmHeap().pointerOf(before[k] as Float32Array) >= 0) expect(s).toBe(before[k])
      })
      expect(() => toTypedArray(previous[0] as NDArray)).toThrow(/donated to a jitted function/)
      previous = next
    }
  })

  it('does not write into a donated argument that is still read after the result is written', () => {
    const f = jit((p: NDArray) => [exp(p), matmul(p, p)], { donateArgnums: [0] })
    const p = rand([8, 8], 3)
    const want = [exp(p), matmul(p, p)]
    expectTreeSame(f(rand([8, 8], 3)), want)
  })
})

describe('errors a user can cause', () => {
  it('reading a traced value names jit and static arguments', () => {
    expect(() => jit((a: NDArray) => mul(a, item(sum(a))))(rand([2]))).toThrow(
      /item: cannot read the values of a traced array \(shape \[\], float32\) inside a transform such as grad or jit.*staticArgnums/,
    )
  })

  it('arguments that are not arrays say how to make them static', () => {
    const f = jit((a: NDArray, n: number) => mul(a, n))
    expect(() => f(rand([2]), 3)).toThrow(
      /jit: argument 1 must be an NDArray or a list or record of them.*staticArgnums: \[1\]/,
    )
  })

  it('bad options and static values', () => {
    expect(() => jit((a: NDArray) => a, { staticArgnums: [-1] })).toThrow(
      /staticArgnums must be non-negative integers, got -1/,
    )
    expect(() => jit((a: NDArray) => a, { staticArgnums: 0, donateArgnums: 0 })).toThrow(
      /argument 0 cannot be both static and donated/,
    )
    const f = jit((a: NDArray, _o: unknown) => a, { staticArgnums: [1] })
    expect(() => f(rand([2]), rand([2]))).toThrow(/static argument 1 contains a Concrete, which cannot be a cache key/)
    expect(() => (f as unknown as (a: NDArray) => NDArray)(rand([2]))).toThrow(
      /staticArgnums names argument 1, but the function was called with 1/,
    )
  })

  it('a function that returns something other than arrays', () => {
    expect(() => jit((_a: NDArray) => 3 as unknown as NDArray)(rand([2]))).toThrow(
      /jit: the function must return an NDArray or a list or record of them.*\(it returned number\)/,
    )
  })

  it('shape errors inside the function surface as they do eagerly', () => {
    expect(() => jit((a: NDArray, b: NDArray) => add(a, b))(rand([2]), rand([3]))).toThrow(
      /add: cannot broadcast shapes \[2\] and \[3\]/,
    )
  })
})
