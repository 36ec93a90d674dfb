/**
 * Evaluation and shape rules of the windowed primitives over channels-last images [batch, height, width, channels]:
 * `reduceWindow` (max or sum of each window), `selectAndGather` and `selectAndScatterAdd` (the value at, or into,
 * each window's first maximum). Each spatial axis's taps are listed once per output position (padding, holes and
 * positions outside the image left out), so the loops only visit real elements, and the innermost loop runs along
 * the channels, which are contiguous.
 */
import { arithmeticType, type DType, type TypedArray } from '../dtype.js'
import { Concrete } from '../ndarray.js'
import type { Params, WindowParams } from '../primitive.js'
import { registerShapeRule, type ShapedArray } from '../shapeRule.js'
import { registerImpl } from '../trace.js'
import { wasmEnabled } from '../wasm/index.js'
import { residentFloats } from '../wasmHeap.js'
import { blank, fresh, materialize } from './elementwise.js'
import { poolWasm, selectWasm } from './windowWasm.js'

/**
 * The number of window positions along one axis of `n` elements: the elements spread `baseDilation` apart, padded,
 * and a window of `size` taps `dilation` apart stepping by `stride` (0 when not even one fits).
 * @category Kernels
 * @example
 * import { windowOutSize } from './window.js'
 * windowOutSize(28, 2, 2, [0, 0], 1, 1) // → 14 // a 2-wide pool, stride 2
 * windowOutSize(28, 3, 1, [0, 0], 1, 1) // → 26 // a 3-wide kernel, valid
 * windowOutSize(5, 3, 2, [1, 1], 1, 1)  // → 3 // padded by one on each side
 */
export const windowOutSize = (
  n: number,
  size: number,
  stride: number,
  [lo, hi]: readonly [number, number],
  dilation: number,
  baseDilation: number,
): number => {
  const length = (n === 0 ? 0 : (n - 1) * baseDilation + 1) + lo + hi
  const span = dilation * (size - 1) + 1
  return length < span ? 0 : Math.floor((length - span) / stride) + 1
}

/**
 * One spatial axis's taps: output position p reads the input at `index[start[p]]` … `index[start[p + 1] − 1]`.
 * @category Kernels
 * @example
 * import { axisTaps } from './window.js'
 * // a 3-wide window, stride 1, one position of padding on each side, over 3 elements: the ends read two
 * const p = { window: [3, 3], strides: [1, 1], padding: [[1, 1], [1, 1]], dilation: [1, 1], baseDilation: [1, 1] } as const
 * const taps: AxisTaps = axisTaps(3, p, 0)
 * Array.from(taps.start) // → [0, 2, 5, 7]
 * Array.from(taps.index) // → [0, 1, 0, 1, 2, 1, 2]
 */
export interface AxisTaps {
  readonly out: number
  readonly start: Int32Array
  readonly index: Int32Array
}

/**
 * The taps of every window position along spatial axis `axis` (0: height, 1: width) of an input of `n` elements,
 * in window order: only real elements, no padding or holes.
 * @category Kernels
 * @example
 * import { axisTaps } from './window.js'
 * const params = { window: [2, 2], strides: [2, 2], padding: [[0, 0], [0, 0]], dilation: [1, 1], baseDilation: [1, 1] } as const
 * axisTaps(4, params, 0) // → { out: 2, start: new Int32Array([0, 2, 4]), index: new Int32Array([0, 1, 2, 3]) }
 */
export const axisTaps = (n: number, p: WindowParams, axis: 0 | 1): AxisTaps => {
  const size = p.window[axis]
  const stride = p.strides[axis]
  const dilation = p.dilation[axis]
  const b = p.baseDilation[axis]
  const lo = p.padding[axis][0]
  const out = windowOutSize(n, size, stride, p.padding[axis], dilation, b)
  const start = new Int32Array(out + 1)
  const index: number[] = []
  const last = (n - 1) * b
  for (let o = 0; o < out; o++) {
    start[o] = index.length
    for (let i = 0; i < size; i++) {
      const q = o * stride + i * dilation - lo
      if (q >= 0 && q <= last && q % b === 0) index.push(q / b)
    }
  }
  start[out] = index.length
  return { out, start, index: Int32Array.from(index) }
}

/** The output shape of a window primitive over images of `shape`. */
const windowShape = (shape: readonly number[], p: WindowParams): number[] => {
  const [n, h, w, c] = shape as [number, number, number, number]
  return [
    n,
    windowOutSize(h, p.window[0], p.strides[0], p.padding[0], p.dilation[0], p.baseDilation[0]),
    windowOutSize(w, p.window[1], p.strides[1], p.padding[1], p.dilation[1], p.baseDilation[1]),
    c,
  ]
}

/** The lowest value of a dtype: where a max starts. */
const lowest = (dtype: DType): number =>
  dtype === 'float32' || dtype === 'float64' ? Number.NEGATIVE_INFINITY : dtype === 'int32' ? -(2 ** 31) : 0

/** A contiguous array of `dtype` that the caller fills: in the WebAssembly heap when float32 and large enough. */
const outputOf = (dtype: DType, shape: readonly number[], zeroed: boolean): Concrete => {
  const n = shape.reduce((a, b) => a * b, 1)
  const inHeap = dtype === 'float32' ? residentFloats(n) : undefined
  if (inHeap !== undefined) return new Concrete(dtype, shape, inHeap)
  return zeroed ? fresh(dtype, shape) : blank(dtype, shape)
}

/** The images' spatial geometry for `p`: sizes and both axes' taps. */
const geometry = (x: Concrete, p: WindowParams) => {
  const [n, h, w, c] = x.shape as [number, number, number, number]
  const rows = axisTaps(h, p, 0)
  const cols = axisTaps(w, p, 1)
  return { n, h, w, c, rows, cols, oh: rows.out, ow: cols.out }
}

const reduceWindow = (x: Concrete, p: Params<'reduceWindow'>): Concrete => {
  const dtype = p.op === 'max' ? x.dtype : arithmeticType(x.dtype)
  const src = materialize(x, dtype).data
  const { n, h, w, c, rows, cols, oh, ow } = geometry(x, p)
  if (dtype === 'float32' && wasmEnabled()) {
    const r = poolWasm(p.op, src as Float32Array, x.shape, rows, cols)
    if (r !== undefined) return new Concrete(dtype, [n, oh, ow, c], r)
  }
  const out = outputOf(dtype, [n, oh, ow, c], false)
  const dst = out.data
  const max = p.op === 'max'
  const init = max ? lowest(dtype) : 0
  const { start: rs, index: ri } = rows
  const { start: cs, index: ci } = cols
  let o = 0
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o += c) {
        for (let k = 0; k < c; k++) dst[o + k] = init
        for (let r = rs[oy] as number; r < (rs[oy + 1] as number); r++) {
          const row = (b * h + (ri[r] as number)) * w
          for (let t = cs[ox] as number; t < (cs[ox + 1] as number); t++) {
            const at = (row + (ci[t] as number)) * c
            if (max) {
              for (let k = 0; k < c; k++) {
                // NaN propagates: a NaN replaces the max, and nothing replaces a NaN
                const v = src[at + k] as number
                if (v > (dst[o + k] as number) || Number.isNaN(v)) dst[o + k] = v
              }
            } else {
              for (let k = 0; k < c; k++) dst[o + k] = (dst[o + k] as number) + (src[at + k] as number)
            }
          }
        }
      }
    }
  }
  return out
}

/**
 * For every window position and channel of `x`, the flat index into `x` of the window's first maximum (row-major
 * order within the window; the first NaN wins), or −1 for a window with no element.
 */
const selections = (x: Concrete, p: WindowParams) => {
  const src = materialize(x).data
  const g = geometry(x, p)
  const { n, h, w, c, oh, ow } = g
  const { start: rs, index: ri } = g.rows
  const { start: cs, index: ci } = g.cols
  const sel = new Int32Array(n * oh * ow * c)
  const best = new Float64Array(c)
  let o = 0
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o += c) {
        for (let k = 0; k < c; k++) sel[o + k] = -1
        for (let r = rs[oy] as number; r < (rs[oy + 1] as number); r++) {
          const row = (b * h + (ri[r] as number)) * w
          for (let t = cs[ox] as number; t < (cs[ox + 1] as number); t++) {
            const at = (row + (ci[t] as number)) * c
            for (let k = 0; k < c; k++) {
              const v = src[at + k] as number
              const m = best[k] as number
              if ((sel[o + k] as number) < 0 || v > m || (Number.isNaN(v) && !Number.isNaN(m))) {
                sel[o + k] = at + k
                best[k] = v
              }
            }
          }
        }
      }
    }
  }
  return { sel, shape: [n, oh, ow, c] }
}

/** The float32 WebAssembly form of a selection, or undefined (other dtypes, no SIMD, a full heap). */
const selectFast = (mode: 'gather' | 'scatter', v: Concrete, x: Concrete, p: WindowParams): Concrete | undefined => {
  if (v.dtype !== 'float32' || x.dtype !== 'float32' || !wasmEnabled()) return undefined
  const g = geometry(x, p)
  const shape = mode === 'gather' ? [g.n, g.oh, g.ow, g.c] : x.shape
  const r = selectWasm(
    mode,
    materialize(x).data as Float32Array,
    materialize(v).data as Float32Array,
    x.shape,
    g.rows,
    g.cols,
  )
  return r === undefined ? undefined : new Concrete('float32', shape, r)
}

const selectAndGather = (t: Concrete, x: Concrete, p: WindowParams): Concrete => {
  const fast = selectFast('gather', t, x, p)
  if (fast !== undefined) return fast
  const { sel, shape } = selections(x, p)
  const src = materialize(t).data
  const out = outputOf(t.dtype, shape, false)
  const dst = out.data as TypedArray
  for (let o = 0; o < sel.length; o++) {
    const i = sel[o] as number
    dst[o] = i < 0 ? 0 : (src[i] as number)
  }
  return out
}

const selectAndScatterAdd = (s: Concrete, x: Concrete, p: WindowParams): Concrete => {
  const fast = selectFast('scatter', s, x, p)
  if (fast !== undefined) return fast
  const { sel } = selections(x, p)
  const src = materialize(s).data
  const out = outputOf(s.dtype, x.shape, true)
  const dst = out.data as TypedArray
  for (let o = 0; o < sel.length; o++) {
    const i = sel[o] as number
    if (i >= 0) dst[i] = (dst[i] as number) + (src[o] as number)
  }
  return out
}

registerImpl('reduceWindow', ([x], p) => reduceWindow(x as Concrete, p))
registerImpl('selectAndGather', ([t, x], p) => selectAndGather(t as Concrete, x as Concrete, p))
registerImpl('selectAndScatterAdd', ([s, x], p) => selectAndScatterAdd(s as Concrete, x as Concrete, p))

registerShapeRule('reduceWindow', ([x], p) => {
  const a = x as ShapedArray
  return { shape: windowShape(a.shape, p), dtype: p.op === 'max' ? a.dtype : arithmeticType(a.dtype) }
})
registerShapeRule('selectAndGather', ([t, x], p) => ({
  shape: windowShape((x as ShapedArray).shape, p),
  dtype: (t as ShapedArray).dtype,
}))
registerShapeRule('selectAndScatterAdd', ([s, x]) => ({
  shape: (x as ShapedArray).shape,
  dtype: (s as ShapedArray).dtype,
}))
