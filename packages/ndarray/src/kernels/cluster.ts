/**
 * Code generation for a cluster: one JavaScript function that walks the cluster's shape once, loads each leaf,
 * computes every member in float64 and rounds it to its dtype as the eager kernel's store would (float32 →
 * `Math.fround`, int32 → `| 0`, uint8 and bool → `& 255`), stores the members read elsewhere, and accumulates a
 * closing reduction in float64 in row-major order — so the fused loop gives the eager ops' bits. Strides and
 * offsets are known at compile time and written into the source.
 */
import type { DType } from '../dtype.js'
import type { Comparison } from '../primitive.js'
import { contiguousStrides } from '../shape.js'
import { clusterWasmKernel } from './clusterWasm.js'
import { binaryBodies, compareBodies, unaryBodies } from './elementwise.js'
import { coalesce, type LoopKernel, type LoopNest } from './loopNest.js'

export type { LoopArg, LoopInput, LoopKernel, LoopNest, LoopNode, LoopRef } from './loopNest.js'

const round = (dtype: DType, e: string): string => {
  switch (dtype) {
    case 'float32':
      return `fr(${e})`
    case 'float64':
      return `(${e})`
    case 'int32':
      return `((${e}) | 0)`
    default:
      return `((${e}) & 255)`
  }
}

const literal = (v: number): string => (Object.is(v, -0) ? '(-0)' : `(${String(v)})`)

/** The expression of a primitive over operand names (each a plain identifier or a parenthesised literal). */
const expression = (prim: string, params: unknown, args: readonly string[]): string => {
  let body: string
  if (prim in binaryBodies) body = binaryBodies[prim as keyof typeof binaryBodies]
  else if (prim in unaryBodies) body = unaryBodies[prim as keyof typeof unaryBodies]
  else if (prim === 'compare') body = compareBodies[(params as { op: Comparison }).op]
  else if (prim === 'where') body = '$o = x0 ? x1 : x2'
  else if (prim === 'cast') body = (params as { dtype: DType }).dtype === 'bool' ? '$o = +(x0 !== 0)' : '$o = x0'
  else throw new Error(`jit: internal: ${prim} is not element-wise`)
  return body.replace(/^\$o = /, '').replace(/\bx(\d)\b/g, (_, k: string) => args[Number(k)] as string)
}

/**
 * The source of a cluster's loop (exported for tests and for printing what a program compiled to).
 * @category Kernels
 */
export const clusterSource = (step: LoopNest): { source: string; scratch: number } => {
  const { shape, inputs, nodes, reduction } = step
  // operands: leaf refs, stored nodes, the reduction's output (seen over the cluster's shape)
  /** One of the program's buffers (by base index) seen through an offset and strides. */
  interface BaseView {
    base: number
    offset: number
    strides: readonly number[]
  }
  const operands: BaseView[] = []
  const leafOperand: (number | null)[] = inputs.map((x) =>
    x.kind === 'ref' ? operands.push({ base: x.ref.base, offset: x.ref.offset, strides: x.ref.strides }) - 1 : null,
  )
  const storeOperand: (number | null)[] = nodes.map((n) =>
    n.store === null
      ? null
      : operands.push({ base: n.store.base, offset: n.store.offset, strides: n.store.strides }) - 1,
  )
  let redOperand = -1
  if (reduction !== null) {
    const outStrides = contiguousStrides(reduction.out.shape)
    let k = 0
    const strides = shape.map((_, i) => (reduction.axes.includes(i) ? 0 : (outStrides[k++] as number)))
    redOperand = operands.push({ base: reduction.out.base, offset: reduction.out.offset, strides }) - 1
  }
  const [dims, strides] = coalesce(
    shape,
    operands.map((o) => o.strides),
  )
  const rank = dims.length
  const empty = shape.some((d) => d === 0)
  // the reduction accumulates in a local when its reduced axes are the innermost ones, else in a float64 scratch
  let suffix = rank
  if (redOperand >= 0) {
    const rs = strides[redOperand] as number[]
    while (suffix > 0 && rs[suffix - 1] === 0) suffix--
  }
  const local = redOperand >= 0 && (strides[redOperand] as number[]).slice(0, suffix).every((s) => s !== 0)
  const redSize = reduction === null ? 0 : reduction.out.shape.reduce((a, b) => a * b, 1)
  const scratch = reduction !== null && !local && reduction.out.dtype !== 'float64' ? redSize : 0
  const init = reduction?.prim === 'reduceMax' ? '-Infinity' : '0'

  const bufferName = new Map<number, string>()
  const lines: string[] = []
  const buf = (base: number): string => {
    let name = bufferName.get(base)
    if (name === undefined) {
      name = `b${bufferName.size}`
      bufferName.set(base, name)
      lines.push(`const ${name} = B[${base}];`)
    }
    return name
  }
  for (const o of operands) buf(o.base)
  // position of operand k after loop level d (−1: before any loop)
  const pos = (k: number, d: number): string => {
    for (let l = d; l >= 0; l--) if ((strides[k] as number[])[l] !== 0) return `p${k}_${l}`
    return String((operands[k] as BaseView).offset)
  }
  const at = (k: number): string => {
    const inner = rank - 1
    if (rank === 0) return String((operands[k] as BaseView).offset)
    const s = (strides[k] as number[])[inner] as number
    const before = pos(k, inner - 1)
    return s === 0 ? before : s === 1 ? `${before} + i${inner}` : `${before} + i${inner} * ${s}`
  }
  const redBuf = reduction === null ? '' : scratch > 0 ? 'acc' : buf(reduction.out.base)
  const body: string[] = []
  inputs.forEach((x, k) => {
    if (x.kind === 'ref') body.push(`const x${k} = ${buf(x.ref.base)}[${at(leafOperand[k] as number)}];`)
  })
  const name = (a: { kind: 'node' | 'input'; index: number }): string =>
    a.kind === 'node'
      ? `t${a.index}`
      : (inputs[a.index] as (typeof inputs)[number]).kind === 'literal'
        ? literal((inputs[a.index] as { value: number }).value)
        : `x${a.index}`
  nodes.forEach((n, k) => {
    body.push(`const t${k} = ${round(n.dtype, expression(n.prim, n.params, n.args.map(name)))};`)
    if (n.store !== null) body.push(`${buf(n.store.base)}[${at(storeOperand[k] as number)}] = t${k};`)
  })
  if (reduction !== null) {
    const v = name(reduction.node)
    const cell = local ? 'a' : `${redBuf}[${at(redOperand)}]`
    body.push(
      reduction.prim === 'reduceSum' ? `${cell} += ${v};` : `if (${v} > ${cell} || ${v} !== ${v}) ${cell} = ${v};`,
    )
  }
  // the loop nest, built from the inside out
  let code = body.join('\n')
  for (let d = rank - 1; d >= 0; d--) {
    const positions = operands
      .map((_, k) => k)
      .filter((k) => d < rank - 1 && (strides[k] as number[])[d] !== 0)
      .map((k) => {
        const s = (strides[k] as number[])[d] as number
        return `const p${k}_${d} = ${pos(k, d - 1)} + i${d}${s === 1 ? '' : ` * ${s}`};`
      })
    code = `for (let i${d} = 0; i${d} < ${dims[d]}; i${d}++) {\n${positions.join('\n')}\n${code}\n}`
    if (local && d === suffix) code = `let a = ${init};\n${code}\n${redBuf}[${pos(redOperand, d - 1)}] = a;`
  }
  if (local && suffix === rank) {
    // nothing is reduced once unit axes are gone: the accumulator lives for one element
    code = code.replace(body.join('\n'), `let a = ${init};\n${body.join('\n')}\n${redBuf}[${at(redOperand)}] = a;`)
  }
  const pre: string[] = []
  const post: string[] = []
  if (reduction !== null && !local) {
    const out = buf(reduction.out.base)
    if (scratch > 0) {
      pre.push(`acc.fill(${init});`)
      post.push(`${out}.set(acc);`)
    } else pre.push(`${out}.fill(${init});`)
  }
  if (empty) {
    // nothing to walk; a reduction over an empty axis still writes its initial value
    code = reduction !== null && !local ? '' : reduction !== null ? `${redBuf}.fill(${init});` : ''
  }
  const source = `// cluster of ${step.eqns} equations over [${shape.join(',')}]
return function cluster(B) {
${lines.join('\n')}
${pre.join('\n')}
${code}
${post.join('\n')}
}`
  return { source, scratch }
}

/**
 * The cluster's loop as a function over the program's buffers: generated WebAssembly SIMD where it covers the
 * cluster and its buffers are in the heap (`clusterWasm.ts`, same bits), else the JavaScript loop above.
 * `simd: false` asks for the JavaScript loop alone.
 * @category Kernels
 * @example
 * import type { LoopNest, LoopRef } from '@nabla/ndarray/core'
 * // out = x · 2 + y over four float32 elements: buffers 0 (x), 1 (y) and 2 (out)
 * const ref = (base: number): LoopRef => ({ base, offset: 0, strides: [1], shape: [4], dtype: 'float32' })
 * const step: LoopNest = {
 *   shape: [4],
 *   inputs: [{ kind: 'ref', ref: ref(0) }, { kind: 'literal', value: 2 }, { kind: 'ref', ref: ref(1) }],
 *   nodes: [
 *     { prim: 'mul', params: {}, args: [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }], dtype: 'float32', store: null },
 *     { prim: 'add', params: {}, args: [{ kind: 'node', index: 0 }, { kind: 'input', index: 2 }], dtype: 'float32', store: ref(2) },
 *   ],
 *   reduction: null,
 *   eqns: 2,
 * }
 * const buffers = [new Float32Array([1, 2, 3, 4]), new Float32Array([10, 20, 30, 40]), new Float32Array(4)]
 * clusterKernel(step)(buffers)
 * buffers[2] // → new Float32Array([12, 24, 36, 48])
 */
export const clusterKernel = (step: LoopNest, options: { readonly simd?: boolean } = {}): LoopKernel => {
  const { source, scratch } = clusterSource(step)
  const acc = new Float64Array(scratch)
  const js = new Function('fr', 'acc', source)(Math.fround, acc) as LoopKernel
  return (options.simd === false ? undefined : clusterWasmKernel(step, js)) ?? js
}
