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
 * @example
 * const result = await readIdx('data/train-labels-idx1-ubyte.gz')()
 * if (E.isRight(result)) console.log(str(result.right)) // int [1:60000(1d)] 5 0 4 1 9 2 1 3 1 4 ...
 */
export const readIdx = (path: string): TE.TaskEither<IdxError, NDArray> => TE.map(finish)(readRawTask('readIdx', path))

/**
 * Reads an IDX file synchronously, as an `Either`.
 * @example
 * readIdxEither('t10k-labels-idx1-ubyte') // Right(NDArray<uint8> [10000])
 */
export const readIdxEither = (path: string): E.Either<IdxError, NDArray> => E.map(finish)(readRawSync('readIdx', path))

/**
 * Reads an IDX file synchronously, throwing an {@link IdxFileError} (its message names the
 * file, what was expected and what was found) for a missing or malformed file.
 * @example
 * readIdxSync('t10k-images-idx3-ubyte').shape // [10000, 28, 28]
 */
export const readIdxSync = (path: string): NDArray => orThrow(readIdxEither(path))
