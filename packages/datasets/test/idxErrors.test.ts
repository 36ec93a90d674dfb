import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  decodeIdx,
  decodeIdxOrThrow,
  type IdxError,
  type IdxErrorKind,
  IdxFileError,
  isIdxError,
  readIdx,
  readIdxEither,
  readIdxSync,
} from '../src/index.js'
import { idxFile, tempDir } from './fixtures.js'

const left = (e: E.Either<IdxError, unknown>): IdxError => {
  if (E.isRight(e)) throw new Error('expected Left, got Right')
  return e.left
}

// Each malformed file, the error kind, and what the message must say was expected and found.
const malformed: { what: string; bytes: Uint8Array; kind: IdxErrorKind; expected: string; found: string }[] = [
  {
    what: 'empty file',
    bytes: new Uint8Array(0),
    kind: 'empty',
    expected: 'an IDX file (at least a 4-byte magic number)',
    found: '0 bytes',
  },
  {
    what: 'magic number cut short',
    bytes: Uint8Array.from([0, 0, 8]),
    kind: 'header',
    expected: 'at least the 4-byte magic number',
    found: '3 bytes',
  },
  {
    what: 'bad magic (nonzero first bytes)',
    bytes: Uint8Array.from([0x1f, 0x8c, 8, 1, 0, 0, 0, 0]),
    kind: 'magic',
    expected: 'the first two bytes to be 0x00 0x00',
    found: '0x1f 0x8c',
  },
  {
    what: 'bad magic (second byte)',
    bytes: Uint8Array.from([0, 1, 8, 1, 0, 0, 0, 0]),
    kind: 'magic',
    expected: 'the first two bytes to be 0x00 0x00',
    found: '0x00 0x01',
  },
  {
    what: 'unknown type code',
    bytes: idxFile(0x0a, [1], [0]),
    kind: 'typeCode',
    expected: 'one of the type codes 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e',
    found: '0x0a',
  },
  {
    what: 'zero rank',
    bytes: Uint8Array.from([0, 0, 8, 0, 42]),
    kind: 'rank',
    expected: 'a rank from 1 to 32',
    found: 'rank 0',
  },
  {
    what: 'huge rank',
    bytes: Uint8Array.from([0, 0, 8, 200, 0, 0, 0, 1]),
    kind: 'rank',
    expected: 'a rank from 1 to 32',
    found: 'rank 200',
  },
  {
    what: 'dimensions cut short',
    bytes: Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0]),
    kind: 'header',
    expected: '16 header bytes (4 + 4 per dimension for rank 3)',
    found: '11 bytes',
  },
  {
    what: 'truncated data',
    bytes: idxFile(0x0c, [2, 3], new Array(20).fill(0)),
    kind: 'length',
    expected: 'shape [2,3] of int32 (4 bytes each): 24 data bytes',
    found: '20 bytes after the 12-byte header (truncated: 4 missing)',
  },
  {
    what: 'trailing bytes',
    bytes: idxFile(0x08, [2, 2], [1, 2, 3, 4, 5]),
    kind: 'length',
    expected: 'shape [2,2] of uint8 (1 byte each): 4 data bytes',
    found: '5 bytes after the 12-byte header (1 trailing byte)',
  },
  {
    what: 'dims product mismatch (data of [60000] labels under a [60000, 28] header)',
    bytes: idxFile(0x08, [60000, 28], new Array(60000).fill(0)),
    kind: 'length',
    expected: 'shape [60000,28] of uint8 (1 byte each): 1680000 data bytes',
    found: '60000 bytes after the 12-byte header (truncated: 1620000 missing)',
  },
  {
    what: 'dims overflowing any memory',
    bytes: idxFile(0x0e, [0xffffffff, 0xffffffff], [0]),
    kind: 'length',
    expected: `shape [4294967295,4294967295] of float64 (8 bytes each): ${0xffffffff * 0xffffffff * 8} data bytes`,
    found: '1 byte after the 12-byte header',
  },
]

describe('malformed IDX data', () => {
  for (const m of malformed) {
    it(`${m.what}: Left naming the file, what was expected and found`, () => {
      const e = left(decodeIdx(m.bytes, { name: 'bad-idx1-ubyte' }))
      expect(isIdxError(e)).toBe(true)
      expect(e).toMatchObject({ kind: m.kind, op: 'decodeIdx', file: 'bad-idx1-ubyte', expected: m.expected })
      expect(e.found.startsWith(m.found)).toBe(true)
      expect(e.message).toMatch(/^decodeIdx: bad-idx1-ubyte: .+: expected .+, found .+$/)
      expect(e.message).toContain(`expected ${m.expected}, found ${m.found}`)
    })

    it(`${m.what}: the same error from a file (sync, Either and TaskEither) and gzipped`, async () => {
      const dir = tempDir()
      const path = join(dir, 'bad')
      writeFileSync(path, m.bytes)
      const pathGz = join(dir, 'bad.gz')
      writeFileSync(pathGz, gzipSync(m.bytes))
      for (const p of [path, pathGz]) {
        const sync = left(readIdxEither(p))
        expect(sync).toMatchObject({ kind: m.kind, op: 'readIdx', file: p, expected: m.expected })
        expect(sync.message).toContain(`readIdx: ${p}: `)
        expect(left(await readIdx(p)())).toEqual(sync)
        expect(() => readIdxSync(p)).toThrow(sync.message)
      }
    })
  }

  it('the throwing forms throw an IdxFileError carrying the typed error', () => {
    let caught: unknown
    try {
      decodeIdxOrThrow(new Uint8Array(0), { name: 'x' })
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(IdxFileError)
    expect((caught as IdxFileError).error.kind).toBe('empty')
    expect((caught as IdxFileError).message).toBe(
      'decodeIdx: x: empty file: expected an IDX file (at least a 4-byte magic number), found 0 bytes',
    )
  })

  it('corrupt gzip data', async () => {
    const gz = gzipSync(idxFile(0x08, [3], [1, 2, 3]))
    const broken = gz.subarray(0, gz.length - 6)
    const e = left(decodeIdx(broken, { name: 'x.gz' }))
    expect(e.kind).toBe('gzip')
    expect(e.message).toMatch(/^decodeIdx: x\.gz: corrupt gzip data: expected a gzip stream that inflates, found /)
    const dir = tempDir()
    writeFileSync(join(dir, 'x.gz'), broken)
    expect(left(readIdxEither(join(dir, 'x.gz'))).kind).toBe('gzip')
    expect(left(await readIdx(join(dir, 'x.gz'))()).kind).toBe('gzip')
  })

  it('missing file', async () => {
    const path = join(tempDir(), 'train-images-idx3-ubyte')
    const message = `readIdx: ${path}: file not found: expected an existing file, found no such file`
    expect(left(readIdxEither(path))).toMatchObject({ kind: 'missing', file: path, message })
    expect(left(await readIdx(path)())).toMatchObject({ kind: 'missing', file: path, message })
    expect(() => readIdxSync(path)).toThrow(message)
  })

  it('a directory instead of a file is an io error', async () => {
    const dir = tempDir()
    expect(left(readIdxEither(dir))).toMatchObject({ kind: 'io', file: dir, expected: 'a readable file' })
    expect(left(await readIdx(dir)())).toMatchObject({ kind: 'io', file: dir })
  })
})
