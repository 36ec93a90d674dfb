/** The shape of a derivative rule, and the table type that makes a missing rule a compile error. */
import type { NDArray } from '@nabla/ndarray'
import type { Params, PrimitiveName } from '@nabla/ndarray/core'

/**
 * A tangent or cotangent; `null` stands for an exact zero (no work is done for it).
 * @category Rules
 * @example
 * const x = array([1, 2])
 * const y = array([3, 4])
 * // mul's forward rule with y held constant (its tangent null, an exact zero): the tangent is ẋ·y
 * const t: Tangent = rules.mul.jvp([x, y], [ones([2]), null], mul(x, y), {})
 * toArray(t!) // → [3, 4]
 * rules.sign.jvp([x], [ones([2])], sign(x), {}) // → null // sign's derivative is 0
 */
export type Tangent = NDArray | null

/**
 * Forward mode: the output tangent from input tangents, given the primal inputs and
 * output. Written with public ops, so it is itself differentiable.
 * @category Rules
 * @example
 * // sqrt's forward rule written out: ẏ = ẋ / (2√x), from the output y = √x
 * const sqrtJvp: JvpRule<'sqrt'> = ([x], [dx], out) => (dx == null ? null : div(dx, mul(out, 2)))
 * const x = array([4, 9])
 * toArray(sqrtJvp([x], [ones([2])], sqrt(x), {})!) // → [0.25, 1 / 6]
 * sqrtJvp([x], [null], sqrt(x), {})                // → null // a zero tangent costs nothing
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
 * @example
 * // mul's reverse rule for operands of one shape (the real one also sums broadcast axes): x̄ = ȳ·y, ȳ = ȳ·x
 * const mulVjp: VjpRule<'mul'> = (ct, [x, y], _out, _params, [nx, ny]) => [nx ? mul(ct, y!) : null, ny ? mul(ct, x!) : null]
 * const [dx, dy] = mulVjp(ones([2]), [array([1, 2]), array([3, 4])], array([3, 8]), {}, [true, false])
 * toArray(dx!) // → [3, 4]
 * dy           // → null // y's cotangent is not needed: no work is done for it
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
 * @example
 * const expRule: Rule<'exp'> = rules.exp
 * const x = array([0, 1])
 * toArray(expRule.jvp([x], [array([2, 2])], exp(x), {})!)  // → [2, 2 * Math.E] // ẋ·eˣ
 * toArray(expRule.vjp(array([1, 1]), [x], exp(x), {}, [true])[0]!) // → [1, Math.E] // ȳ·eˣ
 */
export interface Rule<P extends PrimitiveName> {
  readonly jvp: JvpRule<P>
  readonly vjp: VjpRule<P>
}

/**
 * One rule per primitive: adding a primitive without its rules does not compile.
 * @category Rules
 * @example
 * const table: RuleTable = rules
 * Object.keys(table).includes('dotGeneral') // → true // linalg's primitives have rules too
 * const [ct] = table.reduceSum.vjp(array(1), [zeros([2, 3])], array(0), { axes: [0, 1] }, [true])
 * toArray(ct!) // → [[1, 1, 1], [1, 1, 1]] // a sum's cotangent, broadcast back
 */
export type RuleTable = { readonly [P in PrimitiveName]: Rule<P> }
