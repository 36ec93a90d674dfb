/** `wasmSupport`: does this runtime have WebAssembly SIMD, and relaxed SIMD? (probed once by validating tiny modules) */
import { ModuleBuilder } from './assembler.js'

/** What the WebAssembly tier can use here. */
export interface WasmSupport {
  /** 128-bit SIMD (on by default since Node 16). */
  readonly simd: boolean
  /** Relaxed SIMD, for `f32x4.relaxed_madd` (Node 20: behind `--experimental-wasm-relaxed-simd`). */
  readonly relaxedSimd: boolean
}

// (func (param v128 v128 v128) (result v128) …): the body applies the instruction to the three parameters.
const probe = (body: (f: import('./code.js').Code) => void): boolean => {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return false
  const mod = new ModuleBuilder()
  mod.func(['v128', 'v128', 'v128'], ['v128'], body)
  try {
    return WebAssembly.validate(mod.toBytes())
  } catch {
    return false
  }
}

let cached: WasmSupport | undefined

/**
 * Probes the runtime once (by `WebAssembly.validate` of one-instruction modules) and caches the answer.
 * @example
 * const { simd, relaxedSimd } = wasmSupport()
 * // Node 20: { simd: true, relaxedSimd: false } unless run with --experimental-wasm-relaxed-simd
 */
export const wasmSupport = (): WasmSupport => {
  if (cached === undefined) {
    const simd = probe((f) => f.get(0).get(1).f32x4Mul().get(2).f32x4Add())
    const relaxedSimd = simd && probe((f) => f.get(0).get(1).get(2).f32x4RelaxedMadd())
    cached = { simd, relaxedSimd }
  }
  return cached
}

let enabled: boolean | undefined

/**
 * Whether generated WebAssembly kernels may run: SIMD present, and not turned off by NABLA_KERNEL=ref|ts
 * (read by linalg too), which asks for no WebAssembly anywhere — fused and element-wise loops stay JavaScript.
 * @example
 * if (wasmEnabled()) runSimdKernel()
 */
export const wasmEnabled = (): boolean => {
  if (enabled === undefined) {
    const forced = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NABLA_KERNEL
    enabled = forced !== 'ref' && forced !== 'ts' && wasmSupport().simd
  }
  return enabled
}
