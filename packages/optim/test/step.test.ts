// One step of each optimizer against Keras's formula, computed by hand with plain numbers.
import { array, item, type NDArray, toArray } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { adagrad, adam, applyUpdates, type GradientTransformation, rmsprop, sgd } from '../src/index.js'

const w0 = [1, -2, 0.5]
const g0 = [0.3, -0.1, 2]
const g1 = [-0.2, 0.4, 1]

/** Applies `opt` for the given gradient sequence and returns the parameters after each step. */
const run = (opt: GradientTransformation<unknown>, grads: number[][]): number[][] => {
  let params: NDArray = array(w0, { dtype: 'float64' })
  let state = opt.init(params)
  return grads.map((g) => {
    const [updates, next] = opt.update(array(g, { dtype: 'float64' }), state, params)
    params = applyUpdates(params, updates)
    state = next
    return toArray(params) as number[]
  })
}

describe('one and two steps by hand (Keras formulas)', () => {
  it('sgd: w − lr·g', () => {
    const [w1] = run(sgd({ learningRate: 0.1 }), [g0])
    expect(w1).toBeAllClose(w0.map((w, i) => w - 0.1 * g0[i]!))
  })
  it('sgd with momentum: v = m·v − lr·g; w = w + v', () => {
    const [a, b] = run(sgd({ learningRate: 0.1, momentum: 0.9 }), [g0, g1])
    const v1 = g0.map((g) => -0.1 * g)
    expect(a).toBeAllClose(w0.map((w, i) => w + v1[i]!))
    const v2 = g1.map((g, i) => 0.9 * v1[i]! - 0.1 * g)
    expect(b).toBeAllClose(a!.map((w, i) => w + v2[i]!))
  })
  it('sgd with Nesterov: w = w + m·v − lr·g', () => {
    const [a] = run(sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }), [g0])
    const v1 = g0.map((g) => -0.1 * g)
    expect(a).toBeAllClose(w0.map((w, i) => w + 0.9 * v1[i]! - 0.1 * g0[i]!))
  })
  it('sgd with momentum 0 equals plain sgd', () => {
    expect(run(sgd({ learningRate: 0.05, momentum: 0 }), [g0, g1])).toEqual(run(sgd({ learningRate: 0.05 }), [g0, g1]))
  })
  it('rmsprop: ν = ρν + (1−ρ)g²; w = w − lr·g/√(ν + ε), defaults lr 1e-3, ρ 0.9, ε 1e-7', () => {
    const [a, b] = run(rmsprop(), [g0, g1])
    const nu1 = g0.map((g) => 0.1 * g * g)
    expect(a).toBeAllClose(
      w0.map((w, i) => w - (0.001 * g0[i]!) / Math.sqrt(nu1[i]! + 1e-7)),
      { rtol: 1e-12 },
    )
    const nu2 = g1.map((g, i) => 0.9 * nu1[i]! + 0.1 * g * g)
    expect(b).toBeAllClose(
      a!.map((w, i) => w - (0.001 * g1[i]!) / Math.sqrt(nu2[i]! + 1e-7)),
      { rtol: 1e-12 },
    )
  })
  it('rmsprop with momentum and centered', () => {
    const [a, b] = run(rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true }), [g0, g1])
    const nu1 = g0.map((g) => 0.1 * g * g)
    const mu1 = g0.map((g) => 0.1 * g)
    const m1 = g0.map((g, i) => (0.01 * g) / Math.sqrt(nu1[i]! - mu1[i]! ** 2 + 1e-7))
    expect(a).toBeAllClose(
      w0.map((w, i) => w - m1[i]!),
      { rtol: 1e-12 },
    )
    const nu2 = g1.map((g, i) => 0.9 * nu1[i]! + 0.1 * g * g)
    const mu2 = g1.map((g, i) => 0.9 * mu1[i]! + 0.1 * g)
    const m2 = g1.map((g, i) => 0.5 * m1[i]! + (0.01 * g) / Math.sqrt(nu2[i]! - mu2[i]! ** 2 + 1e-7))
    expect(b).toBeAllClose(
      a!.map((w, i) => w - m2[i]!),
      { rtol: 1e-12 },
    )
  })
  it('adagrad: s = 0.1 + g²; w = w − lr·g/√(s + ε)', () => {
    const [a] = run(adagrad(), [g0])
    expect(a).toBeAllClose(
      w0.map((w, i) => w - (0.001 * g0[i]!) / Math.sqrt(0.1 + g0[i]! ** 2 + 1e-7)),
      { rtol: 1e-12 },
    )
  })
  it('adam: Keras bias correction with ε outside the root', () => {
    const [a, b] = run(adam(), [g0, g1])
    const m1 = g0.map((g) => 0.1 * g)
    const v1 = g0.map((g) => 0.001 * g * g)
    const alpha1 = (0.001 * Math.sqrt(1 - 0.999)) / (1 - 0.9)
    expect(a).toBeAllClose(
      w0.map((w, i) => w - (m1[i]! * alpha1) / (Math.sqrt(v1[i]!) + 1e-7)),
      { rtol: 1e-12 },
    )
    const m2 = g1.map((g, i) => m1[i]! + (g - m1[i]!) * 0.1)
    const v2 = g1.map((g, i) => v1[i]! + (g * g - v1[i]!) * 0.001)
    const alpha2 = (0.001 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2)
    expect(b).toBeAllClose(
      a!.map((w, i) => w - (m2[i]! * alpha2) / (Math.sqrt(v2[i]!) + 1e-7)),
      { rtol: 1e-12 },
    )
  })
  it('keeps the parameter dtype and pytree structure', () => {
    const opt = rmsprop()
    const params = { w: array([[1, 2]]), b: [array([0.5])] }
    const grads = { w: array([[0.1, 0.2]]), b: [array([1])] }
    const [updates] = opt.update(grads, opt.init(params), params)
    const next = applyUpdates(params, updates)
    expect(next.w.dtype).toBe('float32')
    expect(next.b[0]!.shape).toEqual([1])
    expect(item(next.b[0]!)).toBeLessThan(0.5)
  })
})
