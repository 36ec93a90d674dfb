/** Evaluation rules of the shape primitives: views where the layout allows, copies otherwise. */
import { Concrete } from '../ndarray.js'
import { contiguousStrides, sizeOf } from '../shape.js'
import { registerImpl } from '../trace.js'
import { blank, broadcastView, fresh, materialize } from './elementwise.js'
import { runLoop } from './loop.js'

// reshape: a view of a contiguous array; other layouts are copied first (row-major order).
registerImpl('reshape', ([x], { shape }) => {
  const c = (x as Concrete).contiguous ? (x as Concrete) : materialize(x as Concrete)
  return new Concrete(c.dtype, shape, c.data, contiguousStrides(shape), c.offset)
})

// broadcastTo: stride 0 along the broadcast axes; nothing is copied.
registerImpl('broadcastTo', ([x], { shape }) => {
  const v = broadcastView(x as Concrete, shape)
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

// pad: zeros around (and, with interior > 0, between) the elements of x.
registerImpl('pad', ([x], { lo, hi, interior }) => {
  const c = x as Concrete
  const shape = c.shape.map(
    (d, i) => (lo[i] as number) + (hi[i] as number) + (d === 0 ? 0 : d + (d - 1) * (interior[i] as number)),
  )
  const out = fresh(c.dtype, shape)
  const dense = contiguousStrides(shape)
  const offset = lo.reduce((acc, l, i) => acc + l * (dense[i] as number), 0)
  const strides = dense.map((s, i) => s * ((interior[i] as number) + 1))
  runLoop('$o = x0', c.shape, { data: out.data, offset, strides }, [c])
  return out
})

// concat: each input copied into its window of the output.
registerImpl('concat', (xs, { axis }) => {
  const first = xs[0] as Concrete
  const shape = [...first.shape]
  shape[axis] = xs.reduce((acc, x) => acc + (x.shape[axis] as number), 0)
  const out = blank(first.dtype, shape) // the inputs' windows tile it
  const strides = contiguousStrides(shape)
  let offset = 0
  for (const x of xs) {
    runLoop('$o = x0', x.shape, { data: out.data, offset, strides }, [x])
    offset += (x.shape[axis] as number) * (strides[axis] as number)
  }
  return out
})

// scatterAdd: the transpose of take — sums each update block into its index's block.
registerImpl('scatterAdd', ([updates, indices], { axis, size }) => {
  const u = materialize(updates as Concrete)
  const idx = materialize(indices as Concrete)
  const outer = sizeOf(u.shape.slice(0, axis))
  const inner = sizeOf(u.shape.slice(axis + idx.rank))
  const m = idx.size
  const shape = [...u.shape.slice(0, axis), size, ...u.shape.slice(axis + idx.rank)]
  const out = fresh(u.dtype, shape)
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const raw = idx.data[j] as number
      const dst = (o * size + (raw < 0 ? raw + size : raw)) * inner
      const src = (o * m + j) * inner
      for (let t = 0; t < inner; t++) out.data[dst + t] = (out.data[dst + t] as number) + (u.data[src + t] as number)
    }
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
  const out = blank(c.dtype, shape) // every block is copied in
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
