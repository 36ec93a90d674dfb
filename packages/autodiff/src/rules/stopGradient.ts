/** d stopGradient(x) = 0. */
import type { Rule } from '../rule.js'
import { zeroRule } from './zero.js'

export const stopGradient: Rule<'stopGradient'> = zeroRule()
