/** Loading a dataset laid out like MNIST (four IDX files, plain or gzipped) into `{ train: { x, y }, test: { x, y } }`. */
import { readdirSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { NDArray } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type IdxError, idxError, orThrow } from './idxError.js'
import { fsError, type RawIdx, readRawSync, readRawTask } from './rawIdx.js'

/**
 * Samples `x` and their labels `y`, aligned along the first axis.
 * @category Datasets
 * @example
 * // x row i is [2i, 2i + 1], its label i: shuffling keeps the pairs together
 * const split: Split = shuffle(key(0), reshape(arange(6), [3, 2]), arange(3))
 * split.x.shape // → [3, 2]
 * toArray(split.x).map((row) => row[0] / 2) // → toArray(split.y)
 */
export interface Split {
  readonly x: NDArray
  readonly y: NDArray
}

/**
 * A training and a test split, as the book's `dataset_mnist()` returns them.
 * @category Datasets
 * @example
 * // a tiny dataset in MNIST's layout, in the working directory
 * const shapes: Record<IdxRole, number[]> = { trainImages: [6, 28, 28], trainLabels: [6], testImages: [2, 28, 28], testLabels: [2] }
 * for (const [role, shape] of Object.entries(shapes)) writeIdxSync(idxDatasetFiles[role as IdxRole], zeros(shape, { dtype: 'uint8' }))
 * const dataset: Dataset = loadIdxDataset('.')
 * dataset.train.x.shape // → [6, 28, 28]
 * dataset.test.y.shape // → [2]
 */
export interface Dataset {
  readonly train: Split
  readonly test: Split
}

/**
 * The four files of a dataset in MNIST's layout, by role.
 * @category Datasets
 * @example
 * const role: IdxRole = 'trainLabels'
 * idxDatasetFiles[role] // → 'train-labels-idx1-ubyte'
 * mnistFiles[role].shape // → [60000]
 */
export type IdxRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'

/**
 * MNIST's file names (each may also be present gzipped, with `.gz` appended).
 * @category Datasets
 * @example
 * idxDatasetFiles.testLabels // → 't10k-labels-idx1-ubyte'
 */
export const idxDatasetFiles: { readonly [R in IdxRole]: string } = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
}

const roles = Object.keys(idxDatasetFiles) as IdxRole[]

/** Extra per-file checks of a known dataset (sizes, checksums, shapes), run before and after decoding. */
export interface FileChecks {
  /** Sees the validated, uncompressed file (header and raw data) before it becomes an array. */
  readonly raw?: (role: IdxRole, path: string, raw: RawIdx) => E.Either<IdxError, RawIdx>
  /** Sees the decoded array. */
  readonly array?: (role: IdxRole, path: string, x: NDArray) => E.Either<IdxError, NDArray>
}

/** Which file to read for each role: the plain name if present, else `name.gz`; `Left` lists every missing one. */
const locate = (op: string, dir: string, present: readonly string[]): E.Either<IdxError, Record<IdxRole, string>> => {
  const names = new Set(present)
  const missing = roles.filter((r) => !names.has(idxDatasetFiles[r]) && !names.has(`${idxDatasetFiles[r]}.gz`))
  if (missing.length > 0) {
    return E.left(
      idxError(
        'missing',
        op,
        missing.map((r) => join(dir, idxDatasetFiles[r])).join(', '),
        `the four files ${roles.map((r) => idxDatasetFiles[r]).join(', ')} (each plain or .gz) in ${dir}`,
        `no ${missing.map((r) => `${idxDatasetFiles[r]}[.gz]`).join(', no ')}`,
      ),
    )
  }
  const pick = (r: IdxRole) =>
    join(dir, names.has(idxDatasetFiles[r]) ? idxDatasetFiles[r] : `${idxDatasetFiles[r]}.gz`)
  return E.right({
    trainImages: pick('trainImages'),
    trainLabels: pick('trainLabels'),
    testImages: pick('testImages'),
    testLabels: pick('testLabels'),
  })
}

const finishChecked = (role: IdxRole, path: string, raw: RawIdx, checks: FileChecks): E.Either<IdxError, NDArray> =>
  pipe(
    checks.raw ? checks.raw(role, path, raw) : E.right(raw),
    E.map((r) => r.finish()),
    E.chain((x) => (checks.array ? checks.array(role, path, x) : E.right(x))),
  )

const pairUp = (op: string, images: [string, NDArray], labels: [string, NDArray]): E.Either<IdxError, Split> => {
  const [xPath, x] = images
  const [yPath, y] = labels
  if (x.shape[0] !== y.shape[0]) {
    return E.left(
      idxError(
        'count',
        op,
        `${xPath}, ${yPath}`,
        `as many labels as images (${x.shape[0]} images of shape [${x.shape}])`,
        `${y.shape[0]} labels (shape [${y.shape}])`,
      ),
    )
  }
  return E.right({ x, y })
}

const assemble = (
  op: string,
  paths: Record<IdxRole, string>,
  arrays: Record<IdxRole, NDArray>,
): E.Either<IdxError, Dataset> =>
  pipe(
    E.Do,
    E.apS('train', pairUp(op, [paths.trainImages, arrays.trainImages], [paths.trainLabels, arrays.trainLabels])),
    E.apS('test', pairUp(op, [paths.testImages, arrays.testImages], [paths.testLabels, arrays.testLabels])),
  )

/** The synchronous loader behind {@link loadIdxDatasetEither} and `datasetMnistEither`. */
export const loadDatasetEither = (op: string, dir: string, checks: FileChecks = {}): E.Either<IdxError, Dataset> => {
  let present: string[]
  try {
    present = readdirSync(dir)
  } catch (e) {
    return E.left(fsError(op, dir, e, 'dir'))
  }
  const located = locate(op, dir, present)
  if (E.isLeft(located)) return located
  const paths = located.right
  const arrays: Partial<Record<IdxRole, NDArray>> = {}
  for (const r of roles) {
    const x = pipe(
      readRawSync(op, paths[r]),
      E.chain((raw) => finishChecked(r, paths[r], raw, checks)),
    )
    if (E.isLeft(x)) return x
    arrays[r] = x.right
  }
  return assemble(op, paths, arrays as Record<IdxRole, NDArray>)
}

/** The asynchronous loader behind {@link loadIdxDatasetTask} and `datasetMnistTask`: the four files are read concurrently. */
export const loadDatasetTask =
  (op: string, dir: string, checks: FileChecks = {}): TE.TaskEither<IdxError, Dataset> =>
  async () => {
    let present: string[]
    try {
      present = await readdir(dir)
    } catch (e) {
      return E.left(fsError(op, dir, e, 'dir'))
    }
    const located = locate(op, dir, present)
    if (E.isLeft(located)) return located
    const paths = located.right
    const loaded = await Promise.all(
      roles.map(async (r) => {
        const raw = await readRawTask(op, paths[r])()
        return E.isLeft(raw) ? raw : finishChecked(r, paths[r], raw.right, checks)
      }),
    )
    const arrays: Partial<Record<IdxRole, NDArray>> = {}
    for (const [i, r] of roles.entries()) {
      const x = loaded[i] as E.Either<IdxError, NDArray>
      if (E.isLeft(x)) return x
      arrays[r] = x.right
    }
    return assemble(op, paths, arrays as Record<IdxRole, NDArray>)
  }

/**
 * Loads the dataset in `dir`, which must hold MNIST's four file names
 * ({@link idxDatasetFiles}), each plain or gzipped (`.gz`; the plain file wins if both
 * exist), with as many labels as images in each split. Any IDX element type and image
 * rank is accepted, so Fashion-MNIST, KMNIST or a user's own data load the same way.
 * Throws an {@link IdxFileError} naming the missing file(s), the malformed file, or the
 * two files whose counts differ.
 * @category Datasets
 * @example
 * import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * // e.g. Fashion-MNIST in 'data/fashion'; here a tiny dataset in MNIST's layout, the test images gzipped
 * const dir = mkdtempSync(join(tmpdir(), 'nabla-idx-'))
 * writeIdxSync(join(dir, idxDatasetFiles.trainImages), zeros([6, 28, 28], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.trainLabels), array([0, 1, 2, 0, 1, 2], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, `${idxDatasetFiles.testImages}.gz`), zeros([3, 28, 28], { dtype: 'uint8' }), { gzip: true })
 * writeIdxSync(join(dir, idxDatasetFiles.testLabels), array([1, 2, 0], { dtype: 'uint8' }))
 * const { train, test } = loadIdxDataset(dir)
 * train.x.shape // → [6, 28, 28]
 * toArray(test.y) // → [1, 2, 0]
 * mkdirSync(join(dir, 'empty'))
 * loadIdxDataset(join(dir, 'empty')) // throws IdxFileError: expected the four files train-images-idx3-ubyte
 * rmSync(dir, { recursive: true })
 */
export const loadIdxDataset = (dir: string): Dataset => orThrow(loadDatasetEither('loadIdxDataset', dir))

/**
 * {@link loadIdxDataset} as a synchronous `Either`.
 * @category Datasets
 * @example
 * import { mkdtempSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * import { pipe } from 'fp-ts/function'
 * const dir = mkdtempSync(join(tmpdir(), 'nabla-idx-'))
 * writeIdxSync(join(dir, idxDatasetFiles.trainImages), zeros([4, 2, 2], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.trainLabels), zeros([4], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.testImages), zeros([2, 2, 2], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.testLabels), zeros([2], { dtype: 'uint8' }))
 * // for MNIST's folder, Right([10000])
 * pipe(loadIdxDatasetEither(dir), E.map((d) => d.test.y.shape)) // → E.right([2])
 * rmSync(dir, { recursive: true })
 */
export const loadIdxDatasetEither = (dir: string): E.Either<IdxError, Dataset> =>
  loadDatasetEither('loadIdxDataset', dir)

/**
 * {@link loadIdxDataset} as a `TaskEither` (files read and inflated concurrently, off the main thread).
 * @category Datasets
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-idx-'))
 * writeIdxSync(join(dir, idxDatasetFiles.trainImages), zeros([4, 2, 2], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.trainLabels), zeros([4], { dtype: 'uint8' }))
 * writeIdxSync(join(dir, idxDatasetFiles.testImages), zeros([2, 2, 2], { dtype: 'uint8' }))
 * // one label too many
 * writeIdxSync(join(dir, idxDatasetFiles.testLabels), zeros([3], { dtype: 'uint8' }))
 * const result = await loadIdxDatasetTask(dir)()
 * result._tag === 'Left' && result.left.kind // → 'count'
 * await rm(dir, { recursive: true })
 */
export const loadIdxDatasetTask = (dir: string): TE.TaskEither<IdxError, Dataset> =>
  loadDatasetTask('loadIdxDataset', dir)
