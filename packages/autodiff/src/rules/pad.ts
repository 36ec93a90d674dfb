/** The derivative rules of `pad` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import { type NDArray, zeros } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

/** d pad(x) = pad(dx); the cotangent is the strided slice that picks x's places back out. */
export const pad: Rule<'pad'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('pad', [dx], params),
  vjp: (ct, [x], _, { lo, interior }, [nx]) => {
    if (!nx) return [null]
    const shape = (x as NDArray).shape
    if (shape.some((d) => d === 0)) return [zeros(shape, { dtype: ct.dtype })]
    return [
      bind('slice', [ct], {
        starts: lo,
        stops: shape.map((d, i) => (lo[i] as number) + (d - 1) * ((interior[i] as number) + 1) + 1),
        steps: interior.map((s) => s + 1),
      }),
    ]
  },
}
