/** Naive nested-array references: the oracle that ops are tested against. */
import type { NestedArray } from '@nabla/ndarray'

/** A naive dense tensor: flat row-major values and a shape. */
export interface Ref {
  readonly shape: readonly number[]
  readonly values: readonly number[]
}

/** Row-major multi-index → flat position. */
export const flatIndex = (shape: readonly number[], index: readonly number[]): number =>
  index.reduce((acc, i, d) => acc * (shape[d] as number) + i, 0)

/** Every multi-index of `shape`, in row-major order. */
export const indices = (shape: readonly number[]): number[][] => {
  // An odometer over the axes (last fastest): no spread of the whole list, so any size fits the stack.
  const total = shape.reduce((a, b) => a * b, 1)
  const out: number[][] = []
  const index = shape.map(() => 0)
  for (let k = 0; k < total; k++) {
    out.push(index.slice())
    for (let d = shape.length - 1; d >= 0; d--) {
      const next = (index[d] as number) + 1
      if (next < (shape[d] as number)) {
        index[d] = next
        break
      }
      index[d] = 0
    }
  }
  return out
}

/** Nested JS arrays of a reference tensor. */
export const toNested = (r: Ref): NestedArray => {
  if (r.shape.length === 0) return r.values[0] as number
  let k = 0
  const build = (depth: number): NestedArray[] =>
    Array.from({ length: r.shape[depth] as number }, () =>
      depth === r.shape.length - 1 ? (r.values[k++] as number) : build(depth + 1),
    )
  return build(0)
}

/** Element of `r` at a multi-index that may be longer (broadcast from the left) or have unit axes. */
export const broadcastGet = (r: Ref, outShape: readonly number[], index: readonly number[]): number => {
  const lead = outShape.length - r.shape.length
  const own = r.shape.map((d, i) => (d === 1 ? 0 : (index[lead + i] as number)))
  return r.values[flatIndex(r.shape, own)] as number
}
