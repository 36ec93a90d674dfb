/**
 * The WebAssembly SIMD tier: a float32 GEMM generated at run time by a small WebAssembly assembler written in
 * TypeScript (no native toolchain), with relaxed-SIMD multiply-add where the runtime has it.
 */
export { type MemoryLimits, ModuleBuilder } from './assembler.js'
export { Code, type Label } from './code.js'
export type { ValType } from './encoding.js'
export { gemmWasm, type WasmGemmOptions } from './gemmWasm.js'
export { type WasmSupport, wasmSupport } from './wasmSupport.js'
