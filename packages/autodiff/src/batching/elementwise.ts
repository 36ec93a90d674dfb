/**
 * Element-wise primitives. They broadcast their operands NumPy-style (aligned on the last axis), so a
 * batched operand can keep its batch axis wherever it is as long as every batched operand has it at the
 * same place and all have the full rank; an unbatched operand then only needs a size-1 axis inserted
 * where its axes reach the batch axis. Otherwise the batch axes go to the front.
 */
import type { NDArray } from '@nabla/ndarray'
import { bind, type PrimitiveName } from '@nabla/ndarray/core'
import { batchAt, insertAt, reshapeTo } from './axes.js'
import type { BatchDim, BatchRule } from './rule.js'

/** An unbatched operand of logical rank ≤ `rank`, aligned with outputs of that rank whose batch axis is `d`. */
const alignUnbatched = (x: NDArray, rank: number, d: number): NDArray => {
  const lead = rank - x.rank // output axes before x's first one
  return lead >= d ? x : reshapeTo(x, insertAt(x.shape, d - lead, 1))
}

/**
 * The rule of an element-wise primitive of any arity (params passed through).
 * @example
 * // internal (not exported): batchRules.add is elementwise('add'). [x + y broadcast, 0]:
 * const [out, bdim] = batchRules.add([reshape(arange(6), [2, 3]), array([10, 20, 30])], [0, null], {}, 2)
 * toArray(out) // → [[10, 21, 32], [13, 24, 35]]
 * bdim // → 0
 */
export const elementwise =
  <P extends PrimitiveName>(prim: P): BatchRule<P> =>
  (vals, dims, params, size) => {
    const logical = vals.map((x, i) => x.rank - (dims[i] === null ? 0 : 1))
    const rank = Math.max(...logical)
    const batched = dims.filter((d): d is number => d !== null)
    const d0 = batched[0] as number
    const inPlace = dims.every((d, i) => d === null || (d === d0 && logical[i] === rank))
    if (inPlace) {
      const ins = vals.map((x, i) => (dims[i] === null ? alignUnbatched(x, rank, d0) : x))
      return [bind(prim, ins, params), d0]
    }
    const ins = vals.map((x, i) => {
      const d: BatchDim = dims[i] as BatchDim
      if (d === null) return x // right-aligned against the full rank, it broadcasts as it is
      const front = batchAt(x, d, 0, size)
      return reshapeTo(front, [size, ...Array<number>(rank - (logical[i] as number)).fill(1), ...front.shape.slice(1)])
    })
    return [bind(prim, ins, params), 0]
  }

/**
 * The rule of a one-input primitive that maps elements (or passes its input through): the batch axis stays.
 * @example
 * // internal (not exported): batchRules.exp is unary('exp'). [exp(x), 1]: the batch axis stays where it is
 * const [out, bdim] = batchRules.exp([zeros([3, 8])], [1], {}, 8)
 * out.shape // → [3, 8]
 * bdim // → 1
 */
export const unary =
  <P extends PrimitiveName>(prim: P): BatchRule<P> =>
  ([x], [d], params) => [bind(prim, [x as NDArray], params), d as BatchDim]
