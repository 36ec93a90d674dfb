/** `wasmSupport` lives in `@nabla/ndarray/wasm` with the assembler; re-exported for the kernels here. */
export { type WasmSupport, wasmSupport } from '@nabla/ndarray/wasm'
