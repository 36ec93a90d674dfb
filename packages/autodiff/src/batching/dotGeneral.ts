/**
 * dotGeneral under vmap is one dotGeneral, as in JAX: two batched operands pair their batch axes as a new
 * batch dimension of the product; a batch axis of one operand only is a free axis of that operand, which the
 * product keeps in place (so [B,k]·[k,n] is one plain matrix product). No axis is moved.
 */
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import { physAll } from './axes.js'
import type { BatchRule } from './rule.js'

/** The free axes of an operand of rank `rank` (neither contracted nor batch), in order. */
const freeAxes = (rank: number, used: readonly number[]): number[] =>
  Array.from({ length: rank }, (_, i) => i).filter((i) => !used.includes(i))

export const dotGeneral: BatchRule<'dotGeneral'> = ([x, y], [dx, dy], { contracting, batch }) => {
  const a = x as NDArray
  const b = y as NDArray
  const lc = physAll(contracting[0], dx ?? null)
  const rc = physAll(contracting[1], dy ?? null)
  const lb = physAll(batch[0], dx ?? null)
  const rb = physAll(batch[1], dy ?? null)
  if (dx !== null && dy !== null) {
    const dims = {
      contracting: [lc, rc],
      batch: [
        [dx as number, ...lb],
        [dy as number, ...rb],
      ],
    } as const
    return [bind('dotGeneral', [a, b], dims), 0]
  }
  const out = bind('dotGeneral', [a, b], { contracting: [lc, rc], batch: [lb, rb] })
  if (dx !== null) return [out, lb.length + freeAxes(a.rank, [...lc, ...lb]).indexOf(dx as number)]
  const leftFree = a.rank - lc.length - lb.length
  return [out, lb.length + leftFree + freeAxes(b.rank, [...rc, ...rb]).indexOf(dy as number)]
}
