/** applyUpdates: params + updates, leaf by leaf (updates already carry the descent sign). */
import { add, cast, type NDArray, type Tree, treeMap } from '@nabla/ndarray'

/**
 * New parameters: each leaf plus its update, kept in the parameter's dtype.
 * @example
 * const next = applyUpdates(params, updates)
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
