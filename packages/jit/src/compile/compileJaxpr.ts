/**
 * compileJaxpr: a program becomes an executable. Dead equations are dropped, the rest lowered into steps
 * (`lower`), every intermediate placed by liveness in one region planned now and reused by every run
 * (`planSlots`; inside the WebAssembly heap where it is shared, so the matrix product reads and writes it in
 * place), and each cluster of element-wise work compiled into one loop (`clusterKernel`). A run then only
 * walks its steps: no tracing, no dispatch, no allocation but the results it returns.
 */

import { dotGeneralInto } from '@nabla/linalg/internal'
import type { DType, TypedArray } from '@nabla/ndarray'
import {
  allocate,
  Concrete,
  clusterKernel,
  contiguousStrides,
  evalPrimitive,
  type LoopKernel as Kernel,
  materialize,
  wasmHeap,
} from '@nabla/ndarray/core'
import type { Eqn, Jaxpr, Literal } from '../jaxpr.js'
import { printJaxpr } from '../jaxpr.js'
import { type Base, copyInto, type Lowered, lower, type Ref, type Step } from './lower.js'
import { planSlots } from './plan.js'

/**
 * Options of {@link compileJaxpr}.
 * @category Compilation
 * @example
 * const jaxpr = makeJaxpr((x) => mul(x, 2))(zeros([3]))
 * const options: CompileOptions = { donated: [true] }
 * const exe = compileJaxpr(jaxpr, options)
 * exe.describe().includes('donated outputs: 1') // → true
 * toArray(exe.run([array([1, 2, 3])])[0]) // → [2, 4, 6]
 */
export interface CompileOptions {
  /** Per input leaf: whether its storage may be reused for a result (the leaves of `donateArgnums`). */
  readonly donated?: readonly boolean[]
}

/** Time spent per kind of step, summed over runs (when `stats` is on). */
export interface StepStats {
  runs: number
  /** Milliseconds per step, in step order (`describe` numbers the steps). */
  readonly steps: number[]
  cluster: number
  dot: number
  eval: number
  copy: number
}

/**
 * One step of an executable: its kind and shape, and for a fused loop how many equations and which closing reduction.
 * @category Compilation
 * @example
 * const exe = compileJaxpr(makeJaxpr((a, b) => exp(matmul(a, b)))(zeros([2, 3]), zeros([3, 4])))
 * const steps: readonly StepInfo[] = exe.steps
 * steps.map((s) => s.kind) // → ['dot', 'cluster']
 * steps[1] // → { kind: 'cluster', shape: [2, 4], eqns: 1, prim: null }
 * compileJaxpr(makeJaxpr((x) => sum(exp(x)))(zeros([3]))).steps[0].prim // → 'reduceSum'
 */
export interface StepInfo {
  readonly kind: 'cluster' | 'dot' | 'eval' | 'copy'
  /** The shape the step iterates over (a fused loop) or writes (the others). */
  readonly shape: readonly number[]
  /** Equations of the program the step covers (a product, copy or evaluation rule covers one). */
  readonly eqns: number
  /** The primitive of an evaluation-rule step, or the closing reduction of a fused loop. */
  readonly prim: string | null
}

/**
 * A compiled program.
 * @category Compilation
 * @example
 * const exe: Executable = compileJaxpr(makeJaxpr((x) => sum(exp(x)))(zeros([3])))
 * item(exe.run([zeros([3])])[0]) // → 3
 * exe.jaxpr.eqns.length // → 2
 * exe.steps.length // → 1
 * exe.regionBytes // → 0
 */
export interface Executable {
  /** The program's outputs for these inputs (one contiguous-or-strided array per input var). */
  run(inputs: readonly Concrete[]): Concrete[]
  /** The program after dead-code removal, as compiled. */
  readonly jaxpr: Jaxpr
  /** What each step is, in run order (`stats.steps` is indexed the same way; `describe` prints them). */
  readonly steps: readonly StepInfo[]
  /** The steps and the planned region, as text: what the program compiled to. */
  describe(): string
  /** The size of the planned region, in bytes (every intermediate of a run lives in it). */
  readonly regionBytes: number
  /** Per-kind step timings; collected once `timing` is set to true. */
  readonly stats: StepStats
  timing: boolean
}

const bytesOf: Record<DType, number> = { float32: 4, float64: 8, int32: 4, uint8: 1, bool: 1 }

const ctorOf: Record<DType, new (b: ArrayBufferLike, o: number, n: number) => TypedArray> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
}

/** The program without the equations no output depends on. */
const withoutDeadCode = (jaxpr: Jaxpr): Jaxpr => {
  const live = new Set<number>()
  for (const a of jaxpr.outputs) if (a.kind === 'var') live.add(a.id)
  const keep: Eqn[] = []
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i] as Eqn
    if (!live.has(e.out.id)) continue
    keep.push(e)
    for (const a of e.inputs) if (a.kind === 'var') live.add(a.id)
  }
  keep.reverse()
  const consts = jaxpr.consts
    .map((v, i) => [v, jaxpr.constValues[i] as Concrete] as const)
    .filter(([v]) => live.has(v.id))
  return {
    inputs: jaxpr.inputs,
    consts: consts.map(([v]) => v),
    constValues: consts.map(([, c]) => c),
    eqns: keep,
    outputs: jaxpr.outputs,
  }
}

/**
 * Storage for a fresh result: float32 inside the heap (where the next run's kernels read it in place), else
 * ordinary — or, with `heapOnly` (a donated buffer is at hand instead), undefined when the heap has no room.
 */
const freshStorage = (dtype: DType, n: number, heapOnly: boolean): TypedArray | undefined => {
  if (dtype === 'float32') {
    const inHeap = wasmHeap().floats(n, false)
    if (inHeap !== undefined) return inHeap
  }
  return heapOnly ? undefined : allocate(dtype, n, false)
}

const isRef = (r: Ref | Literal): r is Ref => 'base' in r

/** Can output base `o` be written into donated input base `i`'s storage? Only once nothing reads `i` later. */
const canDonate = (low: Lowered, i: number, o: number): boolean => {
  const w = low.writer[o] as number
  const readers = low.readers[i] as number[]
  if (readers.some((s) => s > w)) return false
  if (!readers.includes(w)) return true
  // read and written by one step: safe only in a fused loop that reads each element where it writes it
  const step = low.steps[w] as Step
  if (step.kind !== 'cluster' || step.reduction !== null) return false
  const store = step.nodes.find((n) => n.store?.base === o)?.store
  if (store === undefined || store === null) return false
  return step.inputs.every(
    (x) =>
      x.kind !== 'ref' ||
      x.ref.base !== i ||
      (x.ref.offset === store.offset && x.ref.strides.every((s, k) => s === store.strides[k])),
  )
}

/**
 * Compiles a program into an executable that gives, for the same inputs, the bits `evalJaxpr` gives.
 * @category Compilation
 * @example
 * const f = (x) => add(mul(x, 2), 1)
 * const x = array([1, 2, 3])
 * const exe = compileJaxpr(makeJaxpr(f)(x))
 * const [y] = exe.run([x])
 * toArray(y) // → [3, 5, 7]
 * // the mul and the add became one fused loop
 * exe.steps // → [{ kind: 'cluster', shape: [3], eqns: 2, prim: null }]
 * console.log(exe.describe())
 */
export const compileJaxpr = (program: Jaxpr, options: CompileOptions = {}): Executable => {
  const jaxpr = withoutDeadCode(program)
  const low = lower(jaxpr)
  const bases: Base[] = [...low.bases]
  // an output seen through a view of a planned slot is made fresh per run, like any output
  for (const o of low.outputs) {
    if (isRef(o) && (bases[o.base] as Base).kind === 'slot') {
      const b = bases[o.base] as Base
      bases[o.base] = { kind: 'output', dtype: b.dtype, size: b.size }
    }
  }

  // --- the region: slots packed by liveness
  const slotIds = bases.map((b, k) => (b.kind === 'slot' ? k : -1)).filter((k) => k >= 0)
  const placement = planSlots(
    slotIds.map((k) => {
      const b = bases[k] as Base
      const from = low.writer[k] as number
      const readers = low.readers[k] as number[]
      return { bytes: Math.max(1, b.size * bytesOf[b.dtype]), from, to: Math.max(from, ...readers) }
    }),
  )
  const heap = wasmHeap()
  const ptr = heap.resident && placement.bytes > 0 ? heap.alloc(placement.bytes) : undefined
  const region: ArrayBufferLike = ptr !== undefined ? heap.memory.buffer : new ArrayBuffer(placement.bytes)
  const regionStart = ptr ?? 0
  if (ptr !== undefined) heapBlocks.register(region, ptr)

  // --- buffers fixed at compile time: slots and constants
  const fixed: (TypedArray | undefined)[] = bases.map(() => undefined)
  slotIds.forEach((k, j) => {
    const b = bases[k] as Base
    fixed[k] = new ctorOf[b.dtype](region, regionStart + (placement.offsets[j] as number), b.size)
  })
  const consts = jaxpr.constValues.map((c) => materialize(c))
  bases.forEach((b, k) => {
    if (b.kind === 'const') {
      const c = consts[b.index] as Concrete
      fixed[k] = c.data.length === c.size ? c.data : c.data.subarray(c.offset, c.offset + c.size)
    }
  })

  // --- donation: an output written into a donated input's storage when nothing reads that input after
  const donated = options.donated ?? []
  const outputBase = new Set(low.outputs.filter(isRef).map((r) => r.base))
  const donatedInto = new Map<number, number>() // output base → input base
  const taken = new Set<number>()
  bases.forEach((b, o) => {
    if (b.kind !== 'output' || low.writer[o] === -1) return
    for (const [index, i] of low.inputBases.entries()) {
      const inp = bases[i] as Base
      if (!donated[index] || taken.has(i) || outputBase.has(i)) continue
      if (inp.dtype !== b.dtype || inp.size !== b.size || !canDonate(low, i, o)) continue
      donatedInto.set(o, i)
      taken.add(i)
      break
    }
  })

  // --- steps as closures over the buffer table
  const kernels: ((B: TypedArray[]) => void)[] = low.steps.map((s) => compileStep(s, bases))
  const kinds = low.steps.map((s) => s.kind)
  const steps: StepInfo[] = low.steps.map(stepInfo)

  const stats: StepStats = { runs: 0, steps: low.steps.map(() => 0), cluster: 0, dot: 0, eval: 0, copy: 0 }
  const run = (inputs: readonly Concrete[]): Concrete[] => {
    if (inputs.length !== jaxpr.inputs.length) {
      throw new RangeError(`jit: the program takes ${jaxpr.inputs.length} inputs, ${inputs.length} were given`)
    }
    const B: TypedArray[] = new Array(bases.length)
    const owner = new Map<TypedArray, number>()
    for (let k = 0; k < bases.length; k++) {
      const b = bases[k] as Base
      switch (b.kind) {
        case 'input': {
          const x = inputs[b.index] as Concrete
          const v = jaxpr.inputs[b.index]
          if (v !== undefined && (x.dtype !== v.aval.dtype || x.size !== b.size)) {
            throw new TypeError(
              `jit: input ${b.index} must be ${v.aval.dtype} [${v.aval.shape}], got ${x.dtype} [${x.shape}]`,
            )
          }
          const m = x.contiguous ? x : materialize(x)
          const data =
            m.offset === 0 && m.data.length === b.size ? m.data : m.data.subarray(m.offset, m.offset + b.size)
          // the same storage given twice must not be donated twice
          if (owner.has(m.data)) owner.set(m.data, -1)
          else owner.set(m.data, k)
          B[k] = data
          break
        }
        case 'output':
          break
        default:
          B[k] = fixed[k] as TypedArray
      }
    }
    for (let k = 0; k < bases.length; k++) {
      const b = bases[k] as Base
      if (b.kind !== 'output') continue
      const i = donatedInto.get(k)
      const input = i === undefined ? undefined : (inputs[(bases[i] as { index: number }).index] as Concrete)
      const spare =
        i !== undefined &&
        input?.contiguous === true &&
        owner.get(input.data) === i &&
        (B[i] as TypedArray).length === b.size
          ? (B[i] as TypedArray)
          : undefined
      // a donated buffer outside the heap (such as initial weights) is passed over while the heap has room:
      // a result in the heap is read in place by the next run's kernels, one outside is copied in and out
      const inHeap = spare !== undefined && (b.dtype !== 'float32' || wasmHeap().pointerOf(spare as Float32Array) >= 0)
      B[k] = inHeap ? spare : (freshStorage(b.dtype, b.size, spare !== undefined) ?? (spare as TypedArray))
    }
    if (exe.timing) {
      for (let s = 0; s < kernels.length; s++) {
        const t0 = performance.now()
        ;(kernels[s] as Kernel)(B)
        const dt = performance.now() - t0
        stats[kinds[s] as 'cluster' | 'dot' | 'eval' | 'copy'] += dt
        stats.steps[s] = (stats.steps[s] as number) + dt
      }
      stats.runs++
    } else {
      for (let s = 0; s < kernels.length; s++) (kernels[s] as Kernel)(B)
    }
    return low.outputs.map((o) => {
      if (!isRef(o)) return materialize(o.value)
      const b = bases[o.base] as Base
      const data = B[o.base] as TypedArray
      if (b.kind === 'slot') throw new Error('jit: internal: an output was left in a planned slot')
      // an output that is an input or a constant, or a view of one, shares its storage: arrays are immutable,
      // and a donated input that is returned is never written into (see the donation above)
      return new Concrete(o.dtype, o.shape, data, o.strides, o.offset)
    })
  }
  const exe: Executable = {
    jaxpr,
    steps,
    regionBytes: placement.bytes,
    stats,
    timing: false,
    run,
    describe() {
      const lines = low.steps.map((s, k) => `  ${k}: ${describeStep(s)}`)
      return [
        printJaxpr(jaxpr),
        `region: ${placement.bytes} bytes for ${slotIds.length} slots${ptr !== undefined ? ' (WebAssembly heap)' : ''}`,
        `donated outputs: ${donatedInto.size}`,
        'steps:',
        ...lines,
      ].join('\n')
    },
  }
  return exe
}

// a compiled program's region goes back to the heap when the program is collected
const heapBlocks = new FinalizationRegistry<number>((ptr) => wasmHeap().release(ptr))

const stepInfo = (s: Step): StepInfo => {
  switch (s.kind) {
    case 'cluster':
      return { kind: s.kind, shape: s.shape, eqns: s.eqns, prim: s.reduction?.prim ?? null }
    case 'dot':
    case 'copy':
      return { kind: s.kind, shape: s.out.shape, eqns: 1, prim: null }
    case 'eval':
      return { kind: s.kind, shape: s.aval.shape, eqns: 1, prim: s.prim }
  }
}

const describeStep = (s: Step): string => {
  switch (s.kind) {
    case 'cluster':
      return `fused loop of ${s.eqns} equation(s) over [${s.shape}]${s.reduction === null ? '' : ` ending in ${s.reduction.prim}`}`
    case 'dot':
      return `dotGeneral into base ${s.out.base} [${s.out.shape}]`
    case 'copy':
      return `copy into base ${s.out.base} [${s.out.shape}]`
    case 'eval':
      return `${s.prim} (evaluation rule) into base ${s.base}`
  }
}

const concreteOf = (B: TypedArray[], r: Ref | Literal): Concrete =>
  isRef(r) ? new Concrete(r.dtype, r.shape, B[r.base] as TypedArray, r.strides, r.offset) : r.value

const compileStep = (s: Step, bases: readonly Base[]): Kernel => {
  switch (s.kind) {
    case 'cluster':
      return clusterKernel(s)
    case 'copy':
      // the output seen in the input's shape, row-major: the copy walks both together
      return clusterKernel(
        copyInto(s.from, { ...s.out, shape: s.from.shape, strides: contiguousStrides(s.from.shape) }),
      )
    case 'dot': {
      const { inputs, params, out } = s
      const dims = params as Parameters<typeof dotGeneralInto>[1]
      return (B) => {
        dotGeneralInto(
          inputs.map((r) => concreteOf(B, r)),
          dims,
          new Concrete(out.dtype, out.shape, B[out.base] as TypedArray, out.strides, out.offset),
        )
      }
    }
    case 'eval': {
      const { prim, inputs, params, base } = s
      const size = (bases[base] as Base).size
      return (B) => {
        const r = evalPrimitive(
          prim,
          inputs.map((x) => concreteOf(B, x)),
          params as never,
        )
        const m = r.contiguous ? r : materialize(r)
        B[base] = m.offset === 0 && m.data.length === size ? m.data : m.data.subarray(m.offset, m.offset + size)
      }
    }
  }
}
