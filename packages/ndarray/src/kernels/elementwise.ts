/** Evaluation rules of the element-wise primitives: broadcasting strided loops over typed arrays. */
import { allocate, arithmeticType, type DType, floatType, promoteTypes, type TypedArray } from '../dtype.js'
import { Concrete } from '../ndarray.js'
import type { Comparison, PrimitiveName } from '../primitive.js'
import { broadcastShapes, contiguousStrides, type Shape, sizeOf } from '../shape.js'
import { registerImpl } from '../trace.js'
import { runLoop, type StridedView } from './loop.js'
import type { SimdKind } from './simdLoop.js'

/**
 * A fresh zero-filled contiguous array.
 * @category Kernels
 * @example
 * const z = fresh('float32', [2, 3])
 * z.strides  // → [3, 1]
 * toArray(z) // → [[0, 0, 0], [0, 0, 0]]
 */
export const fresh = (dtype: DType, shape: Shape): Concrete =>
  new Concrete(dtype, shape, allocate(dtype, sizeOf(shape)))

/**
 * A contiguous array whose contents the caller will overwrite (see `allocate`'s `zero`): for a kernel that writes
 * every element, so the clearing is not paid twice.
 * @category Kernels
 * @example
 * const out = blank('float32', [2, 2]) // its contents are whatever the kernel writes next
 * out.data.set([1, 2, 3, 4])
 * toArray(out) // → [[1, 2], [3, 4]]
 */
export const blank = (dtype: DType, shape: Shape): Concrete =>
  new Concrete(dtype, shape, allocate(dtype, sizeOf(shape), false))

/**
 * `x` seen with the shape `shape` it broadcasts to: stride 0 along new and unit axes.
 * @category Kernels
 * @example
 * import { broadcastView } from './elementwise.js'
 * broadcastView(concrete('bias', zeros([512])), [128, 512]).strides // → [0, 1] // a new leading axis
 * broadcastView(concrete('column', zeros([128, 1])), [128, 512]).strides // → [1, 0] // a unit axis
 */
export const broadcastView = (x: Concrete, shape: Shape): StridedView => {
  const lead = shape.length - x.rank
  const strides = shape.map((d, i) => (i < lead || x.shape[i - lead] !== d ? 0 : (x.strides[i - lead] as number)))
  return { data: x.data, offset: x.offset, strides }
}

const outView = (x: Concrete): StridedView => ({ data: x.data, offset: 0, strides: contiguousStrides(x.shape) })

/**
 * Runs `body` over inputs broadcast together into a fresh array of `dtype`.
 * @category Kernels
 * @example
 * import { mapInto } from './elementwise.js'
 * const x = concrete('x', array([[-1, 2], [3, -4]]))
 * toArray(mapInto('float32', '$o = x0 > 0 ? x0 : 0', [x], 'relu')) // → [[0, 2], [3, 0]] // relu in one loop
 * toArray(mapInto('float32', '$o = x0 + x1', [x, concrete('bias', array([10, 20]))], 'add')) // → [[9, 22], [13, 16]]
 */
export const mapInto = (dtype: DType, body: string, inputs: readonly Concrete[], op: string): Concrete => {
  let shape: Shape = inputs[0]?.shape ?? []
  for (const x of inputs.slice(1)) shape = broadcastShapes(op, shape, x.shape)
  const out = blank(dtype, shape) // the loop writes every element
  runLoop(
    body,
    shape,
    outView(out),
    inputs.map((x) => broadcastView(x, shape)),
    simdKinds[op],
  )
  return out
}

/** The WebAssembly SIMD kernel of each primitive (or comparison) that has one, by its name. */
const simdKinds: Readonly<Partial<Record<string, SimdKind>>> = {
  add: 'add',
  sub: 'sub',
  mul: 'mul',
  div: 'div',
  equal: 'eq',
  notEqual: 'ne',
  less: 'lt',
  greater: 'gt',
  lessEqual: 'le',
  greaterEqual: 'ge',
}

/**
 * A contiguous copy of `x` (or `x` itself when it already is one from offset 0 on).
 * @category Kernels
 * @example
 * const t = concrete('dot', transpose(reshape(arange(6), [2, 3])))
 * t.contiguous                    // → false
 * const m = materialize(t)        // a row-major copy
 * m.contiguous                    // → true
 * Array.from(m.data)              // → [0, 3, 1, 4, 2, 5]
 * materialize(t, 'float64').dtype // → 'float64'
 * materialize(m) === m            // → true // already contiguous: no copy
 */
export const materialize = (x: Concrete, dtype: DType = x.dtype): Concrete =>
  x.contiguous && x.offset === 0 && dtype === x.dtype && x.data.length === x.size
    ? x
    : mapInto(dtype, '$o = x0', [x], 'copy')

type ElementwiseName = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
type UnaryName = 'neg' | 'sign' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'sin' | 'cos'

/**
 * The loop body of each binary arithmetic primitive, as JavaScript: `$o` is the output element, `x0` and `x1`
 * the operands' elements (the element-wise kernels, `fuse` and the cluster kernels share them).
 * @category Kernels
 */
export const binaryBodies: Record<ElementwiseName, string> = {
  add: '$o = x0 + x1',
  sub: '$o = x0 - x1',
  mul: '$o = x0 * x1',
  div: '$o = x0 / x1',
  pow: '$o = x0 ** x1',
  // NaN propagates, as in NumPy's maximum/minimum
  maximum: '$o = x0 > x1 || x0 !== x0 ? x0 : x1',
  minimum: '$o = x0 < x1 || x0 !== x0 ? x0 : x1',
}

/**
 * The loop body of each unary element-wise primitive, as JavaScript: `$o` is the output element, `x0` the input's.
 * @category Kernels
 */
export const unaryBodies: Record<UnaryName, string> = {
  neg: '$o = -x0',
  sign: '$o = x0 > 0 ? 1 : x0 < 0 ? -1 : x0',
  exp: '$o = Math.exp(x0)',
  log: '$o = Math.log(x0)',
  sqrt: '$o = Math.sqrt(x0)',
  tanh: '$o = Math.tanh(x0)',
  sin: '$o = Math.sin(x0)',
  cos: '$o = Math.cos(x0)',
}

// `+(a > b)` rather than `a > b ? 1 : 0`: V8 turns the unary plus into a flag read (setcc), the
// conditional into a jump, which activations' random signs mispredict half the time (10× slower).
/**
 * The loop body of each comparison of the `compare` primitive, as JavaScript: `$o` is 1 where it holds, else 0.
 * @category Kernels
 */
export const compareBodies: Record<Comparison, string> = {
  equal: '$o = +(x0 === x1)',
  notEqual: '$o = +(x0 !== x1)',
  greater: '$o = +(x0 > x1)',
  greaterEqual: '$o = +(x0 >= x1)',
  less: '$o = +(x0 < x1)',
  lessEqual: '$o = +(x0 <= x1)',
}

/**
 * The dtype each element-wise primitive produces from its inputs' dtypes: arithmetic in
 * the promoted type (8-bit and bool widened to int32), division and transcendental
 * functions in floating point, comparisons in bool.
 * @category Kernels
 * @example
 * import { resultType } from './elementwise.js'
 * resultType('add', ['uint8', 'uint8'])         // → 'int32'
 * resultType('div', ['int32', 'int32'])         // → 'float32'
 * resultType('compare', ['float32', 'float32']) // → 'bool'
 */
export const resultType = (prim: PrimitiveName, dtypes: readonly DType[]): DType => {
  const joined = dtypes.reduce(promoteTypes)
  switch (prim) {
    case 'div':
    case 'pow':
    case 'exp':
    case 'log':
    case 'sqrt':
    case 'tanh':
    case 'sin':
    case 'cos':
      return floatType(joined)
    case 'maximum':
    case 'minimum':
      return joined
    case 'compare':
      return 'bool'
    default:
      return arithmeticType(joined)
  }
}

const mapped = [...Object.entries(binaryBodies), ...Object.entries(unaryBodies)] as [
  ElementwiseName | UnaryName,
  string,
][]
for (const [name, body] of mapped) {
  registerImpl(name, (xs) =>
    mapInto(
      resultType(
        name,
        xs.map((x) => x.dtype),
      ),
      body,
      xs,
      name,
    ),
  )
}
registerImpl('compare', (xs, { op }) => mapInto('bool', compareBodies[op], xs, op))
registerImpl('where', ([c, x, y]) => {
  const [cond, a, b] = [c, x, y] as Concrete[] as [Concrete, Concrete, Concrete]
  const dtype = promoteTypes(a.dtype, b.dtype)
  if (cond.dtype === 'bool' && a.dtype === dtype && b.dtype === dtype && (dtype === 'float32' || dtype === 'int32')) {
    return selectBits(cond, a, b, dtype)
  }
  return mapInto(dtype, '$o = x0 ? x1 : x2', [cond, a, b], 'where')
})
registerImpl('cast', ([x], { dtype }) =>
  mapInto(dtype, dtype === 'bool' ? '$o = +(x0 !== 0)' : '$o = x0', [x as Concrete], 'cast'),
)

const int32View = (data: TypedArray): Int32Array => new Int32Array(data.buffer, data.byteOffset, data.length)

/**
 * `where` for a bool condition over 4-byte elements, without a branch: the condition c ∈ {0, 1} becomes the
 * mask −c (all ones or all zeros) that picks x's or y's bits, so NaN payloads and −0 pass through unchanged.
 * A conditional here is a jump that the random signs of activations mispredict half the time (relu's forward
 * and backward pass ran 9× slower).
 */
const selectBits = (cond: Concrete, x: Concrete, y: Concrete, dtype: 'float32' | 'int32'): Concrete => {
  const shape: Shape = broadcastShapes('where', cond.shape, broadcastShapes('where', x.shape, y.shape))
  const out = blank(dtype, shape) // the loop writes every element
  const bits = (z: Concrete): StridedView => ({ ...broadcastView(z, shape), data: int32View(z.data) })
  runLoop(
    '$o = (x1 & -x0) | (x2 & ~-x0)',
    shape,
    { ...outView(out), data: int32View(out.data) },
    [broadcastView(cond, shape), bits(x), bits(y)],
    'select',
  )
  return out
}
