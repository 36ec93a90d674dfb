/**
 * `@nabla/autodiff/testing` — numerical derivative checks for tests of any package.
 * @module @nabla/autodiff/testing
 */
export { type CheckGradsOptions, checkGrads } from './checkGrads.js'
