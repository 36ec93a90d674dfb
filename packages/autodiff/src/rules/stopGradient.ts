/** d stopGradient(x) = 0. */
import type { Rule } from '../rule.js'
import { zeroRule } from './zero.js'

/**
 * The rules of the `stopGradient` primitive: no tangent out, no cotangent in.
 * @example
 * const x = array([1, 2])
 * rules.stopGradient.vjp(ones([2]), [x], x, {}, [true]) // → [null]
 * rules.stopGradient.jvp([x], [ones([2])], x, {}) // → null
 */
export const stopGradient: Rule<'stopGradient'> = zeroRule()
