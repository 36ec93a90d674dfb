/** zerosLike: a tree of zeros shaped like the parameters, the starting value of an optimizer's moments. */
import { type NDArray, type Tree, treeMap, zeros } from '@nabla/ndarray'

/**
 * Zeros of each leaf's shape and dtype, in the tree's structure.
 * @example
 * // internal (not exported): the optimizers' init uses it for their moments
 * const { nu } = scaleByRms().init({ w: ones([2]), b: ones([1], { dtype: 'float64' }) })
 * toArray(nu.w) // → [0, 0]
 * nu.b.dtype // → 'float64'
 */
export const zerosLike = (params: Tree): Tree => treeMap((p: NDArray) => zeros(p.shape, { dtype: p.dtype }), params)
