// Random and mutated safetensors files for the fuzz test (test/fuzz.test.ts) and the long fuzz run (bench/fuzz.ts).
import { array, type DType } from '@nabla/ndarray'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { bytesSource, decodeSafetensors, encodeSafetensors, isSafetensorsError, openSafetensors } from '../src/index.js'

const dtypes: DType[] = ['bool', 'uint8', 'int32', 'float32', 'float64']
const stDTypes = [
  'BOOL',
  'U8',
  'I8',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
  'F4',
  'C64',
  'F8_E4M3',
  'X',
]

/** A valid file: a few small tensors of random dtypes and shapes, maybe metadata. */
const validFile = fc
  .record({
    tensors: fc.array(
      fc.record({
        name: fc.string({ maxLength: 6 }),
        dtype: fc.constantFrom(...dtypes),
        shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      }),
      { maxLength: 4 },
    ),
    metadata: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }), {
      nil: undefined,
    }),
  })
  .map(({ tensors, metadata }) => {
    const tree: Record<string, ReturnType<typeof array>> = {}
    for (const t of tensors) {
      if (t.name === '__metadata__' || t.name === '') continue
      const size = t.shape.reduce((a, d) => a * d, 1)
      tree[t.name] = array(
        Array.from({ length: size }, (_, i) => (t.dtype === 'bool' ? i % 2 : i % 7)),
        { dtype: t.dtype, shape: t.shape },
      )
    }
    const r = encodeSafetensors(tree, metadata === undefined ? {} : { metadata })
    return E.isRight(r) ? r.right : new Uint8Array(0)
  })

const u64 = (n: bigint) => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n, true)
  return b
}
const withHeader = (header: Uint8Array, data: Uint8Array, declared?: bigint) => {
  const out = new Uint8Array(8 + header.length + data.length)
  out.set(u64(declared ?? BigInt(header.length)))
  out.set(header, 8)
  out.set(data, 8 + header.length)
  return out
}
const utf8 = (s: string) => new TextEncoder().encode(s)

const bigNumber = fc.oneof(
  fc.integer({ min: -3, max: 64 }).map(String),
  fc.constantFrom(
    '9007199254740993',
    '18446744073709551615',
    '1e309',
    '-0',
    '2.0',
    '1e3',
    '4294967296',
    '99999999999999999999999',
  ),
)

/** A header built from JSON parts that may be wrong in every way: dtypes, huge or negative extents and offsets, overlaps. */
const wildHeader = fc
  .record({
    entries: fc.array(
      fc.record({
        name: fc.string({ maxLength: 4 }),
        dtype: fc.constantFrom(...stDTypes),
        shape: fc.array(bigNumber, { maxLength: 3 }),
        offsets: fc.array(bigNumber, { minLength: 0, maxLength: 3 }),
      }),
      { maxLength: 4 },
    ),
    duplicate: fc.boolean(),
    data: fc.uint8Array({ maxLength: 64 }),
    declared: fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { nil: undefined }),
  })
  .map(({ entries, duplicate, data, declared }) => {
    const parts = entries.map(
      (e) =>
        `${JSON.stringify(e.name)}:{"dtype":${JSON.stringify(e.dtype)},"shape":[${e.shape.join(',')}],"data_offsets":[${e.offsets.join(',')}]}`,
    )
    if (duplicate && parts.length > 0) parts.push(parts[0] as string)
    return withHeader(utf8(`{${parts.join(',')}}`), data, declared)
  })

/** Deep nesting, bad UTF-8, stray bytes in the header. */
const oddHeader = fc.oneof(
  fc
    .integer({ min: 1, max: 5000 })
    .map((d) => withHeader(utf8(`{"__metadata__":${'['.repeat(d)}${']'.repeat(d)}}`), new Uint8Array(0))),
  fc
    .integer({ min: 1, max: 5000 })
    .map((d) => withHeader(utf8(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`), new Uint8Array(0))),
  fc.uint8Array({ maxLength: 40 }).map((b) => withHeader(b, new Uint8Array(0))),
  fc.uint8Array({ minLength: 0, maxLength: 16 }),
)

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'cut'; at: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'length'; n: bigint }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
  fc.record({ kind: fc.constant('length' as const), n: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
)

const mutate = (bytes: Uint8Array, ms: readonly Mutation[]): Uint8Array => {
  let b = bytes.slice()
  for (const m of ms) {
    if (m.kind === 'flip' && b.length > 0) b[m.at % b.length] = (b[m.at % b.length] as number) ^ (1 << m.bit)
    else if (m.kind === 'cut') b = b.slice(0, m.at % (b.length + 1))
    else if (m.kind === 'append') {
      const c = new Uint8Array(b.length + m.bytes.length)
      c.set(b)
      c.set(m.bytes, b.length)
      b = c
    } else if (m.kind === 'length' && b.length >= 8) b.set(u64(m.n))
  }
  return b
}

/** Every kind of input: valid files, valid files mutated, wild headers, odd headers. */
export const anyFile: fc.Arbitrary<Uint8Array> = fc.oneof(
  validFile,
  fc.tuple(validFile, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) => mutate(b, ms)),
  wildHeader,
  oddHeader,
)

/**
 * The property: decoding returns a Left (a SafetensorsError) or a valid value, never throws; a
 * valid value's tensors fit in the file; a lazy open over the same bytes agrees and never asks for
 * a byte outside the file (no read — so no buffer — sized by an unchecked declared length).
 */
export const decodesSafely = async (bytes: Uint8Array): Promise<void> => {
  await classify(bytes)
}

/** {@link decodesSafely}, telling what the file was: 'valid' or the error kind. */
export const classify = async (bytes: Uint8Array): Promise<string> => {
  const r = decodeSafetensors(bytes)
  if (E.isLeft(r)) {
    if (!isSafetensorsError(r.left) || r.left.message.length === 0)
      throw new Error('a Left that is not a SafetensorsError')
  } else {
    const total = Object.values(r.right.tensors).reduce((a, t) => a + t.size, 0)
    if (total > bytes.length) throw new Error(`${total} elements decoded from ${bytes.length} bytes`)
  }
  const inner = bytesSource(bytes)
  let asked = 0
  const src = {
    ...inner,
    read: (offset: number, length: number) => {
      if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0)) {
        throw new Error(`read(${offset}, ${length})`)
      }
      if (offset + length > bytes.length) throw new Error(`read past the end: ${offset}+${length} of ${bytes.length}`)
      asked += length
      return inner.read(offset, length)
    },
  }
  const opened = await openSafetensors(src)()
  if (
    E.isRight(opened) !== E.isRight(r) &&
    !(E.isRight(opened) && E.isLeft(r) && r.left.kind === 'value') &&
    !(E.isRight(opened) && E.isLeft(r) && r.left.kind === 'dtype')
  ) {
    throw new Error(
      `decode and open disagree: ${E.isLeft(r) ? r.left.message : 'Right'} vs ${E.isLeft(opened) ? opened.left.message : 'Right'}`,
    )
  }
  if (E.isRight(opened)) {
    const all = await opened.right.readAll()()
    if (E.isRight(all) !== E.isRight(r)) throw new Error('readAll and decode disagree')
  }
  if (asked > bytes.length) throw new Error(`asked for ${asked} bytes of a ${bytes.length}-byte file`)
  return E.isLeft(r) ? r.left.kind : 'valid'
}
