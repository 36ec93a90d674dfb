/** Writing a pytree of NDArrays as safetensors bytes: names from paths, the reference's layout and an 8-byte-aligned header. */
import type { NDArray, Tree } from '@nabla/ndarray'
import { Concrete } from '@nabla/ndarray/core'
import * as E from 'fp-ts/lib/Either.js'
import { tensorBytes } from './convert.js'
import { dtypeRank, safetensorsDTypeOf } from './dtypes.js'
import { maxHeaderBytes } from './header.js'
import {
  compareCodePoints,
  type NamingOptions,
  namer,
  pathText,
  type TreePath,
  treePaths,
  wellFormed,
} from './names.js'
import { bytesText, orThrow, type SafetensorsError, safetensorsError } from './safetensorsError.js'

/**
 * Options of {@link encodeSafetensors}.
 * @category I/O
 * @example
 * const options: EncodeOptions = { metadata: { format: 'pt' }, naming: { separator: '/' } }
 * const file = decodeSafetensorsOrThrow(encodeSafetensorsOrThrow({ dense: { kernel: ones([2]) } }, options))
 * file.names // → ['dense/kernel']
 * file.metadata // → { format: 'pt' }
 * encodeSafetensorsOrThrow({ w: ones([2]) }, { metadata: { epoch: 3 } } as never) // throws SafetensorsFileError: metadata values to be strings
 */
export interface EncodeOptions {
  /** Strings stored in the header's `__metadata__` (written in key order). */
  readonly metadata?: Readonly<Record<string, string>>
  /** How tree paths become tensor names (default: joined with '.'). */
  readonly naming?: NamingOptions
}

/**
 * A file ready to write: the 8-byte length and header, then each tensor's bytes in file order.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const prepared = prepareFile('myWriter', 'w.safetensors', [{ name: 'w', path: ['w'], array: ones([2]) }], undefined)
 * const file: PreparedFile | undefined = E.isRight(prepared) ? prepared.right : undefined
 * file?.head.length // → 64 // the 8-byte length, then the 54-byte JSON padded to 56
 * file?.parts.map((p) => p.length) // → [8] // two float32
 * file?.byteLength // → 72
 */
export interface PreparedFile {
  readonly head: Uint8Array
  readonly parts: readonly Uint8Array[]
  readonly byteLength: number
}

/**
 * One tensor of a file being written.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const named = nameTensors('myWriter', 'w.safetensors', [{ kernel: ones([2, 2]), bias: zeros([2]) }], {})
 * const tensors: readonly NamedTensor[] = E.isRight(named) ? named.right : []
 * tensors.map((t) => [t.name, t.path, t.array.shape]) // → [['0.bias', [0, 'bias'], [2]], ['0.kernel', [0, 'kernel'], [2, 2]]]
 */
export interface NamedTensor {
  readonly name: string
  readonly path: TreePath
  readonly array: NDArray
}

const utf8 = new TextEncoder()

/**
 * The named leaves of `tree`, or an error naming the leaf that is not an array, the name two paths share, ….
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const W = ones([2])
 * nameTensors('encodeSafetensors', '<bytes>', { w: W }, {}) // → E.right([{ name: 'w', path: ['w'], array: W }])
 * nameTensors('encodeSafetensors', '<bytes>', [{ w: W }], { separator: '/' }) // → E.right([{ name: '0/w', path: [0, 'w'], array: W }])
 * const clash = nameTensors('encodeSafetensors', '<bytes>', { a: { b: W }, 'a.b': W })
 * E.isLeft(clash) && clash.left.found // → '"a.b" for both .a.b and ["a.b"]'
 */
export const nameTensors = (
  op: string,
  file: string,
  tree: Tree,
  naming: NamingOptions = {},
): E.Either<SafetensorsError, readonly NamedTensor[]> => {
  const fail = (expected: string, found: string, tensor?: string) =>
    E.left(safetensorsError('encode', op, file, expected, found, tensor))
  const walked = treePaths(tree)
  if ('bad' in walked) {
    return fail(
      'a tree of NDArrays (nested lists and plain records)',
      `${walked.bad.what} at ${pathText(walked.bad.path)}`,
    )
  }
  const nameOf = namer(naming)
  const seen = new Map<string, TreePath>()
  const out: NamedTensor[] = []
  for (const [path, array] of walked.leaves) {
    if (path.length === 0 && naming.name === undefined) {
      return fail('a tree of named arrays such as { weight: x } (a bare array has no name)', 'a bare NDArray')
    }
    const name = nameOf(path)
    if (typeof name !== 'string') return fail('naming.name to return a string', `${typeof name} for ${pathText(path)}`)
    if (name === '__metadata__')
      return fail('no tensor named "__metadata__" (the header reserves it)', `${pathText(path)}`)
    if (!wellFormed(name))
      return fail('names that are valid Unicode', `a lone surrogate in the name of ${pathText(path)}`)
    const before = seen.get(name)
    if (before !== undefined) {
      return fail(
        'a distinct name for every array',
        `${JSON.stringify(name)} for both ${pathText(before)} and ${pathText(path)}`,
      )
    }
    if (!(array instanceof Concrete)) {
      return fail(
        'concrete arrays (a traced array inside grad or jit has no values to write)',
        `a traced ${array.dtype} array of shape [${array.shape.join(', ')}]`,
        name,
      )
    }
    seen.set(name, path)
    out.push({ name, path, array })
  }
  return E.right(out)
}

/**
 * Lays out `tensors` as the reference writer does — by dtype (F64, F32, I32, U8, BOOL: descending
 * alignment) then name (by code point) — with the header padded with spaces to a multiple of 8 bytes.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const tensors = [
 *   { name: 'w', path: ['w'], array: ones([2]) },
 *   { name: 'n', path: ['n'], array: array([7], { dtype: 'int32' }) },
 * ]
 * // Right({ head, parts, byteLength })
 * const prepared = prepareFile('encodeSafetensors', '<bytes>', tensors, { format: 'pt' })
 * E.isRight(prepared) && (prepared.right.head.length - 8) % 8 // → 0
 * // F32 before I32 (descending alignment), each part the tensor's bytes
 * E.isRight(prepared) && prepared.right.parts.map((p) => p.length) // → [8, 4]
 * E.isRight(prepared) && decodeSafetensorsOrThrow(concatFile(prepared.right)).names // → ['w', 'n']
 */
export const prepareFile = (
  op: string,
  file: string,
  tensors: readonly NamedTensor[],
  metadata: Readonly<Record<string, string>> | undefined,
): E.Either<SafetensorsError, PreparedFile> => {
  const fail = (expected: string, found: string) => E.left(safetensorsError('encode', op, file, expected, found))
  const entries: string[] = []
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      return fail('metadata to be a record of strings', Array.isArray(metadata) ? 'a list' : String(metadata))
    }
    const keys = Object.keys(metadata).sort(compareCodePoints)
    const fields: string[] = []
    for (const k of keys) {
      const v = (metadata as Record<string, unknown>)[k]
      if (typeof v !== 'string')
        return fail('metadata values to be strings', `${typeof v} for key ${JSON.stringify(k)}`)
      if (!wellFormed(k) || !wellFormed(v)) {
        return fail('metadata that is valid Unicode', `a lone surrogate in key ${JSON.stringify(k)} or its value`)
      }
      fields.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`)
    }
    entries.push(`"__metadata__":{${fields.join(',')}}`)
  }
  const ordered = tensors
    .map((t) => ({ ...t, st: safetensorsDTypeOf[t.array.dtype] }))
    .sort((a, b) => dtypeRank(b.st) - dtypeRank(a.st) || compareCodePoints(a.name, b.name))
  const parts: Uint8Array[] = []
  let offset = 0
  for (const t of ordered) {
    const bytes = tensorBytes(op, t.array)
    parts.push(bytes)
    entries.push(
      `${JSON.stringify(t.name)}:{"dtype":"${t.st}","shape":[${t.array.shape.join(',')}],"data_offsets":[${offset},${offset + bytes.byteLength}]}`,
    )
    offset += bytes.byteLength
  }
  const json = utf8.encode(`{${entries.join(',')}}`)
  const n = Math.ceil(json.length / 8) * 8
  if (n > maxHeaderBytes) {
    return fail(
      `a header of at most ${maxHeaderBytes} bytes (the format's limit)`,
      `${bytesText(n)} of names, shapes and metadata`,
    )
  }
  const head = new Uint8Array(8 + n).fill(0x20, 8 + json.length)
  new DataView(head.buffer).setBigUint64(0, BigInt(n), true)
  head.set(json, 8)
  return E.right({ head, parts, byteLength: head.length + offset })
}

/**
 * The prepared file as one buffer.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const prepared = prepareFile('myWriter', '<bytes>', [{ name: 'w', path: ['w'], array: ones([2]) }], undefined)
 * const bytes = E.isRight(prepared) ? concatFile(prepared.right) : new Uint8Array(0)
 * bytes.length // → 72
 * bytes // → encodeSafetensorsOrThrow({ w: ones([2]) })
 */
export const concatFile = (p: PreparedFile): Uint8Array => {
  const out = new Uint8Array(p.byteLength)
  out.set(p.head)
  let at = p.head.length
  for (const part of p.parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/**
 * The safetensors bytes of a pytree of arrays: each leaf named by its path (`{ dense: { kernel } }`
 * → `"dense.kernel"`, `[{ bias }]` → `"0.bias"`), every nabla dtype stored as itself (bool as BOOL,
 * uint8 U8, int32 I32, float32 F32, float64 F64), little-endian, laid out as the reference writer
 * lays out files. A leaf that is not an array, two leaves with one name, or metadata that is not
 * strings is a `Left` saying so.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * // Right(Uint8Array)
 * const bytes = encodeSafetensors({ kernel: ones([2, 2]), bias: zeros([2]) }, { metadata: { format: 'pt' } })
 * E.isRight(bytes) && decodeSafetensorsOrThrow(bytes.right).names // → ['bias', 'kernel']
 * E.isRight(bytes) && decodeSafetensorsOrThrow(bytes.right).metadata // → { format: 'pt' }
 * const bad = encodeSafetensors({ w: ones([2]), n: 3 } as never)
 * E.isLeft(bad) && bad.left.found // → 'number at .n'
 */
export const encodeSafetensors = (
  tree: Tree,
  { metadata, naming }: EncodeOptions = {},
): E.Either<SafetensorsError, Uint8Array> =>
  E.map(concatFile)(
    E.flatMap(nameTensors('encodeSafetensors', '<bytes>', tree, naming), (ts) =>
      prepareFile('encodeSafetensors', '<bytes>', ts, metadata),
    ),
  )

/**
 * {@link encodeSafetensors}, throwing a `SafetensorsFileError` instead of returning `Left`.
 * @category I/O
 * @example
 * // in Node, to a file: writeFileSync('w.safetensors', encodeSafetensorsOrThrow({ kernel: W }))
 * const bytes = encodeSafetensorsOrThrow({ kernel: ones([2, 3]) })
 * bytes instanceof Uint8Array // → true
 * decodeSafetensorsOrThrow(bytes).tensors.kernel.shape // → [2, 3]
 * encodeSafetensorsOrThrow(ones([2])) // throws SafetensorsFileError: a bare array has no name
 */
export const encodeSafetensorsOrThrow = (tree: Tree, options: EncodeOptions = {}): Uint8Array =>
  orThrow(encodeSafetensors(tree, options))
