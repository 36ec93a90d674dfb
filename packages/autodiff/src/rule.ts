/** The shape of a derivative rule, and the table type that makes a missing rule a compile error. */
import type { NDArray } from '@nabla/ndarray'
import type { Params, PrimitiveName } from '@nabla/ndarray/core'

/**
 * A tangent or cotangent; `null` stands for an exact zero (no work is done for it).
 * @category Rules
 */
export type Tangent = NDArray | null

/**
 * Forward mode: the output tangent from input tangents, given the primal inputs and
 * output. Written with public ops, so it is itself differentiable.
 * @category Rules
 */
export type JvpRule<P extends PrimitiveName> = (
  primals: readonly NDArray[],
  tangents: readonly Tangent[],
  out: NDArray,
  params: Params<P>,
) => Tangent

/**
 * Reverse mode: input cotangents from the output cotangent. `needs[i]` is false for an
 * input that is a constant to the transform; the rule must not compute its cotangent.
 * @category Rules
 */
export type VjpRule<P extends PrimitiveName> = (
  ct: NDArray,
  primals: readonly NDArray[],
  out: NDArray,
  params: Params<P>,
  needs: readonly boolean[],
) => readonly Tangent[]

/**
 * Both rules of one primitive.
 * @category Rules
 */
export interface Rule<P extends PrimitiveName> {
  readonly jvp: JvpRule<P>
  readonly vjp: VjpRule<P>
}

/**
 * One rule per primitive: adding a primitive without its rules does not compile.
 * @category Rules
 */
export type RuleTable = { readonly [P in PrimitiveName]: Rule<P> }
