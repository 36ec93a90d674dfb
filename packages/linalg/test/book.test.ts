// The book's section 2.3.3 (tensor dot) and 2.3.5 (geometric interpretation), example by example.

import { arange, array, item, reshape, toArray, zeros } from '@nabla/ndarray'
import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, it } from 'vitest'
import { dot, matmul } from '../src/index.js'

// The book's R loops, transcribed (0-based), on nested JS arrays.
const naiveVectorDot = (x: number[], y: number[]): number => {
  let z = 0
  for (let i = 0; i < x.length; i++) z += (x[i] as number) * (y[i] as number)
  return z
}
const naiveMatrixVectorDot = (x: number[][], y: number[]): number[] => x.map((row) => naiveVectorDot(row, y))
const naiveMatrixDot = (x: number[][], y: number[][]): number[][] =>
  x.map((row) =>
    (y[0] ?? []).map((_, j) =>
      naiveVectorDot(
        row,
        y.map((r) => r[j] as number),
      ),
    ),
  )

const x2 = [
  [1, 2, 3],
  [4, 5, 6],
]
const y2 = [
  [7, 8],
  [9, 10],
  [11, 12],
]

describe('2.3.3 tensor dot', () => {
  it('vector · vector is a scalar (rank 0): naive_vector_dot', () => {
    const z = dot(array([1, 2, 3]), array([4, 5, 6]))
    expect(z.shape).toEqual([])
    expect(item(z)).toBe(naiveVectorDot([1, 2, 3], [4, 5, 6]))
    expect(item(z)).toBe(32)
  })

  it('matrix · vector is a vector of the rows of x dotted with y: naive_matrix_vector_dot', () => {
    const z = dot(array(x2), array([1, -1, 2]))
    expect(z.shape).toEqual([2])
    expect(toArray(z)).toEqual(naiveMatrixVectorDot(x2, [1, -1, 2]))
  })

  it('matrix · matrix when ncol(x) == nrow(y) has shape (nrow(x), ncol(y)): naive_matrix_dot', () => {
    const z = dot(array(x2), array(y2))
    expect(z.shape).toEqual([2, 2])
    expect(toArray(z)).toEqual(naiveMatrixDot(x2, y2))
    expect(toArray(z)).toEqual([
      [58, 64],
      [139, 154],
    ])
  })

  it('vector · matrix contracts the vector with the rows of the matrix', () => {
    const z = dot(array([1, 2, 3]), array(y2))
    expect(z.shape).toEqual([2])
    expect(toArray(z)).toEqual(naiveMatrixDot([[1, 2, 3]], y2)[0])
  })

  it('matrix · matrix with ncol(x) ≠ nrow(y) is an error', () => {
    expect(() => dot(zeros([3, 5]), zeros([4, 2]))).toThrow('dot: cannot contract [3,5] with [4,2]: 5 ≠ 4')
  })

  it('(a, b, c, d) · (d) → (a, b, c)', () => {
    const x = reshape(arange(2 * 3 * 4 * 5), [2, 3, 4, 5])
    const y = arange(5)
    const z = dot(x, y)
    expect(z.shape).toEqual([2, 3, 4])
    // each entry is the dot product of one innermost row of x with y
    const rows = toArray(reshape(x, [24, 5])) as number[][]
    expect(toArray(reshape(z, [24]))).toEqual(naiveMatrixVectorDot(rows, [0, 1, 2, 3, 4]))
  })

  it('(a, b, c, d) · (d, e) → (a, b, c, e)', () => {
    const x = reshape(arange(2 * 3 * 4 * 5), [2, 3, 4, 5])
    const y = reshape(arange(5 * 6), [5, 6])
    const z = dot(x, y)
    expect(z.shape).toEqual([2, 3, 4, 6])
    const rows = toArray(reshape(x, [24, 5])) as number[][]
    expect(toArray(reshape(z, [24, 6]))).toEqual(naiveMatrixDot(rows, toArray(y) as number[][]))
  })

  it('x · y ≠ y · x as soon as one operand has more than one axis', () => {
    const x = array([
      [1, 2],
      [3, 4],
    ])
    const y = array([
      [0, 1],
      [1, 0],
    ])
    expect(toArray(dot(x, y))).toEqual([
      [2, 1],
      [4, 3],
    ])
    expect(toArray(dot(y, x))).toEqual([
      [3, 4],
      [1, 2],
    ])
    // and for a matrix and a vector, y·x contracts the other axis
    const v = array([1, 10])
    expect(toArray(dot(x, v))).toEqual([21, 43])
    expect(toArray(dot(v, x))).toEqual([31, 42])
  })

  it('is data-last too: pipe(x, dot(y))', () => {
    expect(toArray(pipe(array(x2), dot(array(y2))))).toEqual(toArray(dot(array(x2), array(y2))))
    expect(toArray(pipe(array(x2), matmul(array(y2))))).toEqual(toArray(dot(array(x2), array(y2))))
  })
})

describe('2.3.5 geometric interpretation', () => {
  it('rotates a 2-D vector by θ with R = [[cos θ, −sin θ], [sin θ, cos θ]]', () => {
    for (const theta of [0, Math.PI / 6, Math.PI / 2, 2, -3]) {
      const c = Math.cos(theta)
      const s = Math.sin(theta)
      const R = array(
        [
          [c, -s],
          [s, c],
        ],
        { dtype: 'float64' },
      )
      const A = array([0.5, 1.0], { dtype: 'float64' })
      const rotated = dot(R, A)
      expect(rotated).toBeAllClose([0.5 * c - 1.0 * s, 0.5 * s + 1.0 * c], { rtol: 0, atol: 1e-15 })
      // a rotation keeps lengths
      expect(Math.hypot(...(toArray(rotated) as number[]))).toBeCloseTo(Math.hypot(0.5, 1.0), 14)
    }
  })

  it('R·(π/2) sends [1, 0] to [0, 1]; its columns are u = [cos θ, sin θ] and v = [−sin θ, cos θ]', () => {
    const t = Math.PI / 2
    const R = array([
      [Math.cos(t), -Math.sin(t)],
      [Math.sin(t), Math.cos(t)],
    ])
    expect(dot(R, array([1, 0]))).toBeAllClose([0, 1], { atol: 1e-7 })
    expect(dot(R, array([0, 1]))).toBeAllClose([-1, 0], { atol: 1e-7 })
  })
})
