// The chapter's facts about derivatives, and higher derivatives that JavaScript libraries are known to get wrong.
import { add, array, cos, div, exp, mul, type NDArray, neg, sin, sum, tanh } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { grad } from '../src/index.js'

const xs = array([-2, -0.5, 0, 0.3, 1, 2.5], { dtype: 'float64' })
const elementwise = (f: (x: NDArray) => NDArray) => (x: NDArray) => grad((y: NDArray) => sum(f(y)))(x)
const sigmoid = (x: NDArray) => div(1, add(1, exp(neg(x))))
const sig = (v: number) => 1 / (1 + Math.exp(-v))
const values = [-2, -0.5, 0, 0.3, 1, 2.5]

describe('derivatives from section 2.4', () => {
  it('the derivative of cos is −sin', () => {
    expect(elementwise(cos)(xs)).toBeAllClose(values.map((v) => -Math.sin(v)))
  })
  it('the derivative of a·x is a', () => {
    const a = 3.5
    expect(elementwise((x) => mul(x, a))(xs)).toBeAllClose(values.map(() => a))
  })
})

describe('second derivatives', () => {
  const second = (f: (x: NDArray) => NDArray) => elementwise(elementwise(f))
  it('of sin is −sin', () => {
    expect(second(sin)(xs)).toBeAllClose(values.map((v) => -Math.sin(v)))
  })
  it('of tanh is −2·tanh·(1 − tanh²)', () => {
    expect(second(tanh)(xs)).toBeAllClose(values.map((v) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)))
  })
  it('of sigmoid is σ(1 − σ)(1 − 2σ)', () => {
    expect(second(sigmoid)(xs)).toBeAllClose(values.map((v) => sig(v) * (1 - sig(v)) * (1 - 2 * sig(v))))
  })
  it('of exp is exp', () => {
    expect(second(exp)(xs)).toBeAllClose(values.map(Math.exp))
  })
  it('third derivative of sin is −cos', () => {
    expect(elementwise(elementwise(elementwise(sin)))(xs)).toBeAllClose(values.map((v) => -Math.cos(v)))
  })
})
