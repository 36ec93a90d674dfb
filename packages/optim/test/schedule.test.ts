// Schedules by hand, their array forms bit for bit, and the errors a user can cause when building optimizers.
import { arange, array, item, toTypedArray } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  applyUpdates,
  exponentialDecay,
  optimizer,
  piecewiseConstant,
  rmsprop,
  type Schedule,
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

/** The bits of a double, as hex. */
const bitsOf = (x: number): string => {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  return view.getBigUint64(0).toString(16)
}

describe('the array forms of the built-in schedules equal their JS forms bit for bit', () => {
  const schedules: [string, Schedule][] = [
    [
      'exponentialDecay 0.1 · 0.9^(s/469)',
      exponentialDecay({ initialLearningRate: 0.1, decaySteps: 469, decayRate: 0.9 }),
    ],
    [
      'exponentialDecay 1e-3 · 0.96^⌊s/1000⌋',
      exponentialDecay({ initialLearningRate: 1e-3, decaySteps: 1000, decayRate: 0.96, staircase: true }),
    ],
    [
      'exponentialDecay 0.05 · 0.5^(s/7)',
      exponentialDecay({ initialLearningRate: 0.05, decaySteps: 7, decayRate: 0.5 }),
    ],
    [
      'exponentialDecay 0.01 · 0.99^(s/0.5)',
      exponentialDecay({ initialLearningRate: 0.01, decaySteps: 0.5, decayRate: 0.99 }),
    ],
    [
      'exponentialDecay 1 · 0.3^⌊s/3⌋',
      exponentialDecay({ initialLearningRate: 1, decaySteps: 3, decayRate: 0.3, staircase: true }),
    ],
    [
      'exponentialDecay 3e-4 · 1.5^⌊s/2.5⌋',
      exponentialDecay({ initialLearningRate: 3e-4, decaySteps: 2.5, decayRate: 1.5, staircase: true }),
    ],
    ['piecewiseConstant [1000] [0.1, 0.01]', piecewiseConstant({ boundaries: [1000], values: [0.1, 0.01] })],
    ['piecewiseConstant [2, 5] [1, 0.5, 0.1]', piecewiseConstant({ boundaries: [2, 5], values: [1, 0.5, 0.1] })],
    [
      'piecewiseConstant [0.5, 10.25, 999, 15000]',
      piecewiseConstant({ boundaries: [0.5, 10.25, 999, 15000], values: [0.3, 0.2, 0.1, 1e-3, 1e-5] }),
    ],
    ['piecewiseConstant [] [0.3]', piecewiseConstant({ boundaries: [], values: [0.3] })],
  ]
  const n = 20000
  it.each(schedules)('%s, steps 0 to 19999', (_, schedule) => {
    expect(schedule.arrayForm).toBeDefined()
    const steps = arange(0, n, 1, { dtype: 'float64' })
    const out = schedule.arrayForm!(steps)
    expect(out.dtype).toBe('float64')
    const got = Array.from(toTypedArray(out) as Float64Array)
    const expected = Array.from({ length: n }, (_, k) => schedule(k))
    expect(got.map(bitsOf)).toEqual(expected.map(bitsOf))
    // and on a scalar count, as an optimizer's state holds it
    for (const k of [0, 1, 2, 3, 468, 469, 999, 1000, 1001, 14999, 15000, 15001, 123456]) {
      const one = schedule.arrayForm!(array(k, { dtype: 'float64' }))
      expect(one.shape).toEqual([])
      expect(bitsOf(item(one))).toBe(bitsOf(schedule(k)))
    }
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
