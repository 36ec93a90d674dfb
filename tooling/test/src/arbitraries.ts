/** fast-check arbitraries for shapes and arrays. */
import { array, type DType, type NDArray } from '@nabla/ndarray'
import fc from 'fast-check'
import type { Ref } from './reference.js'

/** A shape of rank in [minRank, maxRank] with extents in [minDim, maxDim]. */
export const shapeArb = ({ minRank = 0, maxRank = 4, minDim = 0, maxDim = 5 } = {}): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank })

/** Values that are exact in float32 (small integers and halves), so references agree bit for bit. */
export const valueArb = (): fc.Arbitrary<number> => fc.integer({ min: -40, max: 40 }).map((v) => v / 2)

/** A reference tensor of the given shape. */
export const refArb = (shape: readonly number[], values = valueArb()): fc.Arbitrary<Ref> =>
  fc
    .array(values, { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
    .map((vs) => ({
      shape,
      values: vs,
    }))

/** An NDArray built from a reference tensor. */
export const fromRef = (r: Ref, dtype: DType = 'float32'): NDArray =>
  array(
    dtype === 'float64'
      ? Float64Array.from(r.values)
      : r.values.length === 0
        ? new Float32Array(0)
        : Float32Array.from(r.values),
    {
      shape: r.shape,
      dtype,
    },
  )

/** Two shapes that broadcast together: a base shape, and a copy with some axes set to 1 or dropped from the front. */
export const broadcastPairArb = (): fc.Arbitrary<[number[], number[]]> =>
  shapeArb({ maxRank: 4, maxDim: 4 }).chain((base) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: base.length, maxLength: base.length }),
        fc.integer({ min: 0, max: base.length }),
        fc.boolean(),
      )
      .map(([ones, drop, swap]): [number[], number[]] => {
        const other = base.map((d, i) => (ones[i] ? 1 : d)).slice(drop)
        return swap ? [other, base] : [base, other]
      }),
  )
