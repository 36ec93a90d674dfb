/**
 * The description of a fused loop that `@nabla/jit` lowers a cluster of element-wise equations to, shared by the
 * JavaScript generator (`cluster.ts`) and the WebAssembly SIMD one (`clusterWasm.ts`).
 */
import type { DType, TypedArray } from '../dtype.js'
import type { PrimitiveName } from '../primitive.js'

/**
 * Where a loop's operand lives: buffer `base` (of the program's buffer table) seen through an offset and strides.
 * @category Kernels
 * @example
 * // buffer 0, three floats, read as a [2, 3] array whose rows repeat it (stride 0 along the rows)
 * const row: LoopRef = { base: 0, offset: 0, strides: [0, 1], shape: [2, 3], dtype: 'float32' }
 * const out: LoopRef = { base: 1, offset: 0, strides: [3, 1], shape: [2, 3], dtype: 'float32' }
 * const neg = { prim: 'neg', params: {}, args: [{ kind: 'input', index: 0 }], dtype: 'float32', store: out } as const
 * const buffers = [new Float32Array([1, 2, 3]), new Float32Array(6)]
 * clusterKernel({ shape: [2, 3], inputs: [{ kind: 'ref', ref: row }], nodes: [neg], reduction: null, eqns: 1 })(buffers)
 * buffers[1] // → new Float32Array([-1, -2, -3, -1, -2, -3])
 */
export interface LoopRef {
  readonly base: number
  readonly offset: number
  readonly strides: readonly number[]
  readonly shape: readonly number[]
  readonly dtype: DType
}

/**
 * A leaf a fused loop reads: a buffer (through a ref broadcast to the loop's shape) or a literal.
 * @category Kernels
 * @example
 * // out = x · 10 over two floats: a buffer leaf and a literal leaf
 * const x: LoopInput = { kind: 'ref', ref: { base: 0, offset: 0, strides: [1], shape: [2], dtype: 'float32' } }
 * const ten: LoopInput = { kind: 'literal', value: 10 }
 * const args = [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }] as const
 * const store = { base: 1, offset: 0, strides: [1], shape: [2], dtype: 'float32' } as const
 * const buffers = [new Float32Array([1, 2]), new Float32Array(2)]
 * clusterKernel({ shape: [2], inputs: [x, ten], nodes: [{ prim: 'mul', params: {}, args, dtype: 'float32', store }], reduction: null, eqns: 1 })(buffers)
 * buffers[1] // → new Float32Array([10, 20])
 */
export type LoopInput =
  | { readonly kind: 'ref'; readonly ref: LoopRef }
  | { readonly kind: 'literal'; readonly value: number }

/**
 * What a node reads: another node's value or a leaf.
 * @category Kernels
 * @example
 * // out = exp(x) − x: node 1 reads node 0 and leaf 0
 * const ref = (base: number) => ({ base, offset: 0, strides: [1], shape: [1], dtype: 'float64' }) as const
 * const x: LoopArg = { kind: 'input', index: 0 }
 * const e: LoopArg = { kind: 'node', index: 0 }
 * const nodes = [{ prim: 'exp', params: {}, args: [x], dtype: 'float64', store: null }, { prim: 'sub', params: {}, args: [e, x], dtype: 'float64', store: ref(1) }] as const
 * const buffers = [new Float64Array([1]), new Float64Array(1)]
 * clusterKernel({ shape: [1], inputs: [{ kind: 'ref', ref: ref(0) }], nodes, reduction: null, eqns: 2 })(buffers)
 * buffers[1]![0] // → Math.E - 1
 */
export interface LoopArg {
  readonly kind: 'node' | 'input'
  readonly index: number
}

/**
 * One element-wise primitive of a fused loop.
 * @category Kernels
 * @example
 * // x > 0 as bool, one node stored as bytes
 * const ref = (base: number, dtype: 'float32' | 'bool') => ({ base, offset: 0, strides: [1], shape: [3], dtype }) as const
 * const args = [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }] as const
 * const positive: LoopNode = { prim: 'compare', params: { op: 'greater' }, args, dtype: 'bool', store: ref(1, 'bool') }
 * const buffers = [new Float32Array([-1, 0, 2]), new Uint8Array(3)]
 * clusterKernel({ shape: [3], inputs: [{ kind: 'ref', ref: ref(0, 'float32') }, { kind: 'literal', value: 0 }], nodes: [positive], reduction: null, eqns: 1 })(buffers)
 * buffers[1] // → new Uint8Array([0, 0, 1])
 */
export interface LoopNode {
  readonly prim: PrimitiveName
  readonly params: unknown
  readonly args: readonly LoopArg[]
  readonly dtype: DType
  /** Where the node's value is stored (it is read after the loop, or returned), or null: a register only. */
  readonly store: LoopRef | null
}

/**
 * A fused loop: element-wise nodes over `shape`, in order, optionally ending in a reduction of one node (or
 * leaf) over `axes` into `out`, a contiguous ref of the reduced shape.
 * @category Kernels
 * @example
 * // the row sums of x², fused: a square node reduced over axis 1 into a [2] output
 * const x = { base: 0, offset: 0, strides: [3, 1], shape: [2, 3], dtype: 'float32' } as const
 * const square = { prim: 'mul', params: {}, args: [{ kind: 'input', index: 0 }, { kind: 'input', index: 0 }], dtype: 'float32', store: null } as const
 * const out = { base: 1, offset: 0, strides: [1], shape: [2], dtype: 'float32' } as const
 * const nest: LoopNest = { shape: [2, 3], inputs: [{ kind: 'ref', ref: x }], nodes: [square], reduction: { prim: 'reduceSum', node: { kind: 'node', index: 0 }, axes: [1], out }, eqns: 2 }
 * const buffers = [new Float32Array([1, 2, 3, 4, 5, 6]), new Float32Array(2)]
 * clusterKernel(nest)(buffers)
 * buffers[1] // → new Float32Array([14, 77])
 */
export interface LoopNest {
  readonly shape: readonly number[]
  readonly inputs: readonly LoopInput[]
  readonly nodes: readonly LoopNode[]
  readonly reduction: {
    readonly prim: 'reduceSum' | 'reduceMax'
    readonly node: LoopArg
    readonly axes: readonly number[]
    readonly out: LoopRef
  } | null
  /** How many equations the loop stands for (for printing). */
  readonly eqns: number
}

/**
 * A compiled step: runs over the program's buffers, indexed by base.
 * @category Kernels
 * @example
 * // out = x + y over two int32s
 * const ref = (base: number) => ({ base, offset: 0, strides: [1], shape: [2], dtype: 'int32' }) as const
 * const add = { prim: 'add', params: {}, args: [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }], dtype: 'int32', store: ref(2) } as const
 * const kernel: LoopKernel = clusterKernel({ shape: [2], inputs: [{ kind: 'ref', ref: ref(0) }, { kind: 'ref', ref: ref(1) }], nodes: [add], reduction: null, eqns: 1 })
 * const buffers = [new Int32Array([1, 2]), new Int32Array([10, 20]), new Int32Array(2)]
 * kernel(buffers) // → undefined // it writes into the buffers
 * buffers[2]      // → new Int32Array([11, 22])
 */
export type LoopKernel = (buffers: TypedArray[]) => void

/** Merges adjacent axes along which every operand is contiguous, and drops unit axes (as the eager loop does). */
export const coalesce = (shape: readonly number[], all: readonly (readonly number[])[]): [number[], number[][]] => {
  const dims: number[] = []
  const strides: number[][] = all.map(() => [])
  shape.forEach((n, d) => {
    if (n === 1) return
    const last = dims.length - 1
    const merge = last >= 0 && all.every((s, j) => (strides[j] as number[])[last] === (s[d] as number) * n)
    if (merge) dims[last] = (dims[last] as number) * n
    else dims.push(n)
    all.forEach((s, j) => {
      if (merge) (strides[j] as number[])[last] = s[d] as number
      else (strides[j] as number[]).push(s[d] as number)
    })
  })
  return [dims, strides]
}
