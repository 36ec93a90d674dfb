/** The derivative rules of `concat` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import { bind } from '@nabla/ndarray/core'
import { zerosOf } from '../cotangent.js'
import type { Rule } from '../rule.js'

/** d concat(xs) = concat(dxs); the cotangent is cut back into the pieces. */
export const concat: Rule<'concat'> = {
  jvp: (primals, tangents, _, params) => {
    if (tangents.every((t) => t === null)) return null
    const filled = primals.map((x, i) => tangents[i] ?? zerosOf(x))
    return bind('concat', filled, params)
  },
  vjp: (ct, primals, _, { axis }, needs) => {
    let offset = 0
    return primals.map((x, i) => {
      const start = offset
      offset += x.shape[axis] as number
      if (!needs[i]) return null
      return bind('slice', [ct], {
        starts: ct.shape.map((_, j) => (j === axis ? start : 0)),
        stops: ct.shape.map((d, j) => (j === axis ? offset : d)),
        steps: ct.shape.map(() => 1),
      })
    })
  },
}
