/**
 * jit: a function transform after JAX's. The first call with arguments of given structure, shapes and dtypes
 * (and static arguments of given values) stages the function into a program (`traceToJaxpr`) and compiles it
 * (`compileJaxpr`); later calls with the same signature run the compiled program. Under another transform — a
 * `grad` or `jvp` of a jitted function, or a jit inside a jit — the function is inlined into that trace.
 */
import { isNDArray, type NDArray, type Tree, type TreeDef, treeFlatten, treeUnflatten } from '@nabla/ndarray'
import { Concrete, type ShapedArray } from '@nabla/ndarray/core'
import { type CompileOptions, compileJaxpr, type Executable } from './compile/compileJaxpr.js'
import { consumeDonated, isDonated } from './donate.js'
import type { Jaxpr } from './jaxpr.js'
import { ClosedOverTracer, traceToJaxpr } from './stage.js'

/**
 * Options of {@link jit}.
 * @category Transforms
 * @example
 * const options: JitOptions = { staticArgnums: 1 }
 * const scale = jit((x, n) => mul(x, n), options)
 * toArray(scale(array([1, 2]), 3)) // → [3, 6]
 * scale.traceCount // → 1
 * jit((x) => x, { staticArgnums: -1 }) // throws RangeError: staticArgnums must be non-negative integers
 */
export interface JitOptions extends CompileOptions {
  /**
   * Arguments that are ordinary JS values (numbers, strings, booleans, null, and lists or plain records of them)
   * rather than arrays: the program is specialised to their values, and a new value traces a new program.
   */
  readonly staticArgnums?: number | readonly number[]
  /**
   * Arguments whose arrays the caller gives up: the program may write its results into their storage, and the
   * arrays can no longer be read (reading one, or passing it to a jitted function again, is an error).
   */
  readonly donateArgnums?: number | readonly number[]
  /** Called each time the function is traced (a new signature): the debug event of a retrace. */
  readonly onTrace?: (event: TraceEvent) => void
}

/**
 * What `onTrace` receives: the signature that was traced and how many programs the function now holds.
 * @category Transforms
 * @example
 * const events: TraceEvent[] = []
 * const f = jit((x, n) => mul(x, n), { staticArgnums: 1, onTrace: (e) => events.push(e) })
 * f(zeros([2]), 3)
 * f(zeros([2]), 3) // the same signature: no trace
 * f(zeros([3]), 3)
 * events.map((e) => [e.signature, e.traces]) // → [['*:float32[2]|s3', 1], ['*:float32[3]|s3', 2]]
 * events[0].jaxpr.eqns.map((e) => e.prim) // → ['mul']
 */
export interface TraceEvent {
  readonly signature: string
  readonly traces: number
  readonly jaxpr: Jaxpr
}

/**
 * A jitted function: the function itself, plus what it has compiled.
 * @category Transforms
 * @typeParam F - the type of the function jitted.
 * @example
 * const total: Jitted<(x: NDArray) => NDArray> = jit((x) => sum(x))
 * total.lower(zeros([4])).eqns.map((e) => e.prim) // → ['reduceSum']
 * total.traceCount // → 1
 * item(total(ones([4]))) // → 4
 * total.traceCount // → 1
 */
export type Jitted<F extends (...args: never[]) => unknown> = F & {
  /** How many times the function has been traced (one per distinct signature). */
  readonly traceCount: number
  /** The program for these arguments (tracing it if needed), without running it. */
  lower(...args: Parameters<F>): Jaxpr
}

interface Entry {
  readonly jaxpr: Jaxpr
  readonly outDef: TreeDef
  readonly exe: Executable
}

const argnumList = (op: string, name: string, nums: number | readonly number[] | undefined): number[] => {
  const list = nums === undefined ? [] : typeof nums === 'number' ? [nums] : [...nums]
  for (const n of list) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${op}: ${name} must be non-negative integers, got ${n}`)
  }
  return list
}

const describe = (x: unknown): string =>
  x === null
    ? 'null'
    : Array.isArray(x)
      ? 'a list'
      : typeof x === 'object'
        ? `a ${(x as object).constructor?.name ?? 'object'}`
        : typeof x

/** The cache key of a static argument: its value as JSON, for the plain values that have one. */
const staticKey = (i: number, v: unknown): string => {
  const walk = (x: unknown): string => {
    if (x === undefined) return 'undefined'
    if (x === null || typeof x === 'boolean' || typeof x === 'string') return JSON.stringify(x)
    if (typeof x === 'number') return Object.is(x, -0) ? '-0' : String(x) // NaN, Infinity and −0 kept apart
    if (Array.isArray(x)) return `[${x.map(walk).join(',')}]`
    if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
      return `{${Object.keys(x)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${walk((x as Record<string, unknown>)[k])}`)
        .join(',')}}`
    }
    throw new TypeError(
      `jit: static argument ${i} contains ${describe(x)}, which cannot be a cache key; static arguments must be numbers, strings, booleans, null or lists and plain records of them (pass arrays as ordinary arguments)`,
    )
  }
  return walk(v)
}

const defKey = (d: TreeDef): string =>
  d.kind === 'leaf'
    ? '*'
    : d.kind === 'list'
      ? `[${d.children.map(defKey).join(',')}]`
      : `{${d.keys.map((k, i) => `${k}:${defKey(d.children[i] as TreeDef)}`).join(',')}}`

/**
 * `f` compiled: traced once per signature (structure, shapes and dtypes of its array arguments, values of its
 * static ones) into a program of nabla's primitives, which later calls run without tracing. The compiled
 * program gives the same bits as `f` run eagerly on the same kernel tier. Values must not be read inside `f`
 * (no `item` or `toArray` of an argument, no `if` on one): make such a value a static argument instead.
 * @category Transforms
 * @typeParam F - the type of `f`, which the jitted function keeps.
 * @example
 * const f = jit((x, n) => mul(x, n), { staticArgnums: [1] })
 * const x = array([1, 2, 3])
 * toArray(f(x, 2)) // → [2, 4, 6]
 * f.traceCount // → 1
 * // f(x, 2) again runs the compiled program; f(x, 3) traces anew
 * toArray(f(x, 2)) // → [2, 4, 6]
 * toArray(f(x, 3)) // → [3, 6, 9]
 * f.traceCount // → 2
 * // donateArgnums: the step may write its result over w's storage, and w can no longer be read
 * const step = jit((w, g) => sub(w, mul(g, 0.5)), { donateArgnums: [0] })
 * const w = ones([3])
 * const next = step(w, ones([3]))
 * toArray(next) // → [0.5, 0.5, 0.5]
 * toArray(w) // throws: was donated to a jitted function
 */
export const jit = <F extends (...args: never[]) => unknown>(f: F, options: JitOptions = {}): Jitted<F> => {
  const statics = argnumList('jit', 'staticArgnums', options.staticArgnums)
  const donated = argnumList('jit', 'donateArgnums', options.donateArgnums)
  const both = donated.find((d) => statics.includes(d))
  if (both !== undefined) throw new RangeError(`jit: argument ${both} cannot be both static and donated`)
  const cache = new Map<string, Entry>()
  let traces = 0

  const signature = (args: readonly unknown[]) => {
    for (const s of statics) {
      if (s >= args.length) {
        throw new RangeError(`jit: staticArgnums names argument ${s}, but the function was called with ${args.length}`)
      }
    }
    const dynamic: number[] = []
    const leaves: NDArray[] = []
    const defs: TreeDef[] = []
    const parts: string[] = []
    args.forEach((a, i) => {
      if (statics.includes(i)) {
        parts.push(`s${staticKey(i, a)}`)
        return
      }
      let flat: [NDArray[], TreeDef]
      try {
        flat = treeFlatten(a as Tree)
      } catch (e) {
        throw new TypeError(
          `jit: argument ${i} must be an NDArray or a list or record of them, but ${(e as Error).message.replace(/^tree: /, '')}; a plain JS value can be marked static with staticArgnums: [${i}]`,
        )
      }
      dynamic.push(i)
      defs.push(flat[1])
      for (const x of flat[0]) {
        if (isDonated(x)) {
          throw new TypeError(
            `jit: argument ${i} holds an array that was donated to a jitted function (donateArgnums) and whose storage was reused; pass that function's result instead`,
          )
        }
      }
      leaves.push(...flat[0])
      parts.push(`${defKey(flat[1])}:${flat[0].map((x) => `${x.dtype}[${x.shape}]`).join(';')}`)
    })
    return { key: parts.join('|'), dynamic, leaves, defs }
  }

  /** The arguments rebuilt around `leaves` (tracers or arrays), statics in place. */
  const rebuild = (args: readonly unknown[], sig: ReturnType<typeof signature>, leaves: readonly NDArray[]) => {
    const out = [...args]
    let k = 0
    sig.dynamic.forEach((i, j) => {
      const def = sig.defs[j] as TreeDef
      const n = treeFlatten(args[i] as Tree)[0].length
      out[i] = treeUnflatten(def, leaves.slice(k, k + n))
      k += n
    })
    return out
  }

  const entryFor = (args: readonly unknown[], sig: ReturnType<typeof signature>): Entry => {
    const cached = cache.get(sig.key)
    if (cached !== undefined) return cached
    const avals: ShapedArray[] = sig.leaves.map((x) => ({ shape: x.shape, dtype: x.dtype }))
    const { jaxpr, outDef } = traceToJaxpr('jit', f, avals, (ls) => rebuild(args, sig, ls))
    const donatedInputs = donatedLeafMask(sig, donated)
    const entry: Entry = { jaxpr, outDef, exe: compileJaxpr(jaxpr, { ...options, donated: donatedInputs }) }
    cache.set(sig.key, entry)
    traces++
    options.onTrace?.({ signature: sig.key, traces, jaxpr })
    return entry
  }

  const call = (...args: unknown[]): unknown => {
    const sig = signature(args)
    // under another transform, or given its tracers: inline f into that trace
    if (!sig.leaves.every((x) => x instanceof Concrete)) return (f as unknown as (...a: unknown[]) => unknown)(...args)
    let entry: Entry
    try {
      entry = entryFor(args, sig)
    } catch (e) {
      // f closed over a tracer of an enclosing transform: only that transform can see f's ops
      if (e instanceof ClosedOverTracer) return (f as unknown as (...a: unknown[]) => unknown)(...args)
      throw e
    }
    const outs = entry.exe.run(sig.leaves as Concrete[])
    consumeDonated(sig.leaves, donatedLeafMask(sig, donated))
    return treeUnflatten(entry.outDef, outs)
  }

  return Object.defineProperties(call, {
    traceCount: { get: () => traces },
    lower: {
      value: (...args: unknown[]): Jaxpr => {
        const sig = signature(args)
        if (!sig.leaves.every(isNDArray)) throw new TypeError('jit: lower takes arrays')
        return entryFor(args, sig).jaxpr
      },
    },
    name: { value: `jit(${f.name || 'anonymous'})` },
  }) as unknown as Jitted<F>
}

/** Which flat input leaves belong to donated arguments. */
const donatedLeafMask = (
  sig: { dynamic: readonly number[]; defs: readonly TreeDef[]; leaves: readonly NDArray[] },
  donated: readonly number[],
): boolean[] => {
  const mask: boolean[] = []
  sig.dynamic.forEach((i, j) => {
    const n = countLeaves(sig.defs[j] as TreeDef)
    for (let k = 0; k < n; k++) mask.push(donated.includes(i))
  })
  return mask
}

const countLeaves = (d: TreeDef): number =>
  d.kind === 'leaf' ? 1 : d.children.reduce((acc, c) => acc + countLeaves(c), 0)
