/** `shapeText`: a shape as the Keras face's error messages print it. */

/**
 * A shape with spaces after the commas, as Keras prints one: `[128, 784]`.
 * @example
 * // internal (not exported): how error messages show shapes, '[128, 784]' for [128, 784], as in
 * checkInput('dense', [784], ones([128, 28])) // throws RangeError: expected input of shape [batch, 784], got [128, 28]
 */
export const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`
