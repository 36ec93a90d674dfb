// The transforms themselves: pytrees, argnums, closures, hasAux, nesting, jvp/vjp, hessian, customVjp, stopGradient.
import { dot } from '@nabla/linalg'
import {
  add,
  array,
  cos,
  exp,
  item,
  log,
  mul,
  type NDArray,
  ones,
  pow,
  sin,
  square,
  sub,
  sum,
  tanh,
  zeros,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { customVjp, grad, hessian, jacfwd, jacrev, jvp, stopGradient, valueAndGrad, vjp } from '../src/index.js'

const f64 = (v: number[] | number[][]) => array(v, { dtype: 'float64' })

describe('grad and valueAndGrad', () => {
  it('differentiate with respect to a pytree and return the same structure', () => {
    const params = { w: f64([1, 2]), layers: [f64([3]), { b: f64([[4]]) }] }
    const loss = (p: typeof params) =>
      add(add(sum(square(p.w)), sum(mul(p.layers[0] as NDArray, 3))), sum((p.layers[1] as { b: NDArray }).b))
    const g = grad(loss)(params) as typeof params
    expect(g.w).toBeAllClose([2, 4])
    expect(g.layers[0]).toBeAllClose([3])
    expect((g.layers[1] as { b: NDArray }).b).toBeAllClose([[1]])
  })
  it('argnums selects one or several arguments', () => {
    const f = (a: NDArray, b: NDArray, c: NDArray) => sum(mul(mul(a, b), c))
    const [a, b, c] = [f64([1, 2]), f64([3, 4]), f64([5, 6])]
    expect(grad(f, { argnums: 1 })(a, b, c)).toBeAllClose([5, 12])
    const [ga, gc] = grad(f, { argnums: [0, 2] })(a, b, c) as NDArray[]
    expect(ga).toBeAllClose([15, 24])
    expect(gc).toBeAllClose([3, 8])
  })
  it('valueAndGrad returns the value too, and hasAux passes aux through untouched', () => {
    const x = f64([1, 2, 3])
    const [v, g] = valueAndGrad((y: NDArray) => sum(square(y)))(x)
    expect(item(v)).toBeCloseTo(14)
    expect(g).toBeAllClose([2, 4, 6])
    const [[loss, aux], g2] = valueAndGrad(
      (y: NDArray) => [sum(exp(y)), { doubled: mul(y, 2), note: 'kept' }] as const,
      {
        hasAux: true,
      },
    )(x)
    expect(item(loss)).toBeCloseTo(Math.exp(1) + Math.exp(2) + Math.exp(3))
    expect(aux.doubled).toBeAllClose([2, 4, 6])
    expect(aux.note).toBe('kept')
    expect(g2).toBeAllClose([1, 2, 3].map(Math.exp))
  })
  it('a closure over a concrete value treats it as a constant', () => {
    const c = f64([2, 3])
    expect(grad((x: NDArray) => sum(mul(x, c)))(f64([1, 1]))).toBeAllClose([2, 3])
  })
  it('an output that does not depend on the input has gradient zero', () => {
    const c = f64([2, 3])
    expect(grad((_: NDArray) => sum(c))(f64([1, 1]))).toBeAllClose([0, 0])
  })
})

describe('nesting', () => {
  it('grad(grad(f)) for x³ is 6x', () => {
    const d2 = grad((x: NDArray) => sum(grad((y: NDArray) => sum(pow(y, 3)))(x)))
    expect(d2(f64([1, 2]))).toBeAllClose([6, 12])
  })
  it('no perturbation confusion: d/dx [x · d/dy (x + y)] = 1', () => {
    const f = (x: NDArray) => mul(x, grad((y: NDArray) => add(x, y))(array(1, { dtype: 'float64' })))
    expect(grad(f)(array(2, { dtype: 'float64' }))).toBeAllClose(1)
  })
  it('a closure over an outer traced value is differentiated through', () => {
    // d/dx of g(x) = d/dy [x·y²] at y = 3 = 6x, so dg/dx = 6
    const g = (x: NDArray) => grad((y: NDArray) => mul(x, square(y)))(array(3, { dtype: 'float64' }))
    expect(grad(g)(array(5, { dtype: 'float64' }))).toBeAllClose(6)
  })
  it('jvp of grad gives Hessian-vector products', () => {
    const f = (x: NDArray) => sum(mul(pow(x, 3), 2)) // H = diag(12x)
    const x = f64([1, 2, 3])
    const v = f64([1, 0, -1])
    const [g, hv] = jvp(grad(f) as (x: NDArray) => NDArray, [x], [v])
    expect(g).toBeAllClose([6, 24, 54])
    expect(hv).toBeAllClose([12, 0, -36])
  })
  it('hessian equals the analytic one, and jacfwd agrees with jacrev', () => {
    const A = f64([
      [2, 1],
      [1, 3],
    ])
    const quad = (x: NDArray) => mul(dot(x, dot(A, x)), 0.5) // H = A
    expect(hessian(quad)(f64([0.3, -1]))).toBeAllClose(A, { atol: 1e-12 })
    const f = (x: NDArray) => sin(mul(x, f64([1, 2, 3])))
    const x = f64([0.1, 0.2, 0.3])
    expect(jacfwd(f)(x)).toBeAllClose(jacrev(f)(x), { atol: 1e-12 })
    expect(jacrev(f)(x)).toBeAllClose([
      [Math.cos(0.1), 0, 0],
      [0, 2 * Math.cos(0.4), 0],
      [0, 0, 3 * Math.cos(0.9)],
    ])
  })
})

describe('jvp and vjp', () => {
  it('jvp gives the directional derivative', () => {
    const [y, dy] = jvp((x: NDArray) => sin(x), [f64([0, 1])], [f64([1, 2])])
    expect(y).toBeAllClose([0, Math.sin(1)])
    expect(dy).toBeAllClose([1, 2 * Math.cos(1)])
  })
  it('vjp with pytree output and several inputs', () => {
    const [out, pullback] = vjp(
      (a: NDArray, b: NDArray) => ({ s: mul(a, b), t: [add(a, b)] }),
      f64([1, 2]),
      f64([3, 4]),
    )
    expect(out.s).toBeAllClose([3, 8])
    const [da, db] = pullback({
      s: ones([2], { dtype: 'float64' }),
      t: [mul(ones([2], { dtype: 'float64' }), 10)],
    }) as NDArray[]
    expect(da).toBeAllClose([13, 14])
    expect(db).toBeAllClose([11, 12])
  })
})

describe('stopGradient and customVjp', () => {
  it('stopGradient blocks the gradient at every level', () => {
    expect(grad((x: NDArray) => sum(mul(x, stopGradient(x))))(f64([3]))).toBeAllClose([3])
  })
  it('customVjp uses its own backward pass under grad and the plain function elsewhere', () => {
    // the custom rule is deliberately not the true derivative (−tanh instead of −tan), so the test can tell which ran
    let calls = 0
    const logCosh = customVjp((x: NDArray) => log(cos(x)), {
      fwd: (x) => [log(cos(x)), x] as const,
      bwd: (x, ct) => {
        calls++
        return [mul(ct, sub(zeros([]), tanh(x)))]
      },
    })
    const x = f64([0.5])
    const g = grad((y: NDArray) => sum(logCosh(y)))(x)
    expect(calls).toBe(1)
    expect(g).toBeAllClose([-Math.tanh(0.5)])
    const [, t] = jvp((y: NDArray) => logCosh(y), [x], [f64([1])])
    expect(t).toBeAllClose([-Math.tan(0.5)]) // forward mode differentiates the function itself
  })
})
