/**
 * The WebAssembly SIMD form of a fused float32 loop: `fuse` records its program as a list of float operations,
 * and this turns the list into one generated function that runs four lanes at a time (f32x4), then the
 * remainder one element at a time (f32). Each operation rounds to float32, as the unfused ops do, so a fused
 * float32 chain gives the same bits as the ops run one by one — and sqrt and division, which JavaScript only
 * has as scalar float64 instructions, run four at a time.
 */
import { allocate } from './dtype.js'
import { type FloatOp, ModuleBuilder, wasmEnabled } from './wasm/index.js'
import { residentFloats, wasmHeap } from './wasmHeap.js'

/** An operand of a fused operation: input `k`, constant `k` or the result of node `k`. */
export type FusedRef = { readonly kind: 'in' | 'const' | 'node'; readonly index: number }

/** One operation of a fused program: a float op applied to one or two operands. */
export interface FusedNode {
  readonly op: FloatOp
  readonly args: readonly FusedRef[]
}

/** A fused program over float32 inputs of one length: its nodes in order and the refs of its results. */
export interface FusedProgram {
  readonly inputs: number
  readonly consts: number
  readonly nodes: readonly FusedNode[]
  readonly results: readonly FusedRef[]
}

type Kernel = (n: number, ...pointersThenConsts: number[]) => void

/** Below this many elements the copies in and out cost more than the JavaScript loop saves. */
export const fusedWasmMinSize = 1024

const kernels = new Map<string, Kernel>()

// The function: (n, in pointers…, out pointers…, consts…). Locals: i (byte offset), the vector end, the end;
// per constant a splatted v128; per input and node a v128 and an f32.
const buildKernel = (program: FusedProgram): Uint8Array<ArrayBuffer> => {
  const { inputs, consts, nodes, results } = program
  const mod = new ModuleBuilder()
  wasmHeap().importInto(mod)
  const params = [...Array(1 + inputs + results.length).fill('i32'), ...Array(consts).fill('f32')]
  mod.func(
    params,
    [],
    (f) => {
      const inPtr = (k: number) => 1 + k
      const outPtr = (k: number) => 1 + inputs + k
      const constParam = (k: number) => 1 + inputs + results.length + k
      const [i, vecEnd, end] = [f.local('i32'), f.local('i32'), f.local('i32')]
      const constVec = Array.from({ length: consts }, () => f.local('v128'))
      const inVec = Array.from({ length: inputs }, () => f.local('v128'))
      const nodeVec = nodes.map(() => f.local('v128'))
      const inScalar = Array.from({ length: inputs }, () => f.local('f32'))
      const nodeScalar = nodes.map(() => f.local('f32'))
      constVec.forEach((local, k) => {
        f.get(constParam(k)).f32x4Splat().set(local)
      })
      // end = 4n bytes; vecEnd = 16⌊n/4⌋ bytes
      f.get(0).i32Const(2).i32Shl().set(end)
      f.get(0).i32Const(-4).i32And().i32Const(2).i32Shl().set(vecEnd)
      const pass = (vector: boolean, stop: number, step: number) => {
        const ref = (r: FusedRef) => {
          if (r.kind === 'in') f.get((vector ? inVec : inScalar)[r.index] as number)
          else if (r.kind === 'node') f.get((vector ? nodeVec : nodeScalar)[r.index] as number)
          else if (vector) f.get(constVec[r.index] as number)
          else f.get(constParam(r.index))
        }
        f.block((done) =>
          f.loop((top) => {
            f.get(i).get(stop).i32GeS().brIf(done)
            for (let k = 0; k < inputs; k++) {
              f.get(inPtr(k)).get(i).i32Add()
              if (vector) f.v128Load().set(inVec[k] as number)
              else f.f32Load().set(inScalar[k] as number)
            }
            nodes.forEach((node, k) => {
              for (const a of node.args) ref(a)
              if (vector) f.f32x4(node.op).set(nodeVec[k] as number)
              else f.f32(node.op).set(nodeScalar[k] as number)
            })
            results.forEach((r, k) => {
              f.get(outPtr(k)).get(i).i32Add()
              ref(r)
              if (vector) f.v128Store()
              else f.f32Store()
            })
            f.inc(i, step).br(top)
          }),
        )
      }
      pass(true, vecEnd, 16)
      pass(false, end, 4)
    },
    'fused',
  )
  return mod.toBytes()
}

const kernelFor = (program: FusedProgram): Kernel => {
  const key = JSON.stringify(program)
  let kernel = kernels.get(key)
  if (kernel === undefined) {
    kernel = wasmHeap().instantiate(buildKernel(program)).fused as Kernel
    kernels.set(key, kernel)
  }
  return kernel
}

/**
 * Whether `runFusedWasm` can run a program of this length here: WebAssembly SIMD present and not turned off
 * (`NABLA_KERNEL=ref` or `ts` turns every WebAssembly kernel off), and the arrays long enough.
 * @example
 * import { fusedWasmAvailable } from './fusedWasm.js'
 * fusedWasmAvailable(16)   // → false // too short: the JavaScript loop is faster
 * fusedWasmAvailable(4096) // → wasmEnabled()
 */
export const fusedWasmAvailable = (n: number): boolean => n >= fusedWasmMinSize && wasmEnabled()

/**
 * Runs a fused float32 program over `n` elements. Inputs already in the heap are read in place, others are
 * copied into scratch blocks; outputs are written in place into arrays of the heap or,
 * when the heap cannot hold them, into scratch blocks copied out to fresh arrays. Returns undefined (nothing
 * done) when the heap is full, so the caller runs its JavaScript loop instead.
 * @example
 * import { type FusedProgram, runFusedWasm } from './fusedWasm.js'
 * // (x0 + x1) · c0
 * const program: FusedProgram = {
 *   inputs: 2,
 *   consts: 1,
 *   nodes: [
 *     { op: 'add', args: [{ kind: 'in', index: 0 }, { kind: 'in', index: 1 }] },
 *     { op: 'mul', args: [{ kind: 'node', index: 0 }, { kind: 'const', index: 0 }] },
 *   ],
 *   results: [{ kind: 'node', index: 1 }],
 * }
 * const n = 4096
 * const [out] = runFusedWasm(program, n, [new Float32Array(n).fill(1), new Float32Array(n).fill(2)], [0.5]) ?? []
 * out?.length // → n
 * out?.[0]    // → 1.5
 */
export const runFusedWasm = (
  program: FusedProgram,
  n: number,
  inputs: readonly Float32Array[],
  consts: readonly number[],
): Float32Array[] | undefined => {
  const kernel = kernelFor(program)
  const h = wasmHeap()
  const bytes = 4 * n
  const scratch: number[] = []
  const block = (): number | undefined => {
    const ptr = h.alloc(bytes)
    if (ptr !== undefined) scratch.push(ptr)
    return ptr
  }
  try {
    const inPtrs: number[] = []
    for (const x of inputs) {
      const at = h.pointerOf(x)
      const ptr = at >= 0 ? at : block()
      if (ptr === undefined) return undefined
      if (at < 0) h.view().set(x.subarray(0, n), ptr / 4)
      inPtrs.push(ptr)
    }
    // outputs of 64 KiB and more live in the heap (residentMinBytes); smaller ones are copied out,
    // or each step would leave blocks for the collector
    const outs = program.results.map(() => residentFloats(n))
    const outPtrs: number[] = []
    for (const out of outs) {
      const ptr = out === undefined ? block() : h.pointerOf(out)
      if (ptr === undefined) return undefined
      outPtrs.push(ptr)
    }
    kernel(n, ...inPtrs, ...outPtrs, ...consts)
    const view = h.view()
    return outs.map((out, k) => {
      if (out !== undefined) return out
      const copy = allocate('float32', n, false) // written whole just below
      const at = (outPtrs[k] as number) / 4
      copy.set(view.subarray(at, at + n))
      return copy
    })
  } finally {
    for (const ptr of scratch) h.release(ptr)
  }
}
