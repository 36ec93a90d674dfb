/** Evaluation rules of the reductions: the loop runs over the input with the output's strides zeroed on reduced axes. */
import { allocate, arithmeticType, type DType } from '../dtype.js'
import type { Concrete } from '../ndarray.js'
import { contiguousStrides, sizeOf } from '../shape.js'
import { registerImpl } from '../trace.js'
import { fresh } from './elementwise.js'
import { runLoop } from './loop.js'
import type { SimdKind } from './simdLoop.js'

/**
 * Reduces `x` over `axes` into a float64 accumulator (so float32 sums of 60000 terms stay
 * accurate and integer maxima start below every value), then stores it as `dtype`.
 */
const reduceInto = (
  x: Concrete,
  axes: readonly number[],
  dtype: DType,
  init: number,
  body: string,
  simd?: SimdKind,
): Concrete => {
  const outShape = x.shape.filter((_, i) => !axes.includes(i))
  const outStrides = contiguousStrides(outShape)
  let k = 0
  const strides = x.shape.map((_, i) => (axes.includes(i) ? 0 : (outStrides[k++] as number)))
  const out = fresh(dtype, outShape)
  const acc = dtype === 'float64' ? (out.data as Float64Array) : (allocate('float64', sizeOf(outShape)) as Float64Array)
  if (init !== 0) acc.fill(init)
  runLoop(body, x.shape, { data: acc, offset: 0, strides }, [x], simd)
  if (acc !== out.data) out.data.set(acc)
  return out
}

registerImpl('reduceSum', ([x], { axes }) => {
  const c = x as Concrete
  return reduceInto(c, axes, arithmeticType(c.dtype), 0, '$o += x0', 'sum')
})

// max propagates NaN, as NumPy's does; the op rejects empty reductions before this runs.
registerImpl('reduceMax', ([x], { axes }) => {
  const c = x as Concrete
  return reduceInto(c, axes, c.dtype, Number.NEGATIVE_INFINITY, 'if (x0 > $o || x0 !== x0) $o = x0')
})

// argmax: first index of the maximum along one axis (a NaN counts as the maximum, as in NumPy).
registerImpl('argmax', ([x], { axis }) => {
  const c = x as Concrete
  const n = c.shape[axis] as number
  const stride = c.strides[axis] as number
  const out = fresh(
    'int32',
    c.shape.filter((_, i) => i !== axis),
  )
  const rest = c.shape.map((d, i) => (i === axis ? 1 : d))
  let k = 0
  const visit = (dim: number, base: number): void => {
    if (dim === rest.length) {
      let best = 0
      let bestV = c.data[base] as number
      for (let i = 1; i < n && !Number.isNaN(bestV); i++) {
        const v = c.data[base + i * stride] as number
        if (v > bestV || Number.isNaN(v)) {
          best = i
          bestV = v
        }
      }
      out.data[k++] = best
      return
    }
    for (let i = 0; i < (rest[dim] as number); i++) visit(dim + 1, base + i * (c.strides[dim] as number))
  }
  if (n > 0) visit(0, c.offset)
  return out
})
