// A gradient is computed only for what is differentiated: constants cost no backward GEMM.
import { dot, gemmStats, resetGemmStats } from '@nabla/linalg'
import { add, key, maximum, mean, type NDArray, normal, split, square } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { grad, valueAndGrad } from '../src/index.js'

const [k1, k2, k3] = split(key(0), 3)
const x = normal(k1!, [16, 12])
const params = { w1: normal(k2!, [12, 8]), w2: normal(k3!, [8, 4]) }
const loss = (p: typeof params, input: NDArray) => mean(square(dot(maximum(dot(input, p.w1), 0), p.w2)))

describe('cost of reverse mode', () => {
  it('two dense layers: 2 forward GEMMs, and 3 backward ones — no d(input) for the constant x', () => {
    resetGemmStats()
    loss(params, x)
    expect(gemmStats().calls).toBe(2)
    resetGemmStats()
    valueAndGrad(loss)(params, x)
    // forward 2 + backward: dW2 = hᵀ·ct, dh = ct·W2ᵀ, dW1 = xᵀ·dh (and never dx = dh·W1ᵀ)
    expect(gemmStats().calls).toBe(5)
  })
  it('differentiating the input as well adds exactly that product', () => {
    resetGemmStats()
    grad(loss, { argnums: [0, 1] })(params, x)
    expect(gemmStats().calls).toBe(6)
  })
  it('a function of constants only records nothing', () => {
    resetGemmStats()
    const g = grad((w: NDArray) => add(mean(w), mean(dot(x, params.w1))))(params.w2)
    expect(g.shape).toEqual([8, 4])
    expect(gemmStats().calls).toBe(1)
  })
})
