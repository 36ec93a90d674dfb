/** @nabla/autodiff/testing — numerical derivative checks for tests of any package. */
export { type CheckGradsOptions, checkGrads } from './checkGrads.js'
