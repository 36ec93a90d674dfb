/** The shape of a batching rule, and the table type that makes a missing rule a compile error. */
import type { NDArray } from '@nabla/ndarray'
import type { Params, PrimitiveName } from '@nabla/ndarray/core'

/**
 * Where a value inside `vmap` keeps its batch: the axis of the underlying array that runs over the
 * examples, or `null` for a value that is the same for every example (JAX's `not_mapped`).
 * @category Rules
 * @example
 * const dims: BatchDim[] = [1, null] // x's examples run along its axis 1; y is shared by all four
 * const [out, d] = batchRules.add([zeros([3, 4]), array([1, 2, 3])], dims, {}, 4)
 * d            // → 1 // the batch axis stays where it was
 * toArray(out) // → [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]
 */
export type BatchDim = number | null

/**
 * A batching rule: given the underlying arrays of a primitive's inputs (each with its batch axis, at
 * least one not null), the primitive applied to the whole batch and where the result keeps its batch
 * axis. Rules move a batch axis only when the primitive cannot take it where it is.
 * @category Rules
 * @example
 * // neg's rule written out: it maps elements, so the batch axis stays where it is
 * const negRule: BatchRule<'neg'> = ([x], [d]) => [neg(x!), d ?? null]
 * const [out, d] = negRule([array([[1, 2], [3, 4]])], [1], {}, 2)
 * toArray(out) // → [[-1, -2], [-3, -4]]
 * d            // → 1
 * batchRules.neg([array([[1, 2], [3, 4]])], [1], {}, 2)[1] // → d
 */
export type BatchRule<P extends PrimitiveName> = (
  vals: readonly NDArray[],
  dims: readonly BatchDim[],
  params: Params<P>,
  size: number,
) => readonly [NDArray, BatchDim]

/**
 * One batching rule per primitive: adding a primitive without its rule does not compile.
 * @category Rules
 * @example
 * const table: BatchRuleTable = batchRules
 * const [out, d] = table.transpose([zeros([8, 2, 3])], [0], { perm: [1, 0] }, 8)
 * out.shape // → [8, 3, 2] // each example transposed, the batch left in front
 * d         // → 0
 * Object.keys(table).includes('dotGeneral') // → true // linalg's primitives have rules too
 */
export type BatchRuleTable = { readonly [P in PrimitiveName]: BatchRule<P> }
