/** applyUpdates: params + updates, leaf by leaf (updates already carry the descent sign). */
import { add, cast, type NDArray, type Tree, treeMap } from '@nabla/ndarray'

/**
 * New parameters: each leaf plus its update, kept in the parameter's dtype.
 * @category Transformations
 * @example
 * const params = { w: array([1, 2]), b: zeros([1]) }
 * const next = applyUpdates(params, { w: array([0.5, -0.5]), b: array([0.25], { dtype: 'float64' }) })
 * toArray(next.w) // → [1.5, 1.5]
 * next.b.dtype // → 'float32'
 */
export const applyUpdates = <T extends Tree>(params: T, updates: Tree): T =>
  treeMap(
    (p: NDArray, u: NDArray) => {
      const r = add(p, u)
      return r.dtype === p.dtype ? r : cast(r, p.dtype)
    },
    params,
    updates,
  ) as unknown as T
