/**
 * The page's own copy of the model, for classifying drawings at once (the worker may be busy training). Loaded
 * after the first paint. Its products are tiny (one image), so they run on the page's thread without workers.
 */
import { setKernel } from '@nabla/linalg'
import { array, toTypedArray } from '@nabla/ndarray'
import { type CompiledModel, predict } from '@nabla/nn'
import { readModel } from './modelCheck.js'

setKernel({ threads: 1 })

export { readModel, UnusableModelError } from './modelCheck.js'

/**
 * The model's 10 class probabilities for one 28 × 28 image with ink in [0, 1].
 * @example
 * classify(model, preprocess(pad.ink())!.pixels) // Float32Array(10), summing to 1
 */
export const classify = (model: CompiledModel, pixels: Float32Array): Float32Array =>
  toTypedArray(predict(model, array(pixels, { shape: [1, 784] }))) as Float32Array

/** Decodes model bytes (checked as {@link readModel} does) and compiles its forward pass once, off the drawing path. */
export const prepareModel = (bytes: Uint8Array, name: string): CompiledModel => {
  const model = readModel(bytes, name)
  classify(model, new Float32Array(784))
  return model
}
