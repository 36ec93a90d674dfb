/**
 * The batches of a compiled fit, gathered straight into WebAssembly-heap storage that is reused step after step.
 * A batch gathered by `take` is a fresh ordinary array: every step then allocates and zeroes it, and the
 * matrix products copy it into the heap before they read it (twice: forward and backward). A compiled step
 * keeps nothing of its inputs (its results are new state, the loss and the metrics, which fit reads at once),
 * so fit can gather each batch into one of two heap buffers kept for its shape and hand the step that.
 */

import type { DType, NDArray, TypedArray } from '@nabla/ndarray'
import { allocate, Concrete, materialize, wasmHeap } from '@nabla/ndarray/core'

/** Gathers rows `start…end` of an array, or the rows `order[start…end]`, into reused storage. */
export type RowGather = (order: Int32Array | undefined, start: number, end: number) => NDArray

/**
 * A gatherer of batches of `source` (row-major, any dtype): two buffers per batch length, used in turn, so the
 * batch a step was given is never the one being filled for the next. Float32 buffers live in the heap where
 * it has room. The arrays it returns are overwritten two batches later: only for a caller that keeps none.
 * @example
 * // internal (not exported): a compiled fit gathers each (shuffled) batch with it, e.g. next(order, 0, 128) for
 * // next = rowGather(x); the batches hold the same rows as an op-by-op fit's, so the two train alike
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(kerasModelSequential(), layerDense({ units: 2, activation: 'softmax', inputShape: [2] }))
 * const model = compile(network, { optimizer: 'rmsprop', loss: 'categorical_crossentropy' })
 * const x = array([[0, 1], [1, 0], [0, 2], [2, 0], [1, 3]])
 * const y = array([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]])
 * const compiled = await fit(model, x, y, { epochs: 2, batchSize: 2, verbose: 0 })
 * const eager = await fit(model, x, y, { epochs: 2, batchSize: 2, verbose: 0, jit: false })
 * compiled.history.metrics.loss // → eager.history.metrics.loss
 */
export const rowGather = (source: NDArray): RowGather => {
  // stored row-major (as a dataset or a slice of one is): read in place; else one copy up front
  const whole = (source as Concrete).contiguous ? (source as Concrete) : materialize(source as Concrete)
  const data = whole.data.subarray(whole.offset, whole.offset + whole.size)
  const rowShape = source.shape.slice(1)
  const rowLength = rowShape.reduce((a, b) => a * b, 1)
  const buffers = new Map<number, { bufs: TypedArray[]; turn: number }>()
  return (order, start, end) => {
    const size = end - start
    let slot = buffers.get(size)
    if (slot === undefined) {
      slot = { bufs: [storage(source.dtype, size * rowLength), storage(source.dtype, size * rowLength)], turn: 0 }
      buffers.set(size, slot)
    }
    const out = slot.bufs[slot.turn] as TypedArray
    slot.turn ^= 1
    for (let r = 0; r < size; r++) {
      const from = (order === undefined ? start + r : (order[start + r] as number)) * rowLength
      out.set(data.subarray(from, from + rowLength), r * rowLength)
    }
    return new Concrete(source.dtype, [size, ...rowShape], out)
  }
}

const storage = (dtype: DType, n: number): TypedArray =>
  (dtype === 'float32' ? wasmHeap().floats(n) : undefined) ?? allocate(dtype, n, false)
