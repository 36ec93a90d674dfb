/** `wasmSupport`: does this runtime have WebAssembly SIMD, and relaxed SIMD? (probed once by validating tiny modules) */
import { ModuleBuilder } from './assembler.js'

/**
 * What the WebAssembly tier can use here.
 * @category WebAssembly
 * @example
 * const support: WasmSupport = wasmSupport()
 * support.simd             // → true // on Node 20 and current browsers
 * wasmSupport() === support // → true // probed once, then cached
 */
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

interface NodeProcess {
  readonly env: Record<string, string | undefined>
  getBuiltinModule?(id: 'node:v8'): { setFlagsFromString(flags: string): void }
}

/**
 * Node 20's V8 has relaxed SIMD behind `--experimental-wasm-relaxed-simd` (on by default from V8 11.4, Node 22).
 * It is one of V8's flags, which can be set from inside the program before any module using the instructions
 * is compiled; V8's flags are per process, so worker threads see it too. `NABLA_RELAXED_SIMD=0` leaves it
 * off (the plain-SIMD kernels run). Browsers have relaxed SIMD on, or not at all: nothing to do there.
 */
const enableRelaxedSimd = (): void => {
  const proc = (globalThis as { process?: NodeProcess }).process
  if (proc?.getBuiltinModule === undefined || proc.env.NABLA_RELAXED_SIMD === '0') return
  try {
    proc.getBuiltinModule('node:v8').setFlagsFromString('--experimental-wasm-relaxed-simd')
  } catch {
    // a runtime without the flag keeps the plain-SIMD kernels
  }
}

const relaxedProbe = (): boolean => probe((f) => f.get(0).get(1).get(2).f32x4RelaxedMadd())

/**
 * Probes the runtime once (by `WebAssembly.validate` of one-instruction modules) and caches the answer. On
 * Node 20 the probe first turns V8's relaxed-SIMD flag on, unless `NABLA_RELAXED_SIMD=0`.
 * @category WebAssembly
 * @example
 * const { simd, relaxedSimd } = wasmSupport()
 * simd        // → true // on Node 20 and current browsers
 * relaxedSimd // → process.env.NABLA_RELAXED_SIMD !== '0' // true on Node 20 and current browsers
 */
export const wasmSupport = (): WasmSupport => {
  if (cached === undefined) {
    const simd = probe((f) => f.get(0).get(1).f32x4Mul().get(2).f32x4Add())
    if (simd && !relaxedProbe()) enableRelaxedSimd()
    cached = { simd, relaxedSimd: simd && relaxedProbe() }
  }
  return cached
}

let enabled: boolean | undefined

/**
 * Whether generated WebAssembly kernels may run: SIMD present, and not turned off by NABLA_KERNEL=ref|ts
 * (read by linalg too), which asks for no WebAssembly anywhere — fused and element-wise loops stay JavaScript.
 * @category WebAssembly
 * @example
 * wasmEnabled() // → wasmSupport().simd && process.env.NABLA_KERNEL !== 'ref' && process.env.NABLA_KERNEL !== 'ts'
 */
export const wasmEnabled = (): boolean => {
  if (enabled === undefined) {
    const forced = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NABLA_KERNEL
    enabled = forced !== 'ref' && forced !== 'ts' && wasmSupport().simd
  }
  return enabled
}
