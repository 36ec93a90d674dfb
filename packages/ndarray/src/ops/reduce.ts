/** Reductions over one, several or all axes, with `keepDims`: sum, mean, max, min, argmax, argmin. */
import { floatType, isFloat } from '../dtype.js'
import { dual } from '../dual.js'
import { NDArray } from '../ndarray.js'
import { normalizeAxes, normalizeAxis, showShape } from '../shape.js'
import { bind } from '../trace.js'
import { checkOptions } from './checkOptions.js'
import { cast, div, neg } from './elementwise.js'

/**
 * Which axes to reduce (all when omitted) and whether to keep them as size 1.
 * @category Reductions
 * @example
 * const options: ReduceOptions = { axis: [0, 1], keepDims: true }
 * const x = reshape(arange(8), [2, 2, 2])
 * sum(x, options).shape          // → [1, 1, 2]
 * toArray(sum(x, options))       // → [[[12, 16]]]
 * toArray(max(x, { axis: -1 }))  // → [[1, 3], [5, 7]]
 */
export interface ReduceOptions {
  readonly axis?: number | readonly number[]
  readonly keepDims?: boolean
}

type Reduction = { (options?: ReduceOptions): (x: NDArray) => NDArray; (x: NDArray, options?: ReduceOptions): NDArray }

// data-last calls pass nothing or an options record; anything else is the data (so
// `sum([1, 2])` reports that it wants an NDArray instead of returning a function)
const isDataFirst = (args: readonly unknown[]): boolean =>
  args[0] instanceof NDArray ||
  (args[0] !== undefined && (typeof args[0] !== 'object' || args[0] === null || Array.isArray(args[0])))

const checkArray = (op: string, x: unknown): NDArray => {
  if (!(x instanceof NDArray)) throw new TypeError(`${op}: expected an NDArray, got ${typeof x}`)
  return x
}

const reduceOptions = ['axis', 'keepDims']

/** Shape with reduced axes put back as 1 (for keepDims). */
const keptShape = (shape: readonly number[], axes: readonly number[]): number[] =>
  shape.map((d, i) => (axes.includes(i) ? 1 : d))

const reduction =
  (op: string, prim: 'reduceSum' | 'reduceMax', emptyOk: boolean) =>
  (x: NDArray, options: ReduceOptions = {}): NDArray => {
    checkArray(op, x)
    checkOptions(op, options, reduceOptions, ['keepDims'])
    const { axis, keepDims = false } = options
    const axes = normalizeAxes(op, axis, x.rank)
    if (!emptyOk && axes.some((a) => x.shape[a] === 0)) {
      throw new RangeError(`${op}: cannot reduce an empty axis of shape ${showShape(x.shape)} (it has no identity)`)
    }
    const out = axes.length === 0 ? x : bind(prim, [x], { axes })
    return keepDims ? bind('reshape', [out], { shape: keptShape(x.shape, axes) }) : out
  }

const sumImpl = reduction('sum', 'reduceSum', true)
const maxImpl = reduction('max', 'reduceMax', false)
// min(x) = −max(−x); its own name so that its errors say `min`
const minImpl = reduction('min', 'reduceMax', false)

/**
 * Sum over `axis` (all axes when omitted). Integer sums are int32, accumulated exactly.
 * @category Reductions
 * @example
 * const x = array([[1, 2], [3, 4]])
 * toArray(sum(x, { axis: 0 }))                 // → [4, 6]
 * toArray(sum(x))                              // → 10
 * sum(x, { axis: 1, keepDims: true }).shape    // → [2, 1]
 * sum(arange(4)).dtype                         // → 'int32'
 */
export const sum: Reduction = dual(isDataFirst, sumImpl)

/**
 * Mean over `axis` (all axes when omitted); integer input gives float32.
 * @category Reductions
 * @example
 * toArray(mean(array([[1, 2], [3, 4]]), { axis: 1 })) // → [1.5, 3.5]
 * mean(arange(4)).dtype                               // → 'float32'
 */
export const mean: Reduction = dual(isDataFirst, (x: NDArray, options: ReduceOptions = {}): NDArray => {
  checkArray('mean', x)
  checkOptions('mean', options, reduceOptions, ['keepDims'])
  const axes = normalizeAxes('mean', options.axis, x.rank)
  const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1)
  const xf = isFloat(x.dtype) ? x : cast(x, floatType(x.dtype))
  return div(sumImpl(xf, options), count)
})

/**
 * Maximum over `axis` (all axes when omitted); NaN propagates.
 * @category Reductions
 * @example
 * toArray(max(array([[1, 5], [3, 4]]), { axis: 1 })) // → [5, 4]
 * toArray(max(array([1, NaN, 3])))                   // → NaN
 */
export const max: Reduction = dual(isDataFirst, maxImpl)

/**
 * Minimum over `axis` (all axes when omitted); NaN propagates.
 * @category Reductions
 * @example
 * toArray(min(array([[1, 5], [3, 4]])))              // → 1
 * toArray(min(array([[1, 5], [3, 4]]), { axis: 0 })) // → [1, 4]
 */
export const min: Reduction = dual(isDataFirst, (x: NDArray, options: ReduceOptions = {}): NDArray => {
  checkArray('min', x)
  checkOptions('min', options, reduceOptions, ['keepDims'])
  const m = neg(minImpl(neg(x), options))
  return m.dtype === x.dtype ? m : cast(m, x.dtype)
})

/**
 * Which axis to search (the flattened array when omitted) and whether to keep it as size 1.
 * @category Reductions
 * @example
 * const options: ArgOptions = { axis: 0, keepDims: true }
 * const x = array([[1, 9], [7, 2]])
 * toArray(argmax(x, options))    // → [[1, 0]]
 * toArray(argmax(x))             // → 1 // no axis: the index into the flattened array
 * argmax(x, { axis: [0, 1] } as never) // throws RangeError: axis
 */
export interface ArgOptions {
  readonly axis?: number
  readonly keepDims?: boolean
}

type ArgReduction = { (options?: ArgOptions): (x: NDArray) => NDArray; (x: NDArray, options?: ArgOptions): NDArray }

const argImpl =
  (op: string, flip: boolean) =>
  (x: NDArray, options: ArgOptions = {}): NDArray => {
    checkArray(op, x)
    checkOptions(op, options, reduceOptions, ['keepDims'])
    const { axis, keepDims = false } = options
    const src = flip ? neg(x) : x
    const flat = axis === undefined
    const y = flat ? bind('reshape', [src], { shape: [x.size] }) : src
    const a = flat ? 0 : normalizeAxis(op, axis, x.rank)
    if (y.shape[a] === 0) throw new RangeError(`${op}: cannot search an empty axis of shape ${showShape(x.shape)}`)
    const out = bind('argmax', [y], { axis: a })
    if (!keepDims) return out
    const shape = flat ? x.shape.map(() => 1) : keptShape(x.shape, [a])
    return bind('reshape', [out], { shape })
  }

/**
 * Index of the first maximum along `axis` (of the flattened array when omitted), as int32.
 * @category Reductions
 * @example
 * toArray(argmax(array([[1, 9, 3], [7, 2, 7]]), { axis: 1 })) // → [1, 0]
 * argmax(array([1, 2])).dtype                                // → 'int32'
 */
export const argmax: ArgReduction = dual(isDataFirst, argImpl('argmax', false))

/**
 * Index of the first minimum along `axis` (of the flattened array when omitted), as int32.
 * @category Reductions
 * @example
 * toArray(argmin(array([3, 1, 1]))) // → 1
 */
export const argmin: ArgReduction = dual(isDataFirst, argImpl('argmin', true))
