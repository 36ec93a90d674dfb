/** Flat tensor names from pytree paths: `[0, 'kernel']` → `"0.kernel"`, configurable. */
import { isNDArray, type NDArray, type Tree } from '@nabla/ndarray'

/**
 * A leaf's place in a tree: record keys and list indices from the root.
 * @category Weights
 * @example
 * const walked = treePaths([{ kernel: ones([2]) }, { kernel: ones([3]) }])
 * const paths: TreePath[] = 'leaves' in walked ? walked.leaves.map(([path]) => path) : []
 * paths // → [[0, 'kernel'], [1, 'kernel']]
 * paths.map((p) => p.join('.')) // → ['0.kernel', '1.kernel'] // the default tensor names
 */
export type TreePath = readonly (string | number)[]

/**
 * How tree paths become tensor names.
 * @category Weights
 * @example
 * const naming: NamingOptions = { name: (path) => `model/${path.join('/')}` }
 * const bytes = encodeSafetensorsOrThrow({ dense: { bias: zeros([2]) } }, { naming })
 * decodeSafetensorsOrThrow(bytes).names // → ['model/dense/bias']
 * // read back into the tree with the same naming
 * toArray(decodeWeightsOrThrow(bytes, { dense: { bias: ones([2]) } }, { naming }).dense.bias) // → [0, 0]
 */
export interface NamingOptions {
  /** Put between the parts of a path (default `'.'`, as PyTorch's `state_dict` names). */
  readonly separator?: string
  /** Or name each leaf yourself (overrides `separator`); names must come out distinct. */
  readonly name?: (path: TreePath) => string
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype

const describe = (x: unknown): string =>
  x === null ? 'null' : typeof x === 'object' ? ((x as object).constructor?.name ?? 'object') : typeof x

/** A path as code would write it: `[0].kernel`, or `the root`. */
export const pathText = (path: TreePath): string =>
  path.length === 0
    ? 'the root'
    : path
        .map((p) =>
          typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`,
        )
        .join('')

/**
 * The leaves of `tree` with their paths, in `treeFlatten` order (record keys sorted, lists in
 * order). A value that is not an NDArray, list or plain record gives its path and what it is.
 * @category Weights
 * @example
 * const W = ones([2, 2])
 * const b = zeros([2])
 * treePaths([{ kernel: W, bias: b }]) // → { leaves: [[[0, 'bias'], b], [[0, 'kernel'], W]] }
 * treePaths({ w: W, n: 3 } as never) // → { bad: { path: ['n'], what: 'number' } }
 */
export const treePaths = (
  tree: Tree,
):
  | { readonly leaves: readonly (readonly [TreePath, NDArray])[] }
  | { readonly bad: { path: TreePath; what: string } } => {
  const leaves: [TreePath, NDArray][] = []
  let bad: { path: TreePath; what: string } | undefined
  const walk = (t: unknown, path: (string | number)[]): void => {
    if (bad !== undefined) return
    if (isNDArray(t)) leaves.push([path, t])
    else if (Array.isArray(t)) {
      for (let i = 0; i < t.length; i++) walk(t[i], [...path, i])
    } else if (isRecord(t)) for (const k of Object.keys(t).sort()) walk(t[k], [...path, k])
    else bad = { path, what: describe(t) }
  }
  walk(tree, [])
  return bad === undefined ? { leaves } : { bad }
}

/** The naming function the options describe. */
export const namer = ({ separator = '.', name }: NamingOptions = {}): ((path: TreePath) => string) =>
  name ?? ((path) => path.join(separator))

/**
 * Orders strings by Unicode code point (which is UTF-8 byte order, the reference implementation's
 * order for names), not by UTF-16 code unit as `<` does.
 */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}

/** Is `s` valid Unicode (no lone surrogate), so that it has a UTF-8 form? */
export const wellFormed = (s: string): boolean =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)
