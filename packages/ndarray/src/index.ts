/**
 * `@nabla/ndarray` — immutable n-dimensional arrays: creation, keyed random numbers,
 * NumPy-broadcasting element-wise ops, reductions, shape ops, slicing, printing and
 * pytrees. Every op goes through the primitive/`bind` core (see `@nabla/ndarray/core`),
 * so transforms such as `grad` can trace it.
 * @module @nabla/ndarray
 */
import './kernels/all.js'
import { NDArray } from './ndarray.js'
import { format } from './print.js'
import { Tracer } from './trace.js'

export { type DType, dtypes, isDType, promoteTypes, type TypedArray } from './dtype.js'
export { dual } from './dual.js'
export { fuse } from './fuse.js'
export { isNDArray, NDArray } from './ndarray.js'
export {
  arange,
  array,
  type CreateOptions,
  eye,
  full,
  item,
  linspace,
  type NestedArray,
  ones,
  toArray,
  toTypedArray,
  zeros,
} from './ops/create.js'
export {
  abs,
  add,
  cast,
  clip,
  cos,
  div,
  equal,
  exp,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  maximum,
  minimum,
  mul,
  neg,
  notEqual,
  type Operand,
  pow,
  sign,
  sin,
  sqrt,
  square,
  sub,
  tanh,
  where,
} from './ops/elementwise.js'
export { concat, pad, scatterAdd, stack } from './ops/join.js'
export {
  avgPool2d,
  maxPool2d,
  type Padding,
  type Pool2dOptions,
  type WindowGeometry,
  windowGeometry,
  windowViews,
} from './ops/pool.js'
export { type ArgOptions, argmax, argmin, max, mean, min, type ReduceOptions, sum } from './ops/reduce.js'
export { broadcastTo, expandDims, flatten, reshape, squeeze, transpose } from './ops/shape.js'
export { type SliceSpec, slice, take } from './ops/slice.js'
export { type FormatOptions, format, str } from './print.js'
export {
  bernoulli,
  type Key,
  key,
  type NormalOptions,
  normal,
  permutation,
  split,
  type UniformOptions,
  uniform,
} from './random.js'
export { broadcastShapes, type Shape, sizeOf } from './shape.js'
export {
  type Tree,
  type TreeDef,
  treeDefEqual,
  treeFlatten,
  treeLeaves,
  treeMap,
  treeUnflatten,
} from './tree.js'

// console.log / util.inspect show the values, not the internals.
Object.defineProperty(NDArray.prototype, Symbol.for('nodejs.util.inspect.custom'), {
  value(this: NDArray): string {
    const head = `NDArray<${this.dtype}> [${this.shape.join(', ')}]`
    return this instanceof Tracer ? `${head} (traced)` : `${head}\n${format(this)}`
  },
})
