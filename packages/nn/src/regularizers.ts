/**
 * Weight regularizers (Keras's `regularizer_l1`, `regularizer_l2`, `regularizer_l1_l2`): a penalty on a layer's
 * weights added to the loss that training minimises and that `fit` and `evaluate` report, as Keras adds them.
 * A regularizer is plain data, so a saved model's configuration holds it.
 */
import { abs, add, mul, type NDArray, sum, zeros } from '@nabla/ndarray'

/**
 * `l1·Σ|w| + l2·Σw²` (Keras's formula: no ½ on the square).
 * @category Regularizers
 * @example
 * const l2: Regularizer = { l1: 0, l2: 0.5 }
 * // 0.5 · (1² + 2²)
 * item(penalty(l2, array([1, 2]))) // → 2.5
 * regularizerL2(0.5) // → l2
 * regularizerL1L2({ l1: 0, l2: 0.5 }) // → l2
 */
export interface Regularizer {
  readonly l1: number
  readonly l2: number
}

const factor = (op: string, name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`${op}: ${name} must be a finite number ≥ 0, got ${String(v)}`)
  }
  return v
}

/**
 * `l1·Σ|w|`: Keras's `regularizer_l1(l = 0.01)`.
 * @category Regularizers
 * @example
 * regularizerL1(0.001) // → { l1: 0.001, l2: 0 }
 * layerDense({ units: 16, activation: 'relu', kernelRegularizer: regularizerL1(0.001) })
 * regularizerL1(-1) // throws RangeError: l1 must be a finite number ≥ 0
 */
export const regularizerL1 = (l1 = 0.01): Regularizer => Object.freeze({ l1: factor('regularizerL1', 'l1', l1), l2: 0 })

/**
 * `l2·Σw²`: Keras's `regularizer_l2(l = 0.01)` (chapter 4's weight decay).
 * @category Regularizers
 * @example
 * regularizerL2(0.001) // → { l1: 0, l2: 0.001 }
 * layerDense({ units: 16, activation: 'relu', kernelRegularizer: regularizerL2(0.001) })
 */
export const regularizerL2 = (l2 = 0.01): Regularizer => Object.freeze({ l1: 0, l2: factor('regularizerL2', 'l2', l2) })

/**
 * Both: Keras's `regularizer_l1_l2(l1 = 0.01, l2 = 0.01)`.
 * @category Regularizers
 * @example
 * regularizerL1L2({ l1: 0.001, l2: 0.001 }) // → { l1: 0.001, l2: 0.001 }
 * regularizerL1L2() // → { l1: 0.01, l2: 0.01 }
 */
export const regularizerL1L2 = ({
  l1 = 0.01,
  l2 = 0.01,
}: {
  readonly l1?: number
  readonly l2?: number
} = {}): Regularizer =>
  Object.freeze({ l1: factor('regularizerL1L2', 'l1', l1), l2: factor('regularizerL1L2', 'l2', l2) })

/**
 * Checks a layer's regularizer option: one made above, or the same plain record `{ l1, l2 }` (as a saved model
 * holds it).
 * @example
 * // internal (not exported): the layer functions check their regularizer options with it; a plain { l1, l2 }
 * // (as a saved model holds it) is accepted
 * layerDense(kerasModelSequential(), { units: 4, kernelRegularizer: { l2: 0.001 } as never }).layers[0].kind // → 'Dense'
 * layerDense({ units: 4, kernelRegularizer: 0.001 as never }) // throws TypeError: kernelRegularizer must be regularizerL1(…)
 */
export const checkRegularizer = (op: string, name: string, r: unknown): Regularizer | undefined => {
  if (r === undefined) return undefined
  if (typeof r !== 'object' || r === null || Object.keys(r).some((k) => k !== 'l1' && k !== 'l2')) {
    throw new TypeError(
      `${op}: ${name} must be regularizerL1(…), regularizerL2(…) or regularizerL1L2(…) (a record { l1, l2 }), got ${JSON.stringify(r) ?? String(r)}`,
    )
  }
  const { l1 = 0, l2 = 0 } = r as { l1?: unknown; l2?: unknown }
  return Object.freeze({ l1: factor(op, `${name}.l1`, l1), l2: factor(op, `${name}.l2`, l2) })
}

/**
 * The penalty of weights `w`: `l1·Σ|w| + l2·Σw²`, a scalar of w's dtype.
 * @category Regularizers
 * @example
 * // 0.5 · (1² + 2²)
 * item(penalty(regularizerL2(0.5), array([1, 2]))) // → 2.5
 * // 0.1 · (|1| + |−2|) + 0.5 · (1² + 2²)
 * item(penalty(regularizerL1L2({ l1: 0.1, l2: 0.5 }), array([1, -2]))) // → 2.8
 */
export const penalty = ({ l1, l2 }: Regularizer, w: NDArray): NDArray => {
  const terms: NDArray[] = []
  if (l1 !== 0) terms.push(mul(sum(abs(w)), l1))
  if (l2 !== 0) terms.push(mul(sum(mul(w, w)), l2))
  return terms.length === 0 ? zeros([], { dtype: w.dtype }) : terms.reduce((a, b) => add(a, b))
}

/**
 * The sum of a model's weight penalties for `params` (layer by layer, as `serial` holds them), or undefined when
 * no layer has a regularizer: what `fit` adds to each batch's loss and `evaluate` to its reported loss.
 * @category Regularizers
 * @example
 * import { pipe } from 'fp-ts/function'
 * const plain = compile(pipe(kerasModelSequential(), layerDense({ units: 1, inputShape: [2] })), {
 *   optimizer: 'sgd',
 *   loss: 'mse',
 * })
 * // undefined without regularizers
 * modelPenalty(plain.layers, plain.params) // → undefined
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 1, inputShape: [2], kernelRegularizer: regularizerL2(0.5) }),
 * )
 * const model = compile(network, { optimizer: 'sgd', loss: 'mse' })
 * const weights = [{ kernel: array([[1], [2]]), bias: array([0]) }]
 * item(modelPenalty(model.layers, weights)) // → 2.5
 */
export const modelPenalty = (
  layers: readonly { readonly regularization?: (params: unknown) => NDArray }[],
  params: readonly unknown[],
): NDArray | undefined => {
  const terms = layers.flatMap((l, i) => (l.regularization === undefined ? [] : [l.regularization(params[i])]))
  return terms.length === 0 ? undefined : terms.reduce((a, b) => add(a, b))
}
