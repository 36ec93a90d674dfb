/**
 * Pytrees: nested plain records and lists whose leaves are NDArrays (network parameters,
 * optimizer states, gradients). Transforms and optimizers work on whole trees at once.
 */
import { NDArray } from './ndarray.js'

/** A leaf, or lists and records of trees. */
export type Tree<T = NDArray> = T | readonly Tree<T>[] | { readonly [key: string]: Tree<T> }

/** The structure of a tree without its leaves: what `unflatten` needs to rebuild it. */
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
 * @example
 * const [leaves, def] = treeFlatten({ w: W, b: b }) // leaves [b, w]
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
 * @example
 * treeUnflatten(def, leaves.map(neg))
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
 * @example
 * treeLeaves([a, { b }]) // [a, b]
 */
export const treeLeaves = (tree: Tree): NDArray[] => treeFlatten(tree)[0]

/**
 * Applies `f` to every leaf, keeping the structure (and the type). Extra trees of the same structure
 * are walked in step (`treeMap(f, params, grads)`).
 * @example
 * treeMap((p, g) => sub(p, mul(g, 0.01)), params, grads)
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
 * @example
 * treeDefEqual(treeFlatten(a)[1], treeFlatten(b)[1])
 */
export const treeDefEqual = (a: TreeDef, b: TreeDef): boolean => {
  if (a.kind !== b.kind) return false
  if (a.kind === 'leaf') return true
  const bc = (b as { children: readonly TreeDef[] }).children
  if (a.children.length !== bc.length) return false
  if (a.kind === 'record' && (b.kind !== 'record' || a.keys.some((k, i) => k !== b.keys[i]))) return false
  return a.children.every((c, i) => treeDefEqual(c, bc[i] as TreeDef))
}
