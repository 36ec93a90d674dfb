/**
 * Shape rules: what each primitive produces — shape and dtype — from what it is given, without any values. A
 * staging trace (`jit`'s) needs one per primitive to type the program it records; evaluation rules
 * (`registerImpl`) compute the same thing from concrete arrays, and the two must agree.
 */
import { arithmeticType, type DType, promoteTypes } from './dtype.js'
import { resultType } from './kernels/elementwise.js'
import type { Params, PrimitiveName } from './primitive.js'
import { broadcastShapes, type Shape } from './shape.js'

/**
 * The abstract value of an array: its shape and dtype, no data.
 * @category Primitives
 * @example
 * const x: ShapedArray = zeros([2, 3], { dtype: 'int32' }) // an NDArray is one; so is a plain record
 * shapeOf('reduceSum', [x], { axes: [1] })                          // → { shape: [2], dtype: 'int32' }
 * shapeOf('add', [x, { shape: [3], dtype: 'float32' }], {})         // → { shape: [2, 3], dtype: 'float32' }
 */
export interface ShapedArray {
  readonly shape: Shape
  readonly dtype: DType
}

/**
 * The shape rule of a primitive: output shape and dtype from the inputs' and the params.
 * @category Primitives
 * @example
 * // transpose's rule, written out: it agrees with the registered one
 * const rule: ShapeRule<'transpose'> = ([x], { perm }) => ({ shape: perm.map((a) => x!.shape[a]!), dtype: x!.dtype })
 * const x = { shape: [2, 3, 4], dtype: 'float32' } as const
 * rule([x], { perm: [2, 0, 1] })    // → { shape: [4, 2, 3], dtype: 'float32' }
 * rule([x], { perm: [2, 0, 1] })    // → shapeOf('transpose', [x], { perm: [2, 0, 1] })
 */
export type ShapeRule<P extends PrimitiveName> = (inputs: readonly ShapedArray[], params: Params<P>) => ShapedArray

const rules: { [P in PrimitiveName]?: ShapeRule<P> } = {}

/**
 * Registers the shape rule of a primitive (ndarray's own below; linalg adds `dotGeneral`'s, autodiff `stopGradient`'s).
 * @category Primitives
 * @example
 * import type { PrimitiveName, ShapedArray } from '@nabla/ndarray/core'
 * // a new primitive (its params typed by augmenting PrimitiveParams, as autodiff does for stopGradient)
 * registerShapeRule('doctestTwice' as PrimitiveName, ([x]) => x as ShapedArray)
 * shapeOf('doctestTwice' as PrimitiveName, [{ shape: [2, 3], dtype: 'int32' }], {} as never) // → { shape: [2, 3], dtype: 'int32' }
 */
export const registerShapeRule = <P extends PrimitiveName>(prim: P, rule: ShapeRule<P>): void => {
  ;(rules as Record<string, unknown>)[prim] = rule
}

/**
 * The shape and dtype `prim` gives for inputs of these shapes and dtypes.
 * @category Primitives
 * @example
 * const bias = { shape: [512], dtype: 'float32' } as const
 * shapeOf('add', [{ shape: [128, 512], dtype: 'float32' }, bias], {}) // → { shape: [128, 512], dtype: 'float32' }
 * shapeOf('add', [{ shape: [128, 511], dtype: 'float32' }, bias], {}) // throws RangeError: add
 */
export const shapeOf = <P extends PrimitiveName>(
  prim: P,
  inputs: readonly ShapedArray[],
  params: Params<P>,
): ShapedArray => {
  const rule = rules[prim] as ShapeRule<P> | undefined
  if (rule === undefined) throw new Error(`${prim}: no shape rule is registered for this primitive`)
  return rule(inputs, params)
}

/**
 * Which primitives have a shape rule (for the test that every evaluated primitive has one).
 * @category Primitives
 */
export const shapeRuleNames = (): string[] => Object.keys(rules)

const broadcastAll = (prim: string, xs: readonly ShapedArray[]): Shape =>
  xs.slice(1).reduce<Shape>((s, x) => broadcastShapes(prim, s, x.shape), xs[0]?.shape ?? [])

const elementwise =
  (prim: PrimitiveName) =>
  (xs: readonly ShapedArray[]): ShapedArray => ({
    shape: broadcastAll(prim, xs),
    dtype: resultType(
      prim,
      xs.map((x) => x.dtype),
    ),
  })

for (const prim of [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'neg',
  'sign',
  'exp',
  'log',
  'sqrt',
  'tanh',
  'sin',
  'cos',
] as const) {
  registerShapeRule(prim, elementwise(prim))
}
registerShapeRule('compare', (xs) => ({ shape: broadcastAll('compare', xs), dtype: 'bool' }))
registerShapeRule('where', (xs) => {
  const [, x, y] = xs as [ShapedArray, ShapedArray, ShapedArray]
  return { shape: broadcastAll('where', xs), dtype: promoteTypes(x.dtype, y.dtype) }
})
registerShapeRule('cast', ([x], { dtype }) => ({ shape: (x as ShapedArray).shape, dtype }))

const without = (shape: Shape, axes: readonly number[]): Shape => shape.filter((_, i) => !axes.includes(i))
registerShapeRule('reduceSum', ([x], { axes }) => {
  const a = x as ShapedArray
  return { shape: without(a.shape, axes), dtype: arithmeticType(a.dtype) }
})
registerShapeRule('reduceMax', ([x], { axes }) => {
  const a = x as ShapedArray
  return { shape: without(a.shape, axes), dtype: a.dtype }
})
registerShapeRule('argmax', ([x], { axis }) => ({ shape: without((x as ShapedArray).shape, [axis]), dtype: 'int32' }))
registerShapeRule('reshape', ([x], { shape }) => ({ shape, dtype: (x as ShapedArray).dtype }))
registerShapeRule('broadcastTo', ([x], { shape }) => ({ shape, dtype: (x as ShapedArray).dtype }))
registerShapeRule('transpose', ([x], { perm }) => {
  const a = x as ShapedArray
  return { shape: perm.map((p) => a.shape[p] as number), dtype: a.dtype }
})
registerShapeRule('slice', ([x], { starts, stops, steps }) => ({
  shape: starts.map((s, i) => {
    const step = steps[i] as number
    const n = step > 0 ? Math.ceil(((stops[i] as number) - s) / step) : Math.ceil((s - (stops[i] as number)) / -step)
    return Math.max(0, n)
  }),
  dtype: (x as ShapedArray).dtype,
}))
registerShapeRule('pad', ([x], { lo, hi, interior }) => {
  const a = x as ShapedArray
  return {
    shape: a.shape.map(
      (d, i) => (lo[i] as number) + (hi[i] as number) + (d === 0 ? 0 : d + (d - 1) * (interior[i] as number)),
    ),
    dtype: a.dtype,
  }
})
registerShapeRule('concat', (xs, { axis }) => {
  const first = xs[0] as ShapedArray
  const shape = [...first.shape]
  shape[axis] = xs.reduce((acc, x) => acc + (x.shape[axis] as number), 0)
  return { shape, dtype: first.dtype }
})
registerShapeRule('take', ([x, indices], { axis }) => {
  const a = x as ShapedArray
  return {
    shape: [...a.shape.slice(0, axis), ...(indices as ShapedArray).shape, ...a.shape.slice(axis + 1)],
    dtype: a.dtype,
  }
})
registerShapeRule('scatterAdd', ([updates, indices], { axis, size }) => {
  const u = updates as ShapedArray
  const rank = (indices as ShapedArray).shape.length
  return { shape: [...u.shape.slice(0, axis), size, ...u.shape.slice(axis + rank)], dtype: u.dtype }
})
