/**
 * One strided loop for every element-wise kernel: output and up to three inputs, each
 * with its own offset and strides (0 along broadcast axes). Axes that can be merged are
 * merged first, so contiguous and bias-style broadcasts run as one or two flat loops.
 * Each (body, dtypes) pair gets its own generated function, so V8 sees one typed-array
 * type and one operation per loop and compiles it as tightly as a hand-written one.
 */
import type { TypedArray } from '../dtype.js'
import type { Shape } from '../shape.js'

/** A typed array seen through an offset and strides. */
export interface Operand {
  readonly data: TypedArray
  readonly offset: number
  readonly strides: readonly number[]
}

type LoopFn = (shape: Int32Array, o: TypedArray, po: number, os: Int32Array, ...ins: unknown[]) => void

const cache = new Map<string, LoopFn>()

const generate = (body: string, nIn: number): LoopFn => {
  const ins = Array.from({ length: nIn }, (_, k) => k)
  const params = ins.map((k) => `a${k}, p${k}, s${k}`).join(', ')
  const line = (f: (k: number) => string, sep = '; ') => ins.map(f).join(sep)
  const flat = body.replaceAll('$o', 'o[qo + i]')
  const strided = body.replaceAll('$o', 'o[qo]')
  const src = `
return function loop(shape, o, po, os, ${params}) {
  const n = shape.length, inner = shape[n - 1], io = os[n - 1];
  ${line((k) => `const i${k} = s${k}[n - 1]`)};
  let outer = 1;
  for (let d = 0; d < n - 1; d++) outer *= shape[d];
  const idx = new Int32Array(n);
  const unit = io === 1${ins.map((k) => ` && i${k} === 1`).join('')};
  for (let k = 0; k < outer; k++) {
    let qo = po; ${line((k) => `let q${k} = p${k}`)};
    if (unit) {
      for (let i = 0; i < inner; i++) { ${line((k) => `const x${k} = a${k}[q${k} + i]`)}; ${flat}; }
    } else {
      for (let i = 0; i < inner; i++) {
        ${line((k) => `const x${k} = a${k}[q${k}]`)}; ${strided};
        qo += io; ${line((k) => `q${k} += i${k}`)};
      }
    }
    for (let d = n - 2; d >= 0; d--) {
      po += os[d]; ${line((k) => `p${k} += s${k}[d]`)};
      if (++idx[d] < shape[d]) break;
      idx[d] = 0; po -= os[d] * shape[d]; ${line((k) => `p${k} -= s${k}[d] * shape[d]`)};
    }
  }
}`
  return new Function(src)() as LoopFn
}

/**
 * Merges adjacent axes along which every operand is contiguous, and drops unit axes.
 * Returns the reduced shape and each operand's matching strides.
 */
const coalesce = (shape: Shape, all: readonly (readonly number[])[]): [number[], number[][]] => {
  const dims: number[] = []
  const strides: number[][] = all.map(() => [])
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d] as number
    if (n === 1) continue
    const last = dims.length - 1
    if (last >= 0 && all.every((s, j) => (strides[j] as number[])[last] === (s[d] as number) * n)) {
      dims[last] = (dims[last] as number) * n
      for (const [j, s] of all.entries()) (strides[j] as number[])[last] = s[d] as number
    } else {
      dims.push(n)
      for (const [j, s] of all.entries()) (strides[j] as number[]).push(s[d] as number)
    }
  }
  if (dims.length === 0) return [[1], all.map(() => [0])]
  return [dims, strides]
}

/**
 * Runs `body` over every index of `shape`. In `body`, `x0…x2` are the inputs' elements
 * and `$o` the output element (`'$o = x0 + x1'`, or `'$o += x0'` to accumulate).
 */
export const runLoop = (body: string, shape: Shape, out: Operand, ins: readonly Operand[]): void => {
  for (const d of shape) if (d === 0) return
  const [dims, strides] = coalesce(shape, [out.strides, ...ins.map((x) => x.strides)])
  const key = `${body}|${out.data.constructor.name}|${ins.map((x) => x.data.constructor.name).join(',')}`
  let fn = cache.get(key)
  if (fn === undefined) {
    fn = generate(body, ins.length)
    cache.set(key, fn)
  }
  const args: unknown[] = []
  for (const [k, x] of ins.entries()) args.push(x.data, x.offset, Int32Array.from(strides[k + 1] as number[]))
  fn(Int32Array.from(dims), out.data, out.offset, Int32Array.from(strides[0] as number[]), ...args)
}
