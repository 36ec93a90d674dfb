/** The data side of fit/evaluate/predict: checking x and y against the model before any work, and cutting batches. */
import { cast, isNDArray, type NDArray, slice, take, treeLeaves } from '@nabla/ndarray'
import type { CompiledModel } from './compile.js'
import { prepareLabels } from './kerasLoss.js'
import { shapeText } from './shapeText.js'

/**
 * Checks inputs `x` against the model's input shape (samples along the first axis) and
 * returns the sample count.
 * @example
 * // internal (not exported): predict, evaluate and fit check their inputs with it (10000 samples for x of
 * // shape [10000, 784] against an input shape [784])
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [784] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * predict(model, ones([3, 784])).shape // → [3, 1]
 * predict(model, ones([3, 28, 28])) // throws RangeError: the model expects inputs of shape [samples, 784]
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
 * // internal (not exported): fit and evaluate check x and y with it before any work
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * await fit(model, ones([4, 2]), ones([3, 1])) // throws RangeError: y must have one label per sample: x has 4 samples
 * // a one-unit output takes labels of shape [n] as [n, 1]
 * evaluate(model, ones([4, 2]), ones([4])) // → evaluate(model, ones([4, 2]), ones([4, 1]))
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
 * // internal (not exported): evaluate, predict and fit cut their batches with it (a slice, or the rows of a
 * // shuffled order); the batch size changes nothing in what predict returns
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 3, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * const x = reshape(cast(arange(10), 'float32'), [5, 2])
 * toArray(predict(model, x, { batchSize: 2 })) // → toArray(predict(model, x))
 */
export const rows = (a: NDArray, order: NDArray | undefined, start: number, end: number): NDArray =>
  order === undefined ? slice(a, [start, end]) : take(a, slice(order, [start, end]))

/**
 * A batch of inputs in the network's dtype (integer images become floats, as Keras casts to floatx).
 * @example
 * // internal (not exported): batches of integer inputs (uint8 images) become the network's float32, as Keras
 * // casts them
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 *   weights: [{ kernel: array([[1], [1]]), bias: array([0]) }],
 * })
 * const pixels = array([[200, 55]], { dtype: 'uint8' })
 * predict(model, pixels) // → array([[255]])
 */
export const inputBatch = (
  model: CompiledModel,
  x: NDArray,
  order: NDArray | undefined,
  start: number,
  end: number,
  preprocess?: Preprocess,
): NDArray => {
  const b = rows(x, order, start, end)
  // a preprocess function is given the batch as stored, inside the (compiled) step: see networkInput
  if (preprocess !== undefined) return b
  const dtype = computeDType(model)
  return b.dtype === dtype ? b : cast(b, dtype)
}

/**
 * A function from a batch of inputs as stored to the batch the network takes (fit's, evaluate's and predict's
 * `preprocess` option), such as `(x) => div(x, 255)` for images kept as uint8.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 *   weights: [{ kernel: array([[1], [1]]), bias: array([0]) }],
 * })
 * const scale: Preprocess = (x) => div(x, 255)
 * predict(model, array([[51, 204]], { dtype: 'uint8' }), { preprocess: scale }) // → array([[1]])
 */
export type Preprocess = (x: NDArray) => NDArray

/** Checks a `preprocess` option: a function or absent. */
export const checkPreprocess = (op: string, value: unknown): Preprocess | undefined => {
  if (value !== undefined && typeof value !== 'function') {
    throw new TypeError(
      `${op}: preprocess must be a function from a batch of inputs to the network's input, got ${value === null ? 'null' : typeof value}`,
    )
  }
  return value as Preprocess | undefined
}

/**
 * The batch `xb` as the network takes it: `preprocess(xb)` when there is one, checked to keep the batch's
 * samples and to give the model's input shape in its dtype; else `xb` itself. Runs inside the step or forward
 * function, so that under jit the preprocessing is traced and fused with the rest.
 * @example
 * // internal (not exported): fit, evaluate and predict apply it to every batch
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * predict(model, ones([3, 2]), { preprocess: (x) => cast(x, 'int32') }) // throws TypeError: predict: preprocess must return the network's float32 inputs of shape [3, 2], got int32 [3, 2]
 */
export const networkInput = (
  op: string,
  model: CompiledModel,
  preprocess: Preprocess | undefined,
  xb: NDArray,
): NDArray => {
  if (preprocess === undefined) return xb
  const out = preprocess(xb)
  const n = xb.shape[0] as number
  const dtype = computeDType(model)
  const want = [n, ...model.inputShape]
  if (!isNDArray(out) || out.dtype !== dtype || out.rank !== want.length || out.shape.some((d, i) => d !== want[i])) {
    const got = isNDArray(out) ? `${out.dtype} ${shapeText(out.shape)}` : out === null ? 'null' : typeof out
    throw new TypeError(
      `${op}: preprocess must return the network's ${dtype} inputs of shape ${shapeText(want)}, got ${got}`,
    )
  }
  return out
}

/**
 * Checks a batch size option.
 * @example
 * // internal (not exported): fit, evaluate and predict check their batchSize with it
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * predict(model, ones([4, 2]), { batchSize: 128 }).shape // → [4, 1]
 * predict(model, ones([4, 2]), { batchSize: 0 }) // throws RangeError: batchSize must be a positive integer, got 0
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
 * // internal (not exported): true unless options.jit is false; the compiled and the op-by-op forward pass agree
 * import { pipe } from 'fp-ts/function'
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 3, activation: 'relu', inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * const x = array([[1, 2], [3, 4]])
 * toArray(predict(model, x, { jit: false })) // → toArray(predict(model, x))
 * predict(model, x, { jit: 'yes' as never }) // throws TypeError: jit must be true or false
 */
export const checkJit = (op: string, value: unknown): boolean => {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`${op}: jit must be true or false, got ${String(value)}`)
  }
  return value !== false
}
