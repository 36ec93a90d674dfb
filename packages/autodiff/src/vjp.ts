/**
 * Reverse mode: a trace that records, for every primitive applied to a differentiated
 * value, a node on a tape; the pullback walks the tape backwards applying VJP rules.
 * The rules are ordinary ops, so an outer transform traces the backward pass too —
 * that is what makes `grad(grad(f))` work.
 */
import { add, type NDArray, type Tree, treeFlatten, treeUnflatten } from '@nabla/ndarray'
import {
  bind,
  type MainTrace,
  newMain,
  type Params,
  type PrimitiveName,
  shapesEqual,
  Trace,
  type Tracer,
} from '@nabla/ndarray/core'
import { zerosOf } from './cotangent.js'
import { PrimalTracer } from './primalTracer.js'
import type { Tangent } from './rule.js'
import { rules } from './rules/index.js'

/** A step of the tape: how a differentiated value was computed. */
export interface Node {
  readonly id: number
  /** The tracers it consumed (constants included, with `node === null`). */
  readonly inputs: readonly VjpTracer[]
  /** Maps the output cotangent to input cotangents; null for a leaf (an argument). */
  readonly pullback: ((ct: NDArray, needs: readonly boolean[]) => readonly Tangent[]) | null
}

let nextId = 0

/** A value inside a reverse-mode transform: its primal, and its tape node if it depends on a differentiated input. */
export class VjpTracer extends PrimalTracer {
  constructor(
    readonly trace: VjpTrace,
    primal: NDArray,
    readonly node: Node | null,
  ) {
    super(primal)
  }
}

/** The reverse-mode interpreter: evaluates on primals and records nodes. */
export class VjpTrace extends Trace {
  pure(x: NDArray): VjpTracer {
    return new VjpTracer(this, x, null)
  }
  processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray {
    const tracers = inputs as readonly VjpTracer[]
    const primals = tracers.map((t) => t.primal)
    const out = bind(prim, primals, params)
    // a constant-only computation stays a constant: no node, no backward work
    if (tracers.every((t) => t.node === null)) return out
    const rule = rules[prim]
    return this.record(out, tracers, (ct, needs) => rule.vjp(ct, primals, out, params as never, needs))
  }
  /** A new tracer for `out`, computed from `inputs`, whose cotangent `pullback` maps back. */
  record(out: NDArray, inputs: readonly VjpTracer[], pullback: NonNullable<Node['pullback']>): VjpTracer {
    return new VjpTracer(this, out, { id: nextId++, inputs, pullback })
  }
  /** An argument being differentiated: a leaf of the tape. */
  leaf(x: NDArray): VjpTracer {
    return new VjpTracer(this, x, { id: nextId++, inputs: [], pullback: null })
  }
}

/** Cotangents of every node reachable from `roots`, by one reverse sweep in creation order. */
const backward = (roots: readonly [Node, NDArray][]): Map<Node, NDArray> => {
  const cts = new Map<Node, NDArray>()
  const seen = new Set<Node>()
  const order: Node[] = []
  const stack = roots.map(([n]) => n)
  while (stack.length > 0) {
    const n = stack.pop() as Node
    if (seen.has(n)) continue
    seen.add(n)
    order.push(n)
    for (const t of n.inputs) if (t.node !== null && !seen.has(t.node)) stack.push(t.node)
  }
  order.sort((a, b) => b.id - a.id)
  const accumulate = (n: Node, ct: NDArray): void => {
    const prev = cts.get(n)
    cts.set(n, prev === undefined ? ct : add(prev, ct))
  }
  for (const [n, ct] of roots) accumulate(n, ct)
  for (const n of order) {
    const ct = cts.get(n)
    if (ct === undefined || n.pullback === null) continue
    const needs = n.inputs.map((t) => t.node !== null)
    const inCts = n.pullback(ct, needs)
    n.inputs.forEach((t, i) => {
      const c = inCts[i]
      if (t.node !== null && c !== null && c !== undefined) accumulate(t.node, c)
    })
    // free the cotangent of an interior node as soon as it is consumed
    if (n.inputs.length > 0) cts.delete(n)
  }
  return cts
}

/** The primal and node of a value returned from the function under transform `main`. */
const splitVjp = (main: MainTrace, x: NDArray): [NDArray, Node | null] =>
  x instanceof VjpTracer && x.trace.main === main ? [x.primal, x.node] : [x, null]

/**
 * Evaluates `f` at `primals` and returns its value with a pullback: a function from an
 * output cotangent (same structure as the output) to the cotangents of every argument
 * (each the structure of its argument). Only arguments reach the tape; values `f` closes
 * over are constants.
 * @category Transforms
 * @example
 * const x = array([1, 2, 3])
 * const [y, pullback] = vjp((x) => mul(x, x), x)
 * toArray(y) // → [1, 4, 9]
 * // 2x
 * const [dx] = pullback(ones(y.shape))
 * toArray(dx) // → [2, 4, 6]
 */
export const vjp = <R extends Tree>(
  f: (...args: never[]) => R,
  ...primals: readonly Tree[]
): [R, (ct: R) => Tree[]] => {
  const [value, pullback] = vjpWithAux(
    (...a: never[]) => [f(...a), null] as const,
    primals,
    primals.map((_, i) => i),
  )
  return [value, pullback]
}

/** Replaces the tracers of `main` anywhere in `aux` by their values: no gradient flows through aux. */
const lowerAux = (main: MainTrace, aux: unknown): unknown => {
  if (aux instanceof VjpTracer && aux.trace.main === main) return aux.primal
  if (Array.isArray(aux)) return aux.map((a) => lowerAux(main, a))
  if (typeof aux === 'object' && aux !== null && Object.getPrototypeOf(aux) === Object.prototype) {
    return Object.fromEntries(Object.entries(aux).map(([k, v]) => [k, lowerAux(main, v)]))
  }
  return aux
}

/**
 * `vjp` differentiating only the arguments listed in `argnums` (the others are constants),
 * for a function returning `[out, aux]`: aux comes back as values, outside the tape. The
 * pullback returns one cotangent per entry of `argnums`, in that order.
 */
export const vjpWithAux = <R extends Tree, Aux>(
  f: (...args: never[]) => readonly [R, Aux],
  primals: readonly Tree[],
  argnums: readonly number[],
): [R, (ct: R) => Tree[], Aux] =>
  newMain(VjpTrace, null, (main) => {
    const trace = new VjpTrace(main)
    const flat = primals.map((p) => treeFlatten(p))
    const leaves = flat.map(([ls], i) => (argnums.includes(i) ? ls.map((x) => trace.leaf(x)) : ls))
    const args = flat.map(([, def], i) => treeUnflatten(def, leaves[i] as NDArray[]))
    const [out, aux] = (f as (...a: Tree[]) => readonly [R, Aux])(...args)
    const [outLeaves, outDef] = treeFlatten(out)
    const split = outLeaves.map((l) => splitVjp(main, l))
    const value = treeUnflatten(
      outDef,
      split.map(([p]) => p),
    ) as R
    const pullback = (ct: R): Tree[] => {
      const [cts] = treeFlatten(ct)
      if (cts.length !== split.length) {
        throw new RangeError(`vjp: the cotangent has ${cts.length} arrays, the output has ${split.length}`)
      }
      split.forEach(([p], i) => {
        const c = cts[i] as NDArray
        if (!shapesEqual(c.shape, p.shape)) {
          throw new RangeError(`vjp: cotangent ${i} has shape [${c.shape}], the output has [${p.shape}]`)
        }
      })
      const roots = split.flatMap(([, n], i): [Node, NDArray][] => (n === null ? [] : [[n, cts[i] as NDArray]]))
      const result = backward(roots)
      // cotangents of the differentiated arguments only: a constant (a data batch) costs no zeros
      return argnums.map((i) =>
        treeUnflatten(
          (flat[i] as (typeof flat)[number])[1],
          (leaves[i] as VjpTracer[]).map((l) => result.get(l.node as Node) ?? zerosOf(l)),
        ),
      )
    }
    return [value, pullback, lowerAux(main, aux) as Aux]
  })
