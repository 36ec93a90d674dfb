/** Options records are checked against the names an op knows, so a misspelt option is an error, not a no-op. */

/**
 * Throws a clear error when `options` is not a plain record or names an option `op` does not know (with a hint
 * for a name that differs from a known one only in case, such as NumPy's `keepdims` for `keepDims`), or when a
 * flag is not a boolean.
 * @example
 * import { checkOptions } from './checkOptions.js'
 * checkOptions('sum', { keepDims: true }, ['axis', 'keepDims'], ['keepDims']) // → undefined
 * checkOptions('sum', { keepdims: true }, ['axis', 'keepDims'], ['keepDims']) // throws TypeError: (did you mean "keepDims"?)
 * checkOptions('sum', { keepDims: 1 }, ['axis', 'keepDims'], ['keepDims'])    // throws TypeError: keepDims
 */
export const checkOptions = (
  op: string,
  options: unknown,
  known: readonly string[],
  flags: readonly string[] = [],
): void => {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${op}: options must be a record such as { ${known.join(', ')} }, got ${Array.isArray(options) ? 'an array' : String(options)}`,
    )
  }
  for (const [name, value] of Object.entries(options)) {
    if (!known.includes(name)) {
      const near = known.find((k) => k.toLowerCase() === name.toLowerCase())
      throw new TypeError(
        `${op}: unknown option "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; the options are ${known.join(', ')}`,
      )
    }
    if (flags.includes(name) && value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`${op}: ${name} must be true or false, got ${JSON.stringify(value) ?? String(value)}`)
    }
  }
}
