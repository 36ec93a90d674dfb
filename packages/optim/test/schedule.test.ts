// Schedules by hand, and the errors a user can cause when building optimizers.
import { array } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  applyUpdates,
  exponentialDecay,
  optimizer,
  piecewiseConstant,
  rmsprop,
  scaleByRms,
  sgd,
  trace,
} from '../src/index.js'

describe('learning-rate schedules', () => {
  it('exponentialDecay, continuous and staircase', () => {
    const f = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 })
    expect(f(0)).toBeCloseTo(0.1)
    expect(f(5)).toBeCloseTo(0.1 * 0.5 ** 0.5)
    expect(f(20)).toBeCloseTo(0.025)
    const g = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true })
    expect(g(9)).toBeCloseTo(0.1)
    expect(g(10)).toBeCloseTo(0.05)
  })
  it('piecewiseConstant follows Keras (values[i] while step ≤ boundaries[i])', () => {
    const f = piecewiseConstant({ boundaries: [2, 5], values: [1, 0.5, 0.1] })
    expect([0, 2, 3, 5, 6].map(f)).toEqual([1, 1, 0.5, 0.5, 0.1])
  })
  it('a schedule is read at each step of the optimizer', () => {
    const opt = sgd({ learningRate: piecewiseConstant({ boundaries: [0], values: [1, 0.1] }) })
    let w = array([0], { dtype: 'float64' })
    let state = opt.init(w)
    const g = array([1], { dtype: 'float64' })
    for (let i = 0; i < 2; i++) {
      const [u, s] = opt.update(g, state, w)
      w = applyUpdates(w, u)
      state = s
    }
    expect(w).toBeAllClose([-1.1])
  })
})

describe('lookup by name and bad options', () => {
  it('optimizer(name) gives Keras defaults', () => {
    const w = array([1], { dtype: 'float64' })
    const g = array([0.5], { dtype: 'float64' })
    const byName = optimizer('rmsprop')
    const direct = rmsprop()
    expect(byName.update(g, byName.init(w), w)[0]).toBeAllClose(direct.update(g, direct.init(w), w)[0] as never)
  })
  it('unknown names and bad hyperparameters are clear errors', () => {
    expect(() => optimizer('adamw' as never)).toThrow(
      /unknown optimizer "adamw"; expected one of sgd, rmsprop, adagrad, adam/,
    )
    expect(() => sgd({ learningRate: -1 })).toThrow(/learningRate must be a finite number ≥ 0, got -1/)
    expect(() => sgd({ learningRate: Number.NaN })).toThrow(/learningRate must be a finite number/)
    expect(() => scaleByRms({ rho: 1 })).toThrow(/rho must be in \[0, 1\), got 1/)
    expect(() => trace({ decay: 2 })).toThrow(/decay \(momentum\) must be in \[0, 1\], got 2/)
    expect(() => exponentialDecay({ initialLearningRate: 1, decaySteps: 0, decayRate: 0.5 })).toThrow(
      /decaySteps must be a finite number > 0/,
    )
    expect(() => piecewiseConstant({ boundaries: [5, 2], values: [1, 2, 3] })).toThrow(/increasing/)
    expect(() => piecewiseConstant({ boundaries: [5], values: [1] })).toThrow(
      /expected 2 values for 1 boundaries, got 1/,
    )
  })
  it('params and grads of different structure are refused', () => {
    const opt = rmsprop()
    const params = { w: array([1]) }
    expect(() => opt.update({ v: array([1]) }, opt.init(params), params)).toThrow(/different structure/)
    expect(() => applyUpdates(params, { v: array([1]) })).toThrow(/different structure/)
  })
})
