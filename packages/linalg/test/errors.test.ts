// Every error a user can cause in linalg's ops, with its exact message.
import { array, zeros } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { dot, dotGeneral, matmul, tensordot } from '../src/index.js'

const none = { contracting: [[], []], batch: [[], []] } as const

describe('operands that are not arrays', () => {
  it.each([
    ['dot', dot],
    ['matmul', matmul],
    ['tensordot', tensordot],
  ] as const)('%s names the operand and what it got', (name, op) => {
    expect(() => (op as (x: unknown, y: unknown) => unknown)(3, zeros([2]))).toThrow(
      `${name}: expected x to be an NDArray, got number`,
    )
    expect(() => (op as (x: unknown, y: unknown, z?: unknown) => unknown)(zeros([2]), [1, 2], 1)).toThrow(
      `${name}: expected y to be an NDArray, got a JS array (wrap it with array())`,
    )
  })

  it('dotGeneral too', () => {
    expect(() => dotGeneral(null as never, zeros([2]), none)).toThrow(
      'dotGeneral: expected x to be an NDArray, got null',
    )
    expect(() => dotGeneral(zeros([2]), 'y' as never, none)).toThrow(
      'dotGeneral: expected y to be an NDArray, got string',
    )
  })
})

describe('dot', () => {
  it('incompatible inner dimensions', () => {
    expect(() => dot(zeros([3, 5]), zeros([4, 2]))).toThrow(
      'dot: cannot contract [3,5] with [4,2]: 5 ≠ 4 (axis 1 of x against axis 0 of y)',
    )
    expect(() => dot(zeros([3]), zeros([4]))).toThrow(
      'dot: cannot contract [3] with [4]: 3 ≠ 4 (axis 0 of x against axis 0 of y)',
    )
    expect(() => dot(zeros([2, 3, 4, 5]), zeros([2, 4, 6]))).toThrow(
      'dot: cannot contract [2,3,4,5] with [2,4,6]: 5 ≠ 4 (axis 3 of x against axis 1 of y)',
    )
  })

  it('a rank-0 operand multiplies (NumPy), it is not an error', () => {
    expect(dot(array(2), array([1, 2]))).toBeAllClose([2, 4])
    expect(dot(array([[1, 2]]), array(3)).shape).toEqual([1, 2])
  })
})

describe('matmul', () => {
  it('rank-0 operands', () => {
    expect(() => matmul(array(2), zeros([2]))).toThrow(
      'matmul: x is a scalar (shape []); matmul needs rank ≥ 1 operands (use mul to scale)',
    )
    expect(() => matmul(zeros([2]), array(2))).toThrow('matmul: y is a scalar (shape [])')
  })

  it('incompatible inner dimensions', () => {
    expect(() => matmul(zeros([7, 3, 5]), zeros([4, 2]))).toThrow(
      'matmul: cannot contract [7,3,5] with [4,2]: 5 ≠ 4 (axis 2 of x against axis 0 of y)',
    )
    expect(() => matmul(zeros([5]), zeros([7, 4, 2]))).toThrow(
      'matmul: cannot contract [5] with [7,4,2]: 5 ≠ 4 (axis 0 of x against axis 1 of y)',
    )
  })

  it('batch dimensions that do not broadcast', () => {
    expect(() => matmul(zeros([2, 3, 5]), zeros([3, 5, 4]))).toThrow(
      'matmul: cannot broadcast the batch dimensions [2] of [2,3,5] and [3] of [3,5,4]: 2 ≠ 3 (and neither is 1)',
    )
  })
})

describe('tensordot', () => {
  it('a count of axes that is negative, fractional or too large', () => {
    const msg = 'tensordot: axes must be a non-negative integer or a pair of axis lists'
    expect(() => tensordot(zeros([2]), zeros([2]), -1)).toThrow(`${msg}, got -1`)
    expect(() => tensordot(zeros([2]), zeros([2]), 1.5)).toThrow(`${msg}, got 1.5`)
    expect(() => tensordot(zeros([2, 3]), zeros([3]), 2)).toThrow(
      'tensordot: axes=2 sums over the last 2 axes of x and the first 2 of y, but the shapes are [2,3] and [3]',
    )
  })

  it('malformed axis lists', () => {
    const msg = 'tensordot: axes must be a non-negative integer or a pair of axis lists'
    expect(() => tensordot(zeros([2]), zeros([2]), [[0]] as never)).toThrow(`${msg}, got [[0]]`)
    expect(() => tensordot(zeros([2]), zeros([2]), 'all' as never)).toThrow(`${msg}, got "all"`)
    expect(() => tensordot(zeros([2, 3]), zeros([3, 2]), [[0, 1], [1]])).toThrow(
      'tensordot: the axis lists must have the same length, got [0,1] for x and [1] for y',
    )
    expect(() =>
      tensordot(zeros([2, 2]), zeros([2, 2]), [
        [0, 0],
        [0, 1],
      ]),
    ).toThrow('tensordot: axis 0 of x is listed twice in [0,0]')
    expect(() => tensordot(zeros([2, 2]), zeros([2, 2]), [[2], [0]])).toThrow(
      'tensordot: axis 2 is out of range for an array of rank 2 (expected -2…1)',
    )
  })

  it('paired axes of different extents', () => {
    expect(() => tensordot(zeros([3, 5]), zeros([4, 2]), 1)).toThrow(
      'tensordot: cannot contract [3,5] with [4,2]: 5 ≠ 4 (axis 1 of x against axis 0 of y)',
    )
    expect(() =>
      tensordot(zeros([3, 5]), zeros([4, 3]), [
        [0, 1],
        [1, 0],
      ]),
    ).toThrow('tensordot: cannot contract [3,5] with [4,3]: 5 ≠ 4 (axis 1 of x against axis 0 of y)')
  })
})

describe('dotGeneral', () => {
  it('malformed dims', () => {
    const msg =
      'dotGeneral: dims must be { contracting: [xAxes, yAxes], batch: [xAxes, yAxes] } with lists of integer axes'
    expect(() => dotGeneral(zeros([2]), zeros([2]), {} as never)).toThrow(`${msg}, got {}`)
    expect(() => dotGeneral(zeros([2]), zeros([2]), { contracting: [[0]], batch: [[], []] } as never)).toThrow(msg)
    expect(() => dotGeneral(zeros([2]), zeros([2]), { contracting: [[0.5], [0]], batch: [[], []] })).toThrow(msg)
  })

  it('axes out of range, unpaired, or listed twice', () => {
    expect(() => dotGeneral(zeros([2]), zeros([2]), { contracting: [[1], [0]], batch: [[], []] })).toThrow(
      'dotGeneral: axis 1 is out of range for an array of rank 1 (expected -1…0)',
    )
    expect(() => dotGeneral(zeros([2, 2]), zeros([2]), { contracting: [[0, 1], [0]], batch: [[], []] })).toThrow(
      'dotGeneral: contracting axes must pair up one to one, got 2 of x [0,1] and 1 of y [0]',
    )
    expect(() => dotGeneral(zeros([2, 2]), zeros([2, 2]), { contracting: [[0], [0]], batch: [[0, 1], [1]] })).toThrow(
      'dotGeneral: batch axes must pair up one to one, got 2 of x [0,1] and 1 of y [1]',
    )
    expect(() => dotGeneral(zeros([2, 2]), zeros([2, 2]), { contracting: [[0], [0]], batch: [[0], [1]] })).toThrow(
      'dotGeneral: axis 0 of x (shape [2,2]) is listed twice among the batch and contracting axes',
    )
    expect(() => dotGeneral(zeros([2, 2]), zeros([2, 2]), { contracting: [[1], [-1]], batch: [[0], [1]] })).toThrow(
      'dotGeneral: axis 1 of y (shape [2,2]) is listed twice among the batch and contracting axes',
    )
  })

  it('batch axes of different extents, and contracting axes of different extents', () => {
    expect(() => dotGeneral(zeros([3, 2]), zeros([4, 2]), { contracting: [[1], [1]], batch: [[0], [0]] })).toThrow(
      'dotGeneral: batch axes must have equal extents: axis 0 of x [3,2] has 3, axis 0 of y [4,2] has 4 (broadcast them first)',
    )
    expect(() => dotGeneral(zeros([3, 5]), zeros([4, 2]), { contracting: [[1], [0]], batch: [[], []] })).toThrow(
      'dotGeneral: cannot contract [3,5] with [4,2]: 5 ≠ 4 (axis 1 of x against axis 0 of y)',
    )
  })
})
