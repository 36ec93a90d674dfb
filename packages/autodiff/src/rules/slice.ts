/** The derivative rules of `slice` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import { type NDArray, zeros } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

/** d slice(x) = slice(dx); the cotangent is padded back into place (zeros between strided picks). */
export const slice: Rule<'slice'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('slice', [dx], params),
  vjp: (ct, [x], _, { starts, steps }, [nx]) => {
    if (!nx) return [null]
    const shape = (x as NDArray).shape
    if (ct.size === 0) return [zeros(shape, { dtype: ct.dtype })]
    // walk negatively strided axes forwards first, so every axis becomes a plain strided pick
    const flipped = steps.some((s) => s < 0)
      ? bind('slice', [ct], {
          starts: ct.shape.map((d, i) => ((steps[i] as number) < 0 ? d - 1 : 0)),
          stops: ct.shape.map((d, i) => ((steps[i] as number) < 0 ? -1 : d)),
          steps: steps.map((s) => (s < 0 ? -1 : 1)),
        })
      : ct
    const lo = starts.map((s, i) => {
      const step = steps[i] as number
      return step > 0 ? s : s + step * ((ct.shape[i] as number) - 1)
    })
    const interior = steps.map((s) => Math.abs(s) - 1)
    const hi = shape.map(
      (n, i) => n - (lo[i] as number) - ((ct.shape[i] as number) - 1) * ((interior[i] as number) + 1) - 1,
    )
    return [bind('pad', [flipped], { lo, hi, interior })]
  },
}
