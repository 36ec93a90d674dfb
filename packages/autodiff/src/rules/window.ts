/**
 * The windowed primitives. A windowed sum is linear: its tangent is the same sum, its cotangent a windowed sum of
 * the cotangent with strides and holes swapped (the transpose XLA uses, with no padded copy). A windowed max
 * passes on the tangent at each window's first maximum (`selectAndGather`), and its cotangent goes back there
 * (`selectAndScatterAdd`): ties send the whole gradient to the first maximum in row-major window order, as
 * TensorFlow's and XLA's max pooling do (reduceMax, by contrast, shares it among the ties). The two selections
 * are linear in their first input, each the other's transpose, and constant in the operand they select by.
 */
import type { NDArray } from '@nabla/ndarray'
import { bind, type Params, type WindowParams } from '@nabla/ndarray/core'
import { asType } from '../cotangent.js'
import type { Rule } from '../rule.js'

const geometryOf = ({ window, strides, padding, dilation, baseDilation }: WindowParams): WindowParams => ({
  window,
  strides,
  padding,
  dilation,
  baseDilation,
})

/**
 * The windowed sum whose result is the transpose of `p`'s applied to `ct`, back in the shape of `x`: each input
 * element gathers the cotangents of the windows that read it. Per axis the strides and the holes trade places,
 * and the padding becomes (size − 1)·dilation − lo before and whatever brings the extent back to the input's after.
 */
const transposedSum = (p: Params<'reduceWindow'>, x: NDArray, ct: NDArray): Params<'reduceWindow'> => {
  const axis = (a: 0 | 1) => {
    const lo = (p.window[a] - 1) * p.dilation[a] - p.padding[a][0]
    const n = x.shape[a + 1] as number
    const out = ct.shape[a + 1] as number
    const hi = (n - 1) * p.baseDilation[a] + p.padding[a][0] - (out - 1) * p.strides[a]
    return [lo, hi] as const
  }
  return {
    op: 'sum',
    window: p.window,
    strides: p.baseDilation,
    padding: [axis(0), axis(1)],
    dilation: p.dilation,
    baseDilation: p.strides,
  }
}

export const reduceWindow: Rule<'reduceWindow'> = {
  jvp: ([x], [dx = null], out, p) => {
    if (dx === null) return null
    const t =
      p.op === 'sum' ? bind('reduceWindow', [dx], p) : bind('selectAndGather', [dx, x as NDArray], geometryOf(p))
    return asType(t, out)
  },
  vjp: (ct, [x], _, p, [nx]) => {
    if (!nx) return [null]
    const a = x as NDArray
    const c =
      p.op === 'sum'
        ? bind('reduceWindow', [ct], transposedSum(p, a, ct))
        : bind('selectAndScatterAdd', [ct, a], geometryOf(p))
    return [asType(c, a)]
  },
}

export const selectAndGather: Rule<'selectAndGather'> = {
  jvp: ([, x], [dt = null], out, p) => asType(dt && bind('selectAndGather', [dt, x as NDArray], p), out),
  vjp: (ct, [t, x], _, p, [nt]) => [
    nt ? asType(bind('selectAndScatterAdd', [ct, x as NDArray], p), t as NDArray) : null,
    null,
  ],
}

export const selectAndScatterAdd: Rule<'selectAndScatterAdd'> = {
  jvp: ([, x], [ds = null], out, p) => asType(ds && bind('selectAndScatterAdd', [ds, x as NDArray], p), out),
  vjp: (ct, [s, x], _, p, [ns]) => [
    ns ? asType(bind('selectAndGather', [ct, x as NDArray], p), s as NDArray) : null,
    null,
  ],
}
