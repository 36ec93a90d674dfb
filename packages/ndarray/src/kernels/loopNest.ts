/**
 * The description of a fused loop that `@nabla/jit` lowers a cluster of element-wise equations to, shared by the
 * JavaScript generator (`cluster.ts`) and the WebAssembly SIMD one (`clusterWasm.ts`).
 */
import type { DType, TypedArray } from '../dtype.js'
import type { PrimitiveName } from '../primitive.js'

/**
 * Where a loop's operand lives: buffer `base` (of the program's buffer table) seen through an offset and strides.
 * @category Kernels
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
 */
export type LoopInput =
  | { readonly kind: 'ref'; readonly ref: LoopRef }
  | { readonly kind: 'literal'; readonly value: number }

/**
 * What a node reads: another node's value or a leaf.
 * @category Kernels
 */
export interface LoopArg {
  readonly kind: 'node' | 'input'
  readonly index: number
}

/**
 * One element-wise primitive of a fused loop.
 * @category Kernels
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
