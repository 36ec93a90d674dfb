/**
 * The WebAssembly SIMD tier: a float32 GEMM generated at run time by a small WebAssembly assembler written in
 * TypeScript (no native toolchain), with relaxed-SIMD multiply-add where the runtime has it.
 */
export {
  Code,
  type Label,
  type MemoryLimits,
  ModuleBuilder,
  type ValType,
  type WasmSupport,
  wasmSupport,
} from '@nabla/ndarray/wasm'
export { gemmWasm, type WasmGemmOptions } from './gemmWasm.js'
