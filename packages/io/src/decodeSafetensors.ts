/** Decoding safetensors bytes held in memory: every header rule checked, every tensor converted to an NDArray. */
import type { NDArray } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { decodeTensor } from './convert.js'
import { type Header, headerLength, parseHeader } from './header.js'
import { orThrow, type SafetensorsError } from './safetensorsError.js'

/**
 * Options of {@link decodeSafetensors}.
 * @category I/O
 * @example
 * const options: DecodeOptions = { name: 'model.safetensors' }
 * decodeSafetensorsOrThrow(new Uint8Array(3), options) // throws SafetensorsFileError: decodeSafetensors: model.safetensors: bad header length
 * decodeSafetensorsOrThrow(new Uint8Array(3)) // throws SafetensorsFileError: decodeSafetensors: <bytes>: bad header length
 */
export interface DecodeOptions {
  /** How errors name the bytes (a file name or path); default `'<bytes>'`. */
  readonly name?: string
}

/**
 * A decoded file.
 * @category I/O
 * @example
 * const bytes = encodeSafetensorsOrThrow({ b: zeros([2]), a: ones([3]) }, { metadata: { epoch: '3' } })
 * const file: Safetensors = decodeSafetensorsOrThrow(bytes)
 * file.names // → ['a', 'b']
 * toArray(file.tensors.a) // → [1, 1, 1]
 * file.metadata // → { epoch: '3' }
 */
export interface Safetensors {
  /** The tensors by name. */
  readonly tensors: Readonly<Record<string, NDArray>>
  /** Their names in file order. */
  readonly names: readonly string[]
  /** The `__metadata__` strings (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * The validated header of safetensors bytes (nothing else is read).
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const bytes = encodeSafetensorsOrThrow({ w: ones([2]) }, { metadata: { format: 'pt' } })
 * // Right({ metadata, tensors, dataStart })
 * const header = decodeHeader('decodeSafetensors', bytes, 'model.safetensors')
 * E.isRight(header) && header.right.metadata // → { format: 'pt' }
 * E.isRight(header) && header.right.tensors.map((t) => [t.name, t.fileDType, t.shape]) // → [['w', 'F32', [2]]]
 */
export const decodeHeader = (op: string, bytes: Uint8Array, name: string): E.Either<SafetensorsError, Header> =>
  E.flatMap(headerLength(op, name, bytes.subarray(0, 8), bytes.length), (n) =>
    parseHeader(op, name, bytes.subarray(8, 8 + n), bytes.length - 8 - n),
  )

/**
 * Decodes a whole safetensors file held in memory. Every rule of the format is checked before any
 * tensor is allocated (header length within the file and at most 100 MB, UTF-8 JSON without
 * duplicate keys, known dtypes, integer shapes, offsets tiling the data from 0 with no gap or overlap,
 * each span exactly shape × element size, nothing after the last tensor); then each tensor becomes
 * an NDArray — copied, never aliasing `bytes` — with F16/BF16/F8 widened to float32, I8/I16/U16 to
 * int32, and U32/I64/U64 to int32 when every value fits. Any failure is a `Left` naming the tensor,
 * what was expected and what was found; this never throws.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * const bytes = encodeSafetensorsOrThrow({ dense: { kernel: zeros([784, 512]) } })
 * const decoded = decodeSafetensors(bytes, { name: 'model.safetensors' })
 * pipe(decoded, E.map((f) => f.tensors['dense.kernel'].shape)) // → E.right([784, 512])
 * const cut = decodeSafetensors(bytes.subarray(0, 3), { name: 'model.safetensors' })
 * pipe(cut, E.mapLeft((e) => `${e.kind}: found ${e.found}`)) // → E.left('header: found 3 bytes')
 */
export const decodeSafetensors = (
  bytes: Uint8Array,
  { name = '<bytes>' }: DecodeOptions = {},
): E.Either<SafetensorsError, Safetensors> => {
  const op = 'decodeSafetensors'
  const header = decodeHeader(op, bytes, name)
  if (E.isLeft(header)) return header
  const { tensors, dataStart, metadata } = header.right
  const out: [string, NDArray][] = []
  for (const t of tensors) {
    const r = decodeTensor(op, name, t, bytes.subarray(dataStart + t.begin, dataStart + t.end), false)
    if (E.isLeft(r)) return r
    out.push([t.name, r.right])
  }
  return E.right({ tensors: Object.fromEntries(out), names: tensors.map((t) => t.name), metadata })
}

/**
 * {@link decodeSafetensors}, throwing a `SafetensorsFileError` instead of returning `Left`.
 * @category I/O
 * @example
 * // from a file in Node: decodeSafetensorsOrThrow(readFileSync('model.safetensors'))
 * const bytes = encodeSafetensorsOrThrow({ dense: { bias: zeros([512]) } })
 * decodeSafetensorsOrThrow(bytes).tensors['dense.bias'].shape // → [512]
 * decodeSafetensorsOrThrow(bytes.subarray(0, 3)) // throws SafetensorsFileError: bad header length
 */
export const decodeSafetensorsOrThrow = (bytes: Uint8Array, options: DecodeOptions = {}): Safetensors =>
  orThrow(decodeSafetensors(bytes, options))
