/** The traceable core: a trivial recording interpreter sees every primitive an ordinary array function applies. */
import {
  add,
  array,
  maximum,
  mean,
  mul,
  type NDArray,
  reshape,
  slice,
  sum,
  toArray,
  transpose,
  zeros,
} from '@nabla/ndarray'
import { Concrete, Tracer } from '@nabla/ndarray/core'
import { describe, expect, it } from 'vitest'
import { RecordingTracer, record } from './recorder.js'

// ordinary array code, written once: a broadcast multiply-add, a reshape, a slice, a relu, a sum
const f = (x: NDArray, y: NDArray): NDArray => {
  const z = add(mul(x, y), y)
  const r = reshape(z, [3, 2])
  const s = slice(r, [1, 3])
  return sum(maximum(s, 0), { axis: 0 })
}
const expected = ['mul', 'add', 'reshape', 'slice', 'maximum', 'reduceSum']

const x = array([
  [1, -2, 3],
  [-4, 5, -6],
])
const y = array([2, -1, 0.5])

describe('a recording interpreter', () => {
  it('records exactly the primitives the function applies, and still computes the right values', () => {
    const { out, log } = record(f, x, y)
    expect(log).toEqual(expected)
    expect(out).toBeInstanceOf(Concrete)
    expect(toArray(out)).toEqual(toArray(f(x, y)))
    // by hand: z = x·y + y = [[4, 1, 2], [-6, -6, -2.5]] → rows 1..2 of [[4, 1], [2, -6], [-6, -2.5]] → relu → sum
    expect(toArray(out)).toEqual([2, 0])
  })

  it('hands the function tracers that have a shape and dtype but no readable values', () => {
    const seen: NDArray[] = []
    record(
      (a, b) => {
        const z = add(a, b)
        seen.push(a, z)
        return z
      },
      x,
      y,
    )
    expect(seen.every((t) => t instanceof Tracer)).toBe(true)
    expect(seen.map((t) => [t.shape, t.dtype])).toEqual([
      [[2, 3], 'float32'],
      [[2, 3], 'float32'],
    ])
  })

  it('sees composite ops as the primitives they are made of', () => {
    expect(record((a) => mean(a, { axis: 1, keepDims: true }), x).log).toEqual(['reduceSum', 'reshape', 'div'])
    expect(record((a) => transpose(a), x).log).toEqual(['transpose'])
  })

  it('treats constants made inside the function as inputs of the recorded primitives', () => {
    const { out, log } = record((a) => maximum(add(a, zeros([3])), 0), x)
    expect(log).toEqual(['add', 'maximum'])
    expect(toArray(out)).toEqual([
      [1, 0, 3],
      [0, 5, 0],
    ])
  })

  it('nested at two levels, both interpreters see every op, in order', () => {
    let inner: readonly string[] = []
    const outer = record(
      (a, b) => {
        const r = record(f, a, b)
        inner = r.log
        // the inner level unwraps to the outer level's tracer, not to a concrete array
        expect(r.out).toBeInstanceOf(RecordingTracer)
        return r.out
      },
      x,
      y,
    )
    expect(inner).toEqual(expected)
    expect(outer.log).toEqual(expected)
    expect(toArray(outer.out)).toEqual([2, 0])
  })

  it('an op on tracers of the outer level only, inside the inner level, is seen by the outer one alone', () => {
    let innerLog: readonly string[] = []
    const outer = record((a) => {
      innerLog = record((b) => mul(b, 2), zeros([1])).log
      return add(a, 1)
    }, x)
    expect(innerLog).toEqual(['mul'])
    expect(outer.log).toEqual(['add'])
  })

  it('leaves the stack as it found it: afterwards ops evaluate eagerly and nothing is recorded', () => {
    const { log } = record(f, x, y)
    const after = f(x, y)
    expect(after).toBeInstanceOf(Concrete)
    expect(log).toEqual(expected)
    expect(() =>
      record(() => {
        throw new Error('boom')
      }),
    ).toThrow('boom')
    expect(add(x, 1)).toBeInstanceOf(Concrete)
  })

  it('a user error is thrown by the op before bind: nothing is recorded', () => {
    const { log } = record((a) => {
      expect(() => add(a, zeros([4]))).toThrow(/^add: cannot broadcast shapes \[2,3\] and \[4\]/)
      return a
    }, x)
    expect(log).toEqual([])
  })

  it('reading a tracer’s values is a clear error', () => {
    record((a) => {
      expect(() => toArray(a)).toThrow(
        /^toArray: cannot read the values of a traced array \(shape \[2,3\], float32\) inside a transform such as grad/,
      )
      return a
    }, x)
  })

  it('using a tracer as a JavaScript number is a clear error, not a silent NaN', () => {
    record((a) => {
      const message =
        /^cannot use a traced array \(shape \[2,3\], float32\) as a JavaScript number inside a transform such as grad or jit/
      expect(() => 1 + (a as unknown as number)).toThrow(message)
      expect(() => (a as unknown as number) > 0).toThrow(message)
      expect(() => Math.exp(a as unknown as number)).toThrow(message)
      expect(`${a}`).toBe('<a traced array (shape [2,3], float32)>')
      return a
    }, x)
  })
})
