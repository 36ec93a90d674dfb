/**
 * Lowering: a program becomes a list of steps over buffers. Element-wise equations of one shape are grouped
 * into clusters (a cluster may end in one reduction) that run as one generated loop; views (reshape,
 * transpose, broadcastTo, slice, stopGradient) become strides over their input's buffer and cost nothing;
 * products write into their planned buffer, and so do convolutions (window copies, then a product: lowerConv.ts);
 * the few other primitives run their evaluation rule.
 */
import { chooseKernel } from '@nabla/linalg'
import type { DType } from '@nabla/ndarray'
import {
  Concrete,
  contiguousStrides,
  type LoopInput,
  type LoopNest,
  type LoopNode,
  type LoopRef,
  type PrimitiveName,
  type ShapedArray,
} from '@nabla/ndarray/core'
import { wasmSupport } from '@nabla/ndarray/wasm'
import type { Atom, Eqn, Jaxpr, Literal, Var } from '../jaxpr.js'
import { convSteps } from './lowerConv.js'

/** The element-wise primitives, which fuse. */
export const elementwise: ReadonlySet<PrimitiveName> = new Set<PrimitiveName>([
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'neg',
  'sign',
  'exp',
  'log',
  'sqrt',
  'tanh',
  'sin',
  'cos',
  'compare',
  'where',
  'cast',
])

/** Where a value's elements live: a base buffer (contiguous, from element 0) seen through an offset and strides. */
export type Ref = LoopRef

/** A buffer of the program: an input's, a constant's, a planned slot, an output's (fresh per run) or one made at run time. */
export type Base =
  | { readonly kind: 'input'; readonly index: number; readonly dtype: DType; readonly size: number }
  | { readonly kind: 'const'; readonly index: number; readonly dtype: DType; readonly size: number }
  | { readonly kind: 'slot'; readonly dtype: DType; readonly size: number }
  | { readonly kind: 'output'; readonly dtype: DType; readonly size: number }
  | { readonly kind: 'dynamic'; readonly dtype: DType; readonly size: number }

/** A fused loop over buffers (its operands index the program's buffer table). */
export type ClusterStep = LoopNest & { readonly kind: 'cluster' }
export type ClusterInput = LoopInput
export type ClusterNode = LoopNode

/** A product (dotGeneral) into a buffer. */
export interface DotStep {
  readonly kind: 'dot'
  readonly inputs: readonly (Ref | Literal)[]
  readonly params: unknown
  readonly out: Ref
}

/** A contiguous copy (a reshape no strides can express). */
export interface CopyStep {
  readonly kind: 'copy'
  readonly from: Ref
  readonly out: Ref
}

/** A primitive run by its evaluation rule; its result becomes buffer `base`. */
export interface EvalStep {
  readonly kind: 'eval'
  readonly prim: PrimitiveName
  readonly inputs: readonly (Ref | Literal)[]
  readonly params: unknown
  readonly base: number
  readonly aval: ShapedArray
}

export type Step = ClusterStep | DotStep | CopyStep | EvalStep

/** A lowered program: buffers, steps in order, and where each output is. */
export interface Lowered {
  readonly bases: readonly Base[]
  readonly steps: readonly Step[]
  readonly outputs: readonly (Ref | Literal)[]
  /** Per base, the steps that read it (for liveness and donation). */
  readonly readers: readonly number[][]
  /** Per base, the first step that writes it (−1: given before the run; a pad or concat is several loops into one). */
  readonly writer: readonly number[]
  readonly inputBases: readonly number[]
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

const isVar = (a: Atom): a is Var => a.kind === 'var'

/** Strides for `x` reshaped to `shape` without a copy, or null (NumPy's rule: split and merge compatible axes). */
export const reshapeStrides = (x: Ref, shape: readonly number[]): number[] | null => {
  // drop unit axes, then match groups of old axes to groups of new ones
  const old = x.shape.map((d, i) => [d, x.strides[i] as number] as const).filter(([d]) => d !== 1)
  const out: number[] = new Array(shape.length).fill(0)
  if (sizeOf(shape) === 0) return contiguousStrides(shape)
  let i = 0
  let j = 0
  const newAxes = shape.map((d, k) => [d, k] as const).filter(([d]) => d !== 1)
  while (i < old.length || j < newAxes.length) {
    let po = i < old.length ? (old[i] as readonly [number, number])[0] : 1
    let pn = j < newAxes.length ? (newAxes[j] as readonly [number, number])[0] : 1
    const i0 = i
    const j0 = j
    i++
    j++
    while (po !== pn) {
      if (po < pn) {
        if (i >= old.length) return null
        po *= (old[i] as readonly [number, number])[0]
        i++
      } else {
        if (j >= newAxes.length) return null
        pn *= (newAxes[j] as readonly [number, number])[0]
        j++
      }
    }
    // old axes i0..i-1 must be contiguous among themselves
    for (let k = i0; k < i - 1; k++) {
      const [, s] = old[k] as readonly [number, number]
      const [d1, s1] = old[k + 1] as readonly [number, number]
      if (s !== s1 * d1) return null
    }
    let stride = i > i0 ? (old[i - 1] as readonly [number, number])[1] : 0
    for (let k = j - 1; k >= j0; k--) {
      const [d, axis] = newAxes[k] as readonly [number, number]
      out[axis] = stride
      stride *= d
    }
  }
  return out
}

/**
 * Lowers a program (already free of dead equations) into steps over buffers.
 * @example
 * // internal (not exported): compileJaxpr lowers with it; an executable's `steps` are what it produced
 * const exe = compileJaxpr(makeJaxpr((a) => matmul(tanh(matmul(a, a)), a))(ones([4, 4])))
 * exe.steps.map((s) => s.kind) // → ['dot', 'cluster', 'dot']
 */
export const lower = (jaxpr: Jaxpr): Lowered => {
  const eqns = jaxpr.eqns
  const bases: Base[] = []
  const refs = new Map<number, Ref>() // var id → where it is stored
  // var id → the literal it equals (a view of a literal: a broadcast of a scalar, seen with stride 0)
  const literals = new Map<number, Literal>()
  const literalOf = (a: Atom): Literal | undefined => (isVar(a) ? literals.get(a.id) : a)
  const producer = new Map<number, number>() // var id → eqn index
  eqns.forEach((e, i) => {
    producer.set(e.out.id, i)
  })
  const consumers = new Map<number, number[]>()
  eqns.forEach((e, i) => {
    for (const a of e.inputs) {
      if (!isVar(a)) continue
      const list = consumers.get(a.id)
      if (list === undefined) consumers.set(a.id, [i])
      else if (list[list.length - 1] !== i) list.push(i)
    }
  })
  const outputIds = new Set(jaxpr.outputs.filter(isVar).map((v) => v.id))

  const contiguousRef = (base: number, aval: ShapedArray): Ref => ({
    base,
    offset: 0,
    strides: contiguousStrides(aval.shape),
    shape: aval.shape,
    dtype: aval.dtype,
  })
  const newBase = (b: Base): number => bases.push(b) - 1
  const inputBases = jaxpr.inputs.map((v, index) => {
    const b = newBase({ kind: 'input', index, dtype: v.aval.dtype, size: sizeOf(v.aval.shape) })
    refs.set(v.id, contiguousRef(b, v.aval))
    return b
  })
  jaxpr.consts.forEach((v, index) => {
    const b = newBase({ kind: 'const', index, dtype: v.aval.dtype, size: sizeOf(v.aval.shape) })
    refs.set(v.id, contiguousRef(b, v.aval))
  })
  /** A buffer for an equation's result: the output's own (fresh each run) if returned, else a planned slot. */
  const storeFor = (v: Var): Ref => {
    const kind = outputIds.has(v.id) ? 'output' : 'slot'
    const ref = contiguousRef(newBase({ kind, dtype: v.aval.dtype, size: sizeOf(v.aval.shape) }), v.aval)
    refs.set(v.id, ref)
    return ref
  }

  // --- clustering: union of element-wise equations of one shape, closed once a non-member reads a member
  interface Cluster {
    readonly shape: readonly number[]
    members: number[]
    closed: boolean
    reduction: number | null
  }
  const clusterOf = new Map<number, Cluster>() // eqn index → cluster
  const sameShape = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i])
  const closeReaders = (e: Eqn, own: Cluster | undefined) => {
    for (const a of e.inputs) {
      if (!isVar(a)) continue
      const p = producer.get(a.id)
      const c = p === undefined ? undefined : clusterOf.get(p)
      if (c !== undefined && c !== own) c.closed = true
    }
  }
  eqns.forEach((e, i) => {
    if (elementwise.has(e.prim)) {
      const joined: Cluster[] = []
      for (const a of e.inputs) {
        if (!isVar(a)) continue
        const p = producer.get(a.id)
        const c = p === undefined ? undefined : clusterOf.get(p)
        if (c !== undefined && !c.closed && sameShape(c.shape, e.out.aval.shape) && !joined.includes(c)) joined.push(c)
      }
      let cluster: Cluster
      if (joined.length === 0) cluster = { shape: e.out.aval.shape, members: [], closed: false, reduction: null }
      else {
        cluster = joined[0] as Cluster
        for (const other of joined.slice(1)) {
          for (const m of other.members) clusterOf.set(m, cluster)
          cluster.members.push(...other.members)
        }
        cluster.members.sort((a, b) => a - b)
      }
      cluster.members.push(i)
      clusterOf.set(i, cluster)
      closeReaders(e, cluster)
      return
    }
    if (e.prim === 'reduceSum' || e.prim === 'reduceMax') {
      const a = e.inputs[0] as Atom
      const p = isVar(a) ? producer.get(a.id) : undefined
      const c = p === undefined ? undefined : clusterOf.get(p)
      let cluster: Cluster
      if (c !== undefined && !c.closed) cluster = c
      else cluster = { shape: a.aval.shape, members: [], closed: false, reduction: null }
      cluster.members.push(i)
      cluster.reduction = i
      cluster.closed = true
      clusterOf.set(i, cluster)
      closeReaders(e, cluster)
      return
    }
    closeReaders(e, undefined)
  })

  // --- steps, in program order; a cluster runs where its last member stood
  const steps: Step[] = []
  const lastMember = new Map<Cluster, number>()
  // the planned buffers of windows a convolution gathered, by images and geometry (its filter gradient reuses them)
  const gathered = new Map<string, Ref>()
  for (const [i, c] of clusterOf) lastMember.set(c, Math.max(lastMember.get(c) ?? -1, i))

  const refOf = (a: Atom): Ref | Literal => {
    const lit = literalOf(a)
    if (lit !== undefined) return lit
    if (!isVar(a)) return a
    const r = refs.get(a.id)
    if (r === undefined) throw new Error(`jit: internal: value ${a.id} is used before it is stored`)
    return r
  }
  const broadcastRef = (r: Ref, shape: readonly number[]): Ref => {
    const lead = shape.length - r.shape.length
    return {
      ...r,
      shape,
      strides: shape.map((d, k) => (k < lead || r.shape[k - lead] !== d ? 0 : (r.strides[k - lead] as number))),
    }
  }

  const emitCluster = (c: Cluster) => {
    const members = c.members
    const memberIndex = new Map<number, number>() // eqn index → node index
    const inputs: ClusterInput[] = []
    const inputKey = new Map<string, number>()
    const leaf = (a: Atom): { kind: 'input'; index: number } => {
      let key: string
      let input: ClusterInput
      const lit = literalOf(a)
      if (lit !== undefined) {
        const value = lit.value.data[lit.value.offset] as number
        key = `l${Object.is(value, -0) ? '-0' : value}`
        input = { kind: 'literal', value }
      } else {
        const r = refOf(a) as Ref
        const b = broadcastRef(r, c.shape)
        key = `r${b.base}:${b.offset}:${b.strides.join(',')}`
        input = { kind: 'ref', ref: b }
      }
      let index = inputKey.get(key)
      if (index === undefined) {
        index = inputs.push(input) - 1
        inputKey.set(key, index)
      }
      return { kind: 'input', index }
    }
    const arg = (a: Atom): { kind: 'node' | 'input'; index: number } => {
      const p = isVar(a) ? producer.get(a.id) : undefined
      const n = p === undefined ? undefined : memberIndex.get(p)
      return n === undefined ? leaf(a) : { kind: 'node', index: n }
    }
    const nodes: ClusterNode[] = []
    let reduction: ClusterStep['reduction'] = null
    for (const i of members) {
      const e = eqns[i] as Eqn
      if (i === c.reduction) {
        const out = storeFor(e.out)
        reduction = {
          prim: e.prim as 'reduceSum' | 'reduceMax',
          node: arg(e.inputs[0] as Atom),
          axes: (e.params as { axes: readonly number[] }).axes,
          out,
        }
        continue
      }
      // stored if anything outside the cluster reads it, or it is returned
      const outside = outputIds.has(e.out.id) || (consumers.get(e.out.id) ?? []).some((k) => clusterOf.get(k) !== c)
      const args = e.inputs.map(arg)
      const store = outside ? storeFor(e.out) : null
      memberIndex.set(i, nodes.length)
      nodes.push({ prim: e.prim, params: e.params, args, dtype: e.out.aval.dtype, store })
    }
    steps.push({ kind: 'cluster', shape: c.shape, inputs, nodes, reduction, eqns: members.length })
  }

  eqns.forEach((e, i) => {
    const c = clusterOf.get(i)
    if (c !== undefined) {
      if (lastMember.get(c) === i) emitCluster(c)
      return
    }
    const a = e.inputs[0] as Atom
    const lit = literalOf(a)
    switch (e.prim as string) {
      case 'stopGradient':
      case 'reshape':
      case 'transpose':
      case 'broadcastTo':
      case 'slice': {
        if (lit !== undefined) {
          // a view of a scalar is that scalar seen with stride 0 along every axis
          const shape = e.out.aval.shape
          const value = new Concrete(
            lit.value.dtype,
            shape,
            lit.value.data,
            shape.map(() => 0),
            lit.value.offset,
          )
          literals.set(e.out.id, { kind: 'literal', value, aval: e.out.aval })
          return
        }
        const r = refOf(a) as Ref
        if ((e.prim as string) === 'stopGradient') {
          refs.set(e.out.id, r)
          return
        }
        const view = viewOf(e, r)
        if (view !== null) refs.set(e.out.id, view)
        else steps.push({ kind: 'copy', from: r, out: storeFor(e.out) })
        return
      }
      case 'dotGeneral': {
        const inputs = e.inputs.map(refOf)
        const outer = outerProduct(e, inputs, storeFor)
        steps.push(outer ?? { kind: 'dot', inputs, params: e.params, out: storeFor(e.out) })
        return
      }
      case 'conv2d':
      case 'conv2dBackpropFilter': {
        // the windows gathered into a planned buffer, then one product (see lowerConv.ts)
        const slot = (dtype: DType, shape: readonly number[]): Ref =>
          contiguousRef(newBase({ kind: 'slot', dtype, size: sizeOf(shape) }), { shape, dtype })
        const placed = convSteps(e, e.inputs.map(refOf), slot, () => storeFor(e.out), gathered)
        if (placed !== null) {
          steps.push(...placed)
          return
        }
        break
      }
      case 'pad':
      case 'concat': {
        const loops = placedCopies(e, e.inputs.map(refOf), storeFor)
        if (loops !== null) {
          steps.push(...loops)
          return
        }
        break
      }
      default:
        break
    }
    const base = newBase({ kind: 'dynamic', dtype: e.out.aval.dtype, size: sizeOf(e.out.aval.shape) })
    refs.set(e.out.id, contiguousRef(base, e.out.aval))
    steps.push({ kind: 'eval', prim: e.prim, inputs: e.inputs.map(refOf), params: e.params, base, aval: e.out.aval })
  })
  // a literal as a program output, or a value that is an input: returned as they are (the run copies what it must)
  const outputs = jaxpr.outputs.map(refOf)

  const readers: number[][] = bases.map(() => [])
  const writer: number[] = bases.map(() => -1)
  const read = (r: Ref | Literal, s: number) => {
    if ('base' in r) {
      const list = readers[r.base] as number[]
      if (list[list.length - 1] !== s) list.push(s)
    }
  }
  steps.forEach((s, k) => {
    switch (s.kind) {
      case 'cluster':
        for (const x of s.inputs) if (x.kind === 'ref') read(x.ref, k)
        for (const n of s.nodes) if (n.store !== null && writer[n.store.base] === -1) writer[n.store.base] = k
        if (s.reduction !== null) writer[s.reduction.out.base] = k
        break
      case 'dot':
        for (const x of s.inputs) read(x, k)
        writer[s.out.base] = k
        break
      case 'copy':
        read(s.from, k)
        writer[s.out.base] = k
        break
      case 'eval':
        for (const x of s.inputs) read(x, k)
        writer[s.base] = k
        break
    }
  })
  return { bases, steps, outputs, readers, writer, inputBases }
}

/**
 * A loop that copies `from` into the strided view `into` (an identity cast, stored there), or fills it with +0
 * (for float32 as 0 + 0, which the SIMD loops take; a cast of the literal otherwise).
 */
export const copyInto = (from: Ref | 0, into: Ref): ClusterStep => {
  const fill = from === 0 && into.dtype === 'float32'
  return {
    kind: 'cluster',
    shape: into.shape,
    inputs: [from === 0 ? { kind: 'literal', value: 0 } : { kind: 'ref', ref: from }],
    nodes: [
      fill
        ? {
            prim: 'add',
            params: {},
            args: [
              { kind: 'input', index: 0 },
              { kind: 'input', index: 0 },
            ],
            dtype: into.dtype,
            store: into,
          }
        : {
            prim: 'cast',
            params: { dtype: into.dtype },
            args: [{ kind: 'input', index: 0 }],
            dtype: into.dtype,
            store: into,
          },
    ],
    reduction: null,
    eqns: 1,
  }
}

/**
 * A product whose contracting axes all have length 1 (an outer product, such as vmap's per-example weight
 * gradient x_i ⊗ g_i) as one fused loop over the result, each operand seen in the result's axes with stride 0
 * along the other's free axes. The loop gives the bits of the product kernel the same shape would run on:
 * its sums start at +0, so a zero product comes out +0 (0 · −1 is +0, not −0); a kernel that rounds once (the
 * JavaScript tiers in float64, relaxed SIMD's fused multiply-add) keeps −0 for a nonzero product that
 * underflows, one that rounds the product first (plain SIMD, float64 operands) adds +0 to it. So
 * out = a·b + (a = 0 or b = 0 ? +0 : −0) or out = a·b + 0. null for other products, operands of another dtype
 * than the result, or a literal operand.
 */
const outerProduct = (e: Eqn, inputs: readonly (Ref | Literal)[], storeFor: (v: Var) => Ref): ClusterStep | null => {
  const { contracting, batch } = e.params as {
    contracting: readonly [readonly number[], readonly number[]]
    batch: readonly [readonly number[], readonly number[]]
  }
  const [lhs, rhs] = inputs as [Ref | Literal, Ref | Literal]
  const dtype = e.out.aval.dtype
  if (!('base' in lhs) || !('base' in rhs) || lhs.dtype !== dtype || rhs.dtype !== dtype) return null
  if (!contracting[0].every((a) => lhs.shape[a] === 1)) return null
  const free = (r: Ref, side: 0 | 1) =>
    r.shape.map((_, a) => a).filter((a) => !batch[side].includes(a) && !contracting[side].includes(a))
  const lf = free(lhs, 0)
  const rf = free(rhs, 1)
  const out = storeFor(e.out)
  // the result's axes are batch, then the lhs's free axes, then the rhs's: each operand strides along its own
  // and is constant (stride 0) along the other's
  const strideOf = (r: Ref) => (a: number) => r.strides[a] as number
  const zero = () => 0
  const seen = (r: Ref, strides: readonly number[]): Ref => ({ ...r, shape: out.shape, strides })
  const lhsSeen = seen(lhs, [...batch[0].map(strideOf(lhs)), ...lf.map(strideOf(lhs)), ...rf.map(zero)])
  const rhsSeen = seen(rhs, [...batch[1].map(strideOf(rhs)), ...lf.map(zero), ...rf.map(strideOf(rhs))])
  // the shape the product kernel would see: m × n per batch, the batch folded into m when only the lhs varies
  const count = (r: Ref, axes: readonly number[]) => axes.reduce((p, a) => p * (r.shape[a] as number), 1)
  const batches = count(lhs, batch[0])
  const folded = batches > 1 && batch[1].every((a) => rhs.strides[a] === 0)
  const m = count(lhs, lf) * (folded ? batches : 1)
  const n = count(rhs, rf)
  const tier = chooseKernel(dtype === 'float64' ? 'float64' : 'float32', m, n, 1).tier
  const roundsOnce = dtype === 'float32' && (tier !== 'wasm' || wasmSupport().relaxedSimd)
  const input = (index: number): ClusterNode['args'][number] => ({ kind: 'input', index })
  const node = (index: number): ClusterNode['args'][number] => ({ kind: 'node', index })
  const leaves: ClusterInput[] = [
    { kind: 'ref', ref: lhsSeen },
    { kind: 'ref', ref: rhsSeen },
    { kind: 'literal', value: 0 },
    { kind: 'literal', value: -0 },
  ]
  const nodes: ClusterNode[] = [{ prim: 'mul', params: {}, args: [input(0), input(1)], dtype, store: null }]
  if (roundsOnce) {
    nodes.push(
      { prim: 'compare', params: { op: 'equal' }, args: [input(0), input(2)], dtype: 'bool', store: null },
      { prim: 'compare', params: { op: 'equal' }, args: [input(1), input(2)], dtype: 'bool', store: null },
      { prim: 'where', params: {}, args: [node(2), input(2), input(3)], dtype, store: null },
      { prim: 'where', params: {}, args: [node(1), input(2), node(3)], dtype, store: null },
      { prim: 'add', params: {}, args: [node(0), node(4)], dtype, store: out },
    )
  } else {
    nodes.push({ prim: 'add', params: {}, args: [node(0), input(2)], dtype, store: out })
  }
  return { kind: 'cluster', shape: out.shape, inputs: leaves, nodes, reduction: null, eqns: 1 }
}

/**
 * `pad` and `concat` as fused loops into the result's planned buffer instead of evaluation rules: a pad fills
 * the buffer with zeros, then copies its input into the strided view of the interior; a concat copies each input
 * into its slice of the result. Copies are exact, so the bits are the evaluation rules'. null when an input is a
 * literal (the rule runs).
 */
const placedCopies = (e: Eqn, inputs: readonly (Ref | Literal)[], storeFor: (v: Var) => Ref): ClusterStep[] | null => {
  if (!inputs.every((r) => 'base' in r)) return null
  const refs = inputs as readonly Ref[]
  const out = storeFor(e.out)
  if (sizeOf(out.shape) === 0) return []
  if (e.prim === 'pad') {
    const { lo, interior } = e.params as { lo: readonly number[]; interior: readonly number[] }
    const x = refs[0] as Ref
    const offset = out.offset + lo.reduce((a, l, k) => a + l * (out.strides[k] as number), 0)
    const strides = out.strides.map((st, k) => st * ((interior[k] as number) + 1))
    const loops = [copyInto(0, out)]
    if (sizeOf(x.shape) > 0) loops.push(copyInto(x, { ...out, shape: x.shape, offset, strides }))
    return loops
  }
  const { axis } = e.params as { axis: number }
  let at = 0
  const loops: ClusterStep[] = []
  for (const x of refs) {
    if (sizeOf(x.shape) > 0) {
      loops.push(copyInto(x, { ...out, shape: x.shape, offset: out.offset + at * (out.strides[axis] as number) }))
    }
    at += x.shape[axis] as number
  }
  return loops
}

/** The view an equation makes of `r`, or null when its strides cannot express it (a reshape of a strided view). */
const viewOf = (e: Eqn, r: Ref): Ref | null => {
  const shape = e.out.aval.shape
  switch (e.prim) {
    case 'reshape': {
      const strides = reshapeStrides(r, shape)
      return strides === null ? null : { ...r, shape, strides }
    }
    case 'transpose': {
      const { perm } = e.params as { perm: readonly number[] }
      return { ...r, shape, strides: perm.map((p) => r.strides[p] as number) }
    }
    case 'broadcastTo': {
      const lead = shape.length - r.shape.length
      return {
        ...r,
        shape,
        strides: shape.map((d, k) => (k < lead || r.shape[k - lead] !== d ? 0 : (r.strides[k - lead] as number))),
      }
    }
    case 'slice': {
      const { starts, steps } = e.params as { starts: readonly number[]; steps: readonly number[] }
      let offset = r.offset
      starts.forEach((s, k) => {
        offset += s * (r.strides[k] as number)
      })
      if (sizeOf(shape) === 0) offset = r.offset
      return { ...r, shape, offset, strides: r.strides.map((s, k) => s * (steps[k] as number)) }
    }
    default:
      return null
  }
}
