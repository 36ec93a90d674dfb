/**
 * The WebAssembly SIMD form of a fused float32 loop nest (`LoopNest`): one generated function that walks the
 * last two axes of the cluster's coalesced shape four lanes at a time, then the remainder one element at a time,
 * with every operand's offset and strides written into the code; the axes before them (a nest of rank > 2
 * without a reduction) are stepped from JavaScript, the function called once per index with each base's pointer
 * moved along. It gives the JavaScript cluster's bits:
 * - float32 `+ − × ÷`, `sqrt` and `neg` as f32x4 ops (an f32 op rounds as JavaScript's float64 op rounded to
 *   float32 does: 53 ≥ 2·24 + 2 bits make the double rounding harmless);
 * - `maximum`/`minimum` as the eager body's own test (`x0 > x1 || x0 !== x0 ? x0 : x1`), a compare and a bit
 *   select, so ±0 and NaN come out as they do eagerly;
 * - comparisons into bool masks (stored as 0/1 bytes), `where` as a bit select, casts between float32 and bool;
 * - a closing `reduceSum` accumulated in float64 in the JavaScript loop's order: down each column (a column
 *   accumulator per lane), or along each row or over everything (lanes added one after another).
 * What it does not cover (other dtypes or primitives, `reduceMax`, strided inner axes, empty shapes) stays with
 * the JavaScript generator. Buffers outside the WebAssembly heap are copied in and out around a run.
 */
import type { TypedArray } from '../dtype.js'
import type { Comparison } from '../primitive.js'
import { contiguousStrides } from '../shape.js'
import { type Code, type CompareOp, ModuleBuilder, wasmEnabled } from '../wasm/index.js'
import { wasmHeap } from '../wasmHeap.js'
import { coalesce, type LoopArg, type LoopKernel, type LoopNest } from './loopNest.js'

const compareOps: Record<Comparison, CompareOp> = {
  equal: 'eq',
  notEqual: 'ne',
  less: 'lt',
  lessEqual: 'le',
  greater: 'gt',
  greaterEqual: 'ge',
}

const floatBinary = new Set(['add', 'sub', 'mul', 'div', 'maximum', 'minimum'])
const floatUnary = new Set(['neg', 'sqrt'])

/**
 * Below this many elements the JavaScript loop is as quick as the call and the pointer checks.
 * @category Kernels
 */
export const clusterWasmMinSize = 256

/**
 * How often a SIMD cluster ran, how often one fell back to JavaScript at run time (the heap full), and how
 * many buffers outside the heap were copied in or out around a run (for tests and benches).
 * @category Kernels
 * @example
 * // out = −x over 1024 float32 elements: large enough for the SIMD loop, whose runs are counted
 * const ref = (base: number) => ({ base, offset: 0, strides: [1], shape: [1024], dtype: 'float32' }) as const
 * const neg = { prim: 'neg', params: {}, args: [{ kind: 'input', index: 0 }], dtype: 'float32', store: ref(1) } as const
 * const kernel = clusterKernel({ shape: [1024], inputs: [{ kind: 'ref', ref: ref(0) }], nodes: [neg], reduction: null, eqns: 1 })
 * const runs = clusterWasmStats.runs
 * kernel([new Float32Array(1024).fill(1), new Float32Array(1024)])
 * clusterWasmStats.runs - runs // → wasmEnabled() && wasmHeap().resident ? 1 : 0
 */
export const clusterWasmStats = { runs: 0, fallbacks: 0, copies: 0 }

type Kind = 'f32' | 'bool'

/** One of the program's buffers (by base index) seen through an offset, an element size and coalesced strides. */
interface BaseView {
  readonly base: number
  readonly offset: number
  readonly size: 1 | 4
  /** Coalesced strides as [outer, inner] (outer 0 for a rank-1 loop). */
  readonly outer: number
  readonly inner: number
}

// what each node and leaf is in registers: f32 lanes or a bool mask (all ones / zeros; 0/1 in the scalar pass)
const kindOf = (dtype: string): Kind | undefined =>
  dtype === 'float32' ? 'f32' : dtype === 'bool' ? 'bool' : undefined

/** Checks that every node is one this generator has, and says what each argument must be. */
const supported = (step: LoopNest): boolean => {
  const { inputs, nodes, reduction } = step
  const argKind = (a: LoopArg): Kind | 'literal' | undefined => {
    if (a.kind === 'node') return kindOf((nodes[a.index] as LoopNest['nodes'][number]).dtype)
    const x = inputs[a.index] as LoopNest['inputs'][number]
    return x.kind === 'literal' ? 'literal' : kindOf(x.ref.dtype)
  }
  const literalIsF32 = (a: LoopArg) => {
    const x = inputs[a.index] as LoopNest['inputs'][number]
    return x.kind === 'literal' && (Object.is(Math.fround(x.value), x.value) || Number.isNaN(x.value))
  }
  const isF32 = (a: LoopArg) => {
    const k = argKind(a)
    return k === 'f32' || (k === 'literal' && literalIsF32(a))
  }
  for (const n of nodes) {
    const out = kindOf(n.dtype)
    if (out === undefined) return false
    const { prim, args } = n
    if (floatBinary.has(prim) || floatUnary.has(prim)) {
      if (out !== 'f32' || !args.every(isF32)) return false
    } else if (prim === 'compare') {
      if (out !== 'bool' || !args.every(isF32)) return false
    } else if (prim === 'where') {
      if (out !== 'f32' || argKind(args[0] as LoopArg) !== 'bool' || !isF32(args[1] as LoopArg)) return false
      if (!isF32(args[2] as LoopArg)) return false
    } else if (prim === 'cast') {
      const from = argKind(args[0] as LoopArg)
      if (from !== 'f32' && from !== 'bool') return false
    } else return false
  }
  if (reduction !== null) {
    if (reduction.prim !== 'reduceSum' || reduction.out.dtype !== 'float32') return false
    if (!isF32(reduction.node) || argKind(reduction.node) === 'literal') return false
  }
  return true
}

interface Plan {
  readonly rows: number
  readonly cols: number
  readonly operands: readonly BaseView[]
  /** BaseView index of each ref leaf, of each stored node, and of the reduction's output (−1 when none). */
  readonly leaf: readonly number[]
  readonly store: readonly number[]
  readonly red: number
  readonly redKind: 'none' | 'column' | 'row' | 'total'
  /** Distinct bases, in parameter order. */
  readonly bases: readonly number[]
  /**
   * Axes before the last two (a loop nest of rank > 2 without a reduction): stepped from JavaScript, calling the
   * two-axis kernel once per index with each base's pointer moved by its stride along them (in bytes).
   */
  readonly lead: readonly number[]
  readonly leadBytes: readonly (readonly number[])[]
}

const planOf = (step: LoopNest): Plan | undefined => {
  const { shape, inputs, nodes, reduction } = step
  if (shape.some((d) => d === 0)) return undefined
  const raw: { base: number; offset: number; strides: readonly number[]; size: 1 | 4 }[] = []
  const sizeOf = (dtype: string): 1 | 4 => (dtype === 'bool' ? 1 : 4)
  const leaf = inputs.map((x) =>
    x.kind === 'ref'
      ? raw.push({ base: x.ref.base, offset: x.ref.offset, strides: x.ref.strides, size: sizeOf(x.ref.dtype) }) - 1
      : -1,
  )
  const store = nodes.map((n) =>
    n.store === null
      ? -1
      : raw.push({ base: n.store.base, offset: n.store.offset, strides: n.store.strides, size: sizeOf(n.dtype) }) - 1,
  )
  let red = -1
  if (reduction !== null) {
    const outStrides = contiguousStrides(reduction.out.shape)
    let k = 0
    const strides = shape.map((_, i) => (reduction.axes.includes(i) ? 0 : (outStrides[k++] as number)))
    red = raw.push({ base: reduction.out.base, offset: reduction.out.offset, strides, size: 4 }) - 1
  }
  const [dims, strides] = coalesce(
    shape,
    raw.map((o) => o.strides),
  )
  if (dims.length === 0 || (dims.length > 2 && reduction !== null)) return undefined
  const leadCount = Math.max(0, dims.length - 2)
  const lead = dims.slice(0, leadCount)
  const two = dims.length >= 2
  // along the leading axes each base moves as one: every operand on a base must have the same strides there
  const baseList = [...new Set(raw.map((o) => o.base))]
  const leadBytes: number[][] = []
  for (const base of baseList) {
    const on = raw.map((o, k) => [o, strides[k] as number[]] as const).filter(([o]) => o.base === base)
    const first = on[0]?.[1].slice(0, leadCount) ?? []
    if (on.some(([, st]) => st.slice(0, leadCount).some((v, d) => v !== first[d]))) return undefined
    leadBytes.push(first.map((v) => v * ((on[0]?.[0].size ?? 4) as number)))
  }
  if (mixedElementSizes(raw, baseList)) return undefined
  const operands = raw.map((o, k) => {
    const s = (strides[k] as number[]).slice(leadCount)
    return {
      base: o.base,
      offset: o.offset,
      size: o.size,
      outer: two ? (s[0] as number) : 0,
      inner: s.at(-1) as number,
    }
  })
  if (operands.some((o) => o.inner !== 0 && o.inner !== 1)) return undefined
  // what is written is written element by element
  if (store.some((k) => k >= 0 && (operands[k] as BaseView).inner !== 1)) return undefined
  let redKind: Plan['redKind'] = 'none'
  if (red >= 0) {
    const r = operands[red] as BaseView
    if (r.inner === 1 && r.outer === 0) redKind = 'column'
    else if (r.inner === 0 && r.outer === 0) redKind = 'total'
    else if (r.inner === 0) redKind = 'row'
    else return undefined // nothing reduced (unit axes only): the JavaScript loop
  }
  const rows = two ? (dims[leadCount] as number) : 1
  const cols = dims.at(-1) as number
  return { rows, cols, operands, leaf, store, red, redKind, bases: baseList, lead, leadBytes }
}

// a base seen with two element sizes (bytes and floats) cannot move by one byte stride: left to JavaScript
const mixedElementSizes = (raw: readonly { base: number; size: 1 | 4 }[], bases: readonly number[]): boolean =>
  bases.some((b) => new Set(raw.filter((o) => o.base === b).map((o) => o.size)).size > 1)

const build = (step: LoopNest, plan: Plan): Uint8Array<ArrayBuffer> => {
  const { inputs, nodes, reduction } = step
  const { rows, cols, operands, leaf, store, red, redKind, bases } = plan
  const mod = new ModuleBuilder()
  wasmHeap().importInto(mod)
  // parameters: a pointer per base, then the column accumulators' pointer
  mod.func(
    Array(bases.length + 1).fill('i32'),
    [],
    (f) => {
      const accPtr = bases.length
      const [r, i, at] = [f.local('i32'), f.local('i32'), f.local('i32')]
      // each operand's row pointer: its base's pointer + its offset, moved on by its outer stride after a row
      const rowPtr = operands.map(() => f.local('i32'))
      operands.forEach((o, k) => {
        f.get(bases.indexOf(o.base))
          .i32Const(o.offset * o.size)
          .i32Add()
          .set(rowPtr[k] as number)
      })
      const kindOfLeaf = (k: number): Kind => {
        const x = inputs[k] as LoopNest['inputs'][number]
        return x.kind === 'ref' && x.ref.dtype === 'bool' ? 'bool' : 'f32'
      }
      // literal leaves: splatted once; leaves constant along a row: loaded once per row
      const leafVec = inputs.map(() => f.local('v128'))
      const leafOne = inputs.map((_, k) => f.local(kindOfLeaf(k) === 'bool' ? 'i32' : 'f32'))
      inputs.forEach((x, k) => {
        if (x.kind !== 'literal') return
        f.f32Const(x.value).set(leafOne[k] as number)
        f.get(leafOne[k] as number)
          .f32x4Splat()
          .set(leafVec[k] as number)
      })
      const perRow = (k: number) => (operands[leaf[k] as number] as BaseView).inner === 0
      const nodeVec = nodes.map(() => f.local('v128'))
      const nodeOne = nodes.map((n) => f.local(n.dtype === 'bool' ? 'i32' : 'f32'))
      const [acc, lanes] = [f.local('f64'), f.local('v128')]
      // address of the current element (or its first lane) of operand k
      const addr = (k: number): Code => {
        const o = operands[k] as BaseView
        f.get(rowPtr[k] as number)
        if (o.inner === 0) return f
        f.get(i)
        if (o.size === 4) f.i32Const(2).i32Shl()
        return f.i32Add()
      }
      const loadRowConstants = () => {
        inputs.forEach((x, k) => {
          if (x.kind !== 'ref' || !perRow(k)) return
          if (kindOfLeaf(k) === 'bool') {
            f.get(rowPtr[leaf[k] as number] as number)
              .i32Load8U()
              .set(leafOne[k] as number)
            f.i32Const(0)
              .get(leafOne[k] as number)
              .i32Sub()
              .i32x4Splat()
              .set(leafVec[k] as number)
          } else {
            f.get(rowPtr[leaf[k] as number] as number)
              .f32Load()
              .set(leafOne[k] as number)
            f.get(leafOne[k] as number)
              .f32x4Splat()
              .set(leafVec[k] as number)
          }
        })
      }
      const get = (a: LoopArg, vector: boolean) => {
        if (a.kind === 'node') return f.get((vector ? nodeVec : nodeOne)[a.index] as number)
        const x = inputs[a.index] as LoopNest['inputs'][number]
        if (x.kind === 'literal' || perRow(a.index)) return f.get((vector ? leafVec : leafOne)[a.index] as number)
        addr(leaf[a.index] as number)
        if (kindOfLeaf(a.index) === 'bool') {
          // four 0/1 bytes → four i32 lanes → all ones or zeros
          if (vector) return f.v128Load32Zero().i16x8ExtendLowI8x16U().i32x4ExtendLowI16x8U().i32x4Neg()
          return f.i32Load8U()
        }
        return vector ? f.v128Load() : f.f32Load()
      }
      const argKind = (a: LoopArg): Kind =>
        a.kind === 'node'
          ? (nodes[a.index] as LoopNest['nodes'][number]).dtype === 'bool'
            ? 'bool'
            : 'f32'
          : kindOfLeaf(a.index)
      const body = (vector: boolean) => {
        nodes.forEach((n, k) => {
          const [a, b, c] = n.args as [LoopArg, LoopArg, LoopArg]
          switch (n.prim) {
            case 'maximum':
            case 'minimum': {
              // x0 > x1 || x0 !== x0 ? x0 : x1 (minimum: <)
              const cmp = n.prim === 'maximum' ? 'gt' : 'lt'
              get(a, vector)
              get(b, vector)
              get(a, vector)
              get(b, vector)
              if (vector) {
                f.f32x4Compare(cmp)
                get(a, vector)
                get(a, vector)
                f.f32x4Compare('ne').v128Or().v128Bitselect()
              } else {
                f.f32Compare(cmp)
                get(a, vector)
                get(a, vector)
                f.f32Compare('ne').i32Or().select()
              }
              break
            }
            case 'compare':
              get(a, vector)
              get(b, vector)
              if (vector) f.f32x4Compare(compareOps[(n.params as { op: Comparison }).op])
              else f.f32Compare(compareOps[(n.params as { op: Comparison }).op])
              break
            case 'where':
              get(b, vector)
              get(c, vector)
              get(a, vector)
              if (vector) f.v128Bitselect()
              else f.select()
              break
            case 'cast': {
              const from = argKind(a)
              const to: Kind = n.dtype === 'bool' ? 'bool' : 'f32'
              get(a, vector)
              if (from === 'bool' && to === 'f32') {
                if (vector) f.f32Const(1).f32x4Splat().v128And()
                else f.f32ConvertI32U()
              } else if (from === 'f32' && to === 'bool') {
                // x !== 0, NaN included
                if (vector) f.f32x4Const(0, 0, 0, 0).f32x4Compare('ne')
                else f.f32Const(0).f32Compare('ne')
              }
              break
            }
            default:
              get(a, vector)
              if (n.args.length > 1) get(b, vector)
              if (vector) f.f32x4(n.prim as 'add')
              else f.f32(n.prim as 'add')
          }
          f.set((vector ? nodeVec : nodeOne)[k] as number)
          const s = store[k] as number
          if (s < 0) return
          addr(s)
          f.get((vector ? nodeVec : nodeOne)[k] as number)
          if (n.dtype === 'bool') {
            if (vector) {
              // four masks → four bytes (narrowed twice, saturating) → 0/1 each, stored as one i32
              f.tee(lanes).get(lanes).i16x8NarrowI32x4S().tee(lanes).get(lanes).i8x16NarrowI16x8S()
              f.i32x4ExtractLane(0).i32Const(0x01010101).i32And().i32Store()
            } else f.i32Store8()
          } else if (vector) f.v128Store()
          else f.f32Store()
        })
        if (reduction === null) return
        const v = reduction.node
        if (redKind === 'column') {
          // acc[i..i+4) += v, as two f64x2 halves
          f.get(accPtr).get(i).i32Const(3).i32Shl().i32Add().set(at)
          if (vector) {
            for (const half of [0, 1]) {
              f.get(at)
                .get(at)
                .v128Load(16 * half)
              get(v, vector)
              if (half === 1) {
                f.tee(lanes).get(lanes)
                f.i8x16Shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15])
              }
              f.f64x2PromoteLowF32x4()
                .f64x2Add()
                .v128Store(16 * half)
            }
          } else {
            f.get(at).get(at).f64Load()
            get(v, vector)
            f.f64PromoteF32().f64Add().f64Store()
          }
        } else if (vector) {
          // along the row: lanes added one after another, as the JavaScript loop adds elements
          get(v, vector).set(lanes)
          for (let lane = 0; lane < 4; lane++) {
            f.get(acc).get(lanes).f32x4ExtractLane(lane).f64PromoteF32().f64Add().set(acc)
          }
        } else {
          f.get(acc)
          get(v, vector)
          f.f64PromoteF32().f64Add().set(acc)
        }
      }
      const pass = (stop: number, step: number, vector: boolean) =>
        f.block((done) =>
          f.loop((top) => {
            f.get(i).i32Const(stop).i32GeS().brIf(done)
            body(vector)
            f.inc(i, step).br(top)
          }),
        )
      if (redKind === 'column') {
        f.get(accPtr)
          .i32Const(0)
          .i32Const(8 * cols)
          .memoryFill()
      }
      if (redKind === 'total') f.f64Const(0).set(acc)
      f.block((done) =>
        f.loop((top) => {
          f.get(r).i32Const(rows).i32GeS().brIf(done)
          loadRowConstants()
          if (redKind === 'row') f.f64Const(0).set(acc)
          f.i32Const(0).set(i)
          if (cols >= 4) pass(cols & -4, 4, true)
          pass(cols, 1, false)
          if (redKind === 'row') {
            f.get(rowPtr[red] as number)
              .get(acc)
              .f32DemoteF64()
              .f32Store()
          }
          operands.forEach((o, k) => {
            if (o.outer === 0) return
            f.get(rowPtr[k] as number)
              .i32Const(o.outer * o.size)
              .i32Add()
              .set(rowPtr[k] as number)
          })
          f.inc(r, 1).br(top)
        }),
      )
      if (redKind === 'total') {
        f.get(rowPtr[red] as number)
          .get(acc)
          .f32DemoteF64()
          .f32Store()
      }
      if (redKind === 'column') {
        // the float64 sums rounded to float32, as the JavaScript loop's `out.set(acc)` does
        f.i32Const(0).set(i)
        f.block((done) =>
          f.loop((top) => {
            f.get(i).i32Const(cols).i32GeS().brIf(done)
            f.get(rowPtr[red] as number)
              .get(i)
              .i32Const(2)
              .i32Shl()
              .i32Add()
            f.get(accPtr).get(i).i32Const(3).i32Shl().i32Add().f64Load().f32DemoteF64().f32Store()
            f.inc(i, 1).br(top)
          }),
        )
      }
    },
    'cluster',
  )
  return mod.toBytes()
}

/**
 * The SIMD kernel of a loop nest, or undefined when the generator does not cover it (then the JavaScript
 * generator's kernel runs). A buffer it touches that is not in the WebAssembly heap is copied into a heap
 * block around each run (only the bytes the loop touches; a written buffer is copied back out after), each
 * copy counted in `clusterWasmStats.copies`. The kernel runs `fallback` instead (counted in
 * `clusterWasmStats.fallbacks`) only when the heap has no room: for such a copy, or for the column
 * accumulators of a column reduction.
 * @example
 * import { clusterWasmMinSize } from './clusterWasm.js'
 * import type { LoopNest, LoopRef } from '@nabla/ndarray/core'
 * import { clusterWasmKernel } from './clusterWasm.js'
 * // out = x + 1 over n float32 elements: buffers 0 (x) and 1 (out)
 * const step = (n: number): LoopNest => {
 *   const ref = (base: number): LoopRef => ({ base, offset: 0, strides: [1], shape: [n], dtype: 'float32' })
 *   const args = [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }] as const
 *   const add = { prim: 'add', params: {}, args, dtype: 'float32', store: ref(1) } as const
 *   return { shape: [n], inputs: [{ kind: 'ref', ref: ref(0) }, { kind: 'literal', value: 1 }], nodes: [add], reduction: null, eqns: 1 }
 * }
 * const js = (n: number) => clusterKernel(step(n), { simd: false })
 * clusterWasmKernel(step(4), js(4)) // → undefined // below clusterWasmMinSize elements: the JavaScript loop runs
 * const n = clusterWasmMinSize
 * const run = clusterWasmKernel(step(n), js(n)) ?? js(n)
 * const buffers = [new Float32Array(n).fill(2), new Float32Array(n)]
 * run(buffers) // buffers outside the heap: x is copied into it, the result back out (js(n) without WebAssembly)
 * buffers[1]![n - 1] // → 3
 */
export const clusterWasmKernel = (step: LoopNest, fallback: LoopKernel): LoopKernel | undefined => {
  if (!wasmEnabled() || !wasmHeap().resident) return undefined
  if (step.shape.reduce((a, b) => a * b, 1) < clusterWasmMinSize || !supported(step)) return undefined
  const plan = planOf(step)
  if (plan === undefined) return undefined
  const h = wasmHeap()
  const run = h.instantiate(build(step, plan)).cluster as (...pointers: number[]) => void
  const { bases, redKind, rows, cols, operands, leaf, store, red, lead, leadBytes } = plan
  // which bases the loop writes (a base outside the heap is copied in around it, and these out again)
  const writeBase = new Set([...store, red].filter((k) => k >= 0).map((k) => (operands[k] as BaseView).base))
  // a written base that no input reads and one store fills densely (a result, such as an outer product's) is not
  // copied in first: every byte of its window is written
  const readBase = new Set(leaf.filter((k) => k >= 0).map((k) => (operands[k] as BaseView).base))
  const args: number[] = new Array(bases.length + 1).fill(0)
  // the bytes of each base the loop touches, [lo, hi): a base outside the heap is copied in (and out) only there
  const touched = bases.map((base, j) => {
    let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
    // the leading axes move every operand of a base alike (in bytes)
    const along = (leadBytes[j] as readonly number[]).map((st, d) => st * ((lead[d] as number) - 1))
    const leadLo = along.reduce((acc, v) => acc + Math.min(0, v), 0)
    const leadHi = along.reduce((acc, v) => acc + Math.max(0, v), 0)
    for (const o of operands) {
      if (o.base !== base) continue
      const a = o.offset + Math.min(0, (rows - 1) * o.outer) + Math.min(0, (cols - 1) * o.inner)
      const b = o.offset + Math.max(0, (rows - 1) * o.outer) + Math.max(0, (cols - 1) * o.inner) + 1
      lo = Math.min(lo, a * o.size + leadLo)
      hi = Math.max(hi, b * o.size + leadHi)
    }
    return [lo, hi] as const
  })
  const leadCount = lead.reduce((a, b) => a * b, 1)
  const filled = bases.map((base, j) => {
    if (!writeBase.has(base) || readBase.has(base) || red >= 0) return false
    const [lo, hi] = touched[j] as readonly [number, number]
    return store.some((k) => {
      const o = operands[k] as BaseView | undefined
      return o !== undefined && k >= 0 && o.base === base && hi - lo === rows * cols * leadCount * o.size
    })
  })
  const moved: number[] = new Array(bases.length + 1).fill(0)
  /** The kernel once per index of the leading axes (once when there are none), each base's pointer moved along. */
  const runAll = (args: number[]) => {
    if (lead.length === 0) {
      run(...args)
      return
    }
    moved[bases.length] = args[bases.length] as number
    for (let m = 0; m < leadCount; m++) {
      for (let j = 0; j < bases.length; j++) moved[j] = args[j] as number
      let rest = m
      for (let d = lead.length - 1; d >= 0; d--) {
        const n = lead[d] as number
        const i = rest % n
        rest = (rest - i) / n
        for (let j = 0; j < bases.length; j++)
          moved[j] = ((moved[j] as number) + i * ((leadBytes[j] as number[])[d] as number)) | 0
      }
      run(...moved)
    }
  }
  return (B: TypedArray[]) => {
    const scratch: number[] = []
    const copied: [Uint8Array, number][] = []
    try {
      for (let j = 0; j < bases.length; j++) {
        const base = bases[j] as number
        const x = B[base] as TypedArray
        let ptr = h.pointerOf(x as Float32Array)
        if (ptr < 0) {
          const [lo, hi] = touched[j] as readonly [number, number]
          const block = h.alloc(hi - lo)
          if (block === undefined) {
            clusterWasmStats.fallbacks++
            return fallback(B)
          }
          scratch.push(block)
          // a written range is copied in too, so that what the loop does not write comes back unchanged
          const window = bytesOf(x).subarray(lo, hi)
          if (filled[j] !== true) new Uint8Array(h.memory.buffer, block, hi - lo).set(window)
          if (writeBase.has(base)) copied.push([window, block])
          // the loop addresses the base from its start: the block stands at byte lo of it (i32 arithmetic wraps)
          ptr = block - lo
          clusterWasmStats.copies++
        }
        args[j] = ptr | 0
      }
      if (redKind === 'column') {
        const acc = h.alloc(8 * cols)
        if (acc === undefined) {
          clusterWasmStats.fallbacks++
          return fallback(B)
        }
        scratch.push(acc)
        args[bases.length] = acc
      }
      runAll(args)
      for (const [window, block] of copied) window.set(new Uint8Array(h.memory.buffer, block, window.byteLength))
      clusterWasmStats.runs++
    } finally {
      for (const ptr of scratch) h.release(ptr)
    }
  }
}

const bytesOf = (x: TypedArray): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength)
