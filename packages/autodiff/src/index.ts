/**
 * @nabla/autodiff — derivatives as pure function transforms, after JAX: `grad(f)` is a new
 * function. Every primitive of @nabla/ndarray and @nabla/linalg has a JVP and a VJP rule
 * written in public ops, so transforms nest (`grad(grad(f))`, `jvp` of `grad`).
 */
export { type CustomVjp, customVjp } from './customVjp.js'
export { type GradOptions, grad, valueAndGrad } from './grad.js'
export { hessian, jacfwd, jacrev } from './jacobian.js'
export { jvp } from './jvp.js'
export type { JvpRule, Rule, RuleTable, Tangent, VjpRule } from './rule.js'
export { rules } from './rules/index.js'
export { stopGradient } from './stopGradient.js'
export { vjp } from './vjp.js'
