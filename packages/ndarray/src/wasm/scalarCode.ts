/** `ScalarCode`: the core of the function-body emitter — structured control, locals, i32/f32/f64 and memory ops (SIMD ops: code.ts). */
import { signedLeb, unsignedLeb, type ValType, valTypeCode } from './encoding.js'

/**
 * A branch target: the nesting depth at which a block, loop or if was opened.
 * @category WebAssembly
 * @example
 * const f = new Code([], [])
 * const levels: number[] = []
 * f.block((outer: Label) => f.loop((inner: Label) => levels.push(outer.level, inner.level)))
 * levels  // → [1, 2] // the nesting depth each was opened at
 * f.block((out) => f.block(() => f.br(out))).bytes.slice(-4) // → [0x0c, 0x01, 0x0b, 0x0b] // br 1: one block out
 */
export interface Label {
  readonly level: number
}

// Natural alignment (log2 bytes) of each access width; the hint never exceeds it (spec: validation rule).
export const alignOf = { 4: 2, 8: 3, 16: 4 } as const

/**
 * The float operations that have both a scalar (`f32.*`) and a lane-wise SIMD (`f32x4.*`) instruction.
 * @category WebAssembly
 * @example
 * const op: FloatOp = 'mul'
 * new Code([], []).f32(op).bytes   // → [0x94] // f32.mul
 * new Code([], []).f32x4(op).bytes // → [0xfd, 0xe6, 0x01] // f32x4.mul
 */
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

/**
 * The float comparisons that have both a scalar (`f32.*`) and a lane-wise SIMD (`f32x4.*`) instruction.
 * @category WebAssembly
 * @example
 * const op: CompareOp = 'lt'
 * new Code([], []).f32Compare(op).bytes   // → [0x5d] // f32.lt
 * new Code([], []).f32x4Compare(op).bytes // → [0xfd, 0x43] // f32x4.lt
 */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'gt' | 'le' | 'ge'

// results are i32 0/1
const f32CompareOpcodes: Record<CompareOp, number> = { eq: 0x5b, ne: 0x5c, lt: 0x5d, gt: 0x5e, le: 0x5f, ge: 0x60 }

/**
 * The scalar half of `Code` (see code.ts, which adds the SIMD instructions): each method appends an
 * instruction and returns `this`. Branch targets are `Label`s, whose relative depths are computed here.
 * @example
 * const f = new Code(['i32'], ['i32']).get(0).i32Const(1).i32Add() // build bodies with Code, which extends this
 * f.bytes    // → [0x20, 0x00, 0x41, 0x01, 0x6a]
 * f.encode() // → [0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b] // size, no locals, the body, end
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
   * const f = new Code(['i32'], [])
   * f.local('v128') // → 1 // parameters come first
   * f.local('f32')  // → 2
   */
  local(type: ValType): number {
    this.locals.push(type)
    return this.params.length + this.locals.length - 1
  }

  /** Appends raw bytes (an instruction this emitter has no method for). @example new Code([], []).raw(0x01).bytes // → [0x01] // nop */
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

  /**
   * `block … end`; a branch to its label jumps past the end.
   * @example
   * const f = new Code(['i32'], [])
   * f.block((out) => f.get(0).i32Eqz().brIf(out)).bytes // → [0x02, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x00, 0x0b]
   */
  block(body: (label: Label) => void): this {
    return this.nested(0x02, body)
  }

  /**
   * `loop … end`; a branch to its label jumps back to the start.
   * @example
   * const mod = new ModuleBuilder()
   * mod.func(['i32'], ['i32'], (f) => {
   *   const sum = f.local('i32')
   *   f.block((done) =>
   *     f.loop((top) => {
   *       f.get(0).i32Eqz().brIf(done) // leave when n = 0
   *       f.get(sum).get(0).i32Add().set(sum).inc(0, -1) // sum += n; n -= 1
   *       f.br(top)
   *     }),
   *   )
   *   f.get(sum)
   * }, 'triangle')
   * const { triangle } = new WebAssembly.Instance(new WebAssembly.Module(mod.toBytes())).exports as {
   *   triangle: (n: number) => number
   * }
   * triangle(4) // → 10
   */
  loop(body: (label: Label) => void): this {
    return this.nested(0x03, body)
  }

  /**
   * `if … else … end` on the i32 on the stack.
   * @example
   * const f = new Code(['i32'], [])
   * f.get(0).ifElse(() => f.i32Const(1).set(0)).bytes // → [0x20, 0x00, 0x04, 0x40, 0x41, 0x01, 0x21, 0x00, 0x0b]
   * new Code([], []).i32Const(0).ifElse(() => {}, () => {}).bytes // → [0x41, 0x00, 0x04, 0x40, 0x05, 0x0b]
   */
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

  /**
   * `br` to a label of an enclosing construct.
   * @example
   * const f = new Code([], [])
   * f.loop((top) => f.block(() => f.br(top))).bytes // → [0x03, 0x40, 0x02, 0x40, 0x0c, 0x01, 0x0b, 0x0b] // depth 1: the loop
   */
  br(label: Label): this {
    return this.raw(0x0c, ...unsignedLeb(this.depth - label.level))
  }

  /**
   * `br_if` to a label of an enclosing construct.
   * @example
   * const f = new Code(['i32'], [])
   * f.block((out) => f.get(0).brIf(out)).bytes // → [0x02, 0x40, 0x20, 0x00, 0x0d, 0x00, 0x0b]
   */
  brIf(label: Label): this {
    return this.raw(0x0d, ...unsignedLeb(this.depth - label.level))
  }

  /** `call` by function index. @example new Code([], []).call(3).bytes // → [0x10, 0x03] */
  call(index: number): this {
    return this.raw(0x10, ...unsignedLeb(index))
  }

  // ---- locals ----------------------------------------------------------------------------------

  /** `local.get`. @example new Code([], []).get(0).bytes // → [0x20, 0x00] */
  get(index: number): this {
    return this.raw(0x20, ...unsignedLeb(index))
  }

  /** `local.set`. @example new Code([], []).set(2).bytes // → [0x21, 0x02] */
  set(index: number): this {
    return this.raw(0x21, ...unsignedLeb(index))
  }

  /** `local.tee`. @example new Code([], []).tee(2).bytes // → [0x22, 0x02] */
  tee(index: number): this {
    return this.raw(0x22, ...unsignedLeb(index))
  }

  /** local[index] += delta (i32). @example new Code([], []).inc(2, 16).bytes // → [0x20, 0x02, 0x41, 0x10, 0x6a, 0x21, 0x02] // local.get 2, i32.const 16, i32.add, local.set 2 */
  inc(index: number, delta: number): this {
    return this.get(index).i32Const(delta).i32Add().set(index)
  }

  // ---- i32 -------------------------------------------------------------------------------------

  /** `i32.const`. @example new Code([], []).i32Const(-1).bytes // → [0x41, 0x7f] // signed LEB128 */
  i32Const(value: number): this {
    return this.raw(0x41, ...signedLeb(value))
  }
  /** `i32.eqz`. @example new Code([], []).i32Eqz().bytes // → [0x45] */
  i32Eqz(): this {
    return this.raw(0x45)
  }
  /** `i32.eq`. @example new Code([], []).i32Eq().bytes // → [0x46] */
  i32Eq(): this {
    return this.raw(0x46)
  }
  /** `i32.ne`. @example new Code([], []).i32Ne().bytes // → [0x47] */
  i32Ne(): this {
    return this.raw(0x47)
  }
  /** `i32.lt_s`. @example new Code([], []).i32LtS().bytes // → [0x48] */
  i32LtS(): this {
    return this.raw(0x48)
  }
  /** `i32.lt_u`. @example new Code([], []).i32LtU().bytes // → [0x49] */
  i32LtU(): this {
    return this.raw(0x49)
  }
  /** `i32.gt_s`. @example new Code([], []).i32GtS().bytes // → [0x4a] */
  i32GtS(): this {
    return this.raw(0x4a)
  }
  /** `i32.le_s`. @example new Code([], []).i32LeS().bytes // → [0x4c] */
  i32LeS(): this {
    return this.raw(0x4c)
  }
  /** `i32.ge_s`. @example new Code([], []).i32GeS().bytes // → [0x4e] */
  i32GeS(): this {
    return this.raw(0x4e)
  }
  /** `i32.add`. @example new Code([], []).i32Add().bytes // → [0x6a] */
  i32Add(): this {
    return this.raw(0x6a)
  }
  /** `i32.sub`. @example new Code([], []).i32Sub().bytes // → [0x6b] */
  i32Sub(): this {
    return this.raw(0x6b)
  }
  /** `i32.mul`. @example new Code([], []).i32Mul().bytes // → [0x6c] */
  i32Mul(): this {
    return this.raw(0x6c)
  }
  /** `i32.div_u`. @example new Code([], []).i32DivU().bytes // → [0x6e] */
  i32DivU(): this {
    return this.raw(0x6e)
  }
  /** `i32.and`. @example new Code([], []).i32Const(-4).i32And().bytes // → [0x41, 0x7c, 0x71] // clear the low two bits */
  i32And(): this {
    return this.raw(0x71)
  }
  /** `i32.shl`. @example new Code([], []).i32Const(2).i32Shl().bytes // → [0x41, 0x02, 0x74] // × 4 */
  i32Shl(): this {
    return this.raw(0x74)
  }
  /** `select`: the first operand if the i32 on top is nonzero, else the second. @example new Code([], []).select().bytes // → [0x1b] */
  select(): this {
    return this.raw(0x1b)
  }

  // ---- f32 and memory --------------------------------------------------------------------------

  /** `f32.load` with a constant byte offset. @example new Code([], []).f32Load(4).bytes // → [0x2a, 0x02, 0x04] // align 2², offset 4 */
  f32Load(offset = 0): this {
    return this.raw(0x2a, alignOf[4], ...unsignedLeb(offset))
  }
  /** `f32.store` with a constant byte offset. @example new Code([], []).f32Store().bytes // → [0x38, 0x02, 0x00] // align 2², offset 0 */
  f32Store(offset = 0): this {
    return this.raw(0x38, alignOf[4], ...unsignedLeb(offset))
  }
  /** `i64.load` with a constant byte offset (here: to move two f32 at once). @example new Code([], []).i64Load().bytes // → [0x29, 0x03, 0x00] */
  i64Load(offset = 0): this {
    return this.raw(0x29, alignOf[8], ...unsignedLeb(offset))
  }
  /** `i64.store` with a constant byte offset. @example new Code([], []).i64Store(8).bytes // → [0x37, 0x03, 0x08] */
  i64Store(offset = 0): this {
    return this.raw(0x37, alignOf[8], ...unsignedLeb(offset))
  }
  /** `f32.const`. @example new Code([], []).f32Const(1).bytes // → [0x43, 0x00, 0x00, 0x80, 0x3f] // little-endian bits of 1 */
  f32Const(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer)
    return this.raw(0x43, ...bytes)
  }
  /** `f32.add`. @example new Code([], []).f32Add().bytes // → [0x92] */
  f32Add(): this {
    return this.raw(0x92)
  }
  /** `f32.eq`: 1 when equal (0 when either is NaN). @example new Code([], []).f32Eq().bytes // → [0x5b] */
  f32Eq(): this {
    return this.raw(0x5b)
  }
  /** A unary or binary f32 operation (see `FloatOp`). @example new Code([], []).f32('sqrt').bytes // → [0x91] */
  f32(op: FloatOp): this {
    return this.raw(f32Opcodes[op])
  }
  /** `i32.shr_u`. @example new Code([], []).i32Const(2).i32ShrU().bytes // → [0x41, 0x02, 0x76] // ÷ 4, unsigned */
  i32ShrU(): this {
    return this.raw(0x76)
  }
  /** `i32.load` with a constant byte offset. @example new Code([], []).i32Load().bytes // → [0x28, 0x02, 0x00] */
  i32Load(offset = 0): this {
    return this.raw(0x28, alignOf[4], ...unsignedLeb(offset))
  }
  /** `i32.load8_u`: one byte, zero-extended. @example new Code([], []).i32Load8U().bytes // → [0x2d, 0x00, 0x00] // align 2⁰ */
  i32Load8U(offset = 0): this {
    return this.raw(0x2d, 0, ...unsignedLeb(offset))
  }
  /** `i32.store8`: the low byte, with a constant byte offset. @example new Code([], []).i32Store8().bytes // → [0x3a, 0x00, 0x00] */
  i32Store8(offset = 0): this {
    return this.raw(0x3a, 0, ...unsignedLeb(offset))
  }
  /** An f32 comparison: i32 1 or 0 (false whenever an operand is NaN, except `ne`). @example new Code([], []).f32Compare('gt').bytes // → [0x5e] */
  f32Compare(op: CompareOp): this {
    return this.raw(f32CompareOpcodes[op])
  }
  /** `i32.store` with a constant byte offset. @example new Code([], []).i32Store().bytes // → [0x36, 0x02, 0x00] */
  i32Store(offset = 0): this {
    return this.raw(0x36, alignOf[4], ...unsignedLeb(offset))
  }
  /** `i32.or`. @example new Code([], []).i32Or().bytes // → [0x72] */
  i32Or(): this {
    return this.raw(0x72)
  }
  /** `i32.xor`. @example new Code([], []).i32Const(-1).i32Xor().bytes // → [0x41, 0x7f, 0x73] // bitwise not */
  i32Xor(): this {
    return this.raw(0x73)
  }
  /** `f64.load` with a constant byte offset. @example new Code([], []).f64Load().bytes // → [0x2b, 0x03, 0x00] */
  f64Load(offset = 0): this {
    return this.raw(0x2b, alignOf[8], ...unsignedLeb(offset))
  }
  /** `f64.store` with a constant byte offset. @example new Code([], []).f64Store().bytes // → [0x39, 0x03, 0x00] */
  f64Store(offset = 0): this {
    return this.raw(0x39, alignOf[8], ...unsignedLeb(offset))
  }
  /** `f64.add`. @example new Code([], []).f64Add().bytes // → [0xa0] */
  f64Add(): this {
    return this.raw(0xa0)
  }
  /** `f64.promote_f32` (exact). @example new Code([], []).f64PromoteF32().bytes // → [0xbb] */
  f64PromoteF32(): this {
    return this.raw(0xbb)
  }
  /** `f32.demote_f64`: rounds to the nearest f32, as `Math.fround` does. @example new Code([], []).f32DemoteF64().bytes // → [0xb6] */
  f32DemoteF64(): this {
    return this.raw(0xb6)
  }
  /** `f32.convert_i32_u`. @example new Code([], []).f32ConvertI32U().bytes // → [0xb3] */
  f32ConvertI32U(): this {
    return this.raw(0xb3)
  }
  /** `f64.const`. @example new Code([], []).f64Const(0).bytes // → [0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] */
  f64Const(value: number): this {
    return this.raw(0x44, ...new Uint8Array(new Float64Array([value]).buffer))
  }
  /** `memory.fill` (bulk memory): [dst, value, byteLength] → sets bytes. @example new Code([], []).memoryFill().bytes // → [0xfc, 0x0b, 0x00] */
  memoryFill(): this {
    return this.raw(0xfc, ...unsignedLeb(11), 0x00)
  }
  /** `memory.copy` (bulk memory): [dst, src, byteLength]. @example new Code([], []).memoryCopy().bytes // → [0xfc, 0x0a, 0x00, 0x00] */
  memoryCopy(): this {
    return this.raw(0xfc, ...unsignedLeb(10), 0x00, 0x00)
  }

  // ---- SIMD (prefix 0xfd, LEB128 sub-opcodes): the instructions themselves are in code.ts ----

  protected simd(opcode: number, ...immediates: number[]): this {
    return this.raw(0xfd, ...unsignedLeb(opcode), ...immediates)
  }

  /**
   * The body in binary form: local declarations (run-length grouped), instructions, `end`.
   * @example
   * const f = new Code(['i32'], ['i32'])
   * f.local('f32')
   * f.local('f32')
   * f.local('i32')
   * f.get(0).encode() // → [0x08, 0x02, 0x02, 0x7d, 0x01, 0x7f, 0x20, 0x00, 0x0b] // size; 2 × f32, 1 × i32; local.get 0; end
   */
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
