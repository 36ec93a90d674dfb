/** The argument check shared by `shuffle` and `batches`: two NDArrays with the same number of samples. */
import { isNDArray, type NDArray } from '@nabla/ndarray'

/** Throws unless `x` and `y` are NDArrays of rank ≥ 1 with equal first extents; returns that count. */
export const checkSamples = (op: string, x: unknown, y: unknown): number => {
  for (const [name, a] of [
    ['x', x],
    ['y', y],
  ] as const) {
    if (!isNDArray(a)) throw new TypeError(`${op}: ${name} must be an NDArray, got ${a === null ? 'null' : typeof a}`)
    if (a.rank < 1) throw new RangeError(`${op}: ${name} must have a sample axis (rank ≥ 1), got a scalar`)
  }
  const [nx, ny] = [(x as NDArray).shape[0] as number, (y as NDArray).shape[0] as number]
  if (nx !== ny) {
    throw new RangeError(
      `${op}: x and y must have the same number of samples (first extent), got x of shape [${(x as NDArray).shape}] and y of shape [${(y as NDArray).shape}]: ${nx} ≠ ${ny}`,
    )
  }
  return nx
}
