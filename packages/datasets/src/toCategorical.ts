/** `toCategorical`: integer class labels to one-hot rows (the book's `to_categorical`, listing 2.5). */
import { array, isNDArray, type NDArray } from '@nabla/ndarray'
import { Concrete, concrete, materialize } from '@nabla/ndarray/core'

/**
 * One-hot encodes class labels: a label `k` becomes a float32 row of `numClasses` zeros
 * with a 1 at `k`, so labels of shape [n] give [n, numClasses] (any shape S gives
 * [...S, numClasses]; as in Keras, a trailing axis of length 1 is dropped first, so
 * [n, 1] also gives [n, numClasses]). `numClasses` defaults to the largest label + 1.
 * Labels must be non-negative integers below `numClasses`.
 * @category Preprocessing
 * @example
 * toArray(toCategorical([2, 0], 3)) // → [[0, 0, 1], [1, 0, 0]]
 * // MNIST's train.y gives [60000, 10]
 * toCategorical(array([5, 0, 4, 9], { dtype: 'uint8' })).shape // → [4, 10]
 * toCategorical([1.5]) // throws RangeError: labels must be non-negative integers
 */
export const toCategorical = (labels: NDArray | readonly number[], numClasses?: number): NDArray => {
  if (!isNDArray(labels) && !Array.isArray(labels)) {
    throw new TypeError(`toCategorical: expected labels as an NDArray or a list of numbers, got ${typeof labels}`)
  }
  const y = isNDArray(labels) ? labels : array(labels as number[], { dtype: 'float64' })
  const values = materialize(concrete('toCategorical', y)).data
  if (numClasses !== undefined && !(Number.isInteger(numClasses) && numClasses > 0)) {
    throw new RangeError(`toCategorical: numClasses must be a positive integer, got ${numClasses}`)
  }
  let max = -1
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    if (!(Number.isInteger(v) && v >= 0)) {
      throw new RangeError(
        `toCategorical: labels must be non-negative integers, got ${v} at flat index ${i} of shape [${y.shape}]`,
      )
    }
    if (v > max) max = v
  }
  if (numClasses === undefined && values.length === 0) {
    throw new RangeError(
      `toCategorical: cannot infer numClasses from empty labels (shape [${y.shape}]); pass numClasses`,
    )
  }
  const k = numClasses ?? max + 1
  if (max >= k) {
    const at = values.findIndex((v) => v >= k)
    throw new RangeError(
      `toCategorical: labels must be below numClasses ${k}, got ${max} (first out of range at flat index ${at})`,
    )
  }
  const lead = y.rank > 1 && y.shape[y.rank - 1] === 1 ? y.shape.slice(0, -1) : y.shape
  const out = new Float32Array(values.length * k)
  for (let i = 0; i < values.length; i++) out[i * k + (values[i] as number)] = 1
  return new Concrete('float32', [...lead, k], out)
}
