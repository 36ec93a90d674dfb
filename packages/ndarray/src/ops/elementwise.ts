/** Element-wise ops with NumPy broadcasting: arithmetic, transcendental functions, comparisons, where, clip, cast. */
import { allocate, castScalar, checkDType, type DType, isFloat } from '../dtype.js'
import { dual } from '../dual.js'
import { Concrete, NDArray } from '../ndarray.js'
import type { Comparison, PrimitiveName } from '../primitive.js'
import { broadcastShapes } from '../shape.js'
import { bind } from '../trace.js'

/**
 * What element-wise ops accept: an array, or a JS number that takes the array's dtype when it fits.
 * @category Element-wise
 * @example
 * const x = array([1, 2], { dtype: 'int32' })
 * const ys: Operand[] = [array([10, 20], { dtype: 'int32' }), 3, 0.5]
 * ys.map((y) => toArray(add(x, y))) // → [[11, 22], [4, 5], [1.5, 2.5]]
 * ys.map((y) => add(x, y).dtype)    // → ['int32', 'int32', 'float32'] // 3 fits int32, 0.5 does not
 * add(x, [1, 2] as never)           // throws TypeError: a JS array (wrap it with array())
 */
export type Operand = NDArray | number

const describe = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'a JS array (wrap it with array())' : typeof x

/** A JS number as a 0-d array: the other operand's dtype when it holds the value exactly, else int32 or float32. */
const scalarFor = (op: string, v: number, other: DType | undefined): NDArray => {
  if (typeof v !== 'number') throw new TypeError(`${op}: expected an NDArray or a number, got ${describe(v)}`)
  let dtype: DType
  if (other !== undefined && (isFloat(other) || castScalar(other, v) === v)) dtype = other
  // an integer that int32 cannot hold goes to float32 rather than wrapping
  else dtype = castScalar('int32', v) === v && other !== undefined ? 'int32' : 'float32'
  const data = allocate(dtype, 1)
  data[0] = v
  return new Concrete(dtype, [], data)
}

const checkArray = (op: string, x: unknown, what = 'an NDArray'): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`${op}: expected ${what}, got ${describe(x)}`)
  return x
}

/** Both operands as arrays, after checking that their shapes broadcast. */
const operands = (op: string, x: Operand, y: Operand): [NDArray, NDArray] => {
  const a = x instanceof NDArray ? x : scalarFor(op, x, y instanceof NDArray ? y.dtype : undefined)
  const b = y instanceof NDArray ? y : scalarFor(op, y, a.dtype)
  broadcastShapes(op, a.shape, b.shape)
  return [a, b]
}

type Binary = { (y: Operand): (x: Operand) => NDArray; (x: Operand, y: Operand): NDArray }
type Unary = (x: NDArray) => NDArray

const binary = (prim: PrimitiveName & ('add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum')): Binary =>
  dual(2, (x: Operand, y: Operand) => bind(prim, operands(prim, x, y), {}))

const unary =
  (prim: PrimitiveName & ('neg' | 'sign' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'sin' | 'cos')): Unary =>
  (x) =>
    bind(prim, [checkArray(prim, x)], {})

/**
 * x + y, broadcasting.
 * @category Element-wise
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * toArray(add(array([[1, 2], [3, 4]]), array([10, 20]))) // → [[11, 22], [13, 24]]
 * toArray(pipe(array([1, 2]), add(1)))                 // → [2, 3]
 * add(zeros([2]), zeros([3]))                          // throws RangeError: add
 */
export const add: Binary = binary('add')
/**
 * x − y, broadcasting.
 * @category Element-wise
 * @example
 * toArray(sub(array([3, 4]), 1)) // → [2, 3]
 */
export const sub: Binary = binary('sub')
/**
 * x · y element-wise (not the dot product), broadcasting.
 * @category Element-wise
 * @example
 * toArray(mul(array([1, 2]), array([3, 4]))) // → [3, 8]
 */
export const mul: Binary = binary('mul')
/**
 * x / y, broadcasting; always floating point (integer images / 255 give float32).
 * @category Element-wise
 * @example
 * const d = div(array(new Uint8Array([0, 255])), 255)
 * toArray(d) // → [0, 1]
 * d.dtype    // → 'float32'
 */
export const div: Binary = binary('div')
/**
 * x ** y, broadcasting; floating point.
 * @category Element-wise
 * @example
 * toArray(pow(array([2, 3]), 2)) // → [4, 9]
 */
export const pow: Binary = binary('pow')
/**
 * Element-wise maximum (R's `pmax`), broadcasting; NaN propagates.
 * @category Element-wise
 * @example
 * const x = array([-1, 2, NaN])
 * toArray(maximum(x, 0)) // → [0, 2, NaN]
 */
export const maximum: Binary = binary('maximum')
/**
 * Element-wise minimum (R's `pmin`), broadcasting; NaN propagates.
 * @category Element-wise
 * @example
 * toArray(minimum(array([1, 5]), 3)) // → [1, 3]
 */
export const minimum: Binary = binary('minimum')

/**
 * −x. @example toArray(neg(array([1, -2]))) // → [-1, 2]
 * @category Element-wise
 */
export const neg: Unary = unary('neg')
/**
 * The sign of each element: −1, 0 or 1 (NaN stays NaN). @example toArray(sign(array([-3, 0, 2, NaN]))) // → [-1, 0, 1, NaN]
 * @category Element-wise
 */
export const sign: Unary = unary('sign')
/**
 * eˣ. @example toArray(exp(array([0, 1]))) // → [1, 2.7182817]
 * @category Element-wise
 */
export const exp: Unary = unary('exp')
/**
 * Natural logarithm. @example toArray(log(array([1, Math.E]))) // → [0, 1]
 * @category Element-wise
 */
export const log: Unary = unary('log')
/**
 * Square root. @example toArray(sqrt(array([4, 9]))) // → [2, 3]
 * @category Element-wise
 */
export const sqrt: Unary = unary('sqrt')
/**
 * Hyperbolic tangent. @example toArray(tanh(array([0, 1]))) // → [0, 0.7615942]
 * @category Element-wise
 */
export const tanh: Unary = unary('tanh')
/**
 * Sine. @example toArray(sin(array([0, Math.PI / 2]))) // → [0, 1]
 * @category Element-wise
 */
export const sin: Unary = unary('sin')
/**
 * Cosine. @example toArray(cos(array([0, Math.PI]))) // → [1, -1]
 * @category Element-wise
 */
export const cos: Unary = unary('cos')
/**
 * |x|, as x · sign(x). @example toArray(abs(array([-2, 3]))) // → [2, 3]
 * @category Element-wise
 */
export const abs: Unary = (x) => mul(x, sign(x))
/**
 * x². @example toArray(square(array([3, -2]))) // → [9, 4]
 * @category Element-wise
 */
export const square: Unary = (x) => mul(x, x)

const comparison = (op: Comparison): Binary =>
  dual(2, (x: Operand, y: Operand) => bind('compare', operands(op, x, y), { op }))

/**
 * x = y element-wise, as `bool`. @example toArray(equal(array([1, 2]), 2)) // → [false, true]
 * @category Element-wise
 */
export const equal: Binary = comparison('equal')
/**
 * x ≠ y element-wise, as `bool`. @example toArray(notEqual(array([1, 2]), 2)) // → [true, false]
 * @category Element-wise
 */
export const notEqual: Binary = comparison('notEqual')
/**
 * x > y element-wise, as `bool`. @example toArray(greater(array([1, 2]), 1)) // → [false, true]
 * @category Element-wise
 */
export const greater: Binary = comparison('greater')
/**
 * x ≥ y element-wise, as `bool`. @example toArray(greaterEqual(array([1, 2]), 2)) // → [false, true]
 * @category Element-wise
 */
export const greaterEqual: Binary = comparison('greaterEqual')
/**
 * x < y element-wise, as `bool`. @example toArray(less(array([1, 2]), 2)) // → [true, false]
 * @category Element-wise
 */
export const less: Binary = comparison('less')
/**
 * x ≤ y element-wise, as `bool`. @example toArray(lessEqual(array([1, 2]), 1)) // → [true, false]
 * @category Element-wise
 */
export const lessEqual: Binary = comparison('lessEqual')

/**
 * Chooses `x` where `condition` is true (non-zero) and `y` elsewhere, broadcasting all three.
 * @category Element-wise
 * @example
 * const x = array([-1, 2, -3])
 * toArray(where(greater(x, 0), x, 0)) // → [0, 2, 0] // relu again
 */
export const where = (condition: NDArray, x: Operand, y: Operand): NDArray => {
  const c = checkArray('where', condition, 'an NDArray condition')
  const [a, b] = operands('where', x, y)
  broadcastShapes('where', c.shape, broadcastShapes('where', a.shape, b.shape))
  return bind('where', [c, a, b], {})
}

/**
 * Limits values to [lo, hi] (either bound may be omitted with `undefined`).
 * @category Element-wise
 * @example
 * toArray(clip(array([-1, 0.5, 2]), 0, 1))         // → [0, 0.5, 1]
 * toArray(clip(array([-1, 0.5, 2]), undefined, 1)) // → [-1, 0.5, 1]
 * clip(array([1]), 1, 0)                           // throws RangeError: lower bound 1 is above upper bound 0
 */
export const clip: {
  (lo: Operand | undefined, hi: Operand | undefined): (x: NDArray) => NDArray
  (x: NDArray, lo: Operand | undefined, hi: Operand | undefined): NDArray
} = dual(3, (x: NDArray, lo: Operand | undefined, hi: Operand | undefined): NDArray => {
  if (lo !== undefined && hi !== undefined && typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
    throw new RangeError(`clip: lower bound ${lo} is above upper bound ${hi}`)
  }
  const low = lo === undefined ? checkArray('clip', x) : maximum(x, lo)
  return hi === undefined ? low : minimum(low, hi)
})

/**
 * Converts to another dtype: floats to integers truncate toward zero (C-like), any
 * non-zero (and NaN) becomes `true` as bool.
 * @category Data types
 * @example
 * toArray(cast(array([1.7, -1.7]), 'int32')) // → [1, -1]
 * toArray(cast(array([0, 2, NaN]), 'bool'))  // → [false, true, true]
 */
export const cast: { (dtype: DType): (x: NDArray) => NDArray; (x: NDArray, dtype: DType): NDArray } = dual(
  2,
  (x: NDArray, dtype: DType): NDArray => {
    checkArray('cast', x)
    checkDType('cast', dtype)
    return x.dtype === dtype ? x : bind('cast', [x], { dtype })
  },
)
