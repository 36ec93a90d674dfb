/** d stopGradient(x) = 0. */
import type { Rule } from '../rule.js'
import { zeroRule } from './zero.js'

/**
 * The rules of the `stopGradient` primitive: no tangent out, no cotangent in.
 * @example
 * rules.stopGradient.vjp(ct, [x], x, {}, [true]) // [null]
 */
export const stopGradient: Rule<'stopGradient'> = zeroRule()
