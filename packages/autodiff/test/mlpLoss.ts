// The MNIST-style network's loss (dense relu → dense → log-softmax crossentropy), shared by the MLP test and bench.
import { dot } from '@nabla/linalg'
import { add, exp, log, max, maximum, mean, mul, type NDArray, sub, sum } from '@nabla/ndarray'

/** The two dense layers' weights and biases. */
export type MlpParams = { w1: NDArray; b1: NDArray; w2: NDArray; b2: NDArray }

/** log softmax over the last axis, shifted by the max for stability. */
const logSoftmax = (z: NDArray): NDArray => {
  const shifted = sub(z, max(z, { axis: -1, keepDims: true }))
  return sub(shifted, log(sum(exp(shifted), { axis: -1, keepDims: true })))
}

/** Mean categorical crossentropy of the network on inputs `x` against one-hot targets `y`. */
export const mlpLoss = (p: MlpParams, x: NDArray, y: NDArray): NDArray => {
  const h = maximum(add(dot(x, p.w1), p.b1), 0)
  const z = add(dot(h, p.w2), p.b2)
  return mul(mean(sum(mul(y, logSoftmax(z)), { axis: 1 })), -1)
}
