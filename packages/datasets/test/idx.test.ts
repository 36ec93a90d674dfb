import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { array, type DType, type NDArray, toArray, transpose } from '@nabla/ndarray'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  decodeIdx,
  decodeIdxOrThrow,
  encodeIdx,
  type IdxType,
  idxTypes,
  readIdx,
  readIdxEither,
  readIdxSync,
  writeIdx,
  writeIdxSync,
} from '../src/index.js'
import { idxFile, tempDir } from './fixtures.js'

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`)
  return e.right
}

// For each type: values, their hand-written big-endian bytes, and the dtype they decode to.
const cases: { type: IdxType; code: number; values: number[]; bytes: number[]; dtype: DType }[] = [
  { type: 'uint8', code: 0x08, values: [0, 1, 128, 255], bytes: [0x00, 0x01, 0x80, 0xff], dtype: 'uint8' },
  { type: 'int8', code: 0x09, values: [0, -1, 127, -128], bytes: [0x00, 0xff, 0x7f, 0x80], dtype: 'int32' },
  {
    type: 'int16',
    code: 0x0b,
    values: [258, -2, 32767, -32768],
    bytes: [0x01, 0x02, 0xff, 0xfe, 0x7f, 0xff, 0x80, 0x00],
    dtype: 'int32',
  },
  {
    type: 'int32',
    code: 0x0c,
    values: [16909060, -1, 2147483647, -2147483648],
    bytes: [1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0],
    dtype: 'int32',
  },
  {
    type: 'float32',
    code: 0x0d,
    // 1 = 3f800000, -2 = c0000000, 0.5 = 3f000000, 1e30 rounds to float32 7149f2ca
    values: [1, -2, 0.5, Math.fround(1e30)],
    bytes: [0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0, 0x3f, 0, 0, 0, 0x71, 0x49, 0xf2, 0xca],
    dtype: 'float32',
  },
  {
    type: 'float64',
    code: 0x0e,
    // 1 = 3ff0…, -2 = c000…, 0.1 = 3fb999999999999a, 2^-1074 = 0000000000000001
    values: [1, -2, 0.1, 2 ** -1074],
    bytes: [
      ...[0x3f, 0xf0, 0, 0, 0, 0, 0, 0],
      ...[0xc0, 0, 0, 0, 0, 0, 0, 0],
      ...[0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
      ...[0, 0, 0, 0, 0, 0, 0, 1],
    ],
    dtype: 'float64',
  },
]

const asArray = (values: number[], type: IdxType, shape: number[]): NDArray =>
  array(type === 'float64' ? Float64Array.from(values) : values, {
    dtype: type === 'uint8' ? 'uint8' : type.startsWith('float') ? (type as DType) : 'int32',
    shape,
  })

describe('IDX element types', () => {
  it('has the spec type codes and sizes', () => {
    expect(Object.values(idxTypes).map((t) => [t.type, t.code, t.bytes])).toEqual([
      ['uint8', 0x08, 1],
      ['int8', 0x09, 1],
      ['int16', 0x0b, 2],
      ['int32', 0x0c, 4],
      ['float32', 0x0d, 4],
      ['float64', 0x0e, 8],
    ])
  })

  for (const c of cases) {
    it(`${c.type}: decodes hand-written big-endian bytes to ${c.dtype}`, () => {
      const x = right(decodeIdx(idxFile(c.code, [2, 2], c.bytes), { name: 'fixture' }))
      expect(x.dtype).toBe(c.dtype)
      expect(x.shape).toEqual([2, 2])
      expect(toArray(x)).toEqual([c.values.slice(0, 2), c.values.slice(2)])
    })

    it(`${c.type}: encodes to exactly those bytes`, () => {
      expect([...encodeIdx(asArray(c.values, c.type, [4]), { type: c.type })]).toEqual([
        ...idxFile(c.code, [4], c.bytes),
      ])
    })
  }

  it('encodes each dtype with its default type', () => {
    const code = (dtype: DType) => encodeIdx(array([1, 0], { dtype }))[2]
    expect(['uint8', 'bool', 'int32', 'float32', 'float64'].map((d) => code(d as DType))).toEqual([
      0x08, 0x08, 0x0c, 0x0d, 0x0e,
    ])
  })

  it('round-trips every type at ranks 1 to 4 (property)', () => {
    const typeArb = fc.constantFrom(...cases.map((c) => c.type))
    const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
    fc.assert(
      fc.property(typeArb, shapeArb, fc.boolean(), fc.integer(), (type, shape, gzip, seed) => {
        const { min, max } = idxTypes[type]
        const n = shape.reduce((a, b) => a * b, 1)
        // deterministic values spread over the type's range (floats: exact in float32)
        const values = Array.from({ length: n }, (_, i) => {
          const u = Math.abs(Math.sin(seed + i * 7.1))
          return Number.isFinite(min) ? Math.round(min + u * (max - min)) : Math.round(u * 2000 - 1000) / 8
        })
        const x = asArray(values, type, shape)
        const back = decodeIdxOrThrow(encodeIdx(x, { type, gzip }))
        expect(back.shape).toEqual(shape)
        expect(back.dtype).toBe(idxTypes[type].dtype)
        expect(toArray(back)).toEqual(toArray(x))
      }),
      { numRuns: 200 },
    )
  })

  it('decodes an array with a zero extent', () => {
    const x = right(decodeIdx(idxFile(0x0c, [0, 3])))
    expect(x.shape).toEqual([0, 3])
    expect(x.dtype).toBe('int32')
  })

  it('encodes a transposed (non-contiguous) view in row-major order', () => {
    const x = transpose(
      array(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { dtype: 'uint8' },
      ),
    )
    const t = decodeIdxOrThrow(encodeIdx(x))
    expect(toArray(t)).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ])
  })

  it('rejects values that do not fit the type, naming value and index', () => {
    expect(() => encodeIdx(array([1, 300], { dtype: 'int32' }), { type: 'uint8' })).toThrow(
      'encodeIdx: <bytes>: cannot encode as IDX: expected integers in 0…255 for IDX type uint8, found 300 at flat index 1 of shape [2]',
    )
    expect(() => encodeIdx(array([1.5]), { type: 'int16' })).toThrow('found 1.5 at flat index 0')
    expect(() => encodeIdx(array([-129], { dtype: 'int32' }), { type: 'int8' })).toThrow('-128…127')
    expect(() => encodeIdx(array(3))).toThrow(
      'expected an array of rank 1 to 32 (use expandDims for a scalar), found rank 0',
    )
    expect(() => encodeIdx(array([1]), { type: 'int64' as IdxType })).toThrow('found "int64"')
  })

  it('rejects names inherited from Object.prototype as IDX types', () => {
    for (const type of ['toString', 'constructor', '__proto__']) {
      expect(() => encodeIdx(array([1]), { type: type as IdxType })).toThrow(
        `encodeIdx: <bytes>: cannot encode as IDX: expected an IDX type (uint8, int8, int16, int32, float32, float64), found "${type}"`,
      )
    }
  })
})

describe('gzip', () => {
  const plain = idxFile(0x0b, [3], [0, 1, 0xff, 0xff, 0x12, 0x34])

  it('is detected by the magic bytes 1f 8b, not the file name', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'no-extension'), gzipSync(plain))
    writeFileSync(join(dir, 'plain.gz'), plain)
    expect(toArray(readIdxSync(join(dir, 'no-extension')))).toEqual([1, -1, 0x1234])
    expect(toArray(readIdxSync(join(dir, 'plain.gz')))).toEqual([1, -1, 0x1234])
    expect(toArray(right(decodeIdx(gzipSync(plain))))).toEqual([1, -1, 0x1234])
  })

  it('reads gzipped files through the TaskEither form', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'x.gz'), gzipSync(plain))
    expect(toArray(right(await readIdx(join(dir, 'x.gz'))()))).toEqual([1, -1, 0x1234])
  })

  it('writes gzipped files that gunzip to the plain encoding', () => {
    const dir = tempDir()
    const x = array(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64' },
    )
    writeIdxSync(join(dir, 'a.gz'), x, { gzip: true })
    const back = readIdxSync(join(dir, 'a.gz'))
    expect(back.dtype).toBe('float64')
    expect(toArray(back)).toEqual([
      [1, 2],
      [3, 4],
    ])
    expect(encodeIdx(x, { gzip: true }).subarray(0, 2)).toEqual(Uint8Array.from([0x1f, 0x8b]))
  })
})

describe('files', () => {
  it('the three read forms and two write forms agree', async () => {
    const dir = tempDir()
    const x = array([[[1, -2]], [[3, -4]]], { dtype: 'int32' })
    writeIdxSync(join(dir, 'sync'), x, { type: 'int8' })
    expect(right(await writeIdx(join(dir, 'task'), x, { type: 'int8' })())).toBeUndefined()
    for (const name of ['sync', 'task']) {
      const path = join(dir, name)
      expect(toArray(readIdxSync(path))).toEqual(toArray(x))
      expect(toArray(right(readIdxEither(path)))).toEqual(toArray(x))
      expect(toArray(right(await readIdx(path)()))).toEqual(toArray(x))
    }
  })

  it('reads every type from disk at every rank (straight into the array memory)', async () => {
    const dir = tempDir()
    for (const c of cases) {
      for (const shape of [[4], [2, 2], [1, 2, 2], [1, 1, 4, 1]]) {
        const path = join(dir, `${c.type}-${shape.length}`)
        writeFileSync(path, idxFile(c.code, shape, c.bytes))
        const want = toArray(asArray(c.values, c.type, shape))
        const sync = readIdxSync(path)
        expect(sync.dtype).toBe(c.dtype)
        expect(toArray(sync)).toEqual(want)
        expect(toArray(right(await readIdx(path)()))).toEqual(want)
      }
    }
  })

  it('writeIdx returns Left for an unwritable path or a value that does not fit', async () => {
    const dir = tempDir()
    const bad = await writeIdx(join(dir, 'nope', 'x'), array([1]))()
    expect(E.isLeft(bad) && bad.left.kind).toBe('missing')
    expect(E.isLeft(bad) && bad.left.message).toContain('expected an existing directory to write into')
    const wide = await writeIdx(join(dir, 'y'), array([256], { dtype: 'int32' }), { type: 'uint8' })()
    expect(E.isLeft(wide) && wide.left.kind).toBe('encode')
    expect(() => writeIdxSync(join(dir, 'nope', 'x'), array([1]))).toThrow(`writeIdxSync: ${join(dir, 'nope', 'x')}`)
  })
})
