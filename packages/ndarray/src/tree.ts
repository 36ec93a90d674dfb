/**
 * Pytrees: nested plain records and lists whose leaves are NDArrays (network parameters,
 * optimizer states, gradients). Transforms and optimizers work on whole trees at once.
 */
import { NDArray } from './ndarray.js'

/**
 * A leaf, or lists and records of trees.
 * @category Pytrees
 * @example
 * const params: Tree = { w: ones([2, 2]), layers: [zeros([3]), zeros([1])] }
 * treeLeaves(params).map((x) => x.shape) // → [[3], [1], [2, 2]] // sorted keys: layers before w
 * const doubled = treeMap((x) => mul(x, 2), params) as { w: NDArray }
 * toArray(doubled.w) // → [[2, 2], [2, 2]]
 */
export type Tree<T = NDArray> = T | readonly Tree<T>[] | { readonly [key: string]: Tree<T> }

/**
 * The structure of a tree without its leaves: what `unflatten` needs to rebuild it.
 * @category Pytrees
 * @example
 * const [, def] = treeFlatten({ w: ones([2]), b: [zeros([1])] })
 * def // → { kind: 'record', keys: ['b', 'w'], children: [{ kind: 'list', children: [{ kind: 'leaf' }] }, { kind: 'leaf' }] }
 * const rebuilt = treeUnflatten(def, [array([1]), array([2, 3])]) as { b: NDArray[]; w: NDArray }
 * toArray(rebuilt.w) // → [2, 3] // leaves in order: b's, then w
 * treeUnflatten(def, [ones([1])]) // throws RangeError: needs more than 1 leaves
 */
export type TreeDef =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'list'; readonly children: readonly TreeDef[] }
  | { readonly kind: 'record'; readonly keys: readonly string[]; readonly children: readonly TreeDef[] }

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype

const describe = (x: unknown): string =>
  x === null ? 'null' : typeof x === 'object' ? ((x as object).constructor?.name ?? 'object') : typeof x

/**
 * The leaves of a tree, depth first (record keys in sorted order, as JAX does) and its
 * structure. Any value that is not an NDArray, a list or a plain record is an error.
 * @category Pytrees
 * @example
 * const w = ones([2, 2])
 * const b = zeros([2])
 * const [leaves] = treeFlatten({ w, b })
 * leaves.length    // → 2
 * leaves[0] === b  // → true // record keys in sorted order: b before w
 * treeFlatten({ w, n: 3 }) // throws TypeError: the leaf at .n is number
 */
export const treeFlatten = (
  tree: Tree,
  { isLeaf = (x: unknown): boolean => x instanceof NDArray } = {},
): [NDArray[], TreeDef] => {
  const leaves: NDArray[] = []
  const walk = (t: unknown, path: string): TreeDef => {
    if (isLeaf(t)) {
      leaves.push(t as NDArray)
      return { kind: 'leaf' }
    }
    if (Array.isArray(t)) return { kind: 'list', children: t.map((c, i) => walk(c, `${path}[${i}]`)) }
    if (isRecord(t)) {
      const keys = Object.keys(t).sort()
      return { kind: 'record', keys, children: keys.map((k) => walk(t[k], `${path}.${k}`)) }
    }
    throw new TypeError(
      `tree: the leaf at ${path || 'the root'} is ${describe(t)}, expected an NDArray (or a list or record of them)`,
    )
  }
  const def = walk(tree, '')
  return [leaves, def]
}

/**
 * Rebuilds a tree of structure `def` from `leaves` (the inverse of `treeFlatten`).
 * @category Pytrees
 * @example
 * const [leaves, def] = treeFlatten({ w: array([1, 2]), b: array([3]) })
 * const negated = treeUnflatten(def, leaves.map(neg)) as { w: NDArray; b: NDArray }
 * toArray(negated.w) // → [-1, -2]
 * toArray(negated.b) // → [-3]
 */
export const treeUnflatten = <T = NDArray>(def: TreeDef, leaves: readonly T[]): Tree<T> => {
  let k = 0
  const build = (d: TreeDef): Tree<T> => {
    switch (d.kind) {
      case 'leaf':
        if (k >= leaves.length)
          throw new RangeError(`treeUnflatten: the structure needs more than ${leaves.length} leaves`)
        return leaves[k++] as T
      case 'list':
        return d.children.map(build)
      case 'record':
        return Object.fromEntries(d.keys.map((key, i) => [key, build(d.children[i] as TreeDef)]))
    }
  }
  const out = build(def)
  if (k !== leaves.length)
    throw new RangeError(`treeUnflatten: the structure has ${k} leaves, ${leaves.length} were given`)
  return out
}

/**
 * The leaves of a tree, in `treeFlatten` order.
 * @category Pytrees
 * @example
 * const a = zeros([1])
 * const b = ones([1])
 * treeLeaves([a, { b }])   // → [a, b]
 * treeLeaves({ z: a, y: b }) // → [b, a] // sorted keys
 */
export const treeLeaves = (tree: Tree): NDArray[] => treeFlatten(tree)[0]

/**
 * Applies `f` to every leaf, keeping the structure (and the type). Extra trees of the same structure
 * are walked in step (`treeMap(f, params, grads)`).
 * @category Pytrees
 * @example
 * const params = { w: array([1, 2]), b: array([0.5]) }
 * const grads = { w: array([10, 20]), b: array([1]) }
 * const next = treeMap((p: NDArray, g: NDArray) => sub(p, mul(g, 0.01)), params, grads) // one SGD step
 * toArray(next.w) // → [0.9, 1.8]
 * toArray(next.b) // → [0.49]
 */
export const treeMap = <T extends Tree>(
  f: (leaf: NDArray, ...rest: NDArray[]) => NDArray,
  tree: T,
  ...rest: readonly Tree[]
): T => {
  const [leaves, def] = treeFlatten(tree)
  const others = rest.map((r, i) => {
    const [l, d] = treeFlatten(r)
    if (!treeDefEqual(def, d)) throw new TypeError(`treeMap: tree ${i + 1} has a different structure from the first`)
    return l
  })
  const mapped: unknown = treeUnflatten(
    def,
    leaves.map((leaf, j) => f(leaf, ...others.map((l) => l[j] as NDArray))),
  )
  return mapped as T
}

/**
 * Same structure (lists of the same lengths, records with the same keys)?
 * @category Pytrees
 * @example
 * const def = (t: Tree) => treeFlatten(t)[1]
 * treeDefEqual(def({ w: zeros([2]), b: zeros([1]) }), def({ b: ones([5]), w: ones([3]) })) // → true // shapes do not matter
 * treeDefEqual(def([zeros([1])]), def([zeros([1]), zeros([1])]))                          // → false
 */
export const treeDefEqual = (a: TreeDef, b: TreeDef): boolean => {
  if (a.kind !== b.kind) return false
  if (a.kind === 'leaf') return true
  const bc = (b as { children: readonly TreeDef[] }).children
  if (a.children.length !== bc.length) return false
  if (a.kind === 'record' && (b.kind !== 'record' || a.keys.some((k, i) => k !== b.keys[i]))) return false
  return a.children.every((c, i) => treeDefEqual(c, bc[i] as TreeDef))
}
