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

/**
 * Does the runtime accept WebAssembly SIMD (`v128.const`) and relaxed SIMD
 * (`f32x4.relaxed_madd`, the fused multiply-add)? Node 20 has SIMD; relaxed SIMD needs
 * `--experimental-wasm-relaxed-simd` there and is on by default in newer V8.
 * @example
 * simdCapabilities() // { simd: true, relaxedSimd: false } on Node 20
 */
export const simdCapabilities = (): { readonly simd: boolean; readonly relaxedSimd: boolean } => {
  probed ??= {
    simd: validates(moduleWith(v128Const)),
    relaxedSimd: validates(moduleWith([...v128Const, ...v128Const, ...v128Const, 0xfd, 0x85, 0x02])),
  }
  return probed
}
