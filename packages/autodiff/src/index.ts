/**
 * `@nabla/autodiff` — derivatives as pure function transforms, after JAX: `grad(f)` is a new
 * function. Every primitive of @nabla/ndarray and @nabla/linalg has a JVP and a VJP rule
 * written in public ops, and a batching rule for `vmap`, so transforms nest (`grad(grad(f))`, `jvp` of `grad`,
 * `vmap(grad(f))` for per-example gradients).
 * @module @nabla/autodiff
 */

export { batchRules } from './batching/index.js'
export type { BatchDim, BatchRule, BatchRuleTable } from './batching/rule.js'
export { type CustomVjp, customVjp } from './customVjp.js'
export { type GradOptions, grad, valueAndGrad } from './grad.js'
export { hessian, jacfwd, jacrev } from './jacobian.js'
export { jvp } from './jvp.js'
export type { JvpRule, Rule, RuleTable, Tangent, VjpRule } from './rule.js'
export { rules } from './rules/index.js'
export { stopGradient } from './stopGradient.js'
export { vjp } from './vjp.js'
export {
  type Axis,
  type AxisTree,
  type Batched,
  type BatchedArgs,
  type BatchedFn,
  type VmapOptions,
  vmap,
} from './vmap.js'
