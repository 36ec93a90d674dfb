/** Piecewise-constant primitives: sign, comparisons, argmax and stopGradient have derivative 0 everywhere it exists. */
import type { PrimitiveName } from '@nabla/ndarray/core'
import type { Rule } from '../rule.js'

/** d f = 0: no tangent out, no cotangent in. */
export const zeroRule = <P extends PrimitiveName>(): Rule<P> => ({
  jvp: () => null,
  vjp: (_, primals) => primals.map(() => null),
})

export const sign: Rule<'sign'> = zeroRule()
export const compare: Rule<'compare'> = zeroRule()
export const argmax: Rule<'argmax'> = zeroRule()
