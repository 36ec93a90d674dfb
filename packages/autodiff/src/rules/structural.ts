/** Linear shape primitives: the tangent goes through the same op; the cotangent through its transpose. */
import { type NDArray, scatterAdd as scatterAddOp, transpose as transposeOp, zeros } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import { unbroadcast } from '../fit.js'
import type { Rule } from '../rule.js'

/** d reshape(x) = reshape(dx); the cotangent is reshaped back. */
export const reshape: Rule<'reshape'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('reshape', [dx], params),
  vjp: (ct, [x], _, __, [nx]) => [nx ? bind('reshape', [ct], { shape: (x as NDArray).shape }) : null],
}

/** d broadcast(x) = broadcast(dx); its transpose sums over the broadcast axes. */
export const broadcastTo: Rule<'broadcastTo'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('broadcastTo', [dx], params),
  vjp: (ct, [x], _, __, [nx]) => [nx ? unbroadcast(ct, (x as NDArray).shape) : null],
}

/** d transpose(x, p) = transpose(dx, p); the cotangent goes back through p⁻¹. */
export const transpose: Rule<'transpose'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('transpose', [dx], params),
  vjp: (ct, _, __, { perm }, [nx]) => {
    const inverse = perm.map((_, i) => perm.indexOf(i))
    return [nx ? transposeOp(ct, inverse) : null]
  },
}

/** d slice(x) = slice(dx); the cotangent is padded back into place (zeros between strided picks). */
export const slice: Rule<'slice'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('slice', [dx], params),
  vjp: (ct, [x], _, { starts, steps }, [nx]) => {
    if (!nx) return [null]
    const shape = (x as NDArray).shape
    if (ct.size === 0) return [zeros(shape, { dtype: ct.dtype })]
    // walk negatively strided axes forwards first, so every axis becomes a plain strided pick
    const flipped = steps.some((s) => s < 0)
      ? bind('slice', [ct], {
          starts: ct.shape.map((d, i) => ((steps[i] as number) < 0 ? d - 1 : 0)),
          stops: ct.shape.map((d, i) => ((steps[i] as number) < 0 ? -1 : d)),
          steps: steps.map((s) => (s < 0 ? -1 : 1)),
        })
      : ct
    const lo = starts.map((s, i) => {
      const step = steps[i] as number
      return step > 0 ? s : s + step * ((ct.shape[i] as number) - 1)
    })
    const interior = steps.map((s) => Math.abs(s) - 1)
    const hi = shape.map(
      (n, i) => n - (lo[i] as number) - ((ct.shape[i] as number) - 1) * ((interior[i] as number) + 1) - 1,
    )
    return [bind('pad', [flipped], { lo, hi, interior })]
  },
}

/** d pad(x) = pad(dx); the cotangent is the strided slice that picks x's places back out. */
export const pad: Rule<'pad'> = {
  jvp: (_, [dx = null], __, params) => dx && bind('pad', [dx], params),
  vjp: (ct, [x], _, { lo, interior }, [nx]) => {
    if (!nx) return [null]
    const shape = (x as NDArray).shape
    if (shape.some((d) => d === 0)) return [zeros(shape, { dtype: ct.dtype })]
    return [
      bind('slice', [ct], {
        starts: lo,
        stops: shape.map((d, i) => (lo[i] as number) + (d - 1) * ((interior[i] as number) + 1) + 1),
        steps: interior.map((s) => s + 1),
      }),
    ]
  },
}

/** d concat(xs) = concat(dxs); the cotangent is cut back into the pieces. */
export const concat: Rule<'concat'> = {
  jvp: (primals, tangents, _, params) => {
    if (tangents.every((t) => t === null)) return null
    const filled = primals.map((x, i) => tangents[i] ?? zeros(x.shape, { dtype: x.dtype }))
    return bind('concat', filled, params)
  },
  vjp: (ct, primals, _, { axis }, needs) => {
    let offset = 0
    return primals.map((x, i) => {
      const start = offset
      offset += x.shape[axis] as number
      if (!needs[i]) return null
      return bind('slice', [ct], {
        starts: ct.shape.map((_, j) => (j === axis ? start : 0)),
        stops: ct.shape.map((d, j) => (j === axis ? offset : d)),
        steps: ct.shape.map(() => 1),
      })
    })
  },
}

/** d take(x, i) = take(dx, i); its transpose scatters the cotangent back, adding at repeated indices. */
export const take: Rule<'take'> = {
  jvp: ([, idx], [dx = null], __, params) => dx && bind('take', [dx, idx as NDArray], params),
  vjp: (ct, [x, idx], _, { axis }, [nx]) => [
    nx ? scatterAddOp(ct, idx as NDArray, (x as NDArray).shape[axis] as number, axis) : null,
    null,
  ],
}

/** scatterAdd is linear in its updates; its transpose gathers. */
export const scatterAdd: Rule<'scatterAdd'> = {
  jvp: ([, idx], [du = null], __, params) => du && bind('scatterAdd', [du, idx as NDArray], params),
  vjp: (ct, [, idx], _, { axis }, [nu]) => [nu ? bind('take', [ct, idx as NDArray], { axis }) : null, null],
}
