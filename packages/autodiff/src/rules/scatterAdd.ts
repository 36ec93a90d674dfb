/** The derivative rules of `scatterAdd` (a linear primitive): the tangent goes through the same op, the cotangent through its transpose. */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

/** scatterAdd is linear in its updates; its transpose gathers. */
export const scatterAdd: Rule<'scatterAdd'> = {
  jvp: ([, idx], [du = null], __, params) => du && bind('scatterAdd', [du, idx as NDArray], params),
  vjp: (ct, [, idx], _, { axis }, [nu]) => [nu ? bind('take', [ct, idx as NDArray], { axis }) : null, null],
}
