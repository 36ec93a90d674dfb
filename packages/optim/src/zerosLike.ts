/** zerosLike: a tree of zeros shaped like the parameters, the starting value of an optimizer's moments. */
import { type NDArray, type Tree, treeMap, zeros } from '@nabla/ndarray'

/**
 * Zeros of each leaf's shape and dtype, in the tree's structure.
 * @example
 * const init = (params: Tree) => ({ nu: zerosLike(params) })
 */
export const zerosLike = (params: Tree): Tree => treeMap((p: NDArray) => zeros(p.shape, { dtype: p.dtype }), params)
