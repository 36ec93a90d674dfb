/** The derivative rules of every primitive, one entry each: the table's type makes a missing rule a compile error. */
import type { RuleTable } from '../rule.js'
import { add } from './add.js'
import { broadcastTo } from './broadcastTo.js'
import { cast } from './cast.js'
import { concat } from './concat.js'
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput } from './conv2d.js'
import { div } from './div.js'
import { dotGeneral } from './dotGeneral.js'
import { maximum, minimum } from './maximum.js'
import { mul } from './mul.js'
import { pad } from './pad.js'
import { pow } from './pow.js'
import { reduceMax, reduceSum } from './reduce.js'
import { reshape } from './reshape.js'
import { scatterAdd } from './scatterAdd.js'
import { slice } from './slice.js'
import { stopGradient } from './stopGradient.js'
import { sub } from './sub.js'
import { take } from './take.js'
import { transpose } from './transpose.js'
import { cos, exp, log, neg, sin, sqrt, tanh } from './unary.js'
import { where } from './where.js'
import { reduceWindow, selectAndGather, selectAndScatterAdd } from './window.js'
import { argmax, compare, sign } from './zero.js'

/**
 * The JVP and VJP rule of every primitive, keyed by primitive name; `jvp` and `vjp` look rules up here.
 * @category Rules
 * @example
 * // dx · exp(x)
 * const x = array([0, 1])
 * toArray(rules.exp.jvp([x], [ones([2])], exp(x), {})) // → [1, Math.E]
 * // [null (not needed), ct summed to y's shape]
 * const [dx, dy] = rules.add.vjp(ones([2, 3]), [zeros([2, 3]), zeros([3])], zeros([2, 3]), {}, [false, true])
 * dx // → null
 * toArray(dy) // → [2, 2, 2]
 */
export const rules: RuleTable = {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  neg,
  sign,
  exp,
  log,
  sqrt,
  tanh,
  sin,
  cos,
  compare,
  where,
  cast,
  reduceSum,
  reduceMax,
  argmax,
  reshape,
  broadcastTo,
  transpose,
  slice,
  pad,
  concat,
  take,
  scatterAdd,
  reduceWindow,
  selectAndScatterAdd,
  selectAndGather,
  dotGeneral,
  conv2d,
  conv2dBackpropInput,
  conv2dBackpropFilter,
  stopGradient,
}
