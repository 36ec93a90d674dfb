/**
 * Parameter pytrees in and out of safetensors: `decodeWeights` / `loadWeights` read a file into the
 * structure of a template tree, checking that every tensor is there with the template's shape and
 * dtype and that the file has no others.
 */
import { type NDArray, type Tree, treeFlatten, treeUnflatten } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { decodeTensor } from './convert.js'
import { decodeHeader } from './decodeSafetensors.js'
import { type NamingOptions, namer, pathText, treePaths } from './names.js'
import { namesText, openSource, sourceOrError, type TensorEntry } from './openSafetensors.js'
import { orThrow, type SafetensorsError, SafetensorsFileError, safetensorsError } from './safetensorsError.js'
import type { SourceLike } from './source.js'

/**
 * Options of {@link decodeWeights} and {@link loadWeights}.
 * @category Weights
 * @example
 * const bytes = encodeSafetensorsOrThrow({ kernel: ones([2]), step: array([3], { dtype: 'int32' }) })
 * const options: LoadWeightsOptions = { allowExtra: true }
 * toArray(decodeWeightsOrThrow(bytes, { kernel: zeros([2]) }, options).kernel) // → [1, 1]
 * decodeWeightsOrThrow(bytes, { kernel: zeros([2]) }) // throws SafetensorsFileError: pass allowExtra to ignore them
 */
export interface LoadWeightsOptions {
  /** How the template's paths name tensors (the naming the file was written with; default '.'-joined paths). */
  readonly naming?: NamingOptions
  /** Accept tensors the template does not name (default false: an extra tensor is an error). */
  readonly allowExtra?: boolean
}

type Entry = Pick<TensorEntry, 'name' | 'dtype' | 'fileDType' | 'shape'>

/**
 * A template matched against a file: the tensor names in the template's leaf order.
 * @category Weights
 * @example
 * import * as E from 'fp-ts/Either'
 * const file = await openSafetensorsOrThrow(encodeSafetensorsOrThrow({ kernel: ones([2]), bias: zeros([2]) }))
 * const template = { kernel: zeros([2]), bias: zeros([2]) }
 * const matched = matchTemplate('myLoader', file.file, file.tensors, template)
 * const plan: TemplatePlan | undefined = E.isRight(matched) ? matched.right : undefined
 * plan?.names // → ['bias', 'kernel']
 * const tree = plan?.rebuild([array([1, 2]), array([3, 4])]) as typeof template
 * toArray(tree.kernel) // → [3, 4]
 */
export interface TemplatePlan {
  readonly names: readonly string[]
  /** The template's tree with `leaves`, the tensors read in the order of `names`, in place of its leaves. */
  readonly rebuild: (leaves: readonly NDArray[]) => Tree
}

/**
 * Matches `template` against a file's entries: every template leaf needs a tensor of its name,
 * shape and dtype; without `allowExtra`, every tensor needs a template leaf.
 * @category Weights
 * @example
 * import * as E from 'fp-ts/Either'
 * const params = { kernel: ones([2, 2]), bias: zeros([2]) }
 * const file = await openSafetensorsOrThrow(encodeSafetensorsOrThrow(params))
 * // Right({ names, rebuild })
 * const plan = matchTemplate('loadWeights', 'w.safetensors', file.tensors, params, {})
 * E.isRight(plan) && plan.right.names // → ['bias', 'kernel']
 * const other = matchTemplate('loadWeights', 'w.safetensors', file.tensors, { kernel: ones([3, 2]), bias: zeros([2]) })
 * E.isLeft(other) && [other.left.tensor, other.left.found] // → ['kernel', 'shape [2, 2] in the file']
 */
export const matchTemplate = (
  op: string,
  file: string,
  entries: readonly Entry[],
  template: Tree,
  { naming, allowExtra = false }: LoadWeightsOptions = {},
): E.Either<SafetensorsError, TemplatePlan> => {
  const fail = (expected: string, found: string, tensor?: string) =>
    E.left(safetensorsError('template', op, file, expected, found, tensor))
  const walked = treePaths(template)
  if ('bad' in walked) {
    return fail(
      'a template tree of NDArrays (nested lists and plain records)',
      `${walked.bad.what} at ${pathText(walked.bad.path)}`,
    )
  }
  const nameOf = namer(naming)
  const byName = new Map(entries.map((e) => [e.name, e]))
  const names: string[] = []
  for (const [path, leaf] of walked.leaves) {
    const name = nameOf(path)
    const e = byName.get(name)
    if (e === undefined) {
      return fail(
        `a tensor for the template's ${pathText(path)}`,
        `none named ${JSON.stringify(name)} in the file (it has ${entries.length}: ${namesText(entries.map((x) => x.name))})`,
        name,
      )
    }
    if (e.shape.join() !== leaf.shape.join() || e.shape.length !== leaf.shape.length) {
      return fail(
        `shape [${leaf.shape.join(', ')}] (the template's ${pathText(path)})`,
        `shape [${e.shape.join(', ')}] in the file`,
        name,
      )
    }
    if (e.dtype !== leaf.dtype) {
      return fail(
        `dtype ${leaf.dtype} (the template's ${pathText(path)})`,
        e.dtype === undefined ? `${e.fileDType}, which nabla cannot read` : `${e.fileDType}, read as ${e.dtype}`,
        name,
      )
    }
    names.push(name)
  }
  if (!allowExtra && entries.length > names.length) {
    const wanted = new Set(names)
    const extra = entries.filter((e) => !wanted.has(e.name))
    const first = extra[0] as Entry
    return fail(
      `only the template's ${names.length} tensors`,
      `${extra.length} more: ${namesText(extra.map((x) => x.name))} (first: ${first.fileDType} [${first.shape.join(', ')}]); pass allowExtra to ignore them`,
      first.name,
    )
  }
  const [, def] = treeFlatten(template)
  return E.right({ names, rebuild: (leaves) => treeUnflatten(def, leaves) })
}

/**
 * Decodes safetensors bytes into the structure of `template` (e.g. a model's parameters), checking
 * names, shapes and dtypes against it: a missing or extra tensor, or one of another shape or dtype,
 * is a `Left` naming it (and both shapes).
 * @category Weights
 * @example
 * import * as E from 'fp-ts/Either'
 * const params = { kernel: array([[1, 2], [3, 4]]), bias: zeros([2]) }
 * const bytes = encodeSafetensorsOrThrow(params)
 * // Right(a tree shaped like params)
 * const loaded = decodeWeights(bytes, { kernel: zeros([2, 2]), bias: zeros([2]) })
 * E.isRight(loaded) && toArray(loaded.right.kernel) // → [[1, 2], [3, 4]]
 * const missing = decodeWeights(bytes, { kernel: zeros([2, 2]), bias: zeros([2]), scale: ones([1]) })
 * E.isLeft(missing) && missing.left.kind // → 'template'
 */
export const decodeWeights = <T extends Tree>(
  bytes: Uint8Array,
  template: T,
  options: LoadWeightsOptions & { readonly name?: string } = {},
): E.Either<SafetensorsError, T> => {
  const op = 'decodeWeights'
  const file = options.name ?? '<bytes>'
  const header = decodeHeader(op, bytes, file)
  if (E.isLeft(header)) return header
  const { tensors, dataStart } = header.right
  const plan = matchTemplate(op, file, tensors, template, options)
  if (E.isLeft(plan)) return plan
  const byName = new Map(tensors.map((t) => [t.name, t]))
  const leaves: NDArray[] = []
  for (const name of plan.right.names) {
    const t = byName.get(name)!
    const r = decodeTensor(op, file, t, bytes.subarray(dataStart + t.begin, dataStart + t.end), false)
    if (E.isLeft(r)) return r
    leaves.push(r.right)
  }
  return E.right(plan.right.rebuild(leaves) as T)
}

/**
 * {@link decodeWeights}, throwing a `SafetensorsFileError` instead of returning `Left`.
 * @category Weights
 * @example
 * const bytes = encodeSafetensorsOrThrow({ kernel: array([[1, 2]]), bias: zeros([2]) })
 * const params = decodeWeightsOrThrow(bytes, { kernel: zeros([1, 2]), bias: zeros([2]) })
 * toArray(params.kernel) // → [[1, 2]]
 * decodeWeightsOrThrow(bytes, { kernel: zeros([2, 1]), bias: zeros([2]) }) // throws SafetensorsFileError: expected shape [2, 1] (the template's .kernel), found shape [1, 2] in the file
 */
export const decodeWeightsOrThrow = <T extends Tree>(
  bytes: Uint8Array,
  template: T,
  options: LoadWeightsOptions & { readonly name?: string } = {},
): T => orThrow(decodeWeights(bytes, template, options))

/**
 * Reads a parameter tree from a Blob, File or bytes (in Node, `@nabla/io/node`'s `loadWeights` also
 * takes a path), as a `TaskEither`: the header is checked against `template` before any tensor is
 * read, then each tensor is fetched with one ranged read.
 * @category Weights
 * @example
 * // a Blob here; in a browser a File from <input type="file">, in Node a path (the loadWeights of '@nabla/io/node')
 * const blob = new Blob([encodeSafetensorsOrThrow({ w: array([1, 2, 3]) })])
 * // Right(tree) or Left(SafetensorsError)
 * const params = await loadWeights(blob, { w: zeros([3]) })()
 * params._tag // → 'Right'
 * const wrong = await loadWeights(blob, { w: zeros([3], { dtype: 'int32' }) })()
 * wrong._tag === 'Left' && wrong.left.kind // → 'template'
 */
export const loadWeights =
  <T extends Tree>(
    source: SourceLike,
    template: T,
    options: LoadWeightsOptions = {},
  ): TE.TaskEither<SafetensorsError, T> =>
  async () => {
    const src = sourceOrError('loadWeights', source)
    if (E.isLeft(src)) return src
    return loadFrom('loadWeights', await openSource('loadWeights', src.right), template, options)
  }

/** Reads `template`'s tensors from an opened file, then closes it. */
export const loadFrom = async <T extends Tree>(
  op: string,
  opened: E.Either<SafetensorsError, import('./openSafetensors.js').SafetensorsFile>,
  template: T,
  options: LoadWeightsOptions,
): Promise<E.Either<SafetensorsError, T>> => {
  if (E.isLeft(opened)) return opened
  const f = opened.right
  try {
    const plan = matchTemplate(op, f.file, f.tensors, template, options)
    if (E.isLeft(plan)) return plan
    const leaves: NDArray[] = []
    for (const name of plan.right.names) {
      const r = await f.read(name)()
      if (E.isLeft(r)) return r
      leaves.push(r.right)
    }
    return E.right(plan.right.rebuild(leaves) as T)
  } finally {
    await f.close()
  }
}

/**
 * {@link loadWeights}, rejecting with a `SafetensorsFileError` instead of returning `Left`.
 * @category Weights
 * @example
 * // a Blob here; in a browser a File from <input type="file">, in Node a path (the loadWeightsOrThrow of '@nabla/io/node')
 * const blob = new Blob([encodeSafetensorsOrThrow({ w: array([1, 2, 3]) })])
 * const params = await loadWeightsOrThrow(blob, { w: zeros([3]) })
 * toArray(params.w) // → [1, 2, 3]
 * await loadWeightsOrThrow(blob, { w: zeros([3]), b: zeros([3]) }) // throws SafetensorsFileError: none named "b" in the file
 */
export const loadWeightsOrThrow = async <T extends Tree>(
  source: SourceLike,
  template: T,
  options: LoadWeightsOptions = {},
): Promise<T> => {
  const r = await loadWeights(source, template, options)()
  if (E.isLeft(r)) throw new SafetensorsFileError(r.left)
  return r.right
}
