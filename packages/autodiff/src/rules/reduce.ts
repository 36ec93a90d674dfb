/** Reductions: d Σx = Σ dx; d max x = the mean of dx over the positions that attain the max (JAX's convention). */
import { broadcastTo, cast, div, equal, mul, type NDArray, reshape, sum } from '@nabla/ndarray'
import type { Rule } from '../rule.js'

/** `r` (reduced over `axes`) with those axes put back as 1, then broadcast to `shape`. */
const expandBack = (r: NDArray, shape: readonly number[], axes: readonly number[]): NDArray =>
  broadcastTo(
    reshape(
      r,
      shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    ),
    shape,
  )

export const reduceSum: Rule<'reduceSum'> = {
  jvp: (_, [dx = null], __, { axes }) => (dx === null ? null : sum(dx, { axis: axes })),
  vjp: (ct, [x], _, { axes }, [nx]) => [nx ? expandBack(ct, (x as NDArray).shape, axes) : null],
}

/** Weights 1/k on the k positions equal to the maximum along the reduced axes, 0 elsewhere. */
const maxWeights = (x: NDArray, out: NDArray, axes: readonly number[]): NDArray => {
  const hits = cast(equal(x, expandBack(out, x.shape, axes)), x.dtype)
  return div(hits, sum(hits, { axis: axes, keepDims: true }))
}

export const reduceMax: Rule<'reduceMax'> = {
  jvp: ([x], [dx = null], out, { axes }) =>
    dx === null ? null : sum(mul(dx, maxWeights(x as NDArray, out, axes)), { axis: axes }),
  vjp: (ct, [x], out, { axes }, [nx]) => [
    nx ? mul(expandBack(ct, (x as NDArray).shape, axes), maxWeights(x as NDArray, out, axes)) : null,
  ],
}
