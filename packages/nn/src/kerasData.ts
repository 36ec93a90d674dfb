/** The data side of fit/evaluate/predict: checking x and y against the model before any work, and cutting batches. */
import { cast, isNDArray, type NDArray, slice, take, treeLeaves } from '@nabla/ndarray'
import type { CompiledModel } from './compile.js'
import { prepareLabels } from './kerasLoss.js'
import { shapeText } from './shapeText.js'

/**
 * Checks inputs `x` against the model's input shape (samples along the first axis) and
 * returns the sample count.
 * @example
 * checkInputs('predict', model, x) // 10000 for x of shape [10000, 784]
 */
export const checkInputs = (op: string, model: CompiledModel, x: unknown, name = 'x'): number => {
  if (!isNDArray(x)) throw new TypeError(`${op}: ${name} must be an NDArray, got ${x === null ? 'null' : typeof x}`)
  const want = model.inputShape
  const got = x.shape.slice(1)
  if (x.rank !== want.length + 1 || got.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `${op}: the model expects inputs of shape [samples, ${want.join(', ')}] (the first layer's inputShape ${shapeText(want)}), got ${name} of shape ${shapeText(x.shape)}`,
    )
  }
  return x.shape[0] as number
}

/**
 * Checks `x` and labels `y` (same sample count, labels fitting the loss and the last
 * layer) and returns `y` in the shape the loss takes.
 * @example
 * const labels = checkData('fit', model, x, y)
 */
export const checkData = (op: string, model: CompiledModel, x: unknown, y: unknown, names = ['x', 'y']): NDArray => {
  const [xn = 'x', yn = 'y'] = names
  const n = checkInputs(op, model, x, xn)
  if (!isNDArray(y)) throw new TypeError(`${op}: ${yn} must be an NDArray, got ${y === null ? 'null' : typeof y}`)
  if (y.rank === 0 || y.shape[0] !== n) {
    throw new RangeError(
      `${op}: ${yn} must have one label per sample: ${xn} has ${n} samples (shape ${shapeText((x as NDArray).shape)}), ${yn} has ${y.rank === 0 ? 'none (a scalar)' : y.shape[0]} (shape ${shapeText(y.shape)})`,
    )
  }
  return prepareLabels(op, model.loss, y, model.outputShape)
}

/** The dtype the network computes in: its parameters' (float32 unless given other weights). */
export const computeDType = (model: CompiledModel) => treeLeaves(model.params)[0]?.dtype ?? 'float32'

/**
 * Samples `start` to `end` of `a`: a view in stored order, or gathered through `order` (a
 * permutation) when shuffling.
 * @example
 * rows(x, order, 0, 128)
 */
export const rows = (a: NDArray, order: NDArray | undefined, start: number, end: number): NDArray =>
  order === undefined ? slice(a, [start, end]) : take(a, slice(order, [start, end]))

/**
 * A batch of inputs in the network's dtype (integer images become floats, as Keras casts to floatx).
 * @example
 * inputBatch(model, x, undefined, 0, 32)
 */
export const inputBatch = (
  model: CompiledModel,
  x: NDArray,
  order: NDArray | undefined,
  start: number,
  end: number,
): NDArray => {
  const b = rows(x, order, start, end)
  const dtype = computeDType(model)
  return b.dtype === dtype ? b : cast(b, dtype)
}

/**
 * Checks a batch size option.
 * @example
 * checkBatchSize('fit', 128)
 */
export const checkBatchSize = (op: string, batchSize: unknown): number => {
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`${op}: batchSize must be a positive integer, got ${String(batchSize)}`)
  }
  return batchSize
}

/**
 * Checks a `jit` option: true, false or absent (true).
 * @example
 * checkJit('predict', options.jit) // true unless options.jit is false
 */
export const checkJit = (op: string, value: unknown): boolean => {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${op}: jit must be true or false, got ${String(value)}`)
  }
  return value !== false
}
