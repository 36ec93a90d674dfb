/**
 * vmap: automatic batching, after JAX's `batching.py`. Inside `vmap(f)`, every value is a tracer holding an
 * array for the whole batch and the axis of that array that runs over the examples (`null`: the same for every
 * example, JAX's `not_mapped`). Each primitive applied to such values runs once, on the whole batch, through its
 * batching rule (`batching/`), which moves a batch axis only when the primitive cannot take it where it is.
 */
import { isNDArray, type Key, type NDArray, split, stack } from '@nabla/ndarray'
import {
  batchedKey,
  bind,
  type MainTrace,
  newMain,
  type Params,
  type PrimitiveName,
  showShape,
  Trace,
  Tracer,
} from '@nabla/ndarray/core'
import { batchAt } from './batching/axes.js'
import { batchRules } from './batching/index.js'
import type { BatchDim } from './batching/rule.js'

/**
 * An axis to map over (negative counts from the end), or `null` for a value shared by every example.
 * @category Transforms
 * @example
 * const m = reshape(arange(6), [2, 3]) // [[0, 1, 2], [3, 4, 5]]
 * const last: Axis = -1
 * toArray(vmap((col) => sum(col), { inAxes: last })(m)) // → [3, 5, 7] // one sum per column
 * const shared: Axis = null
 * toArray(vmap((row, c) => add(row, c), { inAxes: [0, shared] })(m, array([10, 20, 30]))) // → [[10, 21, 32], [13, 24, 35]]
 */
export type Axis = number | null

/**
 * `inAxes` / `outAxes`: an axis or `null`, or lists and records of them matching (a prefix of) the values.
 * @category Transforms
 * @example
 * const params = { w: array([1, 2]), b: array([[0, 0], [10, 20]]) }
 * const inAxes: AxisTree = [{ w: null, b: 0 }] // one entry for the one argument: share w, map the rows of b
 * toArray(vmap((p) => add(p.w, p.b), { inAxes })(params)) // → [[1, 2], [11, 22]]
 * vmap((p) => p.w, { inAxes: [{ w: 0 }] })(params) // throws TypeError: inAxes does not match the structure of the arguments
 */
export type AxisTree = Axis | readonly AxisTree[] | { readonly [key: string]: AxisTree }

/**
 * Options of {@link vmap}.
 * @category Transforms
 * @example
 * const options: VmapOptions = { inAxes: [0, null], outAxes: 1 }
 * const scale = vmap((row, s) => mul(row, s), options)
 * toArray(scale(array([[1, 2], [3, 4]]), array(10))) // → [[10, 30], [20, 40]] // rows in, columns out
 * vmap((x) => x, { axes: 0 } as never) // throws TypeError: unknown option "axes"
 */
export interface VmapOptions {
  /**
   * Which axis of each argument runs over the examples (default 0 for every argument): one entry for all
   * arguments, or a list with one entry per argument; an entry is an axis, `null` (not mapped: every example
   * sees the whole value), or a list or record matching the argument's structure down to where an axis applies.
   */
  readonly inAxes?: AxisTree
  /** Where the example axis goes in each output (default 0), with the same kind of entries as `inAxes`. */
  readonly outAxes?: AxisTree
}

/**
 * The type of a value seen by the batched function where the original took `T`: arrays stay arrays (with one
 * more axis), a key may be a list of keys (one per example), lists and records map member by member.
 * @category Transforms
 * @example
 * // a key in one example's record becomes a list of keys, one per example, in the batched record
 * const perExample = (e: { x: NDArray; k: Key }) => add(e.x, uniform(e.k, [2]))
 * const batch: Batched<{ x: NDArray; k: Key }> = { x: zeros([3, 2]), k: split(key(0), 3) }
 * const out = vmap(perExample)(batch)
 * out.shape // → [3, 2]
 * const rows = toArray(out) as number[][]
 * rows[1] // → toArray(uniform(split(key(0), 3)[1]!, [2])) // example 1 drew with its own key
 */
export type Batched<T> = T extends Key
  ? T | readonly Key[]
  : T extends NDArray
    ? NDArray
    : T extends readonly unknown[]
      ? { [I in keyof T]: Batched<T[I]> }
      : T extends (...args: never[]) => unknown
        ? T
        : T extends object
          ? { [K in keyof T]: Batched<T[K]> }
          : T

/**
 * The arguments of a batched function, argument by argument.
 * @category Transforms
 * @example
 * const f = (w: NDArray, x: NDArray) => dot(w, x)
 * const args: BatchedArgs<Parameters<typeof f>> = [array([1, 1]), array([[1, 2], [3, 4]])]
 * toArray(vmap(f, { inAxes: [null, 0] })(...args)) // → [3, 7] // w shared, one x per row
 */
export type BatchedArgs<A extends readonly unknown[]> = { [I in keyof A]: Batched<A[I]> }

/**
 * The batched form of a function: its arguments and results as {@link Batched} says.
 * @category Transforms
 * @typeParam F - the type of the function batched.
 * @example
 * const sumOfSquares = (x: NDArray) => sum(square(x))
 * const perRow: BatchedFn<typeof sumOfSquares> = vmap(sumOfSquares)
 * toArray(perRow(array([[3, 4], [1, 0]]))) // → [25, 1]
 */
// biome-ignore lint/suspicious/noExplicitAny: matches any function's parameters
export type BatchedFn<F extends (...args: any[]) => unknown> = (
  ...args: BatchedArgs<Parameters<F>>
) => Batched<ReturnType<F>>

interface BatchInfo {
  readonly size: number
}

/**
 * A value inside `vmap`: the array for the whole batch and its example axis (`bdim`, null when unmapped); its
 * shape is one example's.
 * @example
 * // internal (not exported): what the function given to vmap sees — one example's shape
 * let shape
 * vmap((x) => {
 *   shape = x.shape
 *   return x
 * })(zeros([8, 3]))
 * shape // → [3]
 */
export class BatchTracer extends Tracer {
  readonly shape: readonly number[]
  constructor(
    readonly trace: BatchTrace,
    readonly val: NDArray,
    readonly bdim: BatchDim,
  ) {
    super()
    this.shape = bdim === null ? val.shape : val.shape.filter((_, i) => i !== bdim)
  }
  get dtype(): NDArray['dtype'] {
    return this.val.dtype
  }
  override fullLower(): NDArray {
    return this.bdim === null ? this.val : this
  }
}

/**
 * The batching interpreter: applies each primitive's batching rule to the whole batch at once.
 * @example
 * // internal (not exported): vmap runs f as newMain(BatchTrace, { size: 8 }, (main) => f(new BatchTracer(new
 * // BatchTrace(main), xs, 0))); each primitive f applies then runs once, on the whole batch, by its batch rule
 * vmap((x) => sum(exp(x)))(zeros([8, 3])).shape // → [8]
 */
export class BatchTrace extends Trace {
  pure(x: NDArray): BatchTracer {
    return new BatchTracer(this, x, null)
  }
  processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray {
    const tracers = inputs as readonly BatchTracer[]
    const vals = tracers.map((t) => t.val)
    const dims = tracers.map((t) => t.bdim)
    if (dims.every((d) => d === null)) return bind(prim, vals, params)
    const { size } = this.main.globalData as BatchInfo
    const [out, d] = batchRules[prim](vals, dims, params as never, size)
    return new BatchTracer(this, out, d)
  }
}

/**
 * The underlying array and example axis of `x` as seen from the vmap level `main`.
 * @example
 * // internal (not exported): for a tracer of this vmap, its [8, 3] array and axis 0; for a value from
 * // outside, [x, null] — shared by every example
 * const c = array([1, 2, 3])
 * toArray(vmap((x) => add(x, c))(zeros([2, 3]))) // → [[1, 2, 3], [1, 2, 3]]
 */
export const unbatch = (main: MainTrace, x: NDArray): [NDArray, BatchDim] =>
  x instanceof BatchTracer && x.trace.main === main ? [x.val, x.bdim] : [x, null]

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype

const isKey = (x: unknown): x is Key =>
  typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'nabla.key'

/** A list of keys (such as `split(k, n)`): what vmap maps over to give each example its own key. */
const isKeyList = (x: unknown): x is readonly Key[] => Array.isArray(x) && x.length > 0 && x.every(isKey)

const describe = (x: unknown): string => {
  if (x === null || x === undefined) return String(x)
  if (isNDArray(x)) return `an NDArray of shape ${showShape(x.shape)}`
  if (isKey(x)) return 'a key'
  if (Array.isArray(x)) return `a list of ${x.length}`
  if (isRecord(x)) return `a record with keys ${Object.keys(x).sort().join(', ') || '(none)'}`
  if (typeof x === 'number') return `the number ${x}`
  if (typeof x === 'string') return `the string ${JSON.stringify(x)}`
  if (typeof x === 'object') return `a ${(x as object).constructor?.name ?? 'object'}`
  return `a ${typeof x}`
}

const checkAxisTree = (what: string, t: unknown, path: string): void => {
  if (t === null) return
  if (typeof t === 'number') {
    if (!Number.isInteger(t)) throw new TypeError(`vmap: ${what}${path} must be an integer axis or null, got ${t}`)
    return
  }
  if (Array.isArray(t)) {
    t.forEach((c, i) => {
      checkAxisTree(what, c, `${path}[${i}]`)
    })
    return
  }
  if (isRecord(t)) {
    for (const [k, v] of Object.entries(t)) checkAxisTree(what, v, `${path}.${k}`)
    return
  }
  throw new TypeError(
    `vmap: ${what}${path} must be an integer axis, null, or a list or record of them, got ${describe(t)}`,
  )
}

/**
 * Walks `spec` down `value` as a prefix: where `spec` is an axis or null, `leaf` gets the whole subtree there.
 * `what` names the spec and `noun` the value in errors.
 */
const matchPrefix = (
  what: 'inAxes' | 'outAxes',
  spec: AxisTree,
  value: unknown,
  path: string,
  leaf: (value: unknown, axis: Axis, path: string) => unknown,
): unknown => {
  if (spec === null || typeof spec === 'number') return leaf(value, spec, path)
  const mismatch = (expected: string): TypeError =>
    new TypeError(
      `vmap: ${what} does not match the structure of ${path.startsWith('output') ? "the function's output" : 'the arguments'}: ` +
        `at ${path}, ${what} is ${expected} but the value is ${describe(value)}`,
    )
  if (Array.isArray(spec)) {
    if (!Array.isArray(value) || value.length !== spec.length) throw mismatch(`a list of ${spec.length}`)
    return value.map((v, i) => matchPrefix(what, spec[i] as AxisTree, v, `${path}[${i}]`, leaf))
  }
  const keys = Object.keys(spec).sort()
  if (!isRecord(value)) throw mismatch(`a record with keys ${keys.join(', ')}`)
  const valueKeys = Object.keys(value).sort()
  if (keys.join('\u0000') !== valueKeys.join('\u0000')) throw mismatch(`a record with keys ${keys.join(', ')}`)
  return Object.fromEntries(
    keys.map((k) => [
      k,
      matchPrefix(what, (spec as Record<string, AxisTree>)[k] as AxisTree, value[k], `${path}.${k}`, leaf),
    ]),
  )
}

/** Applies `f` to every array (or key list, or key) of a subtree, keeping its lists and records; `other` handles the rest. */
const mapLeaves = (
  value: unknown,
  path: string,
  f: (leaf: NDArray | readonly Key[] | Key, path: string) => unknown,
  other: (value: unknown, path: string) => unknown,
): unknown => {
  if (isNDArray(value) || isKeyList(value) || isKey(value)) return f(value, path)
  if (Array.isArray(value)) return value.map((v, i) => mapLeaves(v, `${path}[${i}]`, f, other))
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, mapLeaves(value[k], `${path}.${k}`, f, other)]),
    )
  }
  return other(value, path)
}

/** `axis` as a non-negative axis of a value of rank `rank`, or an error naming the value (`what` its role). */
const normalize = (what: 'inAxes' | 'outAxes', axis: number, rank: number, name: string, about: string): number => {
  if (axis >= -rank && axis < rank) return axis < 0 ? axis + rank : axis
  const expected = rank === 0 ? 'a scalar has no axis to map over' : `expected an axis in ${-rank}…${rank - 1}`
  throw new RangeError(`vmap: ${what} ${axis} is out of range for ${name} (${about}): ${expected}`)
}

/** Batched keys made for mapped key lists, with the level and the keys they stand for. */
const keyLists = new WeakMap<Key, { readonly main: MainTrace; readonly keys: readonly Key[] }>()

/** One key per example, as the random functions see it: they draw per key and the draws are stacked. */
const keyBatch = (main: MainTrace, keys: readonly Key[]): Key => {
  const k = batchedKey({
    sample: (draw) => new BatchTracer(new BatchTrace(main), stack(keys.map(draw)), 0),
    split: (n) => {
      const parts = keys.map((one) => split(one, n))
      return Array.from({ length: n }, (_, j) =>
        keyBatch(
          main,
          parts.map((p) => p[j] as Key),
        ),
      )
    },
  })
  keyLists.set(k, { main, keys })
  return k
}

interface Mapped {
  readonly path: string
  readonly axis: number
  readonly size: number
  readonly what: string
}

/**
 * `f` mapped over an axis of its arguments: `vmap(f)(xs)` equals stacking `f` of each example, computed as one
 * batched computation (JAX's `vmap`). `inAxes` says which axis of each argument runs over the examples (`null`:
 * an argument every example shares), `outAxes` where that axis goes in the results. A list of keys
 * (`split(k, n)`) maps like an array: each example gets its own key, and random draws are independent per example
 * (they run per key, stacked); like any leaf of a list, each key list in a list of them is mapped. Composes with every transform: `vmap(grad(f))` gives per-example gradients,
 * `jit(vmap(f))` compiles the batched program, `vmap(vmap(f))` maps over two axes.
 * @category Transforms
 * @typeParam F - the type of `f`; the batched function's is `BatchedFn<F>`.
 * @example
 * // one sum of squares per row of xs
 * const xs = array([[1, 2], [3, 4]])
 * toArray(vmap((x) => sum(mul(x, x)))(xs)) // → [5, 25]
 * // per-example gradients of (w·x − y)²
 * const loss = (w, x, y) => square(sub(mul(w, x), y))
 * toArray(vmap(grad(loss), { inAxes: [null, 0, 0] })(array(1), array([1, 2, 3]), zeros([3]))) // → [2, 8, 18]
 * // columns of m times v
 * const m = array([[1, 2], [3, 4]])
 * toArray(vmap((a, b) => dot(a, b), { inAxes: [1, null] })(m, array([1, 1]))) // → [4, 6]
 * // columns of m doubled, kept as columns
 * toArray(vmap((col) => mul(col, 2), { inAxes: 1, outAxes: 1 })(m)) // → [[2, 4], [6, 8]]
 */
// biome-ignore lint/suspicious/noExplicitAny: an unannotated `(x) => …` must stay callable with arrays and pytrees
export const vmap = <F extends (...args: any[]) => unknown>(f: F, options: VmapOptions = {}): BatchedFn<F> => {
  if (typeof f !== 'function') throw new TypeError(`vmap: expected a function to batch, got ${describe(f)}`)
  if (!isRecord(options))
    throw new TypeError(`vmap: options must be a record { inAxes, outAxes }, got ${describe(options)}`)
  for (const name of Object.keys(options)) {
    if (name !== 'inAxes' && name !== 'outAxes') {
      throw new TypeError(`vmap: unknown option "${name}"; the options are inAxes, outAxes`)
    }
  }
  const { inAxes = 0, outAxes = 0 } = options as VmapOptions
  checkAxisTree('inAxes', inAxes, '')
  checkAxisTree('outAxes', outAxes, '')
  if (isRecord(inAxes)) {
    throw new TypeError(
      `vmap: inAxes must be an axis, null, or a list with one entry per argument, got ${describe(inAxes)}; for a record argument write inAxes: [{ … }]`,
    )
  }
  const batched = (...args: unknown[]): unknown => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new RangeError(
        `vmap: inAxes has ${inAxes.length} entries (one per argument), but the function was called with ${args.length} argument(s)`,
      )
    }
    const specs = args.map((_, i) => (Array.isArray(inAxes) ? (inAxes[i] as AxisTree) : inAxes))
    const mapped: Mapped[] = []
    const onArgument =
      (visit: (leaf: NDArray | readonly Key[], axis: number, path: string) => unknown) =>
      (value: unknown, axis: Axis, path: string): unknown =>
        axis === null
          ? value
          : mapLeaves(
              value,
              path,
              (leaf, p) => {
                if (isKey(leaf)) {
                  throw new TypeError(
                    `vmap: ${p} is a single key, which has no axis to map over (inAxes ${axis}); to give each example its own key pass a list of keys (split(k, n)), or give it inAxes null to share it`,
                  )
                }
                return visit(leaf, axis, p)
              },
              (v, p) => {
                throw new TypeError(
                  `vmap: ${p} is ${describe(v)}, but inAxes maps it (axis ${axis}); only NDArrays (and lists of keys) can be mapped: give it inAxes null to pass it unchanged to every example`,
                )
              },
            )
    // first pass: the mapped arrays and their batch sizes
    args.forEach((a, i) => {
      matchPrefix(
        'inAxes',
        specs[i] as AxisTree,
        a,
        `argument ${i}`,
        onArgument((leaf, axis, path) => {
          if (isNDArray(leaf)) {
            const ax = normalize('inAxes', axis, leaf.rank, path, `shape ${showShape(leaf.shape)}, rank ${leaf.rank}`)
            mapped.push({ path, axis: ax, size: leaf.shape[ax] as number, what: `shape ${showShape(leaf.shape)}` })
          } else {
            normalize('inAxes', axis, 1, path, `a list of ${leaf.length} keys, one axis`)
            mapped.push({ path, axis: 0, size: leaf.length, what: `a list of ${leaf.length} keys` })
          }
          return leaf
        }),
      )
    })
    const first = mapped[0]
    if (first === undefined) {
      throw new TypeError(
        `vmap: no argument is mapped: ${args.length === 0 ? 'the function was called with no arguments' : 'every inAxes entry is null or covers no arrays'}; map at least one array argument (e.g. inAxes: 0)`,
      )
    }
    if (mapped.some((m) => m.size !== first.size)) {
      throw new RangeError(
        `vmap: the mapped arguments have different batch sizes: ${mapped
          .map((m) => `${m.path} (${m.what}) has size ${m.size} along axis ${m.axis}`)
          .join(', ')}; every mapped axis must have the same size`,
      )
    }
    const size = first.size
    return newMain(BatchTrace, { size } satisfies BatchInfo, (main) => {
      const trace = new BatchTrace(main)
      const inner = args.map((a, i) =>
        matchPrefix(
          'inAxes',
          specs[i] as AxisTree,
          a,
          `argument ${i}`,
          onArgument((leaf, axis) =>
            isNDArray(leaf)
              ? new BatchTracer(trace, leaf, axis < 0 ? axis + leaf.rank : axis)
              : keyBatch(main, leaf as readonly Key[]),
          ),
        ),
      )
      const out = (f as unknown as (...a: unknown[]) => unknown)(...inner)
      return matchPrefix('outAxes', outAxes, out, 'output', (value, axis, path) =>
        mapLeaves(
          value,
          path,
          (leaf, p) => outputLeaf(main, size, leaf, axis, p),
          (v, p) => {
            if (axis === null) return v
            throw new TypeError(
              `vmap: outAxes gives ${p} axis ${axis}, but it is ${describe(v)}, not an NDArray; the function must return NDArrays (or lists and records of them) where outAxes places an axis, or give that output outAxes null`,
            )
          },
        ),
      )
    })
  }
  Object.defineProperty(batched, 'name', { value: `vmap(${f.name || 'anonymous'})` })
  return batched as BatchedFn<F>
}

/** One output of the batched function: its example axis moved to (or, unmapped, broadcast along) `axis`. */
const outputLeaf = (
  main: MainTrace,
  size: number,
  leaf: NDArray | readonly Key[] | Key,
  axis: Axis,
  path: string,
): unknown => {
  if (isNDArray(leaf)) {
    const [val, d] = unbatch(main, leaf)
    if (axis === null) {
      if (d !== null) {
        throw new TypeError(
          `vmap: ${path} differs from example to example, but its outAxes is null (which asks for one value shared by every example); give it an axis such as 0`,
        )
      }
      return val
    }
    const about = `shape ${showShape(leaf.shape)} per example, so rank ${leaf.rank + 1} with the example axis`
    return batchAt(val, d, normalize('outAxes', axis, leaf.rank + 1, path, about), size)
  }
  if (isKeyList(leaf)) return leaf.map((k) => outputLeaf(main, size, k, axis, path))
  const batch = keyLists.get(leaf as Key)
  const own = batch !== undefined && batch.main === main
  if (axis === null) {
    if (own) {
      throw new TypeError(
        `vmap: ${path} is a key that differs from example to example, but its outAxes is null; give it axis 0 to get the list of keys`,
      )
    }
    return leaf
  }
  normalize('outAxes', axis, 1, path, 'a key per example, returned as a list of keys')
  return own ? [...batch.keys] : Array.from({ length: size }, () => leaf)
}
