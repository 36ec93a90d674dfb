/** rFormat: numbers printed as R prints them (significant digits, trailing zeros dropped, fixed unless scientific is shorter). */

/**
 * Options of {@link rFormat}.
 * @category Printing
 * @example
 * const options: RFormatOptions = { digits: 3, scientific: false, bigMark: ',' }
 * rFormat(1234567.891, options) // → '1,234,568'
 * rFormat(0.000012345, options) // → '0.0000123'
 * rFormat(0.000012345) // → '1.2345e-05'
 */
export interface RFormatOptions {
  /** Significant digits (R's `digits`; `print` uses 7). */
  readonly digits?: number
  /** false: never scientific (R's `scientific = FALSE`); 'auto': as R picks, the shorter. */
  readonly scientific?: false | 'auto'
  /** Thousands separator for the integer part (R's `big.mark`), default none. */
  readonly bigMark?: string
}

const fixed = (x: number, digits: number): string => {
  if (x === 0) return '0'
  const magnitude = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(digits)))))
  const decimals = Math.min(100, Math.max(0, digits - 1 - magnitude))
  const s = x.toFixed(decimals)
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

const scientific = (x: number, digits: number): string => {
  const [mantissa = '', exponent = '0'] = x.toExponential(digits - 1).split('e')
  const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa
  const e = Number(exponent)
  return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
}

const withBigMark = (s: string, mark: string): string => {
  if (mark === '') return s
  const [int = '', frac] = s.split('.')
  const sign = int.startsWith('-') ? '-' : ''
  const digits = int.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, mark)
  return `${sign}${digits}${frac === undefined ? '' : `.${frac}`}`
}

/**
 * A number as R formats it: `digits` significant digits with trailing zeros dropped
 * (0.0751960834 → "0.07519608" with 7 digits, 0.9785 → "0.9785"); scientific notation
 * only when it is shorter ('auto', as R's print) or never (false).
 * @category Printing
 * @example
 * rFormat(0.07519608341, { digits: 7 }) // → '0.07519608'
 * rFormat(0.0371712, { digits: 4, scientific: false }) // → '0.03717'
 * rFormat(60000, { bigMark: ',' }) // → '60,000'
 * rFormat(0.9785) // → '0.9785'
 * rFormat(1.5e-8) // → '1.5e-08'
 */
export const rFormat = (
  x: number,
  { digits = 7, scientific: sci = 'auto', bigMark = '' }: RFormatOptions = {},
): string => {
  if (Number.isNaN(x)) return 'NaN'
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf'
  if (!Number.isInteger(digits) || digits < 1 || digits > 22) {
    throw new RangeError(`rFormat: digits must be an integer in 1…22, got ${digits}`)
  }
  const plain = fixed(x, digits)
  const f = withBigMark(plain, bigMark)
  if (sci === false) return f
  const s = scientific(x, digits)
  // R chooses between fixed and scientific on the widths without the big marks, which it adds afterwards
  return plain.length <= s.length ? f : s
}
