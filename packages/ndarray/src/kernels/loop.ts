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

/** A typed array seen through an offset and strides. */
export interface Operand {
  readonly data: TypedArray
  readonly offset: number
  readonly strides: readonly number[]
}

type LoopFn = (shape: readonly number[], o: TypedArray, po: number, os: readonly number[], ...ins: unknown[]) => void

/**
 * How an operand moves along the innermost axis: `u` unit stride, `z` stride 0 (a
 * broadcast input is loaded once per row; a reduced output accumulates in a local),
 * `s` any other stride (a pointer bumped each step).
 */
type Step = 'u' | 'z' | 's'

const stepOf = (stride: number): Step => (stride === 1 ? 'u' : stride === 0 ? 'z' : 's')

const cache = new Map<string, LoopFn>()

/**
 * `pattern[0]` is the output's step, `pattern[1 + k]` input k's. A `flat` loop handles
 * one or two (coalesced) axes with a plain row counter; otherwise an odometer walks the
 * outer axes. `key` goes into the source as a comment: V8 caches `new Function` by source
 * text and would otherwise share one function, and its type feedback, between dtypes.
 */
const generate = (key: string, body: string, pattern: readonly Step[], flat: boolean): LoopFn => {
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
  // rows whose unit operands all start at 0 (every fresh contiguous array) index with
  // `i` alone, unrolled by four: no offset additions, and V8 drops most bounds checks
  const zeroStart = [...(outStep === 'u' ? ['qo'] : []), ...unitIns.map((k) => `q${k}`)]
  const fast =
    stridedIns.length === 0 && outStep !== 's'
      ? `if (${zeroStart.map((q) => `${q} === 0`).join(' && ') || 'true'}) {
        let i = 0;
        for (; i + 3 < inner; i += 4) {
          ${[0, 1, 2, 3].map((u) => element(() => `i + ${u}`, outAt(`i + ${u}`))).join('\n')}
        }
        for (; i < inner; i++) ${element(() => 'i', outAt('i'))}
      } else `
      : ''
  // one row of the innermost axis, starting at qo (output) and q0… (inputs)
  const row = `
    ${outStep === 'z' ? 'let acc = o[qo];' : ''} ${outStep === 's' ? 'let ro = qo;' : ''}
    ${each((k) => `const x${k} = a${k}[q${k}];`, zeroIns)}
    ${each((k) => `let r${k} = q${k};`, stridedIns)}
    ${fast}{
      for (let i = 0; i < inner; i++) { ${element((k) => `q${k} + i`, outAt('qo + i'))} ${bump} }
    }
    ${outStep === 'z' ? 'o[qo] = acc;' : ''}`
  const rows = flat
    ? `
  const two = n === 2, rows = two ? shape[0] : 1, jo = two ? os[0] : 0;
  ${each((k) => `const j${k} = two ? s${k}[0] : 0;`)}
  for (let r = 0; r < rows; r++) {
    const qo = po + r * jo; ${each((k) => `const q${k} = p${k} + r * j${k};`)}
    ${row}
  }`
    : `
  let outer = 1;
  for (let d = 0; d < n - 1; d++) outer *= shape[d];
  const idx = new Int32Array(n);
  for (let k = 0; k < outer; k++) {
    const qo = po; ${each((k) => `const q${k} = p${k};`)}
    ${row}
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
 * Runs a new loop a few times on a tiny problem that takes every branch (the unrolled
 * row, its remainder, a row with offsets, the outer axes), so V8 has type feedback for
 * all of it before the first real call. Otherwise optimized code deoptimizes the first
 * time a real call reaches a branch earlier calls never took (a row with an offset, a
 * length that is not a multiple of four) and runs unoptimized for several calls after.
 */
const warmUp = (
  fn: LoopFn,
  pattern: readonly Step[],
  flat: boolean,
  out: TypedArray,
  ins: readonly Operand[],
): void => {
  const inner = { u: 1, z: 0, s: 2 }
  const make = (like: TypedArray): TypedArray => new (like.constructor as new (n: number) => TypedArray)(64)
  const shape = flat ? [2, 5] : [2, 2, 5]
  const strides = pattern.map((p) => (flat ? [10, inner[p]] : [20, 10, inner[p]]))
  const o = make(out)
  const args: unknown[] = []
  for (const [k, x] of ins.entries()) args.push(make(x.data), 0, strides[k + 1])
  for (let rep = 0; rep < 10; rep++) fn(shape, o, 0, strides[0] as number[], ...args)
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
  const last = dims.length - 1
  const pattern = strides.map((s) => stepOf(s[last] as number))
  const flat = dims.length <= 2
  let key = `${body}|${pattern.join('')}|${flat ? 'flat' : 'nd'}|${out.data.constructor.name}`
  for (const x of ins) key += `,${x.data.constructor.name}`
  let fn = cache.get(key)
  if (fn === undefined) {
    fn = generate(key, body, pattern, flat)
    warmUp(fn, pattern, flat, out.data, ins)
    cache.set(key, fn)
  }
  const args: unknown[] = []
  for (const [k, x] of ins.entries()) args.push(x.data, x.offset, strides[k + 1])
  fn(dims, out.data, out.offset, strides[0] as number[], ...args)
}
