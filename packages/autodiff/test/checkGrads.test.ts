// checkGrads itself: it must reject a wrong derivative, or the rule tests that rely on it could not fail.
import { checkGrads } from '@nabla/autodiff/testing'
import { cos, key, log, mul, type NDArray, neg, normal, sum, tanh } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { customVjp } from '../src/index.js'

// log(cos x) with a deliberately wrong reverse rule (−tanh instead of −tan); forward mode stays right
const wrongVjp = customVjp((x: NDArray) => log(cos(x)), {
  fwd: (x) => [log(cos(x)), x] as const,
  bwd: (x, ct) => [mul(ct, neg(tanh(x)))],
})
const x = normal(key(5), [4], { dtype: 'float64', stddev: 0.3 })

describe('checkGrads', () => {
  it('accepts a correct derivative, to second order', () => {
    expect(() => checkGrads((y: NDArray) => sum(log(cos(y))), [x], { order: 2 })).not.toThrow()
  })
  it('rejects a wrong reverse-mode rule against finite differences', () => {
    expect(() => checkGrads(wrongVjp, [x], { modes: ['rev'] })).toThrow(/checkGrads: vjp vs finite differences/)
  })
  it('with both modes, the wrong rule is caught too', () => {
    expect(() => checkGrads(wrongVjp, [x])).toThrow(/checkGrads: vjp vs/)
  })
  it('the forward mode alone cannot see a reverse-only rule, and passes', () => {
    expect(() => checkGrads(wrongVjp, [x], { modes: ['fwd'] })).not.toThrow()
  })
  it('checking reverse mode alone never runs forward mode (a rule may exist in one mode only)', () => {
    const seen: string[] = []
    const f = (y: NDArray) => {
      seen.push(y.constructor.name)
      return sum(log(cos(y)))
    }
    checkGrads(f, [x], { modes: ['rev'] })
    expect(seen).toContain('VjpTracer')
    expect(seen).not.toContain('JvpTracer')
    checkGrads(f, [x], { modes: ['fwd'] })
    expect(seen).toContain('JvpTracer')
  })
  it('refuses non-float64 arguments', () => {
    expect(() => checkGrads((y: NDArray) => sum(y), [normal(key(1), [2])])).toThrow(
      /checkGrads: argument 0 is float32; finite differences need float64/,
    )
  })
})

describe('checkGrads options', () => {
  it('refuses an empty or unknown list of modes instead of checking nothing', () => {
    const x = normal(key(21), [3], { dtype: 'float64' })
    expect(() => checkGrads((a: NDArray) => sum(a), [x], { modes: [] })).toThrow(
      /modes must name 'fwd' and\/or 'rev', got \[\]/,
    )
  })
})
