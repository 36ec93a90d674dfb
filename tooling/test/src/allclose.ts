/** `allclose`: NumPy's |a − b| ≤ atol + rtol·|b| element-wise, with a message that shows where it fails. */
import { type NDArray, type NestedArray, toArray } from '@nabla/ndarray'

/** Tolerances: NumPy's defaults (rtol 1e-5, atol 1e-8) unless given. */
export interface Tolerance {
  readonly rtol?: number
  readonly atol?: number
}

const flatten = (x: NestedArray): number[] =>
  Array.isArray(x) ? x.flatMap((v) => flatten(v as NestedArray)) : [typeof x === 'boolean' ? Number(x) : (x as number)]

const shapeOf = (x: NestedArray): number[] =>
  Array.isArray(x) ? [x.length, ...(x.length > 0 ? shapeOf(x[0] as NestedArray) : [])] : []

/** Why `actual` and `expected` are not close, or `null` when they are (NaNs match NaNs). */
export const allcloseFailure = (
  actual: NDArray | NestedArray,
  expected: NDArray | NestedArray,
  { rtol = 1e-5, atol = 1e-8 }: Tolerance = {},
): string | null => {
  const a = typeof actual === 'object' && !Array.isArray(actual) ? toArray(actual as NDArray) : (actual as NestedArray)
  const b =
    typeof expected === 'object' && !Array.isArray(expected) ? toArray(expected as NDArray) : (expected as NestedArray)
  const sa = shapeOf(a)
  const sb = shapeOf(b)
  if (sa.join() !== sb.join()) return `shapes differ: [${sa}] vs expected [${sb}]`
  const fa = flatten(a)
  const fb = flatten(b)
  for (let i = 0; i < fa.length; i++) {
    const x = fa[i] as number
    const y = fb[i] as number
    if (Number.isNaN(x) && Number.isNaN(y)) continue
    if (x === y) continue
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      return `element ${i} (flat index) is ${x}, expected ${y} (|diff| ${Math.abs(x - y)} > ${atol} + ${rtol}·|expected|)`
    }
  }
  return null
}
