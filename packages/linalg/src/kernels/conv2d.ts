/**
 * The evaluation and shape rules of the convolution primitives, as im2col into the GEMM: the images' windows are
 * gathered, in one tight loop, into the rows of a single matrix [n·oh·ow, kh·kw·c] (in the WebAssembly heap, where
 * the threaded SIMD product reads it in place), which is multiplied by the kernel seen as [kh·kw·c, f].
 * `conv2dBackpropInput` multiplies the cotangent by the kernel's transpose (a transpose flag, no copy) and adds the
 * rows back into their windows (col2im); `conv2dBackpropFilter` is the rowsᵀ·cotangent product. A 1×1 kernel with
 * stride 1 and no padding skips the gather: the images already are the rows.
 */
import {
  blank,
  Concrete,
  fresh,
  materialize,
  registerImpl,
  registerShapeRule,
  residentFloats,
  wasmHeap,
} from '@nabla/ndarray/core'
import { wasmEnabled } from '@nabla/ndarray/wasm'
import type { Conv2dDims } from '../primitive.js'
import { gemm } from './dispatch.js'
import type { GemmArray } from './gemm.js'
import { im2colKernels } from './im2colWasm.js'

type Float = 'float32' | 'float64'

/** Where every window of a convolution reads, per spatial axis, for images [n, h, w, c] and a [kh, kw, c, f] kernel. */
interface ConvGeometry {
  readonly n: number
  readonly h: number
  readonly w: number
  readonly c: number
  readonly kh: number
  readonly kw: number
  readonly oh: number
  readonly ow: number
  /** `rowTap[oy·kh + i]`: the image row that output row oy reads at kernel row i, or −1 in the padding. */
  readonly rowTap: Int32Array
  readonly colTap: Int32Array
  /** Per output column: the first image column when its kw taps are all inside the image and adjacent, else −1. */
  readonly colRun: Int32Array
  /** A 1×1 kernel, stride 1, no padding: the images are the rows as they are. */
  readonly identity: boolean
}

/**
 * The output extent of a convolution along one axis of `n` elements.
 * @example
 * // internal (not exported): convOutSize(28, 3, 1, [0, 0], 1) is 26, ⌊(28 + pads − dilation·(3 − 1) − 1) / stride⌋ + 1.
 * // The output shapes of conv2d:
 * conv2d(zeros([1, 28, 28, 1]), zeros([3, 3, 1, 1])).shape // → [1, 26, 26, 1]
 * conv2d(zeros([1, 28, 28, 1]), zeros([3, 3, 1, 1]), { strides: 2 }).shape // → [1, 13, 13, 1]
 * conv2d(zeros([1, 28, 28, 1]), zeros([3, 3, 1, 1]), { dilation: 2 }).shape // → [1, 24, 24, 1]
 */
export const convOutSize = (
  n: number,
  k: number,
  stride: number,
  [lo, hi]: readonly [number, number],
  dilation: number,
): number => {
  const span = dilation * (k - 1) + 1
  const length = n + lo + hi
  return length < span ? 0 : Math.floor((length - span) / stride) + 1
}

const taps = (n: number, k: number, stride: number, lo: number, dilation: number, out: number): Int32Array => {
  const t = new Int32Array(out * k)
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < k; i++) {
      const q = o * stride + i * dilation - lo
      t[o * k + i] = q >= 0 && q < n ? q : -1
    }
  }
  return t
}

const geometry = (
  [n, h, w, c]: readonly number[],
  [kh, kw]: readonly [number, number],
  { strides, padding, dilation }: Conv2dDims,
): ConvGeometry => {
  const oh = convOutSize(h as number, kh, strides[0], padding[0], dilation[0])
  const ow = convOutSize(w as number, kw, strides[1], padding[1], dilation[1])
  const rowTap = taps(h as number, kh, strides[0], padding[0][0], dilation[0], oh)
  const colTap = taps(w as number, kw, strides[1], padding[1][0], dilation[1], ow)
  const colRun = new Int32Array(ow).fill(-1)
  for (let o = 0; o < ow; o++) {
    let run = true
    for (let j = 0; j < kw; j++) {
      const x = colTap[o * kw + j] as number
      if (x < 0 || (j > 0 && x !== (colTap[o * kw + j - 1] as number) + 1)) run = false
    }
    if (run) colRun[o] = colTap[o * kw] as number
  }
  const identity =
    kh === 1 && kw === 1 && strides[0] === 1 && strides[1] === 1 && padding.every(([lo, hi]) => lo === 0 && hi === 0)
  return {
    n: n as number,
    h: h as number,
    w: w as number,
    c: c as number,
    kh,
    kw,
    oh,
    ow,
    rowTap,
    colTap,
    colRun,
    identity,
  }
}

let scratch32: Float32Array | undefined
let scratch64: Float64Array | undefined
/** The heap block behind `scratch32` when it lives in the heap (kept, and grown, across calls). */
let block: { readonly ptr: number; readonly bytes: number } | undefined

/** Whether float32 windows are gathered and scattered by the WebAssembly kernels (in a shared heap). */
const fast = (dtype: Float): boolean => dtype === 'float32' && wasmEnabled() && wasmHeap().resident

/** Reused storage for the rows of one product: float32 in the WebAssembly heap when it can be (a block of its own). */
const scratch = (dtype: Float, size: number): GemmArray => {
  if (dtype === 'float64') {
    if (scratch64 === undefined || scratch64.length < size) scratch64 = new Float64Array(size)
    return scratch64
  }
  const h = wasmHeap()
  if (scratch32 === undefined || scratch32.length < size || (block === undefined && fast(dtype))) {
    if (block !== undefined) h.release(block.ptr)
    block = undefined
    const ptr = fast(dtype) ? h.alloc(4 * Math.max(size, 1)) : undefined
    if (ptr !== undefined) block = { ptr, bytes: 4 * Math.max(size, 1) }
    scratch32 = ptr === undefined ? new Float32Array(size) : new Float32Array(h.view().buffer, ptr, size)
  }
  return scratch32
}

/**
 * Runs a WebAssembly kernel on float32 arrays at their heap addresses: each array in place when it lives in the
 * heap, else copied into a scratch block (and, for `written` ones, copied back afterwards). False when the heap
 * is full (nothing was run).
 */
const inHeap = (
  arrays: readonly (Float32Array | Int32Array)[],
  written: readonly boolean[],
  run: (at: number[]) => void,
): boolean => {
  const h = wasmHeap()
  const blocks: number[] = []
  try {
    const at: number[] = []
    const copies: [number, Float32Array | Int32Array][] = []
    for (const x of arrays) {
      const p = h.pointerOf(x as Float32Array)
      if (p >= 0) {
        at.push(p)
        continue
      }
      const ptr = h.alloc(Math.max(x.byteLength, 4))
      if (ptr === undefined) return false
      blocks.push(ptr)
      at.push(ptr)
      copies.push([ptr, x])
    }
    const buffer = h.memory.buffer
    for (const [ptr, x] of copies)
      new Uint8Array(buffer, ptr, x.byteLength).set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength))
    run(at)
    for (const [ptr, x] of copies) {
      if (written[arrays.indexOf(x)] === true)
        new Uint8Array(x.buffer, x.byteOffset, x.byteLength).set(new Uint8Array(h.memory.buffer, ptr, x.byteLength))
    }
    return true
  } finally {
    for (const ptr of blocks) h.release(ptr)
  }
}

/** The geometry's arguments of the WebAssembly kernels after the two arrays. */
const kernelArgs = (g: ConvGeometry, taps: readonly number[]): number[] => [
  g.n,
  g.h,
  g.w,
  g.c,
  g.kh,
  g.kw,
  g.oh,
  g.ow,
  ...taps,
]

/** A contiguous result the caller fills: float32 in the WebAssembly heap when large enough (the next kernel reads it there). */
const output = (dtype: Float, shape: readonly number[], zeroed: boolean): Concrete => {
  const size = shape.reduce((a, b) => a * b, 1)
  const inHeap = dtype === 'float32' ? residentFloats(size) : undefined
  if (inHeap !== undefined) return new Concrete(dtype, shape, inHeap)
  return zeroed ? fresh(dtype, shape) : blank(dtype, shape)
}

/** Gathers every window of the images `src` into `rows` [n·oh·ow, kh·kw·c], zeros where a tap is in the padding. */
const im2col = (src: GemmArray, g: ConvGeometry, rows: GemmArray): void => {
  if (src instanceof Float32Array && rows instanceof Float32Array && fast('float32')) {
    const ran = inHeap([src, rows, g.rowTap, g.colTap, g.colRun], [false, true], ([s, r, ...taps]) =>
      im2colKernels().im2col(s as number, r as number, ...kernelArgs(g, taps)),
    )
    if (ran) return
  }
  const { n, h, w, c, kh, kw, oh, ow, rowTap, colTap, colRun } = g
  const segment = kw * c
  let p = 0
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const run = colRun[ox] as number
        for (let i = 0; i < kh; i++) {
          const y = rowTap[oy * kh + i] as number
          if (y < 0) {
            for (let k = 0; k < segment; k++) rows[p + k] = 0
            p += segment
            continue
          }
          const row = (b * h + y) * w
          if (run >= 0) {
            // the window's row is one contiguous stretch of the image
            const s = (row + run) * c
            for (let k = 0; k < segment; k++) rows[p + k] = src[s + k] as number
            p += segment
            continue
          }
          for (let j = 0; j < kw; j++, p += c) {
            const x = colTap[ox * kw + j] as number
            if (x < 0) for (let k = 0; k < c; k++) rows[p + k] = 0
            else {
              const s = (row + x) * c
              for (let k = 0; k < c; k++) rows[p + k] = src[s + k] as number
            }
          }
        }
      }
    }
  }
}

/** Adds every row of `rows` [n·oh·ow, kh·kw·c] back into its window of the images `dst` (zeroed): im2col's transpose. */
const col2im = (rows: GemmArray, g: ConvGeometry, dst: GemmArray): void => {
  if (rows instanceof Float32Array && dst instanceof Float32Array && fast('float32')) {
    const ran = inHeap([dst, rows, g.rowTap, g.colTap, g.colRun], [true], ([d, r, ...taps]) =>
      im2colKernels().col2im(d as number, r as number, ...kernelArgs(g, taps)),
    )
    if (ran) return
  }
  const { n, h, w, c, kh, kw, oh, ow, rowTap, colTap } = g
  const segment = kw * c
  let p = 0
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let i = 0; i < kh; i++) {
          const y = rowTap[oy * kh + i] as number
          if (y < 0) {
            p += segment
            continue
          }
          const row = (b * h + y) * w
          for (let j = 0; j < kw; j++, p += c) {
            const x = colTap[ox * kw + j] as number
            if (x < 0) continue
            const d = (row + x) * c
            for (let k = 0; k < c; k++) dst[d + k] = (dst[d + k] as number) + (rows[p + k] as number)
          }
        }
      }
    }
  }
}

const floatOf = (inputs: readonly { readonly dtype: string }[]): Float =>
  inputs.some((x) => x.dtype === 'float64') ? 'float64' : 'float32'

/** The images' rows for a product: the images themselves for a 1×1 kernel, else gathered into scratch storage. */
const rowsOf = (x: Concrete, g: ConvGeometry, dtype: Float): GemmArray => {
  if (g.identity) return x.data as GemmArray
  const rows = scratch(dtype, g.n * g.oh * g.ow * g.kh * g.kw * g.c)
  im2col(x.data as GemmArray, g, rows)
  return rows
}

const plain = { transA: false, transB: false, aOffset: 0, bOffset: 0, cOffset: 0 } as const

const evalConv2d = (inputs: readonly Concrete[], dims: Conv2dDims): Concrete => {
  const dtype = floatOf(inputs)
  const [x, k] = inputs.map((a) => materialize(a, dtype)) as [Concrete, Concrete]
  const [kh, kw, , f] = k.shape as [number, number, number, number]
  const g = geometry(x.shape, [kh, kw], dims)
  const out = output(dtype, [g.n, g.oh, g.ow, f], false) // the product writes all of it (zeros for an empty sum)
  const m = g.n * g.oh * g.ow
  const depth = kh * kw * g.c
  if (out.size === 0) return out
  const a = rowsOf(x, g, dtype)
  gemm({ ...plain, m, n: f, k: depth, a, lda: depth, b: k.data as GemmArray, ldb: f, c: out.data as GemmArray, ldc: f })
  return out
}

const evalBackpropInput = (
  inputs: readonly Concrete[],
  { inputSize, ...dims }: Conv2dDims & { readonly inputSize: readonly [number, number] },
): Concrete => {
  const dtype = floatOf(inputs)
  const [ct, k] = inputs.map((a) => materialize(a, dtype)) as [Concrete, Concrete]
  const [kh, kw, c, f] = k.shape as [number, number, number, number]
  const n = ct.shape[0] as number
  const g = geometry([n, inputSize[0], inputSize[1], c], [kh, kw], dims)
  const m = g.n * g.oh * g.ow
  const depth = kh * kw * c
  const common = {
    ...plain,
    transB: true,
    m,
    n: depth,
    k: f,
    a: ct.data as GemmArray,
    lda: f,
    b: k.data as GemmArray,
    ldb: f,
  }
  if (g.identity) {
    const out = output(dtype, [n, g.h, g.w, c], false)
    if (out.size > 0) gemm({ ...common, c: out.data as GemmArray, ldc: depth })
    return out
  }
  const out = output(dtype, [n, g.h, g.w, c], true)
  if (m === 0 || depth === 0) return out
  const rows = scratch(dtype, m * depth)
  gemm({ ...common, c: rows, ldc: depth })
  col2im(rows, g, out.data as GemmArray)
  return out
}

const evalBackpropFilter = (
  inputs: readonly Concrete[],
  { kernelSize, ...dims }: Conv2dDims & { readonly kernelSize: readonly [number, number] },
): Concrete => {
  const dtype = floatOf(inputs)
  const [x, ct] = inputs.map((a) => materialize(a, dtype)) as [Concrete, Concrete]
  const [kh, kw] = kernelSize
  const f = ct.shape[3] as number
  const g = geometry(x.shape, [kh, kw], dims)
  const m = g.n * g.oh * g.ow
  const depth = kh * kw * g.c
  const out = output(dtype, [kh, kw, g.c, f], m === 0) // else the product writes all of it
  if (out.size === 0 || m === 0) return out
  const a = rowsOf(x, g, dtype)
  gemm({
    ...plain,
    transA: true,
    m: depth,
    n: f,
    k: m,
    a,
    lda: depth,
    b: ct.data as GemmArray,
    ldb: f,
    c: out.data as GemmArray,
    ldc: f,
  })
  return out
}

registerImpl('conv2d', evalConv2d)
registerImpl('conv2dBackpropInput', evalBackpropInput)
registerImpl('conv2dBackpropFilter', evalBackpropFilter)

registerShapeRule('conv2d', ([x, k], { strides, padding, dilation }) => {
  const [n, h, w] = (x as { shape: readonly number[] }).shape as [number, number, number]
  const [kh, kw, , f] = (k as { shape: readonly number[] }).shape as [number, number, number, number]
  return {
    shape: [
      n,
      convOutSize(h, kh, strides[0], padding[0], dilation[0]),
      convOutSize(w, kw, strides[1], padding[1], dilation[1]),
      f,
    ],
    dtype: floatOf([x as { dtype: string }, k as { dtype: string }]),
  }
})
registerShapeRule('conv2dBackpropInput', (inputs, { inputSize }) => ({
  shape: [inputs[0]?.shape[0] as number, inputSize[0], inputSize[1], inputs[1]?.shape[2] as number],
  dtype: floatOf(inputs),
}))
registerShapeRule('conv2dBackpropFilter', (inputs, { kernelSize }) => ({
  shape: [kernelSize[0], kernelSize[1], inputs[0]?.shape[3] as number, inputs[1]?.shape[3] as number],
  dtype: floatOf(inputs),
}))
