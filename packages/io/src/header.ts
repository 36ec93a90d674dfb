/**
 * The safetensors header: the 8-byte little-endian length, then that many bytes of UTF-8 JSON
 * mapping tensor names to `{ dtype, shape, data_offsets }` (plus an optional `__metadata__` of
 * strings). Validated as the reference implementation does — and stricter where it is silent:
 * tensors tile the data section from byte 0 with no gap or overlap, each spans exactly its
 * shape × element size, the section ends exactly at the end of the file; duplicate keys and
 * non-integer shapes are refused. No size taken from the file is trusted before it is checked
 * against the file's length.
 */
import type { DType } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { bitsOf, isSafetensorsDType, nablaDTypeOf, type SafetensorsDType, safetensorsDTypes } from './dtypes.js'
import { type Json, JsonNumber, parseJson } from './json.js'
import { bytesText, type SafetensorsError, safetensorsError } from './safetensorsError.js'

/**
 * The largest header the reference implementation accepts (and writes): 100,000,000 bytes.
 * @category I/O
 * @example
 * maxHeaderBytes // → 100_000_000
 * // a file whose first 8 bytes declare a longer header is refused before anything else is read
 * const bytes = new Uint8Array(16)
 * new DataView(bytes.buffer).setBigUint64(0, BigInt(maxHeaderBytes + 1), true)
 * decodeSafetensorsOrThrow(bytes) // throws SafetensorsFileError: expected a header length of at most 100000000 bytes
 */
export const maxHeaderBytes = 100_000_000

/**
 * One tensor as the header describes it.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const header = decodeHeader('myReader', encodeSafetensorsOrThrow({ w: ones([2, 3]), b: zeros([3]) }), 'w.safetensors')
 * const infos: readonly TensorInfo[] = E.isRight(header) ? header.right.tensors : []
 * // begin and end count from the start of the data section: b's 12 bytes, then w's 24
 * infos.map((t) => [t.name, t.fileDType, t.dtype, t.shape, t.begin, t.end]) // → [['b', 'F32', 'float32', [3], 0, 12], ['w', 'F32', 'float32', [2, 3], 12, 36]]
 */
export interface TensorInfo {
  readonly name: string
  /** Its dtype in the file. */
  readonly fileDType: SafetensorsDType
  /** The nabla dtype it is read as (undefined: nabla cannot hold it; reading it is an error). */
  readonly dtype: DType | undefined
  readonly shape: readonly number[]
  /** Its bytes, relative to the start of the data section: [begin, end). */
  readonly begin: number
  readonly end: number
}

/**
 * A validated header.
 * @category I/O
 * @example
 * import * as E from 'fp-ts/Either'
 * const bytes = encodeSafetensorsOrThrow({ w: ones([2, 3]) }, { metadata: { epoch: '3' } })
 * const header = decodeHeader('myReader', bytes, 'w.safetensors')
 * E.map((h: Header) => h.metadata)(header) // → E.right({ epoch: '3' })
 * E.map((h: Header) => h.tensors.map((t) => t.name))(header) // → E.right(['w'])
 * // the data section is the last 24 bytes (six float32)
 * E.map((h: Header) => h.dataStart)(header) // → E.right(bytes.length - 24)
 */
export interface Header {
  /** The `__metadata__` strings (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>
  /** The tensors in file order (by offset). */
  readonly tensors: readonly TensorInfo[]
  /** Where the data section starts in the file: 8 + the header length. */
  readonly dataStart: number
}

const describeJson = (v: Json): string => {
  if (v === null) return 'null'
  if (typeof v === 'boolean') return String(v)
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`
  if (v instanceof JsonNumber) return `the number ${v.text.length > 40 ? `${v.text.slice(0, 40)}…` : v.text}`
  if (Array.isArray(v)) return `a list of ${v.length}`
  return 'an object'
}

/**
 * The header length the first 8 bytes declare, checked against the file's size (`size` bytes in
 * all) before anything is read or allocated.
 * @example
 * // internal (not exported): decodeHeader and openSafetensors check the first 8 bytes with it
 * const bytes = encodeSafetensorsOrThrow({ w: ones([2]) })
 * new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true) // → 56n
 * // a length that reaches past the end of the file is refused before anything is read
 * new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(0, 1000n, true)
 * decodeSafetensorsOrThrow(bytes, { name: 'a.safetensors' }) // throws SafetensorsFileError: bad header length
 */
export const headerLength = (
  op: string,
  file: string,
  first8: Uint8Array,
  size: number,
): E.Either<SafetensorsError, number> => {
  if (size < 8 || first8.length < 8) {
    return E.left(
      safetensorsError(
        'header',
        op,
        file,
        'at least 8 bytes (the little-endian header length)',
        size === 0 ? '0 bytes (an empty file)' : bytesText(size),
      ),
    )
  }
  const view = new DataView(first8.buffer, first8.byteOffset, 8)
  const declared = view.getBigUint64(0, true)
  if (declared > BigInt(maxHeaderBytes)) {
    return E.left(
      safetensorsError(
        'header',
        op,
        file,
        `a header length of at most ${maxHeaderBytes} bytes`,
        `${declared} declared in the first 8 bytes`,
      ),
    )
  }
  const n = Number(declared)
  if (n > size - 8) {
    return E.left(
      safetensorsError(
        'header',
        op,
        file,
        `a header of ${bytesText(n)} (as the first 8 bytes declare) within the file`,
        `${bytesText(size - 8)} after the length`,
      ),
    )
  }
  return E.right(n)
}

/** The offset of the first byte that breaks UTF-8 (for the message only: decoding already failed). */
const firstBadUtf8 = (b: Uint8Array): number => {
  let i = 0
  while (i < b.length) {
    const c = b[i] as number
    const need =
      c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1
    if (need < 0) return i
    for (let k = 1; k <= need; k++) {
      const d = b[i + k]
      if (d === undefined || (d & 0xc0) !== 0x80) return i
    }
    if (need === 2) {
      const d = b[i + 1] as number
      if ((c === 0xe0 && d < 0xa0) || (c === 0xed && d >= 0xa0)) return i
    }
    if (need === 3) {
      const d = b[i + 1] as number
      if ((c === 0xf0 && d < 0x90) || (c === 0xf4 && d >= 0x90)) return i
    }
    i += need + 1
  }
  return b.length
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

const integer = (v: Json): number | 'negative' | 'huge' | undefined => {
  if (!(v instanceof JsonNumber)) return undefined
  if (/^-(0|[1-9]\d*)$/.test(v.text) && v.text !== '-0') return 'negative'
  if (!/^(0|[1-9]\d*)$/.test(v.text)) return undefined
  const x = Number(v.text)
  return Number.isSafeInteger(x) ? x : 'huge'
}

const shapeText = (shape: readonly Json[]): string =>
  `[${shape.map((d) => (d instanceof JsonNumber ? d.text : JSON.stringify(d))).join(', ')}]`

/**
 * Parses and validates the header bytes; `dataLength` is the number of bytes after the header.
 * @example
 * // internal (not exported): decodeHeader parses with it. A file whose header says 2 float32 but holds 4 bytes:
 * const file = (json: string, data: number[]) => {
 *   const head = new TextEncoder().encode(json)
 *   const bytes = new Uint8Array(8 + head.length + data.length)
 *   new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true)
 *   bytes.set(head, 8)
 *   bytes.set(data, 8 + head.length)
 *   return bytes
 * }
 * const bad = file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0])
 * decodeSafetensorsOrThrow(bad) // throws SafetensorsFileError: data size does not match shape and dtype
 * const good = file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0x80, 0x3f])
 * toArray(decodeSafetensorsOrThrow(good).tensors.w) // → [1]
 */
export const parseHeader = (
  op: string,
  file: string,
  bytes: Uint8Array,
  dataLength: number,
): E.Either<SafetensorsError, Header> => {
  const err = (kind: Parameters<typeof safetensorsError>[0], expected: string, found: string, tensor?: string) =>
    E.left(safetensorsError(kind, op, file, expected, found, tensor))
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    const at = firstBadUtf8(bytes)
    return err(
      'utf8',
      'a header of UTF-8 text',
      `the invalid byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at header byte ${at}`,
    )
  }
  const parsed = parseJson(text)
  if ('failure' in parsed) return err('json', parsed.failure.expected, parsed.failure.found)
  const top = parsed.value
  if (!(top instanceof Map)) {
    return err('schema', 'a JSON object { name: { dtype, shape, data_offsets }, … }', describeJson(top))
  }
  let metadata: Record<string, string> = {}
  const tensors: TensorInfo[] = []
  for (const [name, entry] of top) {
    if (name === '__metadata__') {
      if (!(entry instanceof Map))
        return err('schema', '"__metadata__" to be an object of strings', describeJson(entry))
      const m: [string, string][] = []
      for (const [k, v] of entry) {
        if (typeof v !== 'string') {
          return err('schema', '"__metadata__" values to be strings', `${describeJson(v)} for key ${JSON.stringify(k)}`)
        }
        m.push([k, v])
      }
      metadata = Object.fromEntries(m)
      continue
    }
    const bad = (expected: string, found: string) => err('schema', expected, found, name)
    if (!(entry instanceof Map)) return bad('an object { dtype, shape, data_offsets }', describeJson(entry))
    const dtype = entry.get('dtype')
    const shape = entry.get('shape')
    const offsets = entry.get('data_offsets')
    if (dtype === undefined) return bad('a "dtype" field', 'none')
    if (typeof dtype !== 'string') return bad('"dtype" to be a string such as "F32"', describeJson(dtype))
    if (!isSafetensorsDType(dtype)) {
      return err('dtype', `one of the safetensors dtypes ${safetensorsDTypes.join(', ')}`, JSON.stringify(dtype), name)
    }
    if (shape === undefined) return bad('a "shape" field', 'none')
    if (!Array.isArray(shape)) return bad('"shape" to be a list of non-negative integers', describeJson(shape))
    const dims: number[] = []
    for (const d of shape as readonly Json[]) {
      const x = integer(d)
      if (x === 'huge') {
        return err('size', 'every extent at most 2⁵³ − 1', `shape ${shapeText(shape as readonly Json[])}`, name)
      }
      if (typeof x !== 'number') {
        return bad('"shape" to be a list of non-negative integers', `shape ${shapeText(shape as readonly Json[])}`)
      }
      dims.push(x)
    }
    if (offsets === undefined) return bad('a "data_offsets" field', 'none')
    const pair = Array.isArray(offsets) ? (offsets as readonly Json[]).map(integer) : []
    const [b, e] = pair
    if (pair.length !== 2 || typeof b !== 'number' || typeof e !== 'number') {
      const shown = Array.isArray(offsets) ? shapeText(offsets as readonly Json[]) : describeJson(offsets)
      return pair.includes('huge')
        ? err('offsets', 'offsets within the file', `data_offsets ${shown}`, name)
        : bad('"data_offsets" to be a list of two non-negative integers [begin, end]', shown)
    }
    if (e < b) return err('offsets', 'data_offsets [begin, end] with begin ≤ end', `[${b}, ${e}]`, name)
    tensors.push({ name, fileDType: dtype, dtype: nablaDTypeOf[dtype], shape: dims, begin: b, end: e })
  }
  tensors.sort((x, y) => x.begin - y.begin || x.end - y.end)
  let start = 0
  let previous: string | undefined
  for (const t of tensors) {
    if (t.begin !== start) {
      const after =
        previous === undefined
          ? 'at byte 0 (the first tensor)'
          : `at byte ${start}, where ${JSON.stringify(previous)} ends`
      const how = t.begin < start ? ' (overlapping the tensor before)' : ` (a gap of ${bytesText(t.begin - start)})`
      return err('offsets', `data_offsets beginning ${after}`, `[${t.begin}, ${t.end}]${how}`, t.name)
    }
    const elements = t.shape.reduce((a, d) => a * d, 1)
    const bits = elements * bitsOf[t.fileDType]
    if (!Number.isSafeInteger(bits)) {
      return err(
        'size',
        'a shape whose size in bytes is below 2⁵³',
        `shape [${t.shape.join(', ')}] of ${t.fileDType}`,
        t.name,
      )
    }
    if (bits % 8 !== 0) {
      return err(
        'size',
        `a whole number of bytes (${t.fileDType} is ${bitsOf[t.fileDType]} bits per element)`,
        `${bits} bits for shape [${t.shape.join(', ')}]`,
        t.name,
      )
    }
    if (t.end - t.begin !== bits / 8) {
      return err(
        'size',
        `${bytesText(bits / 8)} for shape [${t.shape.join(', ')}] of ${t.fileDType}`,
        `data_offsets [${t.begin}, ${t.end}] (${bytesText(t.end - t.begin)})`,
        t.name,
      )
    }
    start = t.end
    previous = t.name
  }
  if (start !== dataLength) {
    const how =
      dataLength < start
        ? `truncated: ${bytesText(start - dataLength)} missing`
        : `${bytesText(dataLength - start)} trailing`
    return err(
      'length',
      `${bytesText(start)} of tensor data after the ${bytes.length}-byte header (as the offsets declare)`,
      `${bytesText(dataLength)} (${how})`,
    )
  }
  return E.right({ metadata, tensors, dataStart: 8 + bytes.length })
}
