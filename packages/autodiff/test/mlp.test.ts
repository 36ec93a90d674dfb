// A two-layer MLP's gradient by grad equals a hand-written backprop of the same network in float64.
import { array, key, type NDArray, normal, split, toArray } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { grad } from '../src/index.js'
import { mlpLoss as loss, type MlpParams as Params } from './mlpLoss.js'

// the same network, forward and backward, written out with plain JS numbers
const handBackprop = (p: Params, x: NDArray, y: NDArray) => {
  const X = toArray(x) as number[][]
  const Y = toArray(y) as number[][]
  const W1 = toArray(p.w1) as number[][]
  const B1 = toArray(p.b1) as number[]
  const W2 = toArray(p.w2) as number[][]
  const B2 = toArray(p.b2) as number[]
  const n = X.length
  const gW1 = W1.map((r) => r.map(() => 0))
  const gB1 = B1.map(() => 0)
  const gW2 = W2.map((r) => r.map(() => 0))
  const gB2 = B2.map(() => 0)
  X.forEach((xi, s) => {
    const pre = B1.map((b, j) => b + xi.reduce((acc, v, k) => acc + v * (W1[k] as number[])[j]!, 0))
    const h = pre.map((v) => Math.max(v, 0))
    const z = B2.map((b, c) => b + h.reduce((acc, v, j) => acc + v * (W2[j] as number[])[c]!, 0))
    const m = Math.max(...z)
    const e = z.map((v) => Math.exp(v - m))
    const total = e.reduce((a, b) => a + b, 0)
    const dz = e.map((v, c) => (v / total - (Y[s] as number[])[c]!) / n) // softmax − y, averaged
    dz.forEach((d, c) => {
      gB2[c]! += d
      for (const [j, hv] of h.entries()) (gW2[j] as number[])[c]! += hv * d
    })
    const dh = h.map((_, j) => dz.reduce((acc, d, c) => acc + d * (W2[j] as number[])[c]!, 0))
    const dpre = dh.map((d, j) => (pre[j]! > 0 ? d : 0))
    dpre.forEach((d, j) => {
      gB1[j]! += d
      for (const [k, v] of xi.entries()) (gW1[k] as number[])[j]! += v * d
    })
  })
  return { w1: gW1, b1: gB1, w2: gW2, b2: gB2 }
}

describe('two-layer MLP', () => {
  it('grad agrees with hand-written backprop in float64', () => {
    const [k1, k2, k3, k4, k5] = split(key(3), 5)
    const opts = { dtype: 'float64' as const }
    const p: Params = {
      w1: normal(k1!, [6, 8], opts),
      b1: normal(k2!, [8], { ...opts, stddev: 0.1 }),
      w2: normal(k3!, [8, 4], opts),
      b2: normal(k4!, [4], { ...opts, stddev: 0.1 }),
    }
    const x = normal(k5!, [5, 6], opts)
    const labels = [0, 3, 1, 1, 2]
    const y = array(
      labels.map((l) => [0, 1, 2, 3].map((c) => (c === l ? 1 : 0))),
      opts,
    )
    const g = grad(loss)(p, x, y)
    const want = handBackprop(p, x, y)
    expect(g.w1).toBeAllClose(want.w1, { rtol: 1e-10, atol: 1e-12 })
    expect(g.b1).toBeAllClose(want.b1, { rtol: 1e-10, atol: 1e-12 })
    expect(g.w2).toBeAllClose(want.w2, { rtol: 1e-10, atol: 1e-12 })
    expect(g.b2).toBeAllClose(want.b2, { rtol: 1e-10, atol: 1e-12 })
  })
})
