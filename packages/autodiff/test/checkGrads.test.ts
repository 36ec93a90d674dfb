// checkGrads itself: it must reject a wrong derivative, or the rule tests that rely on it could not fail.
import { checkGrads } from '@nabla/autodiff/testing'
import { cos, key, log, mul, type NDArray, neg, normal, sub, sum, tanh } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { customVjp, stopGradient } from '../src/index.js'
import { JvpTracer } from '../src/jvp.js'

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

// sum(x³) as one step with a reverse rule only: forward mode refuses it, like a primitive without a JVP rule
const cube = (x: NDArray) => sum(mul(x, mul(x, x)))
const reverseOnly = (bwd: (x: NDArray, ct: NDArray) => NDArray) =>
  customVjp(
    (x: NDArray) => {
      if (x instanceof JvpTracer) throw new Error('no JVP rule')
      return cube(x)
    },
    { fwd: (x) => [cube(x), x] as const, bwd: (x, ct) => [bwd(x, ct)] },
  )
// 3x²: right, and differentiable again
const cubeRev = reverseOnly((x, ct) => mul(ct, mul(3, mul(x, x))))
// 3x² with x held constant: the first derivative is right, the second is 0 instead of 6x
const cubeRevFlat = reverseOnly((x, ct) => mul(ct, mul(3, stopGradient(mul(x, x)))))

describe('checkGrads at order 2', () => {
  it('checks a reverse-only rule with reverse mode alone (reverse over reverse, no forward mode)', () => {
    expect(() => checkGrads(cubeRev, [x], { modes: ['rev'], order: 2 })).not.toThrow()
  })
  it('still runs forward mode when it is asked for', () => {
    expect(() => checkGrads(cubeRev, [x], { order: 2 })).toThrow(/no JVP rule/)
  })
  it('with reverse mode alone, a wrong second derivative is caught though the first is right', () => {
    expect(() => checkGrads(cubeRevFlat, [x], { modes: ['rev'] })).not.toThrow()
    expect(() => checkGrads(cubeRevFlat, [x], { modes: ['rev'], order: 2 })).toThrow(
      /checkGrads: vjp vs finite differences/,
    )
  })
  it('reverse over reverse sees mixed second derivatives of several arguments', () => {
    const y = normal(key(6), [4], { dtype: 'float64' })
    const f = (a: NDArray, b: NDArray) => sum(mul(tanh(a), mul(b, b)))
    expect(() => checkGrads(f, [x, y], { modes: ['rev'], order: 2 })).not.toThrow()
    // ∂f/∂a = (1 − tanh²a)·b² and ∂f/∂b = 2b·tanh a, the latter with tanh a held constant: ∂²f/∂b∂a is lost
    const wrong = customVjp(f, {
      fwd: (a, b) => [f(a, b), [a, b]] as const,
      bwd: ([a, b], ct) => [
        mul(ct, mul(sub(1, mul(tanh(a), tanh(a))), mul(b, b))),
        mul(ct, mul(stopGradient(tanh(a)), mul(b, 2))),
      ],
    })
    expect(() => checkGrads(wrong, [x, y], { modes: ['rev'] })).not.toThrow()
    expect(() => checkGrads(wrong, [x, y], { modes: ['rev'], order: 2 })).toThrow(/checkGrads: vjp vs/)
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
