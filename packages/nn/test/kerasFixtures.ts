// Shared data and models for the Keras-face tests: XOR-like clusters and a collecting output stream.
import { add, array, key, type NDArray, normal, toArray, treeLeaves } from '@nabla/ndarray'
import {
  type CompiledModel,
  type CompileOptions,
  compile,
  kerasModelSequential,
  layerDense,
  type Sequential,
} from '../src/index.js'

/**
 * Four Gaussian blobs at (±1, ±1), σ = 0.35; the class is the XOR of the signs of the
 * centre: not linearly separable. One-hot labels `y`, integer `labels`.
 */
export const xorClusters = (n: number, seed = 11): { x: NDArray; y: NDArray; labels: number[] } => {
  const centres = Array.from({ length: n }, (_, i) => [i % 2 === 0 ? 1 : -1, i % 4 < 2 ? 1 : -1])
  const x = add(array(centres), normal(key(seed), [n, 2], { stddev: 0.35 }))
  const labels = centres.map(([a, b]) => (a !== b ? 1 : 0))
  return { x, y: array(labels.map((l) => [1 - l, l])), labels }
}

/** A compiled model: `layers` (data-last layer functions) added in order to an empty Sequential, compiled with `options`. */
export const sequential = (
  options: CompileOptions,
  ...layers: readonly ((model: Sequential) => Sequential)[]
): CompiledModel =>
  compile(
    layers.reduce((model, layer) => layer(model), kerasModelSequential()),
    options,
  )

/** Dense 32 relu → Dense 2 softmax, adam. */
export const xorModel = (seed = 0): CompiledModel =>
  sequential(
    { optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'], seed },
    layerDense({ units: 32, activation: 'relu', inputShape: [2] }),
    layerDense({ units: 2, activation: 'softmax' }),
  )

/** Every leaf of a pytree as nested JS numbers, for exact comparisons. */
export const values = (tree: Parameters<typeof treeLeaves>[0]) => treeLeaves(tree).map((l) => toArray(l))

/** A writable stream that keeps what is written. */
export const collector = (isTTY = false) => {
  const chunks: string[] = []
  return {
    isTTY,
    chunks,
    write(chunk: string) {
      chunks.push(chunk)
      return true
    },
    text: () => chunks.join(''),
  }
}
