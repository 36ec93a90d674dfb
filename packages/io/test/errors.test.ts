// Every malformed file and unwritable tree: the error kind and the exact message (what was expected, what was found).
import { array, zeros } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  decodeSafetensors,
  decodeSafetensorsOrThrow,
  encodeSafetensors,
  isSafetensorsError,
  type SafetensorsErrorKind,
  SafetensorsFileError,
} from '../src/index.js'
import { left, raw, right } from './fixtures.js'

const t = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets })
const file = (entries: Record<string, unknown>, data: number | number[] = 0) =>
  raw(JSON.stringify(entries), typeof data === 'number' ? new Array(data).fill(0) : data)

const malformed: [string, Uint8Array, SafetensorsErrorKind, string][] = [
  [
    'an empty file',
    new Uint8Array(0),
    'header',
    'bad header length: expected at least 8 bytes (the little-endian header length), found 0 bytes (an empty file)',
  ],
  [
    'fewer than 8 bytes',
    Uint8Array.from([1, 0, 0]),
    'header',
    'bad header length: expected at least 8 bytes (the little-endian header length), found 3 bytes',
  ],
  [
    // the reference's test_header_too_large
    'a declared header length above 100 MB',
    raw('{}', [], 0xffffff000000003cn),
    'header',
    'bad header length: expected a header length of at most 100000000 bytes, found 18446742974197923900 declared in the first 8 bytes',
  ],
  [
    // the reference's test_invalid_header_length: nothing after the length
    'a declared header past the end of the file',
    raw('', [], 60),
    'header',
    'bad header length: expected a header of 60 bytes (as the first 8 bytes declare) within the file, found 0 bytes after the length',
  ],
  [
    'a header that is not UTF-8',
    raw(Uint8Array.from([0x7b, 0xff, 0x7d])),
    'utf8',
    'header is not valid UTF-8: expected a header of UTF-8 text, found the invalid byte 0xff at header byte 1',
  ],
  [
    'a UTF-8 overlong encoding',
    raw(Uint8Array.from([0x7b, 0xc0, 0xaf, 0x7d])),
    'utf8',
    'header is not valid UTF-8: expected a header of UTF-8 text, found the invalid byte 0xc0 at header byte 1',
  ],
  [
    'an encoded surrogate',
    raw(Uint8Array.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])),
    'utf8',
    'header is not valid UTF-8: expected a header of UTF-8 text, found the invalid byte 0xed at header byte 2',
  ],
  ['JSON cut short', raw('{'), 'json', 'header is not valid JSON: expected a quoted key, found the end of the header'],
  ['an empty header', raw(''), 'json', 'header is not valid JSON: expected a JSON value, found the end of the header'],
  [
    'JSON followed by more',
    raw('{} {}'),
    'json',
    'header is not valid JSON: expected nothing after the JSON value but whitespace, found "{}" at character 3',
  ],
  [
    'a duplicate tensor name',
    raw(
      '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
      [0],
    ),
    'json',
    'header is not valid JSON: expected unique keys in an object, found a second key "a" at character 53',
  ],
  [
    'nesting past 64 levels',
    raw(`{"__metadata__":${'['.repeat(100)}${']'.repeat(100)}}`),
    'json',
    `header is not valid JSON: expected nesting at most 64 deep, found "${'['.repeat(12)}"… at character 79`,
  ],
  [
    'a raw control character in a string',
    raw('{"a\tb":1}'),
    'json',
    'header is not valid JSON: expected no raw control characters inside a string (escape them), found "\\tb\\":1}" at character 3',
  ],
  [
    'a lone surrogate escape',
    raw('{"\\ud800":1}'),
    'json',
    'header is not valid JSON: expected a low surrogate escape after a high one, found "\\\\ud800\\":1}" at character 2',
  ],
  [
    'a bad escape',
    raw('{"\\x41":1}'),
    'json',
    'header is not valid JSON: expected an escape \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX, found "\\\\x41\\":1}" at character 2',
  ],
  [
    'a number with a leading zero',
    raw('{"a":{"dtype":"U8","shape":[01]}}'),
    'json',
    "header is not valid JSON: expected ',' or ']' in a list, found \"1]}}\" at character 29",
  ],
  [
    'a header that is a list',
    raw('[]'),
    'schema',
    'not a safetensors header: expected a JSON object { name: { dtype, shape, data_offsets }, … }, found a list of 0',
  ],
  [
    'a tensor entry that is a number',
    file({ w: 3 }),
    'schema',
    'tensor "w": not a safetensors header: expected an object { dtype, shape, data_offsets }, found the number 3',
  ],
  [
    'no dtype',
    file({ w: { shape: [1], data_offsets: [0, 1] } }, 1),
    'schema',
    'tensor "w": not a safetensors header: expected a "dtype" field, found none',
  ],
  [
    'a dtype that is not a string',
    file({ w: t(7 as never, [1], [0, 1]) }, 1),
    'schema',
    'tensor "w": not a safetensors header: expected "dtype" to be a string such as "F32", found the number 7',
  ],
  [
    'an unknown dtype',
    file({ w: t('F128', [1], [0, 16]) }, 16),
    'dtype',
    'tensor "w": unsupported dtype: expected one of the safetensors dtypes BOOL, F4, F6_E2M3, F6_E3M2, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ, I16, U16, F16, BF16, I32, U32, F32, C64, F64, I64, U64, found "F128"',
  ],
  [
    'no shape',
    file({ w: { dtype: 'U8', data_offsets: [0, 1] } }, 1),
    'schema',
    'tensor "w": not a safetensors header: expected a "shape" field, found none',
  ],
  [
    'a negative extent',
    file({ w: t('U8', [2, -1], [0, 1]) }, 1),
    'schema',
    'tensor "w": not a safetensors header: expected "shape" to be a list of non-negative integers, found shape [2, -1]',
  ],
  [
    'a fractional extent',
    file({ w: t('U8', [1.5], [0, 1]) }, 1),
    'schema',
    'tensor "w": not a safetensors header: expected "shape" to be a list of non-negative integers, found shape [1.5]',
  ],
  [
    'an extent written 2.0',
    raw('{"w":{"dtype":"U8","shape":[2.0],"data_offsets":[0,2]}}', [0, 0]),
    'schema',
    'tensor "w": not a safetensors header: expected "shape" to be a list of non-negative integers, found shape [2.0]',
  ],
  [
    'a shape that is a string',
    file({ w: t('U8', '2', [0, 2]) }, 2),
    'schema',
    'tensor "w": not a safetensors header: expected "shape" to be a list of non-negative integers, found the string "2"',
  ],
  [
    // the reference's test_validation_overflow
    'an extent beyond 2^53',
    raw('{"test":{"dtype":"I32","shape":[2,18446744073709551614],"data_offsets":[0,16]}}', new Array(16).fill(0)),
    'size',
    'tensor "test": data size does not match shape and dtype: expected every extent at most 2⁵³ − 1, found shape [2, 18446744073709551614]',
  ],
  [
    'a size in bytes beyond 2^53 from safe extents',
    file({ w: t('F64', [4294967296, 4294967296], [0, 8]) }, 8),
    'size',
    'tensor "w": data size does not match shape and dtype: expected a shape whose size in bytes is below 2⁵³, found shape [4294967296, 4294967296] of F64',
  ],
  [
    'no data_offsets',
    file({ w: { dtype: 'U8', shape: [1] } }, 1),
    'schema',
    'tensor "w": not a safetensors header: expected a "data_offsets" field, found none',
  ],
  [
    'data_offsets of three numbers',
    file({ w: t('U8', [1], [0, 1, 2]) }, 1),
    'schema',
    'tensor "w": not a safetensors header: expected "data_offsets" to be a list of two non-negative integers [begin, end], found [0, 1, 2]',
  ],
  [
    'a huge data offset',
    raw('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,99999999999999999999]}}', [0]),
    'offsets',
    'tensor "w": bad data offsets: expected offsets within the file, found data_offsets [0, 99999999999999999999]',
  ],
  [
    'end before begin',
    file({ w: t('U8', [0], [4, 3]) }),
    'offsets',
    'tensor "w": bad data offsets: expected data_offsets [begin, end] with begin ≤ end, found [4, 3]',
  ],
  [
    'a first tensor not at 0',
    file({ w: t('U8', [1], [1, 2]) }, 2),
    'offsets',
    'tensor "w": bad data offsets: expected data_offsets beginning at byte 0 (the first tensor), found [1, 2] (a gap of 1 byte)',
  ],
  [
    'a gap between tensors',
    file({ a: t('U8', [2], [0, 2]), b: t('U8', [2], [4, 6]) }, 6),
    'offsets',
    'tensor "b": bad data offsets: expected data_offsets beginning at byte 2, where "a" ends, found [4, 6] (a gap of 2 bytes)',
  ],
  [
    'overlapping tensors',
    file({ a: t('U8', [4], [0, 4]), b: t('U8', [4], [2, 6]) }, 6),
    'offsets',
    'tensor "b": bad data offsets: expected data_offsets beginning at byte 4, where "a" ends, found [2, 6] (overlapping the tensor before)',
  ],
  [
    // the reference's test_json_attack: ten tensors all at [0, 16]
    'many tensors on the same bytes',
    file(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`weight_${i}`, t('F32', [2, 2], [0, 16])])), 16),
    'offsets',
    'tensor "weight_1": bad data offsets: expected data_offsets beginning at byte 16, where "weight_0" ends, found [0, 16] (overlapping the tensor before)',
  ],
  [
    // the reference's test_invalid_info
    'a span that is not shape × element size',
    file({ test: t('I32', [2, 2], [0, 4]) }, 4),
    'size',
    'tensor "test": data size does not match shape and dtype: expected 16 bytes for shape [2, 2] of I32, found data_offsets [0, 4] (4 bytes)',
  ],
  [
    'a sub-byte dtype not filling whole bytes',
    file({ w: t('F4', [3], [0, 2]) }, 2),
    'size',
    'tensor "w": data size does not match shape and dtype: expected a whole number of bytes (F4 is 4 bits per element), found 12 bits for shape [3]',
  ],
  [
    // the reference's test_metadata_incomplete_buffer, both halves
    'bytes after the last tensor (a polyglot file)',
    raw('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Array(16 + 34).fill(0)),
    'length',
    'data section length does not match the header: expected 16 bytes of tensor data after the 60-byte header (as the offsets declare), found 50 bytes (34 bytes trailing)',
  ],
  [
    'data cut short',
    raw('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Array(14).fill(0)),
    'length',
    'data section length does not match the header: expected 16 bytes of tensor data after the 60-byte header (as the offsets declare), found 14 bytes (truncated: 2 bytes missing)',
  ],
  [
    'metadata that is a list',
    file({ __metadata__: ['a'] }),
    'schema',
    'not a safetensors header: expected "__metadata__" to be an object of strings, found a list of 1',
  ],
  [
    'a metadata value that is not a string',
    file({ __metadata__: { epoch: 5 } }),
    'schema',
    'not a safetensors header: expected "__metadata__" values to be strings, found the number 5 for key "epoch"',
  ],
]

describe('malformed files: a Left naming the file, the tensor, what was expected and what was found', () => {
  it.each(malformed)('%s', (_, bytes, kind, message) => {
    const e = left(decodeSafetensors(bytes, { name: 'bad.safetensors' }))
    expect(isSafetensorsError(e)).toBe(true)
    expect(e.kind).toBe(kind)
    expect(e.op).toBe('decodeSafetensors')
    expect(e.file).toBe('bad.safetensors')
    expect(e.message).toBe(`decodeSafetensors: bad.safetensors: ${message}`)
    expect(() => decodeSafetensorsOrThrow(bytes, { name: 'bad.safetensors' })).toThrow(SafetensorsFileError)
  })
  it('what the reference accepts is accepted: whitespace around the JSON, empty shapes, zero-sized tensors, unknown fields', () => {
    expect(right(decodeSafetensors(raw('{}\r \t\n'))).names).toEqual([])
    expect(right(decodeSafetensors(raw('\t\n{}\r '))).names).toEqual([])
    const scalar = right(
      decodeSafetensors(raw('{"test":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}', [1, 0, 0, 0])),
    )
    expect(scalar.tensors.test!.shape).toEqual([])
    const empty = right(decodeSafetensors(raw('{"test":{"dtype":"I32","shape":[2,0],"data_offsets":[0, 0]}}')))
    expect(empty.tensors.test!.shape).toEqual([2, 0])
    const extra = right(
      decodeSafetensors(raw('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"note":{"x":[1]}}}', [7])),
    )
    expect(extra.names).toEqual(['a'])
    // tensors in any order of the header: the file order is by offset
    const order = right(decodeSafetensors(file({ b: t('U8', [1], [1, 2]), a: t('U8', [1], [0, 1]) }, [5, 6])))
    expect(order.names).toEqual(['a', 'b'])
    expect(Array.from(order.tensors.b!.shape)).toEqual([1])
  })
})

describe('trees that cannot be written: a Left saying why', () => {
  const cases: [string, unknown, unknown, string][] = [
    [
      'a leaf that is not an array',
      { a: zeros([1]), b: { c: 3 } },
      {},
      'expected a tree of NDArrays (nested lists and plain records), found number at .b.c',
    ],
    [
      'a bare array',
      zeros([2]),
      {},
      'expected a tree of named arrays such as { weight: x } (a bare array has no name), found a bare NDArray',
    ],
    [
      'two paths with one name',
      { 'a.b': zeros([1]), a: { b: zeros([1]) } },
      {},
      'expected a distinct name for every array, found "a.b" for both .a.b and ["a.b"]',
    ],
    [
      'an array named __metadata__',
      { __metadata__: zeros([1]) },
      {},
      'expected no tensor named "__metadata__" (the header reserves it), found .__metadata__',
    ],
    [
      'a name with a lone surrogate',
      { '\ud800': zeros([1]) },
      {},
      'expected names that are valid Unicode, found a lone surrogate in the name of ["\\ud800"]',
    ],
    [
      'metadata that is not strings',
      { a: zeros([1]) },
      { metadata: { epoch: 5 } },
      'expected metadata values to be strings, found number for key "epoch"',
    ],
    [
      'a naming function returning a number',
      { a: zeros([1]) },
      { naming: { name: () => 1 } },
      'expected naming.name to return a string, found number for .a',
    ],
  ]
  it.each(cases)('%s', (_, tree, options, message) => {
    const e = left(encodeSafetensors(tree as never, options as never))
    expect(e.kind).toBe('encode')
    expect(e.message).toBe(`encodeSafetensors: <bytes>: cannot encode as safetensors: ${message}`)
  })
  it('a record whose keys sort differently in UTF-16 and in code points keeps the code-point order', () => {
    const bytes = right(encodeSafetensors({ '\uFF01': array([1]), '\u{10000}': array([2]) }))
    expect(right(decodeSafetensors(bytes)).names).toEqual(['\uFF01', '\u{10000}'])
  })
})
