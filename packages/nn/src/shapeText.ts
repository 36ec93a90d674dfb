/** `shapeText`: a shape as the Keras face's error messages print it. */

/**
 * A shape with spaces after the commas, as Keras prints one: `[128, 784]`.
 * @example
 * shapeText([128, 784]) // '[128, 784]'
 */
export const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`
