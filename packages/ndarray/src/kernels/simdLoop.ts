/**
 * `runSimdLoop`: the WebAssembly SIMD form of `runLoop`'s hottest bodies on flat loops — float32 + − × ÷,
 * float32 comparisons into bool bytes (ReLU's mask), `where`'s bit select, and float32 sums into a float64
 * accumulator — giving the JavaScript loop's bits.
 */
import type { TypedArray } from '../dtype.js'
import { type Code, type CompareOp, type FloatOp, ModuleBuilder, wasmEnabled } from '../wasm/index.js'
import { wasmHeap } from '../wasmHeap.js'
import type { StridedView } from './stridedView.js'

/**
 * What a kernel computes: a float32 binary op (an f32x4 op rounds as JavaScript's float64 op rounded to
 * float32 does: 53 ≥ 2·24 + 2 bits make the double rounding harmless), the bit select, or the sum.
 */
export type SimdKind = 'add' | 'sub' | 'mul' | 'div' | CompareOp | 'select' | 'sum'
type Kind = SimdKind

// a comparison of two float32s gives what JavaScript's comparison of their float64 values does (exact widening),
// NaN included: false, except for !==
const compares = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'] as const
const isCompare = (kind: Kind): kind is CompareOp => (compares as readonly string[]).includes(kind)

const compareTypes = [Uint8Array, Float32Array, Float32Array] as const
const compareShifts = [0, 2, 2] as const

// the typed arrays each kind takes: output first, then the inputs
const types: Record<Kind, readonly unknown[]> = {
  add: [Float32Array, Float32Array, Float32Array],
  sub: [Float32Array, Float32Array, Float32Array],
  mul: [Float32Array, Float32Array, Float32Array],
  div: [Float32Array, Float32Array, Float32Array],
  eq: compareTypes,
  ne: compareTypes,
  lt: compareTypes,
  gt: compareTypes,
  le: compareTypes,
  ge: compareTypes,
  select: [Int32Array, Uint8Array, Int32Array, Int32Array],
  sum: [Float64Array, Float32Array],
}

/**
 * Below this many elements the copies and the call cost more than the JavaScript loop.
 * @example
 * import { simdLoopMinSize } from './simdLoop.js'
 * simdLoopMinSize // → 4096 // a [64, 64] float32 sum is the smallest that runs in SIMD
 */
export const simdLoopMinSize = 4096

/**
 * How often the SIMD path ran (for tests: that it is taken, and not below the threshold).
 * @example
 * import { simdLoopStats } from './simdLoop.js'
 * const before = simdLoopStats.runs
 * add(ones([64, 64]), ones([64, 64])) // 4096 elements
 * add(ones([2]), ones([2]))           // too few
 * simdLoopStats.runs - before // → wasmEnabled() ? 1 : 0
 */
export const simdLoopStats = { runs: 0 }

type Kernel = (rows: number, cols: number, ...pointerAndRowBytes: number[]) => void
const kernels = new Map<string, Kernel>()

// log2 of the element size of each operand, output first
const shifts: Record<Kind, readonly number[]> = {
  add: [2, 2, 2],
  sub: [2, 2, 2],
  mul: [2, 2, 2],
  div: [2, 2, 2],
  eq: compareShifts,
  ne: compareShifts,
  lt: compareShifts,
  gt: compareShifts,
  le: compareShifts,
  ge: compareShifts,
  select: [2, 0, 2, 2],
  sum: [3, 2],
}

/**
 * The function (rows, cols, outPtr, outRowBytes, inPtr0, inRowBytes0, …): for each row, four elements at a
 * time, then one at a time; after a row every pointer moves on by its row bytes (0 for a broadcast row).
 * A scalar input (`scalar[k]`) is loaded once, before the loop.
 */
const buildKernel = (kind: Kind, scalar: readonly boolean[]): Uint8Array<ArrayBuffer> => {
  const mod = new ModuleBuilder()
  wasmHeap().importInto(mod)
  const n = scalar.length
  mod.func(
    Array(4 + 2 * n).fill('i32'),
    [],
    (f) => {
      const [rows, cols] = [0, 1]
      const ptr = (j: number) => 2 + 2 * j // j = 0: output, j = 1 + k: input k
      const [r, i, vecEnd, at] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')]
      const shift = shifts[kind]
      // address of element i of operand j
      const addr = (j: number): Code => {
        f.get(ptr(j)).get(i)
        if ((shift[j] as number) > 0) f.i32Const(shift[j] as number).i32Shl()
        return f.i32Add()
      }
      // scalar inputs: a vector and a scalar local, loaded once
      const vec: number[] = []
      const one: number[] = []
      scalar.forEach((s, k) => {
        if (!s) return
        const p = ptr(1 + k)
        if (kind === 'sum') {
          one[k] = f.local('f64')
          vec[k] = f.local('v128')
          f.get(p)
            .f32Load()
            .f64PromoteF32()
            .set(one[k] as number)
          f.get(one[k] as number)
            .f64x2Splat()
            .set(vec[k] as number)
        } else if (kind === 'select' && k === 0) {
          one[k] = f.local('i32')
          vec[k] = f.local('v128')
          f.i32Const(0)
            .get(p)
            .i32Load8U()
            .i32Sub()
            .set(one[k] as number) // the mask −c
          f.get(one[k] as number)
            .i32x4Splat()
            .set(vec[k] as number)
        } else {
          one[k] = f.local(kind === 'select' ? 'i32' : 'f32')
          vec[k] = f.local('v128')
          f.get(p)
            .v128Load32Splat()
            .set(vec[k] as number)
          if (kind === 'select')
            f.get(p)
              .i32Load()
              .set(one[k] as number)
          else
            f.get(p)
              .f32Load()
              .set(one[k] as number)
        }
      })
      // input k's element(s) i… on the stack
      const loadVec = (k: number) => {
        if (scalar[k]) return f.get(vec[k] as number)
        addr(1 + k)
        if (kind === 'select' && k === 0) {
          // four mask bytes → four i32 lanes of 0/1 → all ones or all zeros
          return f.v128Load32Zero().i16x8ExtendLowI8x16U().i32x4ExtendLowI16x8U().i32x4Neg()
        }
        return f.v128Load()
      }
      const loadOne = (k: number) => {
        if (scalar[k]) return f.get(one[k] as number)
        addr(1 + k)
        if (kind === 'select') return k === 0 ? f.i32Load8U() : f.i32Load()
        return f.f32Load()
      }
      const mask = kind === 'select' ? f.local('i32') : -1
      const lanes = isCompare(kind) ? f.local('v128') : -1
      const vector = () => {
        if (isCompare(kind)) {
          // four all-ones/zeros lanes → four bytes (narrowed twice, saturating) → 0/1 each, stored as one i32
          addr(0)
          loadVec(0)
          loadVec(1)
          f.f32x4Compare(kind).tee(lanes).get(lanes).i16x8NarrowI32x4S().tee(lanes).get(lanes).i8x16NarrowI16x8S()
          f.i32x4ExtractLane(0).i32Const(0x01010101).i32And().i32Store()
        } else if (kind === 'select') {
          addr(0)
          loadVec(1)
          loadVec(2)
          loadVec(0)
          f.v128Bitselect().v128Store()
        } else if (kind === 'sum') {
          // two f64x2 halves: out[i..i+2) += x[i..i+2), out[i+2..i+4) += x[i+2..i+4)
          addr(0).set(at)
          for (const half of [0, 1]) {
            f.get(at)
              .get(at)
              .v128Load(16 * half)
            if (scalar[0]) f.get(vec[0] as number)
            else
              addr(1)
                .v128Load64Zero(8 * half)
                .f64x2PromoteLowF32x4()
            f.f64x2Add().v128Store(16 * half)
          }
        } else {
          addr(0)
          loadVec(0)
          loadVec(1)
          f.f32x4(kind as FloatOp).v128Store()
        }
      }
      const single = () => {
        if (isCompare(kind)) {
          addr(0)
          loadOne(0)
          loadOne(1)
          f.f32Compare(kind).i32Store8()
        } else if (kind === 'select') {
          if (scalar[0]) f.get(one[0] as number).set(mask)
          else f.i32Const(0).get(ptr(1)).get(i).i32Add().i32Load8U().i32Sub().set(mask)
          addr(0)
          loadOne(1).get(mask).i32And()
          loadOne(2).get(mask).i32Const(-1).i32Xor().i32And()
          f.i32Or().i32Store()
        } else if (kind === 'sum') {
          addr(0).tee(at).get(at).f64Load()
          if (scalar[0]) f.get(one[0] as number)
          else loadOne(0).f64PromoteF32()
          f.f64Add().f64Store()
        } else {
          addr(0)
          loadOne(0)
          loadOne(1)
          f.f32(kind as FloatOp).f32Store()
        }
      }
      const pass = (stop: number, step: number, body: () => void) =>
        f.block((done) =>
          f.loop((top) => {
            f.get(i).get(stop).i32GeS().brIf(done)
            body()
            f.inc(i, step).br(top)
          }),
        )
      f.get(cols).i32Const(-4).i32And().set(vecEnd)
      f.block((done) =>
        f.loop((top) => {
          f.get(r).get(rows).i32GeS().brIf(done)
          f.i32Const(0).set(i)
          pass(vecEnd, 4, vector)
          pass(cols, 1, single)
          for (let j = 0; j <= n; j++) {
            f.get(ptr(j))
              .get(ptr(j) + 1)
              .i32Add()
              .set(ptr(j))
          }
          f.inc(r, 1).br(top)
        }),
      )
    },
    'run',
  )
  return mod.toBytes()
}

const kernelFor = (kind: Kind, scalar: readonly boolean[]): Kernel => {
  const key = `${kind}:${scalar.map(Number).join('')}`
  let kernel = kernels.get(key)
  if (kernel === undefined) {
    kernel = wasmHeap().instantiate(buildKernel(kind, scalar)).run as Kernel
    kernels.set(key, kernel)
  }
  return kernel
}

type View = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => TypedArray

/**
 * Runs `body` over the coalesced loop `dims` ([C] or [R, C]) with the coalesced `strides` (output first) in
 * WebAssembly SIMD when it is one of the bodies above with the dtypes it expects, at least `simdLoopMinSize`
 * elements, each input contiguous, a broadcast row or a scalar, and the output contiguous (or, for the sum,
 * a row accumulated into). Inputs in the heap are read in place, others copied into scratch blocks; so is
 * the output. Returns false, having done nothing, when it does not apply or the heap is full.
 * @example
 * import { runSimdLoop } from './simdLoop.js'
 * const x = new Float32Array(64 * 64).fill(1)
 * const bias = new Float32Array(64).fill(2)
 * const out = new Float32Array(64 * 64)
 * const operand = (data: Float32Array, strides: number[]) => ({ data, offset: 0, strides })
 * // x + bias over [64, 64], the bias a broadcast row (strides: output first)
 * runSimdLoop('add', [64, 64], operand(out, [64, 1]), [operand(x, [64, 1]), operand(bias, [0, 1])], [
 *   [64, 1], [64, 1], [0, 1]]) // → wasmEnabled() // false (nothing done) without SIMD: then the caller runs its JavaScript loop
 * out[4095] // → wasmEnabled() ? 3 : 0
 * runSimdLoop('add', [4], operand(out, [1]), [operand(x, [1]), operand(bias, [1])], [[1], [1], [1]]) // → false // too few
 */
export const runSimdLoop = (
  kind: SimdKind,
  dims: readonly number[],
  out: StridedView,
  ins: readonly StridedView[],
  strides: readonly (readonly number[])[],
): boolean => {
  const two = dims.length === 2
  const cols = dims[dims.length - 1] as number
  const rows = two ? (dims[0] as number) : 1
  if (dims.length > 2 || rows * cols < simdLoopMinSize) return false
  if (!wasmEnabled()) return false
  const want = types[kind]
  if (out.data.constructor !== want[0] || ins.length !== want.length - 1) return false
  for (let k = 0; k < ins.length; k++) if ((ins[k] as StridedView).data.constructor !== want[k + 1]) return false
  // each operand's mode: 'c' contiguous, 'r' a broadcast row, 's' a scalar
  const modes: string[] = []
  for (let j = 0; j < strides.length; j++) {
    const s = strides[j] as readonly number[]
    const inner = s[s.length - 1] as number
    const outer = two ? (s[0] as number) : inner === 0 ? 0 : cols
    const mode = inner === 1 ? (outer === cols ? 'c' : outer === 0 ? 'r' : '') : inner === 0 && outer === 0 ? 's' : ''
    if (mode === '' || (j === 0 && mode !== 'c' && !(kind === 'sum' && mode === 'r'))) return false
    modes.push(mode)
  }
  const h = wasmHeap()
  const scratch: number[] = []
  const operands = [out, ...ins]
  const count = (j: number) => (modes[j] === 'c' ? rows * cols : modes[j] === 's' ? 1 : cols)
  // byte range of operand j's region, and whether it lives in the heap (then used in place)
  const range = (j: number): [number, number] => {
    const x = operands[j] as StridedView
    const start = x.data.byteOffset + x.offset * x.data.BYTES_PER_ELEMENT
    return [start, start + count(j) * x.data.BYTES_PER_ELEMENT]
  }
  // `pointerOf` looks only at the buffer and byte offset, so it answers for int32 and uint8 views too
  const resident = (j: number) => h.pointerOf((operands[j] as StridedView).data as unknown as Float32Array) >= 0
  try {
    const args: number[] = []
    const outInPlace = kind !== 'sum' && resident(0)
    const [outStart, outEnd] = range(0)
    for (let j = 0; j < operands.length; j++) {
      const x = operands[j] as StridedView
      const [start, end] = range(j)
      // an input overlapping an in-place output is copied first, as the JavaScript loop reads before it writes
      const inPlace = j === 0 ? outInPlace : resident(j) && !(outInPlace && start < outEnd && outStart < end)
      let ptr = start
      if (!inPlace) {
        const bytes = end - start
        const block = h.alloc(bytes)
        if (block === undefined) return false
        scratch.push(block)
        ptr = block
        // a sum accumulates into the output, so it goes in too; a plain output is only written
        if (j > 0 || kind === 'sum') {
          const view = new (x.data.constructor as View)(h.memory.buffer, ptr, count(j))
          view.set(x.data.subarray(x.offset, x.offset + count(j)))
        }
      }
      args.push(ptr, modes[j] === 'c' ? cols * x.data.BYTES_PER_ELEMENT : 0)
    }
    kernelFor(
      kind,
      modes.slice(1).map((m) => m === 's'),
    )(rows, cols, ...args)
    if (!outInPlace) {
      const view = new (out.data.constructor as View)(h.memory.buffer, args[0] as number, count(0))
      out.data.set(view, out.offset)
    }
    simdLoopStats.runs++
    return true
  } finally {
    for (const ptr of scratch) h.release(ptr)
  }
}
