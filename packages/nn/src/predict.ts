/** predict and predictClasses: the model's outputs (probabilities for a softmax/sigmoid output) and their argmax. */
import { jit } from '@nabla/jit'
import { argmax, cast, concat, dual, greater, isNDArray, type NDArray, reshape } from '@nabla/ndarray'
import { type CompiledModel, checkCompiled } from './compile.js'
import {
  checkBatchSize,
  checkInputs,
  checkJit,
  checkPreprocess,
  inputBatch,
  networkInput,
  type Preprocess,
} from './kerasData.js'

/**
 * Options of {@link predict}.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const weights = [{ kernel: array([[1], [2]]), bias: array([0]) }]
 *
 * const model = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), { optimizer: 'sgd', loss: 'mse', weights })
 * const x = array([[1, 1], [2, 0], [0, 1]])
 * const options: PredictOptions = { batchSize: 2, jit: false }
 * toArray(predict(model, x, options)) // → [[3], [2], [2]]
 * predict(model, x, { batchSize: 1.5 }) // throws RangeError: batchSize must be a positive integer
 */
export interface PredictOptions {
  /** Samples per batch (default 32, as Keras); only memory and speed depend on it. */
  readonly batchSize?: number
  /** Run the forward pass compiled with `jit` (default true), or op by op (`false`). */
  readonly jit?: boolean
  /** Applied to every batch of inputs before the network sees it, as fit's `preprocess` (give the same one). */
  readonly preprocess?: Preprocess
}

type Forward = (params: CompiledModel['params'], x: NDArray) => NDArray

/** The forward pass of a network, `preprocess` applied to its inputs first. */
const forwardOf =
  (m: CompiledModel, preprocess: Preprocess | undefined): Forward =>
  (params, x) =>
    m.predictNetwork.apply(params, networkInput('predict', m, preprocess, x))

// the compiled forward pass of a network (one program per batch shape), kept as long as the network is
const forwards = new WeakMap<object, { readonly preprocess: Preprocess | undefined; readonly f: Forward }>()

const jittedForward = (m: CompiledModel, preprocess: Preprocess | undefined): Forward => {
  const c = forwards.get(m.predictNetwork)
  if (c !== undefined && c.preprocess === preprocess) return c.f
  const f = jit(forwardOf(m, preprocess)) as Forward
  forwards.set(m.predictNetwork, { preprocess, f })
  return f
}

/** Data-first calls start with the model; data-last ones with the inputs. */
const isDataFirst = (args: readonly unknown[]): boolean => !isNDArray(args[0])

const predictImpl = (model: CompiledModel, x: NDArray, options: PredictOptions = {}): NDArray => {
  const m = checkCompiled('predict', model)
  const batchSize = checkBatchSize('predict', options.batchSize ?? 32)
  const n = checkInputs('predict', m, x)
  if (n === 0) throw new RangeError('predict: x has no samples')
  const preprocess = checkPreprocess('predict', options.preprocess)
  const forward = checkJit('predict', options.jit) ? jittedForward(m, preprocess) : forwardOf(m, preprocess)
  const outs: NDArray[] = []
  for (let start = 0; start < n; start += batchSize) {
    outs.push(forward(m.params, inputBatch(m, x, undefined, start, Math.min(n, start + batchSize), preprocess)))
  }
  return outs.length === 1 ? (outs[0] as NDArray) : concat(outs, 0)
}

/**
 * Keras's `predict()`: the network's outputs for `x`, batch by batch in inference mode
 * (no dropout). With a softmax last layer each row holds class probabilities summing to 1.
 * Data-first, or data-last for `pipe(model, predict(x))`.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [2] }))
 * const weights = [{ kernel: array([[1, -1], [-1, 1]]), bias: array([0, 0]) }]
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', weights })
 * const testImages = array([[2, 0], [0, 2], [1, 1]])
 * // for MNIST, predict(model, slice(testImages, [0, 10])).shape is [10, 10]
 * predict(model, slice(testImages, [0, 2])).shape // → [2, 2]
 * // probabilities: softmax([2, −2]), softmax([−2, 2]), softmax([0, 0])
 * const p0 = 1 / (1 + Math.exp(-4))
 * toArray(predict(model, testImages)) // → [[p0, 1 - p0], [1 - p0, p0], [0.5, 0.5]]
 * predict(model, ones([2, 3])) // throws RangeError: the model expects inputs of shape [samples, 2]
 */
export const predict: {
  (x: NDArray, options?: PredictOptions): (model: CompiledModel) => NDArray
  (model: CompiledModel, x: NDArray, options?: PredictOptions): NDArray
} = dual(isDataFirst, predictImpl)

const predictClassesImpl = (model: CompiledModel, x: NDArray, options: PredictOptions = {}): NDArray => {
  const p = predictImpl(model, x, options)
  const units = p.shape[p.rank - 1]
  // one sigmoid unit: class 1 when p > 0.5, as Keras's predict_classes did
  if (units === 1) return cast(reshape(greater(p, 0.5), [p.shape[0] as number]), 'int32')
  return argmax(p, { axis: -1 })
}

/**
 * The predicted class of each sample: the argmax of `predict` (int32, 0-based), or
 * p > 0.5 for a single sigmoid output. Keras removed `predict_classes` in TensorFlow 2.6
 * (use argmax of predict there); this keeps the book's call working.
 * @category Training
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [2] }))
 * const weights = [{ kernel: array([[1, -1], [-1, 1]]), bias: array([0, 0]) }]
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy', weights })
 * // for the book's MNIST network and the first ten test images: [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
 * predictClasses(model, array([[2, 0], [0, 2], [3, 1]])) // → array([0, 1, 0], { dtype: 'int32' })
 * // one sigmoid unit: class 1 where p > 0.5
 * const binary = compile(pipe(kerasModelSequential(), layerDense({ units: 1, activation: 'sigmoid', inputShape: [1] })), {
 *   optimizer: 'rmsprop',
 *   loss: 'binary_crossentropy',
 *   weights: [{ kernel: array([[1]]), bias: array([0]) }],
 * })
 * toArray(predictClasses(binary, array([[-1], [2]]))) // → [0, 1]
 */
export const predictClasses: {
  (x: NDArray, options?: PredictOptions): (model: CompiledModel) => NDArray
  (model: CompiledModel, x: NDArray, options?: PredictOptions): NDArray
} = dual(isDataFirst, predictClassesImpl)
