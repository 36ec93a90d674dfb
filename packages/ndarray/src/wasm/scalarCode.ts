/** `ScalarCode`: the core of the function-body emitter — structured control, locals, i32/f32/f64 and memory ops (SIMD ops: code.ts). */
import { signedLeb, unsignedLeb, type ValType, valTypeCode } from './encoding.js'

/** A branch target: the nesting depth at which a block, loop or if was opened. */
export interface Label {
  readonly level: number
}

// Natural alignment (log2 bytes) of each access width; the hint never exceeds it (spec: validation rule).
export const alignOf = { 4: 2, 8: 3, 16: 4 } as const

/** The float operations that have both a scalar (`f32.*`) and a lane-wise SIMD (`f32x4.*`) instruction. */
export type FloatOp = 'abs' | 'neg' | 'sqrt' | 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max'

// opcodes from the core specification
const f32Opcodes: Record<FloatOp, number> = {
  abs: 0x8b,
  neg: 0x8c,
  sqrt: 0x91,
  add: 0x92,
  sub: 0x93,
  mul: 0x94,
  div: 0x95,
  min: 0x96,
  max: 0x97,
}

/** The float comparisons that have both a scalar (`f32.*`) and a lane-wise SIMD (`f32x4.*`) instruction. */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge'

// results are i32 0/1
const f32CompareOpcodes: Record<CompareOp, number> = { eq: 0x5b, ne: 0x5c, lt: 0x5d, gt: 0x5e, le: 0x5f, ge: 0x60 }

/**
 * The scalar half of `Code` (see code.ts, which adds the SIMD instructions): each method appends an
 * instruction and returns `this`. Branch targets are `Label`s, whose relative depths are computed here.
 * @example
 * new Code(['i32'], ['i32']).get(0) // build bodies with Code, which extends this
 */
export class ScalarCode {
  readonly bytes: number[] = []
  readonly locals: ValType[] = []
  private depth = 0

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  /**
   * Declares a local of the given type and returns its index (parameters come first).
   * @example
   * const acc = f.local('v128')
   */
  local(type: ValType): number {
    this.locals.push(type)
    return this.params.length + this.locals.length - 1
  }

  /** Appends raw bytes (an instruction this emitter has no method for). @example f.raw(0x01) // nop */
  raw(...bytes: number[]): this {
    this.bytes.push(...bytes)
    return this
  }

  // ---- control ---------------------------------------------------------------------------------

  private nested(opcode: number, body: (label: Label) => void): this {
    this.raw(opcode, 0x40) // 0x40: the empty block type
    this.depth++
    body({ level: this.depth })
    this.depth--
    return this.raw(0x0b)
  }

  /** `block … end`; a branch to its label jumps past the end. @example f.block((out) => f.get(0).i32Eqz().brIf(out)) */
  block(body: (label: Label) => void): this {
    return this.nested(0x02, body)
  }

  /** `loop … end`; a branch to its label jumps back to the start. @example f.loop((top) => f.br(top)) */
  loop(body: (label: Label) => void): this {
    return this.nested(0x03, body)
  }

  /** `if … else … end` on the i32 on the stack. @example f.get(0).ifElse(() => f.i32Const(1).set(1)) */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.raw(0x04, 0x40)
    this.depth++
    then()
    if (otherwise) {
      this.raw(0x05)
      otherwise()
    }
    this.depth--
    return this.raw(0x0b)
  }

  /** `br` to a label of an enclosing construct. @example f.br(top) */
  br(label: Label): this {
    return this.raw(0x0c, ...unsignedLeb(this.depth - label.level))
  }

  /** `br_if` to a label of an enclosing construct. @example f.get(0).brIf(out) */
  brIf(label: Label): this {
    return this.raw(0x0d, ...unsignedLeb(this.depth - label.level))
  }

  /** `call` by function index. @example f.get(0).call(kernelIndex) */
  call(index: number): this {
    return this.raw(0x10, ...unsignedLeb(index))
  }

  // ---- locals ----------------------------------------------------------------------------------

  /** `local.get`. @example f.get(0) */
  get(index: number): this {
    return this.raw(0x20, ...unsignedLeb(index))
  }

  /** `local.set`. @example f.i32Const(0).set(i) */
  set(index: number): this {
    return this.raw(0x21, ...unsignedLeb(index))
  }

  /** `local.tee`. @example f.i32Const(0).tee(i) */
  tee(index: number): this {
    return this.raw(0x22, ...unsignedLeb(index))
  }

  /** local[index] += delta (i32). @example f.inc(p, 16) */
  inc(index: number, delta: number): this {
    return this.get(index).i32Const(delta).i32Add().set(index)
  }

  // ---- i32 -------------------------------------------------------------------------------------

  /** `i32.const`. @example f.i32Const(-1) */
  i32Const(value: number): this {
    return this.raw(0x41, ...signedLeb(value))
  }
  /** `i32.eqz`. @example f.get(0).i32Eqz() */
  i32Eqz(): this {
    return this.raw(0x45)
  }
  /** `i32.eq`. @example f.get(0).get(1).i32Eq() */
  i32Eq(): this {
    return this.raw(0x46)
  }
  /** `i32.ne`. @example f.get(0).get(1).i32Ne() */
  i32Ne(): this {
    return this.raw(0x47)
  }
  /** `i32.lt_s`. @example f.get(0).get(1).i32LtS() */
  i32LtS(): this {
    return this.raw(0x48)
  }
  /** `i32.lt_u`. @example f.get(0).get(1).i32LtU() */
  i32LtU(): this {
    return this.raw(0x49)
  }
  /** `i32.gt_s`. @example f.get(0).get(1).i32GtS() */
  i32GtS(): this {
    return this.raw(0x4a)
  }
  /** `i32.le_s`. @example f.get(0).get(1).i32LeS() */
  i32LeS(): this {
    return this.raw(0x4c)
  }
  /** `i32.ge_s`. @example f.get(0).get(1).i32GeS() */
  i32GeS(): this {
    return this.raw(0x4e)
  }
  /** `i32.add`. @example f.get(0).get(1).i32Add() */
  i32Add(): this {
    return this.raw(0x6a)
  }
  /** `i32.sub`. @example f.get(0).get(1).i32Sub() */
  i32Sub(): this {
    return this.raw(0x6b)
  }
  /** `i32.mul`. @example f.get(0).get(1).i32Mul() */
  i32Mul(): this {
    return this.raw(0x6c)
  }
  /** `i32.div_u`. @example f.get(0).get(1).i32DivU() */
  i32DivU(): this {
    return this.raw(0x6e)
  }
  /** `i32.and`. @example f.get(0).i32Const(-4).i32And() */
  i32And(): this {
    return this.raw(0x71)
  }
  /** `i32.shl`. @example f.get(0).i32Const(2).i32Shl() */
  i32Shl(): this {
    return this.raw(0x74)
  }
  /** `select`: the first operand if the i32 on top is nonzero, else the second. @example f.get(0).get(1).get(2).select() */
  select(): this {
    return this.raw(0x1b)
  }

  // ---- f32 and memory --------------------------------------------------------------------------

  /** `f32.load` with a constant byte offset. @example f.get(p).f32Load(4) */
  f32Load(offset = 0): this {
    return this.raw(0x2a, alignOf[4], ...unsignedLeb(offset))
  }
  /** `f32.store` with a constant byte offset. @example f.get(p).get(x).f32Store() */
  f32Store(offset = 0): this {
    return this.raw(0x38, alignOf[4], ...unsignedLeb(offset))
  }
  /** `i64.load` with a constant byte offset (here: to move two f32 at once). @example f.get(p).i64Load() */
  i64Load(offset = 0): this {
    return this.raw(0x29, alignOf[8], ...unsignedLeb(offset))
  }
  /** `i64.store` with a constant byte offset. @example f.get(d).get(s).i64Load().i64Store() */
  i64Store(offset = 0): this {
    return this.raw(0x37, alignOf[8], ...unsignedLeb(offset))
  }
  /** `f32.const`. @example f.f32Const(0) */
  f32Const(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer)
    return this.raw(0x43, ...bytes)
  }
  /** `f32.add`. @example f.get(x).get(y).f32Add() */
  f32Add(): this {
    return this.raw(0x92)
  }
  /** `f32.eq`: 1 when equal (0 when either is NaN). @example f.get(x).get(x).f32Eq() // 0 exactly for NaN */
  f32Eq(): this {
    return this.raw(0x5b)
  }
  /** A unary or binary f32 operation (see `FloatOp`). @example f.get(x).f32('sqrt') */
  f32(op: FloatOp): this {
    return this.raw(f32Opcodes[op])
  }
  /** `i32.shr_u`. @example f.get(p).i32Const(2).i32ShrU() */
  i32ShrU(): this {
    return this.raw(0x76)
  }
  /** `i32.load` with a constant byte offset. @example f.get(p).i32Load() */
  i32Load(offset = 0): this {
    return this.raw(0x28, alignOf[4], ...unsignedLeb(offset))
  }
  /** `i32.load8_u`: one byte, zero-extended. @example f.get(p).i32Load8U() */
  i32Load8U(offset = 0): this {
    return this.raw(0x2d, 0, ...unsignedLeb(offset))
  }
  /** `i32.store8`: the low byte, with a constant byte offset. @example f.get(p).get(x).i32Store8() */
  i32Store8(offset = 0): this {
    return this.raw(0x3a, 0, ...unsignedLeb(offset))
  }
  /** An f32 comparison: i32 1 or 0 (false whenever an operand is NaN, except `ne`). @example f.get(x).get(y).f32Compare('gt') */
  f32Compare(op: CompareOp): this {
    return this.raw(f32CompareOpcodes[op])
  }
  /** `i32.store` with a constant byte offset. @example f.get(p).get(x).i32Store() */
  i32Store(offset = 0): this {
    return this.raw(0x36, alignOf[4], ...unsignedLeb(offset))
  }
  /** `i32.or`. @example f.get(a).get(b).i32Or() */
  i32Or(): this {
    return this.raw(0x72)
  }
  /** `i32.xor`. @example f.get(a).i32Const(-1).i32Xor() // bitwise not */
  i32Xor(): this {
    return this.raw(0x73)
  }
  /** `f64.load` with a constant byte offset. @example f.get(p).f64Load() */
  f64Load(offset = 0): this {
    return this.raw(0x2b, alignOf[8], ...unsignedLeb(offset))
  }
  /** `f64.store` with a constant byte offset. @example f.get(p).get(x).f64Store() */
  f64Store(offset = 0): this {
    return this.raw(0x39, alignOf[8], ...unsignedLeb(offset))
  }
  /** `f64.add`. @example f.get(x).get(y).f64Add() */
  f64Add(): this {
    return this.raw(0xa0)
  }
  /** `f64.promote_f32` (exact). @example f.get(p).f32Load().f64PromoteF32() */
  f64PromoteF32(): this {
    return this.raw(0xbb)
  }
  /** `f32.demote_f64`: rounds to the nearest f32, as `Math.fround` does. @example f.get(acc).f32DemoteF64() */
  f32DemoteF64(): this {
    return this.raw(0xb6)
  }
  /** `f32.convert_i32_u`. @example f.get(flag).f32ConvertI32U() */
  f32ConvertI32U(): this {
    return this.raw(0xb3)
  }
  /** `f64.const`. @example f.f64Const(0) */
  f64Const(value: number): this {
    return this.raw(0x44, ...new Uint8Array(new Float64Array([value]).buffer))
  }
  /** `memory.fill` (bulk memory): [dst, value, byteLength] → sets bytes. @example f.get(d).i32Const(0).get(n).memoryFill() */
  memoryFill(): this {
    return this.raw(0xfc, ...unsignedLeb(11), 0x00)
  }
  /** `memory.copy` (bulk memory): [dst, src, byteLength]. @example f.get(d).get(s).get(n).memoryCopy() */
  memoryCopy(): this {
    return this.raw(0xfc, ...unsignedLeb(10), 0x00, 0x00)
  }

  // ---- SIMD (prefix 0xfd, LEB128 sub-opcodes): the instructions themselves are in code.ts ----

  protected simd(opcode: number, ...immediates: number[]): this {
    return this.raw(0xfd, ...unsignedLeb(opcode), ...immediates)
  }

  /** The body in binary form: local declarations (run-length grouped), instructions, `end`. @example f.encode() */
  encode(): number[] {
    const groups: [number, ValType][] = []
    for (const t of this.locals) {
      const last = groups[groups.length - 1]
      if (last && last[1] === t) last[0]++
      else groups.push([1, t])
    }
    const body = [
      ...unsignedLeb(groups.length),
      ...groups.flatMap(([n, t]) => [...unsignedLeb(n), valTypeCode[t]]),
      ...this.bytes,
      0x0b,
    ]
    return [...unsignedLeb(body.length), ...body]
  }
}
