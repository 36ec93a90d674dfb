/**
 * `@nabla/jit` — `jit`, after JAX: a function traced once per signature into a program of nabla's primitives
 * (`makeJaxpr` shows it), compiled into fused loops over buffers planned at compile time, and run as such.
 * @module @nabla/jit
 */
export { type CompileOptions, compileJaxpr, type Executable, type StepInfo } from './compile/compileJaxpr.js'
export { evalJaxpr } from './evalJaxpr.js'
export { type Atom, type Eqn, type Jaxpr, type Literal, printJaxpr, showAval, type Var } from './jaxpr.js'
export { type JitOptions, type Jitted, jit, type TraceEvent } from './jit.js'
export { makeJaxpr } from './makeJaxpr.js'
