/**
 * Lowering of the convolution primitives whose evaluation is im2col into one product: `conv2d` and
 * `conv2dBackpropFilter` become copies of the images' windows into the rows of a planned buffer (one strided copy
 * per kernel tap, zeros first where a tap falls in the padding) and a product step that writes the result into its
 * own planned buffer. The rows are the evaluation rule's, and the product is the same GEMM call on them, so the bits
 * are the evaluation rule's; nothing is allocated per run.
 */
import type { Conv2dDims, DotDims } from '@nabla/linalg'
import type { DType } from '@nabla/ndarray'
import type { Eqn, Literal } from '../jaxpr.js'
import { type ClusterStep, copyInto, type DotStep, type Ref, reshapeStrides } from './lower.js'

const isRef = (r: Ref | Literal): r is Ref => 'base' in r

/** The output positions [first, end) along one axis whose tap `i` reads inside the input (of `n` elements). */
const validRange = (n: number, out: number, i: number, stride: number, lo: number, dilation: number) => {
  const shift = i * dilation - lo // input index of output position o: o·stride + shift
  const first = Math.max(0, Math.ceil(-shift / stride))
  const end = Math.min(out, Math.floor((n - 1 - shift) / stride) + 1)
  return { first, end: Math.max(first, end), shift }
}

/**
 * The copies that gather every window of the images `x` [n, h, w, c] into `rows`, a contiguous buffer seen as
 * [n·oh·ow, kh·kw·c] (each row one window, in the kernel's order of taps and channels).
 */
const gather = (
  x: Ref,
  rows: Ref,
  [kh, kw]: readonly [number, number],
  [oh, ow]: readonly [number, number],
  { strides, padding, dilation }: Conv2dDims,
): ClusterStep[] => {
  const [n, h, w, c] = x.shape as [number, number, number, number]
  const depth = kh * kw * c
  const steps: ClusterStep[] = []
  const taps: { i: number; j: number; ys: ReturnType<typeof validRange>; xs: ReturnType<typeof validRange> }[] = []
  let partial = false
  for (let i = 0; i < kh; i++) {
    const ys = validRange(h, oh, i, strides[0], padding[0][0], dilation[0])
    for (let j = 0; j < kw; j++) {
      const xs = validRange(w, ow, j, strides[1], padding[1][0], dilation[1])
      if (ys.end - ys.first < oh || xs.end - xs.first < ow) partial = true
      taps.push({ i, j, ys, xs })
    }
  }
  // zeros where a tap reads the padding (all of it first: the copies then overwrite what lies inside)
  if (partial) steps.push(copyInto(0, rows))
  const [s0, s1, s2, s3] = x.strides as [number, number, number, number]
  // a kernel row whose taps all read inside the image, adjacent pixels of contiguous channels: its kw·c elements
  // are one stretch of the image and of the row, so the row is one copy (with kw·c-long inner loops), not kw
  const wholeRows = dilation[1] === 1 && s3 === 1 && s2 === c && taps.every(({ xs }) => xs.first === 0 && xs.end === ow)
  if (wholeRows) {
    for (const { i, j, ys, xs } of taps) {
      if (j > 0 || ys.end === ys.first) continue
      const shape = [n, ys.end - ys.first, ow, kw * c]
      steps.push(
        copyInto(
          {
            ...x,
            shape,
            offset: x.offset + (ys.first * strides[0] + ys.shift) * s1 + xs.shift * s2,
            strides: [s0, strides[0] * s1, strides[1] * s2, 1],
          },
          {
            ...rows,
            shape,
            offset: rows.offset + ys.first * ow * depth + i * kw * c,
            strides: [oh * ow * depth, ow * depth, depth, 1],
          },
        ),
      )
    }
    return steps
  }
  for (const { i, j, ys, xs } of taps) {
    const shape = [n, ys.end - ys.first, xs.end - xs.first, c]
    if (shape.some((d) => d === 0)) continue
    const from: Ref = {
      ...x,
      shape,
      offset: x.offset + (ys.first * strides[0] + ys.shift) * s1 + (xs.first * strides[1] + xs.shift) * s2,
      strides: [s0, strides[0] * s1, strides[1] * s2, s3],
    }
    const into: Ref = {
      ...rows,
      shape,
      offset: rows.offset + (ys.first * ow + xs.first) * depth + (i * kw + j) * c,
      strides: [oh * ow * depth, ow * depth, depth, 1],
    }
    steps.push(copyInto(from, into))
  }
  return steps
}

const plainDims = (contracting: readonly [readonly number[], readonly number[]]): DotDims => ({
  contracting,
  batch: [[], []],
})

/**
 * The steps of a `conv2d` or `conv2dBackpropFilter` equation, or null when its operands do not allow it (a
 * literal operand, a kernel or cotangent whose strides cannot be seen as a matrix, an empty product): then its
 * evaluation rule runs. `slot` plans a buffer of the program; `out` stores the equation's result; `gathered` holds
 * the rows already gathered in this program, by images and geometry, so a filter gradient reuses its forward pass's.
 * @example
 * // internal (not exported): what lower makes of a convolution, three copies of the windows (one per row of the
 * // 3×3 kernel, whose taps read adjacent pixels) and one product, the same bits as the evaluation rule
 * const [x, k] = [uniform(key(0), [2, 6, 6, 3]), uniform(key(1), [3, 3, 3, 4])]
 * const exe = compileJaxpr(makeJaxpr((a, b) => conv2d(a, b))(x, k))
 * exe.steps.map((s) => s.kind).join(' ') // → 'cluster cluster cluster dot'
 * toArray(exe.run([x, k])[0]!) // → toArray(conv2d(x, k))
 */
export const convSteps = (
  e: Eqn,
  inputs: readonly (Ref | Literal)[],
  slot: (dtype: DType, shape: readonly number[]) => Ref,
  out: () => Ref,
  gathered: Map<string, Ref>,
): (ClusterStep | DotStep)[] | null => {
  const [x, y] = inputs as [Ref | Literal, Ref | Literal]
  if (!isRef(x) || !isRef(y)) return null
  const dims = e.params as Conv2dDims & { readonly kernelSize?: readonly [number, number] }
  const filter = e.prim === 'conv2dBackpropFilter'
  const [n, , , c] = x.shape as [number, number, number, number]
  const [kh, kw] = filter ? (dims.kernelSize as readonly [number, number]) : (y.shape as [number, number])
  const f = y.shape[3] as number
  const [oh, ow] = (filter ? y.shape.slice(1, 3) : e.out.aval.shape.slice(1, 3)) as [number, number]
  const m = n * oh * ow
  const depth = kh * kw * c
  if (m === 0 || depth === 0 || f === 0) return null
  // the kernel [kh, kw, c, f] as [depth, f], or the cotangent [n, oh, ow, f] as [m, f]
  const matrix = reshapeStrides(y, filter ? [m, f] : [depth, f])
  if (matrix === null) return null
  const other: Ref = { ...y, shape: filter ? [m, f] : [depth, f], strides: matrix }
  const dtype = e.out.aval.dtype
  const identity =
    kh === 1 &&
    kw === 1 &&
    dims.strides[0] === 1 &&
    dims.strides[1] === 1 &&
    dims.padding.every(([lo, hi]) => lo === 0 && hi === 0)
  const plain = identity ? reshapeStrides(x, [m, c]) : null
  const steps: (ClusterStep | DotStep)[] = []
  let rows: Ref
  const key = JSON.stringify([
    x.base,
    x.offset,
    x.strides,
    x.shape,
    kh,
    kw,
    oh,
    ow,
    dtype,
    dims.strides,
    dims.padding,
    dims.dilation,
  ])
  const before = gathered.get(key)
  if (plain !== null && plain[1] === 1 && plain[0] === c) rows = { ...x, shape: [m, c], strides: plain }
  else if (before !== undefined) rows = before
  else {
    rows = slot(dtype, [m, depth])
    steps.push(...gather(x, rows, [kh, kw], [oh, ow], dims))
    gathered.set(key, rows)
  }
  const result = out()
  steps.push({
    kind: 'dot',
    inputs: filter ? [rows, other] : [rows, other],
    params: filter ? plainDims([[0], [0]]) : plainDims([[1], [0]]),
    out: { ...result, shape: filter ? [depth, f] : [m, f], strides: [f, 1] },
  })
  return steps
}
