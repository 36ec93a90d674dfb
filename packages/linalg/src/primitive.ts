/** The `dotGeneral` primitive, added to ndarray's closed set by augmenting `PrimitiveParams`. */

/**
 * Which axes of a product pair up, as in JAX's `lax.dot_general`: `contracting[0][i]` of
 * the left operand is summed against `contracting[1][i]` of the right one; `batch[0][i]`
 * and `batch[1][i]` are kept and run in lockstep. Every other axis is free. The result's
 * axes are the batch axes, then the left operand's free axes, then the right one's, each
 * in their original order.
 * @example
 * // a matrix product [m,k]·[k,n] → [m,n]
 * const mm: DotDims = { contracting: [[1], [0]], batch: [[], []] }
 * // xᵀ·g without materialising xᵀ: [b,m]ᵀ·[b,n] → [m,n]
 * const xtg: DotDims = { contracting: [[0], [0]], batch: [[], []] }
 */
export interface DotDims {
  readonly contracting: readonly [lhs: readonly number[], rhs: readonly number[]]
  readonly batch: readonly [lhs: readonly number[], rhs: readonly number[]]
}

declare module '@nabla/ndarray/core' {
  interface PrimitiveParams {
    /** Generalised tensor product (JAX's `dot_general`); axes are normalised (non-negative). */
    dotGeneral: DotDims
  }
}
