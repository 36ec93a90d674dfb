/** The WebAssembly binary format's primitive encodings: LEB128 integers, names, vectors and sections. */

/**
 * Value types of the binary format (section 5.3.1 of the core spec).
 * @category WebAssembly
 * @example
 * const params: ValType[] = ['i32', 'f64']
 * const f = new Code(params, ['f64'])
 * f.local('v128') // → 2 // locals are numbered after the parameters
 * const mod = new ModuleBuilder()
 * mod.func(params, ['f64'], (g) => g.get(1), 'second')
 * const { second } = new WebAssembly.Instance(new WebAssembly.Module(mod.toBytes())).exports as { second: (a: number, b: number) => number }
 * second(1, 2.5) // → 2.5
 */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128'

/**
 * The byte that encodes each value type.
 * @example
 * import { valTypeCode } from './encoding.js'
 * valTypeCode.v128 // → 0x7b
 * valTypeCode.f32  // → 0x7d
 */
export const valTypeCode: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b }

/**
 * Unsigned LEB128: 7 bits per byte, low groups first, high bit set on every byte but the last.
 * @category WebAssembly
 * @example
 * unsignedLeb(624485) // → [0xe5, 0x8e, 0x26]
 * unsignedLeb(127)    // → [0x7f]
 * unsignedLeb(128)    // → [0x80, 0x01]
 */
export const unsignedLeb = (value: number): number[] => {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`wasm assembler: unsignedLeb expects an integer in [0, 2^32), got ${value}`)
  }
  const out: number[] = []
  let v = value
  do {
    const byte = v % 128
    v = Math.floor(v / 128)
    out.push(v === 0 ? byte : byte | 0x80)
  } while (v !== 0)
  return out
}

/**
 * Signed LEB128 of a 32-bit integer (two's complement, sign-extended from the last group's bit 6).
 * @category WebAssembly
 * @example
 * signedLeb(-123456) // → [0xc0, 0xbb, 0x78]
 * signedLeb(-1)      // → [0x7f]
 * signedLeb(64)      // → [0xc0, 0x00] // bit 6 set: one more group keeps it positive
 */
export const signedLeb = (value: number): number[] => {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new RangeError(`wasm assembler: signedLeb expects a 32-bit integer, got ${value}`)
  }
  const out: number[] = []
  let v = value | 0
  for (;;) {
    const byte = v & 0x7f
    v >>= 7
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}

/**
 * A UTF-8 name prefixed by its byte length.
 * @example
 * import { nameBytes } from './encoding.js'
 * nameBytes('mem') // → [3, 0x6d, 0x65, 0x6d]
 * nameBytes('π')   // → [2, 0xcf, 0x80]
 */
export const nameBytes = (name: string): number[] => {
  const utf8 = [...new TextEncoder().encode(name)]
  return [...unsignedLeb(utf8.length), ...utf8]
}

/**
 * A vector: its element count, then the elements' bytes.
 * @example
 * import { vectorBytes } from './encoding.js'
 * vectorBytes([[1], [2, 3]]) // → [2, 1, 2, 3]
 */
export const vectorBytes = (items: readonly (readonly number[])[]): number[] => [
  ...unsignedLeb(items.length),
  ...items.flat(),
]

/**
 * A section: its id, its byte length, then its content.
 * @example
 * import { sectionBytes } from './encoding.js'
 * sectionBytes(1, [0]) // → [1, 1, 0] // an empty type section
 */
export const sectionBytes = (id: number, content: readonly number[]): number[] => [
  id,
  ...unsignedLeb(content.length),
  ...content,
]
