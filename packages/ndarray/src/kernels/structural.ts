/** Evaluation rules of the shape primitives: views where the layout allows, copies otherwise. */
import { Concrete } from '../ndarray.js'
import { contiguousStrides, sizeOf } from '../shape.js'
import { registerImpl } from '../trace.js'
import { broadcastOperand, fresh, materialize } from './elementwise.js'
import { runLoop } from './loop.js'

// reshape: a view of a contiguous array; other layouts are copied first (row-major order).
registerImpl('reshape', ([x], { shape }) => {
  const c = (x as Concrete).contiguous ? (x as Concrete) : materialize(x as Concrete)
  return new Concrete(c.dtype, shape, c.data, contiguousStrides(shape), c.offset)
})

// broadcastTo: stride 0 along the broadcast axes; nothing is copied.
registerImpl('broadcastTo', ([x], { shape }) => {
  const v = broadcastOperand(x as Concrete, shape)
  return new Concrete((x as Concrete).dtype, shape, v.data, v.strides, v.offset)
})

// transpose: permute shape and strides.
registerImpl('transpose', ([x], { perm }) => {
  const c = x as Concrete
  return new Concrete(
    c.dtype,
    perm.map((p) => c.shape[p] as number),
    c.data,
    perm.map((p) => c.strides[p] as number),
    c.offset,
  )
})

// slice: offset moves to the start, strides scale by the step (steps may be negative).
registerImpl('slice', ([x], { starts, stops, steps }) => {
  const c = x as Concrete
  let offset = c.offset
  const shape = starts.map((s, i) => {
    const step = steps[i] as number
    const n = step > 0 ? Math.ceil(((stops[i] as number) - s) / step) : Math.ceil((s - (stops[i] as number)) / -step)
    return Math.max(0, n)
  })
  starts.forEach((s, i) => {
    if ((shape[i] as number) > 0) offset += s * (c.strides[i] as number)
  })
  return new Concrete(
    c.dtype,
    shape,
    c.data,
    c.strides.map((st, i) => st * (steps[i] as number)),
    offset,
  )
})

// pad: zeros around a copy of x.
registerImpl('pad', ([x], { lo, hi }) => {
  const c = x as Concrete
  const shape = c.shape.map((d, i) => d + (lo[i] as number) + (hi[i] as number))
  const out = fresh(c.dtype, shape)
  const strides = contiguousStrides(shape)
  const offset = lo.reduce((acc, l, i) => acc + l * (strides[i] as number), 0)
  runLoop('$o = x0', c.shape, { data: out.data, offset, strides }, [c])
  return out
})

// concat: each input copied into its window of the output.
registerImpl('concat', (xs, { axis }) => {
  const first = xs[0] as Concrete
  const shape = [...first.shape]
  shape[axis] = xs.reduce((acc, x) => acc + (x.shape[axis] as number), 0)
  const out = fresh(first.dtype, shape)
  const strides = contiguousStrides(shape)
  let offset = 0
  for (const x of xs) {
    runLoop('$o = x0', x.shape, { data: out.data, offset, strides }, [x])
    offset += (x.shape[axis] as number) * (strides[axis] as number)
  }
  return out
})

// take: gathers whole sub-blocks along `axis` (a batch of images is one block per index).
registerImpl('take', ([x, indices], { axis }) => {
  const c = materialize(x as Concrete)
  const idx = indices as Concrete
  const outer = sizeOf(c.shape.slice(0, axis))
  const inner = sizeOf(c.shape.slice(axis + 1))
  const n = c.shape[axis] as number
  const shape = [...c.shape.slice(0, axis), ...idx.shape, ...c.shape.slice(axis + 1)]
  const out = fresh(c.dtype, shape)
  const flat = materialize(idx)
  const m = flat.size
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const raw = flat.data[j] as number
      const i = raw < 0 ? raw + n : raw
      const src = (o * n + i) * inner
      out.data.set(c.data.subarray(src, src + inner), (o * m + j) * inner)
    }
  }
  return out
})
