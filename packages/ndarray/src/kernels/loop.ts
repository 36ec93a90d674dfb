/**
 * One strided loop for every element-wise kernel: output and up to three inputs, each
 * with its own offset and strides (0 along broadcast axes). Axes that can be merged are
 * merged first, so contiguous and bias-style broadcasts run as one or two flat loops.
 * Each (body, inner-stride pattern, dtypes) gets its own generated function, so V8 sees
 * one typed-array type, one operation and one access pattern per loop and compiles it as
 * tightly as a hand-written one.
 */
import type { TypedArray } from '../dtype.js'
import type { Shape } from '../shape.js'
import { runSimdLoop, type SimdKind } from './simdLoop.js'
import type { StridedView } from './stridedView.js'

export type { StridedView } from './stridedView.js'

type LoopFn = (shape: readonly number[], o: TypedArray, po: number, os: readonly number[], ...ins: unknown[]) => void

/**
 * How an operand moves along the innermost axis: `u` unit stride, `z` stride 0 (a
 * broadcast input is loaded once per row; a reduced output accumulates in a local),
 * `s` any other stride (a pointer bumped each step).
 */
type Step = 'u' | 'z' | 's'

const stepOf = (stride: number): Step => (stride === 1 ? 'u' : stride === 0 ? 'z' : 's')

/**
 * `pattern[0]` is the output's step, `pattern[1 + k]` input k's. A `flat` loop handles
 * one or two (coalesced) axes with a plain row counter; otherwise an odometer walks the
 * outer axes. A `rowLength` > 0 is a fixed, short row length, written out element by
 * element. `key` goes into the source as a comment: V8 caches `new Function` by source
 * text and would otherwise share one function, and its type feedback, between dtypes.
 */
const generate = (key: string, body: string, pattern: readonly Step[], flat: boolean, rowLength: number): LoopFn => {
  const ins = Array.from({ length: pattern.length - 1 }, (_, k) => k)
  const step = (k: number): Step => pattern[k + 1] as Step
  const outStep = pattern[0] as Step
  const params = ins.map((k) => `a${k}, p${k}, s${k}`).join(', ')
  const each = (f: (k: number) => string, ks = ins) => ks.map(f).join(' ')
  const unitIns = ins.filter((k) => step(k) === 'u')
  const zeroIns = ins.filter((k) => step(k) === 'z')
  const stridedIns = ins.filter((k) => step(k) === 's')
  // one element of the inner loop, with `at(k)` the index expression of unit input k
  const element = (at: (k: number) => string, out: string): string =>
    `{ ${each((k) => `const x${k} = a${k}[${at(k)}];`, unitIns)} ${each((k) => `const x${k} = a${k}[r${k}];`, stridedIns)} ${body.replaceAll('$o', out)}; }`
  const outAt = (index: string): string => (outStep === 'u' ? `o[${index}]` : outStep === 'z' ? 'acc' : 'o[ro]')
  const bump = `${outStep === 's' ? 'ro += io;' : ''} ${each((k) => `r${k} += i${k};`, stridedIns)}`
  // one row of the innermost axis, starting at qo (output) and q0… (inputs), its
  // elements visited by `innerLoop`
  const row = (innerLoop: string): string => `
    ${outStep === 'z' ? 'let acc = o[qo];' : ''} ${outStep === 's' ? 'let ro = qo;' : ''}
    ${each((k) => `const x${k} = a${k}[q${k}];`, zeroIns)}
    ${each((k) => `let r${k} = q${k};`, stridedIns)}
    ${innerLoop}
    ${outStep === 'z' ? 'o[qo] = acc;' : ''}`
  // short rows of a known length (softmax over 10 classes) are unrolled completely: a
  // loop of ten costs as much in control as in arithmetic
  const general =
    rowLength > 0
      ? Array.from({ length: rowLength }, (_, c) => element((k) => `q${k} + ${c}`, outAt(`qo + ${c}`))).join('\n    ')
      : `for (let i = 0; i < inner; i++) { ${element((k) => `q${k} + i`, outAt('qo + i'))} ${bump} }`
  // a single row whose unit operands all start at 0 (every fresh contiguous array, once
  // its axes are merged) indexes with `i` alone, unrolled by four: no offset additions,
  // and V8 drops most bounds checks. Only worth a branch for one long row.
  const zeroStart = [...(outStep === 'u' ? ['po'] : []), ...unitIns.map((k) => `p${k}`)]
  const fast =
    flat && stridedIns.length === 0 && outStep !== 's'
      ? `if (n === 1${zeroStart.map((q) => ` && ${q} === 0`).join('')}) {
    const qo = po; ${each((k) => `const q${k} = p${k};`)}
    ${row(`let i = 0;
    for (; i + 3 < inner; i += 4) {
      ${[0, 1, 2, 3].map((u) => element(() => `i + ${u}`, outAt(`i + ${u}`))).join('\n      ')}
    }
    for (; i < inner; i++) ${element(() => 'i', outAt('i'))}`)}
    return;
  }`
      : ''
  const rows = flat
    ? `
  ${fast}
  const two = n === 2, rows = two ? shape[0] : 1, jo = two ? os[0] : 0;
  ${each((k) => `const j${k} = two ? s${k}[0] : 0;`)}
  for (let r = 0; r < rows; r++) {
    const qo = po + r * jo; ${each((k) => `const q${k} = p${k} + r * j${k};`)}
    ${row(general)}
  }`
    : `
  let outer = 1;
  for (let d = 0; d < n - 1; d++) outer *= shape[d];
  const idx = new Int32Array(n);
  for (let k = 0; k < outer; k++) {
    const qo = po; ${each((k) => `const q${k} = p${k};`)}
    ${row(general)}
    for (let d = n - 2; d >= 0; d--) {
      po += os[d]; ${each((k) => `p${k} += s${k}[d];`)}
      if (++idx[d] < shape[d]) break;
      idx[d] = 0; po -= os[d] * shape[d]; ${each((k) => `p${k} -= s${k}[d] * shape[d];`)}
    }
  }`
  const src = `// ${key.replaceAll('\n', ' ')}
return function loop(shape, o, po, os, ${params}) {
  const n = shape.length, inner = shape[n - 1], io = os[n - 1];
  ${each((k) => `const i${k} = s${k}[n - 1];`)}
  ${rows}
}`
  return new Function(src)() as LoopFn
}

/**
 * Runs a new loop a few times on tiny problems that take every branch (the single
 * unrolled row and its remainder, rows with offsets, the outer axes), so V8 has type
 * feedback for all of it before the first real call. Otherwise optimized code deoptimizes the first
 * time a real call reaches a branch earlier calls never took (a row with an offset, a
 * length that is not a multiple of four) and runs unoptimized for several calls after.
 */
const warmUp = (
  fn: LoopFn,
  pattern: readonly Step[],
  flat: boolean,
  rowLength: number,
  out: TypedArray,
  ins: readonly StridedView[],
): void => {
  const inner = { u: 1, z: 0, s: 2 }
  const make = (like: TypedArray): TypedArray => new (like.constructor as new (n: number) => TypedArray)(64)
  const o = make(out)
  const data = ins.map((x) => make(x.data))
  const shapes = flat ? [[2, rowLength || 5], [7]] : [[2, 2, 5]]
  for (const shape of shapes) {
    const outer = [20, 10].slice(3 - shape.length)
    const strides = pattern.map((p) => [...outer, inner[p]])
    const args: unknown[] = []
    data.forEach((d, k) => {
      args.push(d, 0, strides[k + 1])
    })
    for (let rep = 0; rep < 10; rep++) fn(shape, o, 0, strides[0] as number[], ...args)
  }
}

/**
 * Merges adjacent axes along which every operand is contiguous, and drops unit axes.
 * Returns the reduced shape and each operand's matching strides. (Plain loops: this runs
 * on every op, and for small arrays its cost is the op's cost.)
 */
const coalesce = (shape: Shape, all: readonly (readonly number[])[]): [number[], number[][]] => {
  const dims: number[] = []
  const strides: number[][] = []
  for (let j = 0; j < all.length; j++) strides.push([])
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d] as number
    if (n === 1) continue
    const last = dims.length - 1
    let merge = last >= 0
    for (let j = 0; merge && j < all.length; j++) {
      merge = (strides[j] as number[])[last] === ((all[j] as readonly number[])[d] as number) * n
    }
    if (merge) dims[last] = (dims[last] as number) * n
    else dims.push(n)
    for (let j = 0; j < all.length; j++) {
      const s = (all[j] as readonly number[])[d] as number
      if (merge) (strides[j] as number[])[last] = s
      else (strides[j] as number[]).push(s)
    }
  }
  if (dims.length === 0) return [[1], all.map(() => [0])]
  return [dims, strides]
}

const typeCodes = new Map<unknown, number>(
  [Float32Array, Float64Array, Int32Array, Uint8Array, Uint32Array, Int8Array, Int16Array, Uint16Array].map((c, i) => [
    c,
    i,
  ]),
)
const stepCodes = { u: 0, z: 1, s: 2 }
// number of inputs → body → (form, pattern and dtypes packed in one mixed-radix number) → loop
const loops: Map<string, Map<number, LoopFn>>[] = []

/**
 * Runs `body` over every index of `shape`. In `body`, `x0, x1, …` are the inputs' elements
 * and `$o` the output element (`'$o = x0 + x1'`, or `'$o += x0'` to accumulate). `simd` names the
 * primitive's WebAssembly SIMD kernel (`runSimdLoop`), chosen by the caller from the primitive, not from the
 * body's text: flat loops of float32 operands long enough run there, with the same bits.
 * @category Kernels
 * @example
 * import { broadcastView } from './elementwise.js'
 * import { runLoop } from './loop.js'
 * const x = concrete('x', array([[0, 1, 2], [3, 4, 5]]))
 * const bias = concrete('bias', array([10, 20, 30]))
 * const out = fresh('float32', [2, 3])
 * runLoop('$o = x0 + x1', out.shape, { data: out.data, offset: 0, strides: out.strides }, [
 *   broadcastView(x, out.shape), broadcastView(bias, out.shape)]) // x + bias, bias of shape [3]
 * toArray(out) // → [[10, 21, 32], [13, 24, 35]]
 */
export const runLoop = (
  body: string,
  shape: Shape,
  out: StridedView,
  ins: readonly StridedView[],
  simd?: SimdKind,
): void => loop(body, shape, out, ins, simd)

/**
 * `runLoop` without its WebAssembly SIMD path: always the generated JavaScript loop (the reference that
 * tests compare the SIMD path with, bit for bit).
 * @example
 * import { broadcastView } from './elementwise.js'
 * import { runLoopJs } from './loop.js'
 * const x = concrete('x', array([[0, 1, 2], [3, 4, 5]]))
 * const sums = fresh('float32', [3])
 * // '$o += x0' accumulates: an output stride of 0 along the rows sums each column
 * runLoopJs('$o += x0', [2, 3], { data: sums.data, offset: 0, strides: [0, 1] }, [broadcastView(x, [2, 3])])
 * toArray(sums) // → [3, 5, 7]
 */
export const runLoopJs = (body: string, shape: Shape, out: StridedView, ins: readonly StridedView[]): void =>
  loop(body, shape, out, ins, undefined)

const loop = (
  body: string,
  shape: Shape,
  out: StridedView,
  ins: readonly StridedView[],
  simd: SimdKind | undefined,
): void => {
  for (let d = 0; d < shape.length; d++) if (shape[d] === 0) return
  const all: (readonly number[])[] = [out.strides]
  for (let k = 0; k < ins.length; k++) all.push((ins[k] as StridedView).strides)
  const [dims, strides] = coalesce(shape, all)
  // flat loops of the hottest bodies run four lanes at a time in WebAssembly when they are long enough
  if (simd !== undefined && dims.length <= 2 && runSimdLoop(simd, dims, out, ins, strides)) return
  const last = dims.length - 1
  const pattern: Step[] = []
  const flat = dims.length <= 2
  // rows of up to 16 elements with no strided operand get a loop of their own length
  const rowLength =
    dims.length === 2 && (dims[1] as number) <= 16 && strides.every((s) => s[1] === 0 || s[1] === 1)
      ? (dims[1] as number)
      : 0
  let code = (flat ? 1 : 0) * 17 + rowLength
  for (let j = 0; j < strides.length; j++) {
    const step = stepOf((strides[j] as number[])[last] as number)
    const data = j === 0 ? out.data : (ins[j - 1] as StridedView).data
    pattern.push(step)
    code = (code * 3 + stepCodes[step]) * 8 + (typeCodes.get(data.constructor) ?? 7)
  }
  const byArity = (loops[ins.length] ??= new Map())
  let byBody = byArity.get(body)
  if (byBody === undefined) byArity.set(body, (byBody = new Map()))
  let fn = byBody.get(code)
  if (fn === undefined) {
    const names = [out, ...ins].map((x) => x.data.constructor.name).join(',')
    const form = flat ? `flat${rowLength > 0 ? rowLength : ''}` : 'nd'
    fn = generate(`${body}|${pattern.join('')}|${form}|${names}`, body, pattern, flat, rowLength)
    warmUp(fn, pattern, flat, rowLength, out.data, ins)
    byBody.set(code, fn)
  }
  switch (ins.length) {
    // the common arities without building an argument list
    case 1: {
      const a = ins[0] as StridedView
      fn(dims, out.data, out.offset, strides[0] as number[], a.data, a.offset, strides[1])
      return
    }
    case 2: {
      const a = ins[0] as StridedView
      const b = ins[1] as StridedView
      fn(dims, out.data, out.offset, strides[0] as number[], a.data, a.offset, strides[1], b.data, b.offset, strides[2])
      return
    }
    default: {
      const args: unknown[] = []
      for (let k = 0; k < ins.length; k++) {
        const x = ins[k] as StridedView
        args.push(x.data, x.offset, strides[k + 1])
      }
      fn(dims, out.data, out.offset, strides[0] as number[], ...args)
    }
  }
}
