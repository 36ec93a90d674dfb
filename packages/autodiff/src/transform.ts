/** Checks shared by the transforms: what may be differentiated, and which arguments. */
import type { NDArray } from '@nabla/ndarray'
import { isFloat } from '@nabla/ndarray/core'

/** Throws unless every array is floating point (integers have no derivative). */
export const checkFloatInputs = (op: string, leaves: readonly NDArray[], what = 'inputs'): void => {
  for (const x of leaves) {
    if (!isFloat(x.dtype)) {
      throw new TypeError(
        `${op}: can only differentiate with respect to float32 or float64 arrays, but one of the ${what} is ${x.dtype} [${x.shape}]; cast it, or pass it as a non-differentiated argument`,
      )
    }
  }
}

/** Normalises `argnums` against the call's argument count. */
export const checkArgnums = (op: string, argnums: number | readonly number[], count: number): number[] => {
  const list = typeof argnums === 'number' ? [argnums] : [...argnums]
  if (list.length === 0) throw new RangeError(`${op}: argnums must name at least one argument`)
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= count) {
      throw new RangeError(`${op}: argnums ${a} is out of range: the function was called with ${count} argument(s)`)
    }
  }
  if (new Set(list).size !== list.length)
    throw new RangeError(`${op}: argnums ${JSON.stringify(list)} repeats an argument`)
  return list
}
