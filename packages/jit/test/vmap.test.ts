// jit and vmap composed in both orders: the same bits as vmap run eagerly; and what vmap stages (one product).
import { grad, vmap } from '@nabla/autodiff'
import { type DotDims, dot } from '@nabla/linalg'
import { add, array, exp, key, log, max, maximum, mul, type NDArray, normal, split, sub, sum } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { jit, makeJaxpr } from '../src/index.js'
import { expectSame } from './same.js'

const [k1, k2, k3, k4, k5] = split(key(21), 5)
const params = {
  w1: normal(k1!, [12, 8], { stddev: 0.3 }),
  b1: normal(k2!, [8], { stddev: 0.1 }),
  w2: normal(k3!, [8, 4], { stddev: 0.3 }),
  b2: normal(k4!, [4], { stddev: 0.1 }),
}
type Params = typeof params
const xs = normal(k5!, [6, 12])
const onehot = array([0, 1, 2, 3, 0, 1].map((c) => [0, 1, 2, 3].map((j) => (j === c ? 1 : 0))))

/** One example's crossentropy of the two-layer network (x: [12], label: one-hot [4]). */
const loss = (p: Params, x: NDArray, y: NDArray): NDArray => {
  const h = maximum(add(dot(x, p.w1), p.b1), 0)
  const z = add(dot(h, p.w2), p.b2)
  const shifted = sub(z, max(z))
  return mul(sum(mul(y, sub(shifted, log(sum(exp(shifted)))))), -1)
}
describe('jit and vmap', () => {
  it('jit(vmap(f)) gives the bits of vmap(f) run eagerly', () => {
    const f = (x: NDArray) => sum(exp(mul(x, x)), { axis: 0 })
    const batched = normal(key(1), [5, 3, 4])
    expectSame(jit(vmap(f, { inAxes: 1 }))(batched) as NDArray, vmap(f, { inAxes: 1 })(batched))
  })
  it('vmap(jit(f)) gives the bits of vmap(f): the jitted function is inlined into the batch trace', () => {
    const f = (x: NDArray, w: NDArray) => dot(x, w)
    const w = normal(key(2), [4, 3])
    const batched = normal(key(3), [5, 4])
    const jf = jit(f)
    expectSame(vmap(jf, { inAxes: [0, null] })(batched, w), vmap(f, { inAxes: [0, null] })(batched, w))
  })
  it('jit(vmap(grad(loss))): per-example gradients, compiled, equal the eager ones bit for bit', () => {
    const perExample = vmap(grad(loss), { inAxes: [null, 0, 0] })
    const compiled = jit(perExample)
    const eager = perExample(params, xs, onehot) as Params
    const got = compiled(params, xs, onehot) as Params
    for (const k of ['w1', 'b1', 'w2', 'b2'] as const) {
      expect(got[k].shape).toEqual([6, ...params[k].shape])
      expectSame(got[k], eager[k])
    }
  })
  it('vmap of a matrix-vector product stages one dotGeneral and no transpose', () => {
    const w = normal(key(4), [12, 8])
    const jaxpr = makeJaxpr((x: NDArray) => vmap((v: NDArray) => dot(v, w))(x))(xs)
    const prims = jaxpr.eqns.map((e) => e.prim)
    expect(prims.filter((p) => p === 'dotGeneral')).toHaveLength(1)
    expect(prims).not.toContain('transpose')
    // mapped on its last axis, the vector's batch axis stays where it is: still one product, no transpose
    const cols = makeJaxpr((x: NDArray) => vmap((v: NDArray) => dot(v, w), { inAxes: 1 })(x))(normal(key(5), [12, 6]))
    expect(cols.eqns.map((e) => e.prim)).toEqual(['dotGeneral'])
  })
  it('per-example gradients stage batched products (batch dimensions), not a product per example', () => {
    const jaxpr = makeJaxpr((p: Params, x: NDArray, y: NDArray) => vmap(grad(loss), { inAxes: [null, 0, 0] })(p, x, y))(
      params,
      xs,
      onehot,
    )
    const products = jaxpr.eqns.filter((e) => e.prim === 'dotGeneral')
    // forward x·W1, h·W2; backward: W2̄ and W1̄ as batched outer products, h̄ = z̄·W2ᵀ
    expect(products.length).toBeLessThanOrEqual(5)
    const batched = products.filter((e) => (e.params as DotDims).batch[0].length > 0)
    expect(batched.length).toBeGreaterThanOrEqual(2)
  })
})
