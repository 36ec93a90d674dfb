import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { toArray } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  type Dataset,
  type IdxError,
  idxDatasetFiles,
  loadIdxDataset,
  loadIdxDatasetEither,
  loadIdxDatasetTask,
} from '../src/index.js'
import { idxFile, tempDir } from './fixtures.js'

// A tiny dataset: 3 train images 2×2 of uint8 with labels 2 0 1; 2 test images with labels 1 1 (as int8).
const writeDataset = (dir: string, { gzip = true, trainLabels = [2, 0, 1] } = {}): void => {
  const files: Record<string, Uint8Array> = {
    [idxDatasetFiles.trainImages]: idxFile(0x08, [3, 2, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]),
    [idxDatasetFiles.trainLabels]: idxFile(0x08, [trainLabels.length], trainLabels),
    [idxDatasetFiles.testImages]: idxFile(0x08, [2, 2, 2], [9, 9, 9, 9, 1, 1, 1, 1]),
    [idxDatasetFiles.testLabels]: idxFile(0x09, [2], [1, 1]),
  }
  for (const [name, bytes] of Object.entries(files)) {
    writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes)
  }
}

const check = (d: Dataset): void => {
  expect(d.train.x.shape).toEqual([3, 2, 2])
  expect(toArray(d.train.x)).toEqual([
    [
      [0, 1],
      [2, 3],
    ],
    [
      [4, 5],
      [6, 7],
    ],
    [
      [8, 9],
      [10, 255],
    ],
  ])
  expect(toArray(d.train.y)).toEqual([2, 0, 1])
  expect(d.test.x.shape).toEqual([2, 2, 2])
  expect(d.test.y.dtype).toBe('int32')
  expect(toArray(d.test.y)).toEqual([1, 1])
}

const left = (e: E.Either<IdxError, unknown>): IdxError => {
  if (E.isRight(e)) throw new Error('expected Left, got Right')
  return e.left
}

describe('loadIdxDataset', () => {
  it('loads a directory of gzipped files in all three forms', async () => {
    const dir = tempDir()
    writeDataset(dir)
    check(loadIdxDataset(dir))
    check((loadIdxDatasetEither(dir) as E.Right<Dataset>).right)
    check(((await loadIdxDatasetTask(dir)()) as E.Right<Dataset>).right)
  })

  it('loads plain files, and prefers the plain file when both exist', () => {
    const dir = tempDir()
    writeDataset(dir, { gzip: false })
    check(loadIdxDataset(dir))
    writeFileSync(join(dir, `${idxDatasetFiles.trainLabels}.gz`), gzipSync(idxFile(0x08, [3], [7, 7, 7])))
    expect(toArray(loadIdxDataset(dir).train.y)).toEqual([2, 0, 1])
  })

  it('names every missing file', async () => {
    const dir = tempDir()
    writeDataset(dir)
    rmSync(join(dir, `${idxDatasetFiles.testImages}.gz`))
    rmSync(join(dir, `${idxDatasetFiles.testLabels}.gz`))
    const e = left(loadIdxDatasetEither(dir))
    expect(e.kind).toBe('missing')
    expect(e.file).toBe(`${join(dir, 't10k-images-idx3-ubyte')}, ${join(dir, 't10k-labels-idx1-ubyte')}`)
    expect(e.found).toBe('no t10k-images-idx3-ubyte[.gz], no t10k-labels-idx1-ubyte[.gz]')
    expect(e.expected).toBe(
      `the four files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each plain or .gz) in ${dir}`,
    )
    expect(e.message.startsWith(`loadIdxDataset: ${join(dir, 't10k-images-idx3-ubyte')}`)).toBe(true)
    expect(left(await loadIdxDatasetTask(dir)())).toEqual(e)
    expect(() => loadIdxDataset(dir)).toThrow(e.message)
  })

  it('a directory that does not exist', async () => {
    const dir = join(tempDir(), 'nope')
    const e = left(loadIdxDatasetEither(dir))
    expect(e).toMatchObject({
      kind: 'missing',
      file: dir,
      message: `loadIdxDataset: ${dir}: file not found: expected an existing directory, found no such directory`,
    })
    expect(left(await loadIdxDatasetTask(dir)())).toEqual(e)
  })

  it('a file where the directory should be', async () => {
    const dir = join(tempDir(), 'a-file')
    writeFileSync(dir, '')
    const e = left(loadIdxDatasetEither(dir))
    expect(e).toMatchObject({
      kind: 'io',
      file: dir,
      message: `loadIdxDataset: ${dir}: cannot read or write the file: expected a directory, found not a directory`,
    })
    expect(left(await loadIdxDatasetTask(dir)())).toEqual(e)
  })

  it('images and labels of different counts', async () => {
    const dir = tempDir()
    writeDataset(dir, { trainLabels: [1, 2] })
    const e = left(loadIdxDatasetEither(dir))
    expect(e).toMatchObject({
      kind: 'count',
      file: `${join(dir, 'train-images-idx3-ubyte.gz')}, ${join(dir, 'train-labels-idx1-ubyte.gz')}`,
      expected: 'as many labels as images (3 images of shape [3,2,2])',
      found: '2 labels (shape [2])',
    })
    expect(left(await loadIdxDatasetTask(dir)())).toEqual(e)
  })

  it('a malformed file among the four is named', async () => {
    const dir = tempDir()
    writeDataset(dir, { gzip: false })
    const bad = join(dir, idxDatasetFiles.testImages)
    writeFileSync(bad, idxFile(0x08, [2, 2, 2], [1, 2, 3]))
    const e = left(loadIdxDatasetEither(dir))
    expect(e).toMatchObject({ kind: 'length', file: bad, op: 'loadIdxDataset' })
    expect(left(await loadIdxDatasetTask(dir)())).toEqual(e)
  })
})
