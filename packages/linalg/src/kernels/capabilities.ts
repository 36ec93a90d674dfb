/** What this runtime's WebAssembly can do, probed once by validating two tiny modules (no wasm tier needed). */

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
const v128Const = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]

/** A module with one function `() → v128` whose body is `body`. */
const moduleWith = (body: readonly number[]): Uint8Array => {
  const code = [0x00, ...body, 0x0b] // no locals, body, end
  const fn = [code.length, ...code]
  return new Uint8Array([
    ...header,
    ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // type section: () → v128
    ...[0x03, 0x02, 0x01, 0x00], // function section: one function of type 0
    ...[0x0a, fn.length + 1, 0x01, ...fn], // code section
  ])
}

// Read through globalThis: a runtime may lack WebAssembly altogether.
const wasm = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly

const validates = (bytes: Uint8Array): boolean => {
  try {
    return wasm?.validate(bytes) ?? false
  } catch {
    return false
  }
}

let probed: { simd: boolean; relaxedSimd: boolean } | null = null

const relaxedProbe = moduleWith([...v128Const, ...v128Const, ...v128Const, 0xfd, 0x85, 0x02])

interface NodeProcess {
  readonly env: Record<string, string | undefined>
  getBuiltinModule?(id: 'node:v8'): { setFlagsFromString(flags: string): void }
}

/**
 * Node 20's V8 has relaxed SIMD behind `--experimental-wasm-relaxed-simd` (on by default from V8 11.4, Node 22).
 * The flag is one of V8's, set from inside the program before any module that uses the instructions is
 * compiled; V8's flags are per process, so the worker threads see it too. `NABLA_RELAXED_SIMD=0` leaves it off
 * (the plain-SIMD kernels run). Browsers have relaxed SIMD on, or not at all: nothing to do there.
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

/**
 * Does the runtime accept WebAssembly SIMD (`v128.const`) and relaxed SIMD (`f32x4.relaxed_madd`, the fused
 * multiply-add)? On Node 20 the first probe turns V8's relaxed-SIMD flag on (unless `NABLA_RELAXED_SIMD=0`);
 * newer runtimes have it on by default.
 * @example
 * simdCapabilities() // { simd: true, relaxedSimd: true } on Node 20 and current browsers
 */
export const simdCapabilities = (): { readonly simd: boolean; readonly relaxedSimd: boolean } => {
  if (probed === null) {
    if (!validates(relaxedProbe)) enableRelaxedSimd()
    probed = { simd: validates(moduleWith(v128Const)), relaxedSimd: validates(relaxedProbe) }
  }
  return probed
}
