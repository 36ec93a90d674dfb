/**
 * The traceable core, after JAX's Autodidax: every op is a primitive applied through
 * `bind`. With no transform active, `bind` evaluates with the kernels; inside a
 * transform, the innermost trace that owns one of the inputs applies its rule.
 */
import { Concrete, NDArray } from './ndarray.js'
import type { Params, PrimitiveName } from './primitive.js'

/**
 * The evaluation rule of a primitive on concrete arrays.
 * @category Tracing
 * @example
 * // an evaluation rule for neg, written with another primitive's
 * const negate: Impl<'neg'> = ([x]) => evalPrimitive('mul', [x!, array(-1)], {})
 * const y = negate([array([1, -2]) as Concrete], {})
 * y instanceof Concrete // → true
 * toArray(y)            // → [-1, 2]
 */
export type Impl<P extends PrimitiveName> = (inputs: readonly Concrete[], params: Params<P>) => Concrete

const impls: { [P in PrimitiveName]?: Impl<P> } = {}

/**
 * Registers the evaluation rule of a primitive (ndarray's own, or one another package
 * adds by augmenting `PrimitiveParams`, as linalg does for `dotGeneral`).
 * @category Tracing
 * @example
 * import type { PrimitiveName } from '@nabla/ndarray/core'
 * // a new primitive (its params typed by augmenting PrimitiveParams, as autodiff does for stopGradient)
 * registerImpl('doctestDouble' as PrimitiveName, ([x]) => evalPrimitive('add', [x!, x!], {}))
 * toArray(bind('doctestDouble' as PrimitiveName, [array([1, 2])], {} as never)) // → [2, 4]
 */
export const registerImpl = <P extends PrimitiveName>(prim: P, impl: Impl<P>): void => {
  ;(impls as Record<string, unknown>)[prim] = impl
}

/**
 * A level of the interpreter stack: one active transform.
 * @category Tracing
 * @example
 * class Eager extends Trace {
 *   pure(x: NDArray): Tracer { return x as Tracer }
 *   processPrimitive(p: PrimitiveName, xs: readonly NDArray[], params: never): NDArray { return evalPrimitive(p, xs, params) }
 * }
 * const main: MainTrace = newMain(Eager, 'data', (m) => m)
 * main.level               // → 1 // the first level above evaluation
 * main.traceType === Eager // → true
 * main.globalData          // → 'data'
 */
export interface MainTrace {
  readonly level: number
  readonly traceType: new (main: MainTrace) => Trace
  readonly globalData: unknown
}

/**
 * An interpreter: how one transform handles primitives applied to its tracers.
 * @category Tracing
 * @example
 * // a transform that logs the primitives it sees, then evaluates them
 * const seen: string[] = []
 * class Logging extends Trace {
 *   pure(x: NDArray): Tracer { return x as Tracer }
 *   processPrimitive(p: PrimitiveName, xs: readonly NDArray[], params: never): NDArray {
 *     seen.push(p)
 *     return evalPrimitive(p, xs, params)
 *   }
 * }
 * toArray(newMain(Logging, null, (main) => withDynamicTrace(main, () => sub(exp(array([0])), 1)))) // → [0]
 * seen // → ['exp', 'sub']
 */
export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Wraps a value from outside this transform (a constant to it). */
  abstract pure(x: NDArray): Tracer
  /** Wraps a tracer of a lower (outer) transform. */
  lift(x: NDArray): Tracer {
    return this.pure(x)
  }
  /** Applies `prim` to `inputs`, tracers of this transform: its rule for the primitive (e.g. JVP, batching). */
  abstract processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray
}

/**
 * An array seen by a transform: it has a shape and dtype, but its values belong to the
 * transform. Reading them (`toArray`, `item`) is an error, never a silent wrong answer.
 * @category Tracing
 * @example
 * // a bare tracer: a shape and a dtype, no values to read
 * class Opaque extends Tracer {
 *   constructor(readonly trace: Trace, readonly shape: Shape, readonly dtype: DType) { super() }
 * }
 * const t = new Opaque(null as never, [2], 'float32')
 * String(t)           // → '<a traced array (shape [2], float32)>' // as text it describes itself
 * t.fullLower() === t // → true
 * toArray(t)          // throws: cannot read the values of a traced array
 * Number(t)           // throws TypeError: cannot use a traced array (shape [2], float32) as a JavaScript number
 */
export abstract class Tracer extends NDArray {
  abstract readonly trace: Trace;
  /**
   * A traced array has no value to give JavaScript's arithmetic or comparisons (`1 + x`, `x > 0`, `Math.exp(x)`):
   * that is an error saying so, rather than a silent NaN or string. As text (a template string) it describes itself.
   */
  [Symbol.toPrimitive](hint: string): string {
    const what = `a traced array (shape [${this.shape.join(',')}], ${this.dtype})`
    if (hint === 'string') return `<${what}>`
    throw new TypeError(
      `cannot use ${what} as a JavaScript number inside a transform such as grad or jit (in arithmetic, a comparison or a Math function); ` +
        'use array ops (add, mul, greater, exp, …) instead, or make the value a static argument of jit (staticArgnums)',
    )
  }
  /** The plainest value this tracer stands for (itself, unless the trace can drop it). */
  fullLower(): NDArray {
    return this
  }
}

/** The bottom of the stack: evaluates primitives with their kernels. */
class EvalTrace extends Trace {
  pure(): Tracer {
    throw new Error('internal: EvalTrace has no tracers')
  }
  processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray {
    return evalPrimitive(prim, inputs as unknown as readonly NDArray[], params)
  }
}

const traceStack: MainTrace[] = [{ level: 0, traceType: EvalTrace, globalData: null }]
let dynamicTrace: MainTrace | null = null

/**
 * Runs `fn` with a new transform level pushed on the interpreter stack.
 * @category Tracing
 * @example
 * import type { PrimitiveName } from '@nabla/ndarray/core'
 * // a transform that records each primitive it sees, then evaluates it
 * const seen: string[] = []
 * class LogTracer extends Tracer {
 *   constructor(readonly trace: Trace, readonly value: NDArray) {
 *     super()
 *   }
 *   get shape() {
 *     return this.value.shape
 *   }
 *   get dtype() {
 *     return this.value.dtype
 *   }
 * }
 * class LogTrace extends Trace {
 *   pure(x: NDArray): Tracer {
 *     return new LogTracer(this, x)
 *   }
 *   processPrimitive(prim: PrimitiveName, inputs: readonly Tracer[], params: never): NDArray {
 *     seen.push(prim)
 *     return new LogTracer(this, evalPrimitive(prim, inputs.map((t) => (t as LogTracer).value), params))
 *   }
 * }
 * const y = newMain(LogTrace, null, (main) => {
 *   const x = new LogTrace(main).pure(array([1, 2]))
 *   return (add(mul(x, 2), 1) as LogTracer).value
 * })
 * toArray(y) // → [3, 5]
 * seen       // → ['mul', 'add']
 */
export const newMain = <R>(traceType: MainTrace['traceType'], globalData: unknown, fn: (main: MainTrace) => R): R => {
  const main: MainTrace = { level: traceStack.length, traceType, globalData }
  traceStack.push(main)
  try {
    return fn(main)
  } finally {
    traceStack.pop()
  }
}

/**
 * Makes `main` the dynamic trace while `fn` runs, so it sees ops on constants too (as JAX's `jit`/`vmap` do).
 * @category Tracing
 * @example
 * import type { PrimitiveName } from '@nabla/ndarray/core'
 * const seen: string[] = []
 * class CountTrace extends Trace {
 *   pure(x: NDArray): Tracer {
 *     return x as Tracer // a counting trace leaves values as they are
 *   }
 *   processPrimitive(prim: PrimitiveName, inputs: readonly NDArray[], params: never): NDArray {
 *     seen.push(prim)
 *     return evalPrimitive(prim, inputs, params) // constants stay concrete
 *   }
 * }
 * // ops on constants alone reach the trace only while it is the dynamic one
 * newMain(CountTrace, null, (main) => add(array([1]), 1))
 * seen // → []
 * toArray(newMain(CountTrace, null, (main) => withDynamicTrace(main, () => add(array([1]), 1)))) // → [2]
 * seen // → ['add']
 */
export const withDynamicTrace = <R>(main: MainTrace, fn: () => R): R => {
  const prev = dynamicTrace
  dynamicTrace = main
  try {
    return fn()
  } finally {
    dynamicTrace = prev
  }
}

/**
 * Applies a primitive eagerly with its kernel; inputs must be concrete.
 * @category Tracing
 * @example
 * const sum = evalPrimitive('add', [array([1, 2]), array([10, 20])], {}) // a Concrete, whatever transforms are active
 * sum instanceof Concrete // → true
 * toArray(sum)            // → [11, 22]
 * evalPrimitive('doctestUnknown' as never, [], {} as never) // throws: no evaluation rule is registered
 */
export const evalPrimitive = <P extends PrimitiveName>(
  prim: P,
  inputs: readonly NDArray[],
  params: Params<P>,
): Concrete => {
  const impl = impls[prim] as Impl<P> | undefined
  if (impl === undefined) throw new Error(`${prim}: no evaluation rule is registered for this primitive`)
  for (const x of inputs) {
    if (!(x instanceof Concrete)) throw new Error(`${prim}: internal: a tracer reached the evaluator`)
  }
  return impl(inputs as readonly Concrete[], params)
}

const findTopTrace = (inputs: readonly NDArray[]): Trace => {
  let top = traceStack[0] as MainTrace
  for (const x of inputs) {
    if (x instanceof Tracer && x.trace.main.level > top.level) top = x.trace.main
  }
  if (dynamicTrace !== null && dynamicTrace.level > top.level) top = dynamicTrace
  return new top.traceType(top)
}

const fullRaise = (trace: Trace, x: NDArray): Tracer => {
  if (!(x instanceof Tracer)) return trace.pure(x)
  const level = x.trace.main.level
  if (x.trace.main === trace.main) return x
  if (level < trace.main.level) return trace.lift(x)
  throw new Error(`internal: cannot lift a tracer of level ${level} into level ${trace.main.level}`)
}

/**
 * Applies primitive `prim` to `inputs`: the one entry point of every op.
 * @category Tracing
 * @example
 * toArray(bind('add', [array([1, 2]), array([10, 20])], {})) // → [11, 22] // what add(x, y) does after checking shapes
 */
export const bind = <P extends PrimitiveName>(prim: P, inputs: readonly NDArray[], params: Params<P>): NDArray => {
  if (traceStack.length === 1 && dynamicTrace === null) return evalPrimitive(prim, inputs, params)
  const trace = findTopTrace(inputs)
  if (trace instanceof EvalTrace) return evalPrimitive(prim, inputs, params)
  const out = trace.processPrimitive(
    prim,
    inputs.map((x) => fullRaise(trace, x)),
    params,
  )
  return out instanceof Tracer ? out.fullLower() : out
}

/**
 * The concrete array behind `x`, or a clear error when `x` is being traced.
 * @category Tracing
 * @example
 * const x = array([1, 2])
 * concrete('toArray', x) === x // → true
 * concrete('toArray', x).data  // → new Float32Array([1, 2])
 */
export const concrete = (op: string, x: NDArray): Concrete => {
  if (x instanceof Concrete) return x
  throw new Error(
    `${op}: cannot read the values of a traced array (shape [${x.shape.join(',')}], ${x.dtype}) inside a transform such as grad or jit; ` +
      'compute with array ops and return the result instead (under jit, a value the function must know, such as a count or a flag, can be a static argument: staticArgnums)',
  )
}
