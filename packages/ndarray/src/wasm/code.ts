/** `Code`: an emitter for one WebAssembly function body — `ScalarCode`'s control, locals and scalar ops, plus SIMD. */
import { unsignedLeb } from './encoding.js'
import { alignOf, type CompareOp, type FloatOp, ScalarCode } from './scalarCode.js'

export type { CompareOp, FloatOp, Label } from './scalarCode.js'

// f32x4 opcodes (after the 0xfd prefix); comparisons give all-ones or all-zeros i32 lanes
const f32x4Opcodes: Record<FloatOp, number> = {
  abs: 0xe0,
  neg: 0xe1,
  sqrt: 0xe3,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  min: 0xe8,
  max: 0xe9,
}
const f32x4CompareOpcodes: Record<CompareOp, number> = { eq: 0x41, ne: 0x42, lt: 0x43, gt: 0x44, le: 0x45, ge: 0x46 }

/**
 * Emits the instructions of one function: each method appends an instruction and returns `this`, so bodies
 * read like the text format. Branch targets are `Label`s, whose relative depths are computed here.
 * @category WebAssembly
 * @example
 * const f = new Code(['i32', 'i32'], ['i32'])
 * f.get(0).get(1).i32Add().bytes // → [0x20, 0x00, 0x20, 0x01, 0x6a] // (i32.add (local.get 0) (local.get 1))
 * // a kernel that doubles four floats in place
 * const mod = new ModuleBuilder().defineMemory({ initial: 1 }, 'memory')
 * mod.func(['i32'], [], (g) => g.get(0).get(0).v128Load().get(0).v128Load().f32x4Add().v128Store(), 'double')
 * const { double, memory } = new WebAssembly.Instance(new WebAssembly.Module(mod.toBytes())).exports as {
 *   double: (pointer: number) => void
 *   memory: WebAssembly.Memory
 * }
 * new Float32Array(memory.buffer, 0, 4).set([1, 2, 3, 4])
 * double(0)
 * Array.from(new Float32Array(memory.buffer, 0, 4)) // → [2, 4, 6, 8]
 */
export class Code extends ScalarCode {
  /** `v128.load` with a constant byte offset. @example new Code([], []).v128Load(16).bytes // → [0xfd, 0x00, 0x04, 0x10] // align 2⁴, offset 16 */
  v128Load(offset = 0): this {
    return this.simd(0x00, alignOf[16], ...unsignedLeb(offset))
  }
  /** `v128.load32_splat`: one f32 from memory into all four lanes. @example new Code([], []).v128Load32Splat(8).bytes // → [0xfd, 0x09, 0x02, 0x08] */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, alignOf[4], ...unsignedLeb(offset))
  }
  /** `v128.load32_zero`: 4 bytes into lane 0, the other lanes zero. @example new Code([], []).v128Load32Zero().bytes // → [0xfd, 0x5c, 0x02, 0x00] */
  v128Load32Zero(offset = 0): this {
    return this.simd(0x5c, alignOf[4], ...unsignedLeb(offset))
  }
  /** `v128.load64_zero`: 8 bytes into the low half, the high half zero. @example new Code([], []).v128Load64Zero(8).bytes // → [0xfd, 0x5d, 0x03, 0x08] */
  v128Load64Zero(offset = 0): this {
    return this.simd(0x5d, alignOf[8], ...unsignedLeb(offset))
  }
  /** `v128.store` with a constant byte offset ([address, value] on the stack). @example new Code([], []).v128Store().bytes // → [0xfd, 0x0b, 0x04, 0x00] */
  v128Store(offset = 0): this {
    return this.simd(0x0b, alignOf[16], ...unsignedLeb(offset))
  }
  /** `v128.const` of four f32 lanes. @example new Code([], []).f32x4Const(1, 0, 0, 0).bytes.slice(0, 6) // → [0xfd, 0x0c, 0x00, 0x00, 0x80, 0x3f] // lane 0 = 1, then 12 zero bytes */
  f32x4Const(a: number, b: number, c: number, d: number): this {
    return this.simd(0x0c, ...new Uint8Array(new Float32Array([a, b, c, d]).buffer))
  }
  /** `i8x16.shuffle` of two vectors by 16 byte indices (0–15 first operand, 16–31 second). @example new Code([], []).i8x16Shuffle([3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12]).bytes.slice(0, 6) // → [0xfd, 0x0d, 0x03, 0x02, 0x01, 0x00] // then the other 12 indices */
  i8x16Shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new RangeError(`wasm assembler: i8x16.shuffle needs 16 lanes, got ${lanes.length}`)
    return this.simd(0x0d, ...lanes)
  }
  /** `f32x4.splat`. @example new Code([], []).f32x4Splat().bytes // → [0xfd, 0x13] */
  f32x4Splat(): this {
    return this.simd(0x13)
  }
  /** `i32x4.splat`. @example new Code([], []).i32x4Splat().bytes // → [0xfd, 0x11] */
  i32x4Splat(): this {
    return this.simd(0x11)
  }
  /** `f64x2.splat`. @example new Code([], []).f64x2Splat().bytes // → [0xfd, 0x14] */
  f64x2Splat(): this {
    return this.simd(0x14)
  }
  /** `v128.bitselect` of [v1, v2, c]: (v1 & c) | (v2 & ~c). @example new Code([], []).v128Bitselect().bytes // → [0xfd, 0x52] */
  v128Bitselect(): this {
    return this.simd(0x52)
  }
  /** `f64x2.promote_low_f32x4`: lanes 0 and 1 widened to f64 (exact). @example new Code([], []).f64x2PromoteLowF32x4().bytes // → [0xfd, 0x5f] */
  f64x2PromoteLowF32x4(): this {
    return this.simd(0x5f)
  }
  /** `i16x8.extend_low_i8x16_u`: the low 8 bytes zero-extended to 16 bits. @example new Code([], []).i16x8ExtendLowI8x16U().bytes // → [0xfd, 0x89, 0x01] */
  i16x8ExtendLowI8x16U(): this {
    return this.simd(0x89)
  }
  /** `i32x4.neg`: 0 − lane, wrapping. @example new Code([], []).i32x4Neg().bytes // → [0xfd, 0xa1, 0x01] // sub-opcode 161 as LEB128 */
  i32x4Neg(): this {
    return this.simd(0xa1)
  }
  /** `i32x4.extend_low_i16x8_u`: the low 4 halves zero-extended to 32 bits. @example new Code([], []).i32x4ExtendLowI16x8U().bytes // → [0xfd, 0xa9, 0x01] */
  i32x4ExtendLowI16x8U(): this {
    return this.simd(0xa9)
  }
  /** `f64x2.add`. @example new Code([], []).f64x2Add().bytes // → [0xfd, 0xf0, 0x01] */
  f64x2Add(): this {
    return this.simd(0xf0)
  }
  /** An f32x4 comparison, lane by lane: all ones where it holds, else zeros. @example new Code([], []).f32x4Compare('gt').bytes // → [0xfd, 0x44] */
  f32x4Compare(op: CompareOp): this {
    return this.simd(f32x4CompareOpcodes[op])
  }
  /** `i16x8.narrow_i32x4_s` of [a, b]: eight lanes, saturated (−1 and 0 stay themselves). @example new Code([], []).i16x8NarrowI32x4S().bytes // → [0xfd, 0x85, 0x01] */
  i16x8NarrowI32x4S(): this {
    return this.simd(0x85)
  }
  /** `i8x16.narrow_i16x8_s` of [a, b]: sixteen lanes, saturated. @example new Code([], []).i8x16NarrowI16x8S().bytes // → [0xfd, 0x65] */
  i8x16NarrowI16x8S(): this {
    return this.simd(0x65)
  }
  /** `i32x4.extract_lane`. @example new Code([], []).i32x4ExtractLane(0).bytes // → [0xfd, 0x1b, 0x00] */
  i32x4ExtractLane(lane: number): this {
    return this.simd(0x1b, lane)
  }
  /** `f32x4.extract_lane`. @example new Code([], []).f32x4ExtractLane(3).bytes // → [0xfd, 0x1f, 0x03] */
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane)
  }
  /** `f32x4.add`. @example new Code([], []).f32x4Add().bytes // → [0xfd, 0xe4, 0x01] */
  f32x4Add(): this {
    return this.simd(0xe4)
  }
  /** `f32x4.mul`. @example new Code([], []).f32x4Mul().bytes // → [0xfd, 0xe6, 0x01] */
  f32x4Mul(): this {
    return this.simd(0xe6)
  }
  /** A unary or binary f32x4 operation, lane by lane (see `FloatOp`). @example new Code([], []).f32x4('div').bytes // → [0xfd, 0xe7, 0x01] */
  f32x4(op: FloatOp): this {
    return this.simd(f32x4Opcodes[op])
  }
  /** `v128.and`. @example new Code([], []).v128And().bytes // → [0xfd, 0x4e] */
  v128And(): this {
    return this.simd(0x4e)
  }
  /** `v128.or`. @example new Code([], []).v128Or().bytes // → [0xfd, 0x50] */
  v128Or(): this {
    return this.simd(0x50)
  }
  /** `f32x4.demote_f64x2_zero`: two f64 lanes rounded to f32 in lanes 0 and 1, the others zero. @example new Code([], []).f32x4DemoteF64x2Zero().bytes // → [0xfd, 0x5e] */
  f32x4DemoteF64x2Zero(): this {
    return this.simd(0x5e)
  }
  /** `f64x2.extract_lane`. @example new Code([], []).f64x2ExtractLane(1).bytes // → [0xfd, 0x21, 0x01] */
  f64x2ExtractLane(lane: number): this {
    return this.simd(0x21, lane)
  }
  /** `f32x4.relaxed_madd` (relaxed SIMD, 0xfd 0x105): a·b + c, fused or not as the hardware does. @example new Code([], []).f32x4RelaxedMadd().bytes // → [0xfd, 0x85, 0x02] // sub-opcode 0x105 */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105)
  }
}
