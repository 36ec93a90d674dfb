// Convolution and pooling under jit: the compiled program gives eager's bits, forward and through grad (the
// convolution and its filter gradient lowered into planned window copies and one product, the other primitives run
// by their evaluation rules), for random geometries; jit(grad(grad(…))) too; and what lower makes of a convolution.
import { grad, vmap } from '@nabla/autodiff'
import { conv2d } from '@nabla/linalg'
import { avgPool2d, cast, key, maxPool2d, mul, type NDArray, normal, split, sum, tanh, transpose } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileJaxpr, jit, makeJaxpr } from '../src/index.js'
import { expectSame } from './same.js'

const geometry = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 3, max: 9 }),
  w: fc.integer({ min: 3, max: 9 }),
  c: fc.integer({ min: 1, max: 6 }),
  f: fc.integer({ min: 1, max: 5 }),
  k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  strides: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  dilation: fc.constantFrom<[number, number]>([1, 1], [1, 2], [2, 1]),
  padding: fc.constantFrom('valid' as const, 'same' as const),
  pool: fc.integer({ min: 1, max: 3 }),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  seed: fc.nat(1000),
})

describe('convolution and pooling under jit', () => {
  it('give eager’s bits, forward and through grad, for random geometries (float32 and float64)', () => {
    fc.assert(
      fc.property(geometry, ({ n, h, w, c, f, k, strides, dilation, padding, pool, dtype, seed }) => {
        if (padding === 'valid' && (h < dilation[0] * (k[0] - 1) + 1 || w < dilation[1] * (k[1] - 1) + 1)) return
        const [k1, k2, k3] = split(key(seed), 3)
        const x = cast(normal(k1!, [n, h, w, c]), dtype)
        const kernel = cast(normal(k2!, [k[0], k[1], c, f]), dtype)
        const net = (a: NDArray, b: NDArray) => {
          const y = tanh(conv2d(a, b, { strides, dilation, padding }))
          const m = maxPool2d(y, { poolSize: pool, strides: 1, padding: 'same' })
          return avgPool2d(m, { poolSize: pool, padding: 'same' })
        }
        expectSame(jit(net)(x, kernel), net(x, kernel))
        const weights = normal(k3!, net(x, kernel).shape, { dtype })
        const loss = (a: NDArray, b: NDArray) => sum(mul(net(a, b), weights))
        const g = grad(loss, { argnums: [0, 1] })
        const [gx, gk] = g(x, kernel) as NDArray[]
        const [jx, jk] = jit(g)(x, kernel) as NDArray[]
        expectSame(jx as NDArray, gx as NDArray)
        expectSame(jk as NDArray, gk as NDArray)
      }),
      { numRuns: 60 },
    )
  })

  it('jit(grad(grad(…))) and jit(vmap(…)) give eager’s bits', () => {
    const x = normal(key(1), [2, 6, 5, 3], { dtype: 'float64' })
    const k = normal(key(2), [3, 2, 3, 2], { dtype: 'float64' })
    // a second derivative along the kernel: the backprop primitives' own rules
    const inner = (a: NDArray, b: NDArray) => sum(tanh(conv2d(a, b, { padding: 'same' })))
    const outer = (a: NDArray, b: NDArray) => sum(tanh(grad(inner, { argnums: 1 })(a, b) as NDArray))
    const gg = grad(outer, { argnums: [0, 1] })
    const eager = gg(x, k) as NDArray[]
    const compiled = jit(gg)(x, k) as NDArray[]
    for (const [i, e] of eager.entries()) expectSame(compiled[i] as NDArray, e)
    const batched = vmap((a: NDArray) => maxPool2d(conv2d(a, k), { poolSize: 2 }), { inAxes: 1 })
    const xs = normal(key(3), [2, 4, 7, 7, 3])
    expectSame(jit(batched)(xs) as NDArray, batched(xs) as NDArray)
  })

  it('lowers a convolution to window copies and one product, and its filter gradient reuses the copies', () => {
    const x = normal(key(4), [2, 6, 6, 3])
    const k = normal(key(5), [3, 3, 3, 4])
    // valid padding, no dilation: one copy per kernel row (its taps read adjacent pixels)
    const forward = compileJaxpr(makeJaxpr((a: NDArray, b: NDArray) => conv2d(a, b))(x, k))
    expect(forward.steps.map((s) => s.kind)).toEqual(['cluster', 'cluster', 'cluster', 'dot'])
    // same padding: zeros first, then one copy per tap
    const padded = compileJaxpr(makeJaxpr((a: NDArray, b: NDArray) => conv2d(a, b, { padding: 'same' }))(x, k))
    expect(padded.steps.map((s) => s.kind)).toEqual([...Array<string>(10).fill('cluster'), 'dot'])
    // the kernel's gradient gathers nothing again: the forward pass's rows are read by the second product
    const g = grad((a: NDArray, b: NDArray) => sum(tanh(conv2d(a, b))), { argnums: 1 })
    const both = compileJaxpr(makeJaxpr(g as (a: NDArray, b: NDArray) => NDArray)(x, k))
    expect(both.steps.filter((s) => s.kind === 'dot')).toHaveLength(2)
    expect(both.steps.filter((s) => s.kind === 'cluster' && s.eqns === 1 && s.shape.length === 4)).toHaveLength(3)
    // a view as the images (a transpose) and 1×1 kernels take the same path, with eager's bits
    const xt = transpose(normal(key(6), [2, 6, 6, 3]), [0, 2, 1, 3])
    const one = normal(key(7), [1, 1, 3, 2])
    const f = (a: NDArray, b: NDArray, c: NDArray) => [conv2d(a, b), conv2d(a, c)]
    const [y1, y2] = jit(f)(xt, k, one) as NDArray[]
    expectSame(y1 as NDArray, conv2d(xt, k))
    expectSame(y2 as NDArray, conv2d(xt, one))
    // a literal cotangent (the gradient of a sum) runs the evaluation rule
    const dk = jit(
      grad((b: NDArray) =>
        sum(
          bind('conv2d', [x, b], {
            strides: [1, 1],
            padding: [
              [0, 0],
              [0, 0],
            ],
            dilation: [1, 1],
          }),
        ),
      ),
    )
    expectSame(dk(k) as NDArray, grad((b: NDArray) => sum(conv2d(x, b)))(k) as NDArray)
  })
})
