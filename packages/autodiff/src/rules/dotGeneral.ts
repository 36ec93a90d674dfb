/**
 * d(x·y) = dx·y + x·dy. The cotangents are again dotGeneral products (as in JAX), set up
 * so the kernels see the transposed operand as a flag: for y = x·W, W̄ = xᵀ·ȳ contracts the
 * batch axes of x and ȳ directly, and x̄ = ȳ·Wᵀ contracts the output axes of ȳ and W.
 */
import { dotGeneral as dot } from '@nabla/linalg'
import { add, type NDArray, transpose } from '@nabla/ndarray'
import { asType } from '../cotangent.js'
import type { Rule } from '../rule.js'

const range = (start: number, n: number): number[] => Array.from({ length: n }, (_, i) => start + i)
const kept = (rank: number, ...used: (readonly number[])[]): number[] =>
  range(0, rank).filter((a) => !used.some((u) => u.includes(a)))
/** The permutation that puts axis `order[j]` of a result back at position `order[j]`. */
const restore = (order: readonly number[]): number[] => order.map((_, i) => order.indexOf(i))

export const dotGeneral: Rule<'dotGeneral'> = {
  jvp: ([x, y], [dx = null, dy = null], out, params) => {
    const a = dx && dot(dx, y as NDArray, params)
    const b = dy && dot(x as NDArray, dy, params)
    return asType(a === null ? b : b === null ? a : add(a, b), out)
  },
  vjp: (ct, [x, y], _, { contracting: [xc, yc], batch: [xb, yb] }, [nx, ny]) => {
    const xa = x as NDArray
    const ya = y as NDArray
    const xk = kept(xa.rank, xc, xb)
    const yk = kept(ya.rank, yc, yb)
    const nb = xb.length
    const ctBatch = range(0, nb)
    let xBar: NDArray | null = null
    let yBar: NDArray | null = null
    if (nx) {
      // x̄ = ct·y over y's kept axes → [batch, x kept, y's contracted axes in y order]
      const r = dot(ct, ya, { contracting: [range(nb + xk.length, yk.length), yk], batch: [ctBatch, yb] })
      const yRest = [...yc].sort((p, q) => p - q)
      xBar = transpose(r, restore([...xb, ...xk, ...yRest.map((a) => xc[yc.indexOf(a)] as number)]))
    }
    if (ny) {
      // ȳ = x·ct over x's kept axes → [batch, x's contracted axes in x order, y kept]
      const r = dot(xa, ct, { contracting: [xk, range(nb, xk.length)], batch: [xb, ctBatch] })
      const xRest = [...xc].sort((p, q) => p - q)
      yBar = transpose(r, restore([...yb, ...xRest.map((a) => yc[xc.indexOf(a)] as number), ...yk]))
    }
    return [xBar && asType(xBar, xa), yBar && asType(yBar, ya)]
  },
}
