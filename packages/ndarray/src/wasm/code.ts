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
 * @example
 * const f = new Code(['i32', 'i32'], ['i32'])
 * f.get(0).get(1).i32Add() // (i32.add (local.get 0) (local.get 1))
 */
export class Code extends ScalarCode {
  /** `v128.load` with a constant byte offset. @example f.get(p).v128Load(16) */
  v128Load(offset = 0): this {
    return this.simd(0x00, alignOf[16], ...unsignedLeb(offset))
  }
  /** `v128.load32_splat`: one f32 from memory into all four lanes. @example f.get(p).v128Load32Splat(8) */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, alignOf[4], ...unsignedLeb(offset))
  }
  /** `v128.load32_zero`: 4 bytes into lane 0, the other lanes zero. @example f.get(p).v128Load32Zero() */
  v128Load32Zero(offset = 0): this {
    return this.simd(0x5c, alignOf[4], ...unsignedLeb(offset))
  }
  /** `v128.load64_zero`: 8 bytes into the low half, the high half zero. @example f.get(p).v128Load64Zero(8) */
  v128Load64Zero(offset = 0): this {
    return this.simd(0x5d, alignOf[8], ...unsignedLeb(offset))
  }
  /** `v128.store` with a constant byte offset ([address, value] on the stack). @example f.get(p).get(v).v128Store() */
  v128Store(offset = 0): this {
    return this.simd(0x0b, alignOf[16], ...unsignedLeb(offset))
  }
  /** `v128.const` of four f32 lanes. @example f.f32x4Const(0, 0, 0, 0) */
  f32x4Const(a: number, b: number, c: number, d: number): this {
    return this.simd(0x0c, ...new Uint8Array(new Float32Array([a, b, c, d]).buffer))
  }
  /** `i8x16.shuffle` of two vectors by 16 byte indices (0–15 first operand, 16–31 second). @example f.i8x16Shuffle(lanes) */
  i8x16Shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new RangeError(`wasm assembler: i8x16.shuffle needs 16 lanes, got ${lanes.length}`)
    return this.simd(0x0d, ...lanes)
  }
  /** `f32x4.splat`. @example f.f32Const(1).f32x4Splat() */
  f32x4Splat(): this {
    return this.simd(0x13)
  }
  /** `i32x4.splat`. @example f.i32Const(-1).i32x4Splat() */
  i32x4Splat(): this {
    return this.simd(0x11)
  }
  /** `f64x2.splat`. @example f.get(x).f64x2Splat() // x: an f64 local */
  f64x2Splat(): this {
    return this.simd(0x14)
  }
  /** `v128.bitselect` of [v1, v2, c]: (v1 & c) | (v2 & ~c). @example f.get(x).get(y).get(mask).v128Bitselect() */
  v128Bitselect(): this {
    return this.simd(0x52)
  }
  /** `f64x2.promote_low_f32x4`: lanes 0 and 1 widened to f64 (exact). @example f.get(p).v128Load64Zero().f64x2PromoteLowF32x4() */
  f64x2PromoteLowF32x4(): this {
    return this.simd(0x5f)
  }
  /** `i16x8.extend_low_i8x16_u`: the low 8 bytes zero-extended to 16 bits. @example f.get(v).i16x8ExtendLowI8x16U() */
  i16x8ExtendLowI8x16U(): this {
    return this.simd(0x89)
  }
  /** `i32x4.neg`: 0 − lane, wrapping. @example f.get(v).i32x4Neg() */
  i32x4Neg(): this {
    return this.simd(0xa1)
  }
  /** `i32x4.extend_low_i16x8_u`: the low 4 halves zero-extended to 32 bits. @example f.get(v).i32x4ExtendLowI16x8U() */
  i32x4ExtendLowI16x8U(): this {
    return this.simd(0xa9)
  }
  /** `f64x2.add`. @example f.get(a).get(b).f64x2Add() */
  f64x2Add(): this {
    return this.simd(0xf0)
  }
  /** An f32x4 comparison, lane by lane: all ones where it holds, else zeros. @example f.get(a).get(b).f32x4Compare('gt') */
  f32x4Compare(op: CompareOp): this {
    return this.simd(f32x4CompareOpcodes[op])
  }
  /** `i16x8.narrow_i32x4_s` of [a, b]: eight lanes, saturated (−1 and 0 stay themselves). @example f.get(v).get(v).i16x8NarrowI32x4S() */
  i16x8NarrowI32x4S(): this {
    return this.simd(0x85)
  }
  /** `i8x16.narrow_i16x8_s` of [a, b]: sixteen lanes, saturated. @example f.get(v).get(v).i8x16NarrowI16x8S() */
  i8x16NarrowI16x8S(): this {
    return this.simd(0x65)
  }
  /** `i32x4.extract_lane`. @example f.get(v).i32x4ExtractLane(0) */
  i32x4ExtractLane(lane: number): this {
    return this.simd(0x1b, lane)
  }
  /** `f32x4.extract_lane`. @example f.get(v).f32x4ExtractLane(3) */
  f32x4ExtractLane(lane: number): this {
    return this.simd(0x1f, lane)
  }
  /** `f32x4.add`. @example f.get(a).get(b).f32x4Add() */
  f32x4Add(): this {
    return this.simd(0xe4)
  }
  /** `f32x4.mul`. @example f.get(a).get(b).f32x4Mul() */
  f32x4Mul(): this {
    return this.simd(0xe6)
  }
  /** A unary or binary f32x4 operation, lane by lane (see `FloatOp`). @example f.get(a).get(b).f32x4('div') */
  f32x4(op: FloatOp): this {
    return this.simd(f32x4Opcodes[op])
  }
  /** `v128.and`. @example f.get(mask).get(ones).v128And() */
  v128And(): this {
    return this.simd(0x4e)
  }
  /** `v128.or`. @example f.get(a).get(b).v128Or() */
  v128Or(): this {
    return this.simd(0x50)
  }
  /** `f32x4.demote_f64x2_zero`: two f64 lanes rounded to f32 in lanes 0 and 1, the others zero. @example f.get(v).f32x4DemoteF64x2Zero() */
  f32x4DemoteF64x2Zero(): this {
    return this.simd(0x5e)
  }
  /** `f64x2.extract_lane`. @example f.get(v).f64x2ExtractLane(1) */
  f64x2ExtractLane(lane: number): this {
    return this.simd(0x21, lane)
  }
  /** `f32x4.relaxed_madd` (relaxed SIMD, 0xfd 0x105): a·b + c, fused or not as the hardware does. @example f.get(a).get(b).get(c).f32x4RelaxedMadd() */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105)
  }
}
