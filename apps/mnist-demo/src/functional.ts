/**
 * The same training with the functional API only — the book's section 2.4 loop written
 * out: draw a batch, run the network, compute the loss and its gradient with respect to
 * the weights, move the weights against the gradient. The Keras face is sugar over this.
 */

import { valueAndGrad } from '@nabla/autodiff'
import { batches, toCategorical } from '@nabla/datasets'
import { jit } from '@nabla/jit'
import { argmax, item, key, type NDArray, slice, split, toArray } from '@nabla/ndarray'
import { categoricalAccuracy, dense, type SerialParams, serial, softmaxCrossentropy } from '@nabla/nn'
import { applyUpdates, optimizer as byName } from '@nabla/optim'
import { type Inputs, scaleImages } from './data.js'
import type { ChapterResult } from './keras.js'
import type { DemoOptions } from './options.js'
import type { Output } from './output.js'

/**
 * Trains Dense 512 relu → Dense 10 with `grad` and an optimizer in a plain loop.
 * @example
 * await runFunctional(data, options, out)
 */
export const runFunctional = async (data: Inputs, options: DemoOptions, out: Output): Promise<ChapterResult> => {
  const net = serial(dense(512, { activation: 'relu' }), dense(10))
  const [initKey, shuffleKey] = split(key(options.seed))
  const [, initial] = net.init(initKey!, [28 * 28])
  const x = data.trainImages
  const y = toCategorical(data.trainLabels, 10)
  const opt = byName(options.optimizer)
  // loss(params, x, y): only params is differentiated; x and y are constants
  // the images are bytes: listing 2.4's `/ 255` is applied to each batch, inside the compiled step
  const loss = (params: SerialParams, xb: NDArray, yb: NDArray) =>
    softmaxCrossentropy(net.apply(params, scaleImages(xb)), yb)
  const lossAndGrad = valueAndGrad(loss)
  // one step of the loop as a pure function of arrays, compiled with jit (traced once per batch shape)
  const trainOn = (params: SerialParams, state: unknown, xb: NDArray, yb: NDArray) => {
    const [value, grads] = lossAndGrad(params, xb, yb) // 1–3: batch, forward pass, loss and gradient
    const [updates, next] = opt.update(grads, state, params) // 4: a step against the gradient
    return [applyUpdates(params, updates), next, value] as const
  }
  const run = options.jit ? jit(trainOn) : trainOn

  let params = initial
  let state = opt.init(params)
  const secondsPerEpoch: number[] = []
  const epochKeys = split(shuffleKey!, options.epochs)
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const started = performance.now()
    let total = 0
    let seen = 0
    let step = 0
    for (const { x: xb, y: yb } of batches(x, y, { batchSize: options.batchSize, key: epochKeys[epoch]! })) {
      const [nextParams, next, value] = run(params, state, xb, yb)
      params = nextParams as SerialParams
      state = next
      total += item(value) * (xb.shape[0] as number)
      seen += xb.shape[0] as number
      if (++step % 20 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    secondsPerEpoch.push((performance.now() - started) / 1000)
    out.result(
      `epoch ${epoch + 1}/${options.epochs}: loss ${(total / seen).toFixed(4)} (${secondsPerEpoch[epoch]!.toFixed(2)} s)`,
    )
  }

  const testX = data.testImages
  const testY = toCategorical(data.testLabels, 10)
  const logits = net.apply(params, scaleImages(testX))
  const testLoss = item(softmaxCrossentropy(logits, testY))
  const accuracy = item(categoricalAccuracy(testY, logits))
  const predicted = toArray(argmax(slice(logits, [0, 10]), { axis: 1 })) as number[]
  out.result(`test loss ${testLoss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)}`)
  out.result(`first ten test predictions: ${predicted.join(' ')}`)
  return { loss: testLoss, accuracy, predicted, secondsPerEpoch }
}
