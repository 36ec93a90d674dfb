/** The shape of a batching rule, and the table type that makes a missing rule a compile error. */
import type { NDArray } from '@nabla/ndarray'
import type { Params, PrimitiveName } from '@nabla/ndarray/core'

/**
 * Where a value inside `vmap` keeps its batch: the axis of the underlying array that runs over the
 * examples, or `null` for a value that is the same for every example (JAX's `not_mapped`).
 * @category Rules
 */
export type BatchDim = number | null

/**
 * A batching rule: given the underlying arrays of a primitive's inputs (each with its batch axis, at
 * least one not null), the primitive applied to the whole batch and where the result keeps its batch
 * axis. Rules move a batch axis only when the primitive cannot take it where it is.
 * @category Rules
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
 */
export type BatchRuleTable = { readonly [P in PrimitiveName]: BatchRule<P> }
