/** Every error a user can cause names the op, what was expected and what was given; nothing is clipped or coerced. */
import {
  add,
  arange,
  argmax,
  argmin,
  array,
  broadcastTo,
  cast,
  clip,
  concat,
  expandDims,
  format,
  full,
  item,
  key,
  max,
  maximum,
  mean,
  min,
  type NDArray,
  normal,
  ones,
  permutation,
  reshape,
  slice,
  split,
  squeeze,
  stack,
  str,
  sum,
  take,
  toArray,
  toTypedArray,
  transpose,
  uniform,
  where,
  zeros,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { record } from './recorder.js'

/** Asserts that `f` throws an error of class `kind` whose message matches every pattern. */
const throws = (f: () => unknown, kind: ErrorConstructor, ...patterns: RegExp[]): void => {
  let error: unknown
  try {
    f()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(kind)
  for (const p of patterns) expect((error as Error).message).toMatch(p)
}

const x = zeros([2, 3])
const dtypeList = /expected one of bool, uint8, int32, float32, float64/

describe('shapes', () => {
  it('incompatible broadcast names the op and both shapes', () => {
    throws(() => add(x, zeros([4])), RangeError, /^add: cannot broadcast shapes \[2,3\] and \[4\]/, /3 ≠ 4/)
    throws(
      () => maximum(zeros([64, 3, 32, 10]), zeros([3, 10])),
      RangeError,
      /^maximum: cannot broadcast shapes \[64,3,32,10\] and \[3,10\]: axis -2 has 32 ≠ 3/,
    )
    throws(
      () => where(array([true, false]), zeros([3]), 1),
      RangeError,
      /^where: cannot broadcast shapes \[2\] and \[3\]/,
    )
    throws(() => broadcastTo(x, [3, 3]), RangeError, /^broadcastTo: cannot broadcast shape \[2,3\] to \[3,3\]/)
  })

  it('reshape to a different size gives both shapes and sizes', () => {
    throws(
      () => reshape(x, [4]),
      RangeError,
      /^reshape: cannot reshape \[2,3\] \(6 elements\) into \[4\] \(4 elements\)/,
    )
    throws(
      () => reshape(x, [4, -1]),
      RangeError,
      /^reshape: cannot infer -1 in \[4,-1\] for 6 elements of shape \[2,3\]/,
    )
    throws(() => reshape(x, [2.5, 2]), RangeError, /^reshape: a shape must be a list of non-negative integers/, /2\.5/)
  })

  it('reshape with two -1s', () => {
    throws(() => reshape(x, [-1, -1]), RangeError, /^reshape: only one extent may be -1, got \[-1,-1\]/)
  })

  it('a bad permutation names the axes and the shape', () => {
    throws(
      () => transpose(x, [0, 0]),
      RangeError,
      /^transpose: \[0,0\] is not a permutation of the 2 axes of shape \[2,3\]/,
    )
    throws(() => transpose(x, [1]), RangeError, /^transpose: \[1\] is not a permutation of the 2 axes/)
  })

  it('squeeze of an axis that is not 1', () => {
    throws(() => squeeze(zeros([2, 1]), 0), RangeError, /^squeeze: axis 0 of shape \[2,1\] has size 2, expected 1/)
  })

  it('concat and stack with mismatched shapes name the offending array and both shapes', () => {
    throws(
      () => concat([x, zeros([2, 4])]),
      RangeError,
      /^concat: array 1 has shape \[2,4\], incompatible with \[2,3\] outside axis 0/,
    )
    throws(() => concat([x, zeros([2])]), RangeError, /^concat: array 1 has shape \[2\]/)
    throws(() => concat([]), RangeError, /^concat: expected a non-empty list of arrays/)
    throws(() => stack([x, zeros([3, 2])]), RangeError, /^stack: array 1 has shape \[3,2\], expected \[2,3\]/)
  })
})

describe('indices and axes', () => {
  it('an out-of-range slice index or range end is an error, never clipped', () => {
    throws(() => slice(x, 2), RangeError, /^slice: index 2 is out of range for axis 0 of length 2 \(expected -2…1\)/)
    throws(() => slice(x, -3), RangeError, /^slice: index -3 is out of range for axis 0 of length 2/)
    // NumPy would clip these; here they fail
    throws(
      () => slice(arange(5), [0, 6]),
      RangeError,
      /^slice: stop 6 is out of range for axis 0 of length 5 \(expected -5…5\)/,
    )
    throws(() => slice(x, null, [-4, 2]), RangeError, /^slice: start -4 is out of range for axis 1 of length 3/)
    throws(() => slice(x, 0, 0, 0), RangeError, /^slice: 3 index specs given for an array of rank 2 \(shape \[2,3\]\)/)
    throws(() => slice(x, [0, 2, 0]), RangeError, /^slice: step on axis 0 must be a non-zero integer, got 0/)
    throws(
      () => slice(x, 'a' as never),
      TypeError,
      /^slice: spec for axis 0 must be a number, null or \[start, stop, step\?\], got "a"/,
    )
  })

  it('an out-of-range axis names the op, the axis, the rank and the valid range', () => {
    const ops: [string, () => unknown][] = [
      ['sum', () => sum(x, { axis: 2 })],
      ['mean', () => mean(x, { axis: 2 })],
      ['max', () => max(x, { axis: 2 })],
      ['min', () => min(x, { axis: 2 })],
      ['argmax', () => argmax(x, { axis: 2 })],
      ['argmin', () => argmin(x, { axis: 2 })],
      ['take', () => take(x, [0], 2)],
      ['concat', () => concat([x, x], 2)],
    ]
    for (const [op, f] of ops) {
      throws(f, RangeError, new RegExp(`^${op}: axis 2 is out of range for an array of rank 2 \\(expected -2…1\\)`))
    }
    throws(() => sum(x, { axis: -3 }), RangeError, /^sum: axis -3 is out of range/)
    throws(() => sum(x, { axis: [0, -2] }), RangeError, /^sum: repeated axis in \[0,-2\]/)
    throws(
      () => expandDims(x, 3),
      RangeError,
      /^expandDims: axis 3 is out of range for an array of rank 3 \(expected -3…2\)/,
    )
    throws(() => squeeze(zeros([2, 1]), 2), RangeError, /^squeeze: axis 2 is out of range for an array of rank 2/)
  })

  it('reductions name a misspelt or unknown option instead of ignoring it', () => {
    const x = zeros([2, 3])
    throws(
      () => sum(x, { axis: 1, keepdims: true } as never),
      TypeError,
      /^sum: unknown option "keepdims" \(did you mean "keepDims"\?\); the options are axis, keepDims$/,
    )
    throws(
      () => mean(x, { axes: [0] } as never),
      TypeError,
      /^mean: unknown option "axes"; the options are axis, keepDims$/,
    )
    throws(() => argmax(x, { keepDims: 1 } as never), TypeError, /^argmax: keepDims must be true or false, got 1$/)
    throws(
      () => min(x, 'all' as never),
      TypeError,
      /^min: options must be a record such as \{ axis, keepDims \}, got all$/,
    )
    expect(sum(x, { axis: 1, keepDims: true }).shape).toEqual([2, 1])
  })

  it('reductions over an empty axis have no identity', () => {
    throws(() => max(zeros([0, 2]), { axis: 0 }), RangeError, /^max: cannot reduce an empty axis of shape \[0,2\]/)
    throws(() => argmin(zeros([0])), RangeError, /^argmin: cannot search an empty axis of shape \[0\]/)
  })

  it('take with an out-of-range, fractional or non-integer index', () => {
    throws(() => take(x, [0, 2]), RangeError, /^take: index 2 is out of range for axis 0 of length 2 \(shape \[2,3\]\)/)
    throws(() => take(x, [-3]), RangeError, /^take: index -3 is out of range/)
    throws(() => take(x, [0.5]), TypeError, /^take: indices must be integers/, /got 0\.5/)
    throws(() => take(x, array([0, 1])), TypeError, /^take: indices must be int32 \(or uint8\), got float32/)
  })
})

describe('dtypes and values', () => {
  it('an unknown dtype names the op, what was given and the valid dtypes', () => {
    const bad = 'float16' as never
    throws(() => array([1], { dtype: bad }), TypeError, /^array: unknown dtype "float16"/, dtypeList)
    throws(() => zeros([1], { dtype: bad }), TypeError, /^zeros: unknown dtype "float16"/, dtypeList)
    throws(() => ones([1], { dtype: bad }), TypeError, /^ones: unknown dtype "float16"/, dtypeList)
    throws(() => full([1], 2, { dtype: bad }), TypeError, /^full: unknown dtype "float16"/, dtypeList)
    throws(() => cast(x, bad), TypeError, /^cast: unknown dtype "float16"/, dtypeList)
    throws(
      () => uniform(key(0), [2], { dtype: 'int32' as never }),
      TypeError,
      /^uniform: dtype must be float32 or float64, got int32/,
    )
  })

  it('ragged nested input says where, what was expected and what was found', () => {
    throws(
      () => array([[1, 2], [3]]),
      RangeError,
      /^array: ragged nested input: at \[1\] expected a list of length 2 \(shape \[2,2\]\), got a list of length 1/,
    )
    throws(
      () => array([[1, 2], 3] as never),
      RangeError,
      /^array: ragged nested input: at \[1\] expected a list of length 2/,
      /got number/,
    )
    throws(
      () => array([1, [2]] as never),
      TypeError,
      /^array: ragged nested input: at \[1\] expected a number, got a list/,
    )
    throws(
      () => array([1, 'a'] as never),
      TypeError,
      /^array: ragged nested input: at \[1\] expected a number, got string/,
    )
    throws(
      () => array([1, 2, 3], { shape: [2, 2] }),
      RangeError,
      /^array: cannot lay out 3 elements in shape \[2,2\] \(4 elements\)/,
    )
  })

  it('bad shapes for creation', () => {
    throws(() => zeros([2, -1]), RangeError, /^zeros: a shape must be a list of non-negative integers; got \[2,-1\]/)
    throws(() => full([1.5], 0), RangeError, /^full: a shape must be a list of non-negative integers; got \[1\.5\]/)
  })

  it('wrong argument types name the op and what was given', () => {
    throws(() => add(x, 'a' as never), TypeError, /^add: expected an NDArray or a number, got string/)
    throws(
      () => add(x, [1] as never),
      TypeError,
      /^add: expected an NDArray or a number, got a JS array \(wrap it with array\(\)\)/,
    )
    throws(() => sum([1, 2] as never), TypeError, /^sum: expected an NDArray, got object/)
    throws(() => mean(3 as never), TypeError, /^mean: expected an NDArray, got number/)
    throws(() => item(x), RangeError, /^item: expected an array with exactly one element, got shape \[2,3\]/)
    throws(() => clip(x, 2, 1), RangeError, /^clip: lower bound 2 is above upper bound 1/)
  })

  it('a JS number an integer dtype cannot hold is not wrapped', () => {
    const big = add(array([1], { dtype: 'int32' }), 2 ** 31)
    expect(big.dtype).toBe('float32')
    expect(toArray(big)).toEqual([2 ** 31])
    expect(toArray(add(array([1], { dtype: 'uint8' }), 300))).toEqual([301])
  })
})

describe('random', () => {
  it('a NaN, fractional or non-number seed is refused', () => {
    throws(() => key(Number.NaN), RangeError, /^key: the seed must be a safe integer, got NaN/)
    throws(() => key(1.5), RangeError, /^key: the seed must be a safe integer, got 1\.5/)
    throws(() => key(2 ** 53), RangeError, /^key: the seed must be a safe integer, got 9007199254740992/)
    throws(() => key('1' as never), RangeError, /^key: the seed must be a safe integer, got string "1"/)
  })

  it('bad keys, counts and distribution parameters', () => {
    throws(
      () => uniform({} as never, [2]),
      TypeError,
      /^uniform: expected a key made by key\(seed\) or split\(key\), got object/,
    )
    throws(() => split(key(0), 0), RangeError, /^split: n must be a positive integer, got 0/)
    throws(
      () => uniform(key(0), [2], { minval: 1, maxval: 0 }),
      RangeError,
      /^uniform: expected finite minval < maxval, got minval 1 and maxval 0/,
    )
    throws(
      () => normal(key(0), [2], { stddev: -1 }),
      RangeError,
      /^normal: expected a finite mean and stddev ≥ 0, got mean 0 and stddev -1/,
    )
    throws(() => permutation(key(0), -1), RangeError, /^permutation: n must be an integer in 0…2³¹−1, got -1/)
  })
})

describe('traced arrays', () => {
  it('reading the values of a traced array is a clear error, naming the reader and the shape', () => {
    const readers: [string, (t: NDArray) => unknown][] = [
      ['toArray', toArray],
      ['toTypedArray', toTypedArray],
      ['item', item],
      ['str', str],
      ['format', format],
    ]
    for (const [name, read] of readers) {
      let error: unknown
      record((t) => {
        try {
          read(t)
        } catch (e) {
          error = e
        }
        return t
      }, x)
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).toMatch(
        new RegExp(
          `^${name}: cannot read the values of a traced array \\(shape \\[2,3\\], float32\\) inside a transform`,
        ),
      )
    }
  })
})
