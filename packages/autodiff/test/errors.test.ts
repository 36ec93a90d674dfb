// Every error a user can cause through the transforms, with what was expected and what was given.
import { array, mul, type NDArray, sum, toArray, zeros } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { grad, jvp, valueAndGrad, vjp } from '../src/index.js'

const x = array([1, 2, 3])

describe('bad input to the transforms', () => {
  it('a non-scalar output to grad names the shape', () => {
    expect(() => grad((y: NDArray) => mul(y, 2))(x)).toThrow(
      /grad: the function must return a scalar \(shape \[\]\), got shape \[3\]/,
    )
  })
  it('a non-array leaf in a pytree names where it is', () => {
    expect(() => grad((p: { w: NDArray }) => sum(p.w))({ w: x, lr: 0.1 } as never)).toThrow(/leaf at \.lr is number/)
  })
  it('integer inputs to grad are refused', () => {
    expect(() => grad((y: NDArray) => sum(y))(zeros([2], { dtype: 'int32' }))).toThrow(
      /only differentiate with respect to float32 or float64.*int32/,
    )
  })
  it('reading a traced array inside a transform is an error, not a wrong answer', () => {
    expect(() =>
      grad((y: NDArray) => {
        toArray(y)
        return sum(y)
      })(x),
    ).toThrow(/toArray: cannot read the values of a traced array \(shape \[3\], float32\) inside a transform/)
  })
  it('argnums out of range', () => {
    expect(() => grad((y: NDArray) => sum(y), { argnums: 2 })(x)).toThrow(
      /argnums 2 is out of range: the function was called with 1 argument/,
    )
  })
  it('hasAux without a pair', () => {
    expect(() => valueAndGrad((y: NDArray) => sum(y) as never, { hasAux: true })(x)).toThrow(
      /with hasAux the function must return \[loss, aux\]/,
    )
  })
  it('an integer-valued output', () => {
    expect(() => grad((_: NDArray) => sum(zeros([2], { dtype: 'int32' })) as NDArray)(x)).toThrow(
      /int32 value; only float outputs/,
    )
  })
  it('jvp tangents that do not match the primals', () => {
    expect(() => jvp((y: NDArray) => y, [x], [zeros([2])])).toThrow(
      /jvp: tangent 0 of argument 0 is float32 \[2\], expected float32 \[3\]/,
    )
    expect(() => jvp((y: NDArray) => y, [x], [])).toThrow(/1 primals but 0 tangents/)
  })
  it('a vjp cotangent of the wrong shape', () => {
    const [, pullback] = vjp((y: NDArray) => mul(y, 2), x)
    expect(() => pullback(zeros([4]))).toThrow(/vjp: cotangent 0 has shape \[4\], the output has \[3\]/)
  })
})
