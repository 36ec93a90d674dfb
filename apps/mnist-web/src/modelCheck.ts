/** Reading a model file the user gave the page: a clear message for anything that is not this chapter's network. */
import { type CompiledModel, decodeModel, ModelFileError } from '@nabla/nn'

/**
 * A model file the page cannot use; the message says why, in words for the page.
 * @example
 * try { readModel(bytes, 'model.safetensors') } catch (e) { if (e instanceof UnusableModelError) show(e.message) }
 */
export class UnusableModelError extends Error {
  override readonly name = 'UnusableModelError'
}

const shape = (s: readonly number[]) => `[${s.join(', ')}]`

/**
 * Decodes a saved model (safetensors, as `mnist-demo --save` or this page writes it) and checks that it takes
 * 28 × 28 = 784 inputs and gives 10 class probabilities. Throws an {@link UnusableModelError} otherwise.
 * @example
 * const model = readModel(new Uint8Array(await file.arrayBuffer()), file.name)
 */
export const readModel = (bytes: Uint8Array, name: string): CompiledModel => {
  let model: CompiledModel
  try {
    model = decodeModel(bytes, { name })
  } catch (e) {
    if (e instanceof ModelFileError) {
      throw new UnusableModelError(
        `${name} is not a model file this page can read (a .safetensors file saved by mnist-demo --save or by this ` +
          `page). ${e.message}`,
      )
    }
    throw e
  }
  const [input, output] = [model.inputShape, model.outputShape]
  if (shape(input) !== '[784]' || shape(output) !== '[10]') {
    throw new UnusableModelError(
      `${name} holds a network for inputs of shape ${shape(input)} and outputs of shape ${shape(output)}; this page ` +
        'needs one for 28 × 28 = 784 pixels in and 10 digit classes out, like the one mnist-demo --save writes.',
    )
  }
  return model
}
