/**
 * `@nabla/ndarray/wasm`: a small WebAssembly assembler written in TypeScript (no native toolchain), and the
 * runtime's SIMD support. The foundation of every generated kernel: linalg's GEMM, the fused float32 loops.
 * @module @nabla/ndarray/wasm
 */
export { type MemoryLimits, ModuleBuilder } from './assembler.js'
export { Code, type CompareOp, type FloatOp, type Label } from './code.js'
export { signedLeb, unsignedLeb, type ValType } from './encoding.js'
export { forStep } from './loops.js'
export { type WasmSupport, wasmEnabled, wasmSupport } from './wasmSupport.js'
