/**
 * `@nabla/ndarray/core` — the extension surface for nabla's own packages and for users
 * who add primitives or transforms: `bind`, the trace stack, tracers, evaluation rules,
 * and access to the storage of concrete arrays. Ordinary array code never needs it.
 * @module @nabla/ndarray/core
 */
import './kernels/all.js'
import './shapeRule.js'

export { allocate, isFloat, type TypedArrayOf } from './dtype.js'
export {
  clusterKernel,
  type LoopArg,
  type LoopInput,
  type LoopKernel,
  type LoopNest,
  type LoopNode,
  type LoopRef,
} from './kernels/cluster.js'
export { clusterWasmStats } from './kernels/clusterWasm.js'
export { blank, fresh, materialize } from './kernels/elementwise.js'
export { Concrete } from './ndarray.js'
export type { Comparison, Params, PrimitiveName, PrimitiveParams, WindowParams } from './primitive.js'
export { batchedKey, checkKey, type KeyBatch, randomBits } from './random.js'
export { contiguousStrides, normalizeAxis, shapesEqual, showShape } from './shape.js'
export { registerShapeRule, type ShapedArray, type ShapeRule, shapeOf } from './shapeRule.js'
export {
  bind,
  concrete,
  evalPrimitive,
  type Impl,
  type MainTrace,
  newMain,
  registerImpl,
  Trace,
  Tracer,
  withDynamicTrace,
} from './trace.js'
export { residentFloats, WasmHeap, wasmHeap } from './wasmHeap.js'
