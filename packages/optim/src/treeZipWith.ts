/** treeZipWith: map leaf-wise over trees of one structure with a function of several outputs, unzipping the results. */
import { type NDArray, type Tree, treeDefEqual, treeFlatten, treeUnflatten } from '@nabla/ndarray'

/**
 * Applies `f` to corresponding leaves of `trees` (same structure as the first) and returns
 * one tree per output of `f`.
 * @example
 * // internal (not exported): scaleByRms zips its step over the grads and its `nu` tree, getting two trees back
 * const opt = scaleByRms()
 * const grads = { w: array([1, 2]), b: array([3]) }
 * const [updates, { nu }] = opt.update(grads, opt.init(grads))
 * Object.keys(updates).sort() // → ['b', 'w']
 * toArray(nu.b) // → [0.9]
 */
export const treeZipWith = <R extends readonly NDArray[]>(
  f: (...leaves: NDArray[]) => R,
  ...trees: readonly Tree[]
): { -readonly [K in keyof R]: Tree } => {
  const [first, def] = treeFlatten(trees[0] as Tree)
  const others = trees.slice(1).map((t, i) => {
    const [leaves, d] = treeFlatten(t)
    if (!treeDefEqual(def, d))
      throw new TypeError(`treeZipWith: tree ${i + 1} has a different structure from the first`)
    return leaves
  })
  const results = first.map((leaf, j) => f(leaf, ...others.map((l) => l[j] as NDArray)))
  const count = results[0]?.length ?? 0
  return Array.from({ length: count }, (_, k) =>
    treeUnflatten(
      def,
      results.map((r) => r[k] as NDArray),
    ),
  ) as { -readonly [K in keyof R]: Tree }
}
