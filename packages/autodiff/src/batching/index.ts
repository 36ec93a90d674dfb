/** The batching rule of every primitive, one entry each: the table's type makes a missing rule a compile error. */
import { dotGeneral } from './dotGeneral.js'
import { elementwise, unary } from './elementwise.js'
import { scatterAdd, take } from './indexing.js'
import type { BatchRuleTable } from './rule.js'
import { argmax, broadcastTo, concat, pad, reduceMax, reduceSum, reshape, slice, transpose } from './structural.js'
import {
  conv2d,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  reduceWindow,
  selectAndGather,
  selectAndScatterAdd,
} from './window.js'

/**
 * The batching rule of every primitive, keyed by primitive name; `vmap` looks rules up here.
 * @category Rules
 * @example
 * // [sum over logical axis 0 (physical 1), batch axis 0]
 * const x = reshape(arange(6), [2, 3])
 * const [out, bdim] = batchRules.reduceSum([x], [0], { axes: [0] }, 2)
 * toArray(out) // → [3, 12]
 * bdim // → 0
 */
export const batchRules: BatchRuleTable = {
  add: elementwise('add'),
  sub: elementwise('sub'),
  mul: elementwise('mul'),
  div: elementwise('div'),
  pow: elementwise('pow'),
  maximum: elementwise('maximum'),
  minimum: elementwise('minimum'),
  neg: unary('neg'),
  sign: unary('sign'),
  exp: unary('exp'),
  log: unary('log'),
  sqrt: unary('sqrt'),
  tanh: unary('tanh'),
  sin: unary('sin'),
  cos: unary('cos'),
  compare: elementwise('compare'),
  where: elementwise('where'),
  cast: unary('cast'),
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
  stopGradient: unary('stopGradient'),
}
