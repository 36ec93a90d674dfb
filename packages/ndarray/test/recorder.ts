/**
 * A trivial interpreter for the tests: its tracers wrap values, and it records the name of
 * every primitive applied to them before evaluating it (or handing it to the transform below).
 */
import type { DType, NDArray, Shape } from '@nabla/ndarray'
import {
  bind,
  Concrete,
  evalPrimitive,
  type MainTrace,
  newMain,
  type Params,
  type PrimitiveName,
  Trace,
  Tracer,
} from '@nabla/ndarray/core'

/** A recorded array: its shape and dtype are the wrapped value's; its values are not readable. */
export class RecordingTracer extends Tracer {
  readonly shape: Shape
  readonly dtype: DType
  constructor(
    readonly trace: RecordingTrace,
    readonly value: NDArray,
  ) {
    super()
    this.shape = value.shape
    this.dtype = value.dtype
  }
}

/** The interpreter: `main.globalData` is the log it appends primitive names to. */
export class RecordingTrace extends Trace {
  override pure(x: NDArray): Tracer {
    return new RecordingTracer(this, x)
  }
  override processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray {
    ;(this.main.globalData as string[]).push(prim)
    const values = inputs.map((t) => (t as RecordingTracer).value)
    // concrete values are evaluated here; tracers of an outer interpreter go down to it through bind
    const out = values.every((v) => v instanceof Concrete)
      ? evalPrimitive(prim, values, params)
      : bind(prim, values, params)
    return new RecordingTracer(this, out)
  }
}

/**
 * Runs `fn` on tracers of a new interpreter level and returns its (unwrapped) result and
 * the primitives it applied, in order.
 * @example
 * record((x) => add(x, 1), zeros([2])) // { out: [1, 1], log: ['add'] }
 */
export const record = (
  fn: (...xs: NDArray[]) => NDArray,
  ...args: NDArray[]
): { readonly out: NDArray; readonly log: readonly string[]; readonly main: MainTrace } => {
  const log: string[] = []
  let level: MainTrace | undefined
  const out = newMain(RecordingTrace, log, (main) => {
    level = main
    const trace = new RecordingTrace(main)
    const result = fn(...args.map((a) => trace.pure(a)))
    return result instanceof RecordingTracer && result.trace.main === main ? result.value : result
  })
  return { out, log, main: level as MainTrace }
}
