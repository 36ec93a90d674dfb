/** `dual`: one function usable data-first (`reshape(x, s)`) and data-last (`pipe(x, reshape(s))`), after Effect. */

/**
 * Makes `body` callable both ways. `isDataFirst` is the number of arguments of the
 * data-first form, or a test on the arguments (for ops with optional arguments).
 * @category Utilities
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * const scale = dual<{ (k: number): (x: number) => number; (x: number, k: number): number }>(
 *   2, (x: number, k: number) => x * k)
 * scale(3, 2)       // → 6
 * pipe(3, scale(2)) // → 6
 */
export const dual = <F>(
  isDataFirst: number | ((args: readonly unknown[]) => boolean),
  // biome-ignore lint/suspicious/noExplicitAny: the overloads of F describe the two call forms
  body: (...args: any[]) => unknown,
): F => {
  const test = typeof isDataFirst === 'number' ? (args: readonly unknown[]) => args.length >= isDataFirst : isDataFirst
  const f = (...args: unknown[]): unknown => {
    if (test(args)) return body(...args)
    return (self: unknown) => body(self, ...args)
  }
  return f as F
}
