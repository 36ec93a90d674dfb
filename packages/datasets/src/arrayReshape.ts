/** `arrayReshape`: the book's `array_reshape()` (listing 2.4), row-major — an alias of ndarray's `reshape`. */
import { reshape } from '@nabla/ndarray'

/**
 * Reshapes in row-major (C) order, like the book's `array_reshape()`: the last axis
 * varies fastest, so each 28×28 image becomes one row of 784 pixels read line by line.
 * It is ndarray's `reshape` under the book's name (errors say `reshape:`; one extent may
 * be −1; data-first and `pipe` forms both work).
 *
 * Why not R's `dim<-`: R stores arrays column-major, so `dim(x) <- c(60000, 784)` re-reads
 * the same memory with the *first* axis varying fastest. Each row of the result is then
 * not one image but pixel (i, j) of 784 different images — a valid-looking array that a
 * network trains on badly. Keras, NumPy and nabla all lay out rows contiguously, which is
 * what `array_reshape` (and this function) preserves.
 * @category Preprocessing
 * @example
 * import { pipe } from 'fp-ts/function'
 * // as MNIST's train.x: [60000, 28, 28] becomes [60000, 784]
 * arrayReshape(zeros([100, 28, 28], { dtype: 'uint8' }), [100, 28 * 28]).shape // → [100, 784]
 * // (R's dim<- would give [[0, 2, 4], [1, 3, 5]])
 * toArray(arrayReshape(arange(6), [2, 3])) // → [[0, 1, 2], [3, 4, 5]]
 * pipe(zeros([10, 28, 28]), arrayReshape([-1, 784])).shape // → [10, 784]
 */
export const arrayReshape: typeof reshape = reshape
