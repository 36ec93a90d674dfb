/** customVjp: give a composite function its own reverse-mode derivative (for stability or speed). */
import type { NDArray } from '@nabla/ndarray'
import { Tracer } from '@nabla/ndarray/core'
import type { Tangent } from './rule.js'
import { VjpTracer } from './vjp.js'

/** The two halves of a custom derivative. */
export interface CustomVjp<A extends readonly NDArray[], Res> {
  /** Computes the output and whatever the backward half needs (the residuals). */
  readonly fwd: (...args: A) => readonly [NDArray, Res]
  /** Maps the output cotangent to one cotangent per argument (null for none). */
  readonly bwd: (residuals: Res, ct: NDArray) => readonly Tangent[]
}

/**
 * `f` with a hand-written VJP: under `grad`/`vjp` the composite is one step of the tape
 * whose pullback is `bwd`; elsewhere (eager, `jvp`) `f` itself runs and is differentiated
 * op by op. `bwd` is written in public ops, so higher derivatives still work.
 * @example
 * const logSumExp = customVjp((x) => ..., {
 *   fwd: (x) => { const y = ...; return [y, x] },
 *   bwd: (x, ct) => [mul(ct, softmax(x))],
 * })
 */
export const customVjp =
  <A extends readonly NDArray[], Res>(f: (...args: A) => NDArray, { fwd, bwd }: CustomVjp<A, Res>) =>
  (...args: A): NDArray => {
    let top: Tracer | null = null
    for (const a of args)
      if (a instanceof Tracer && (top === null || a.trace.main.level > top.trace.main.level)) top = a
    if (!(top instanceof VjpTracer)) return f(...args)
    const trace = top.trace
    const lower = (a: NDArray): NDArray => (a instanceof VjpTracer && a.trace.main === trace.main ? a.primal : a)
    const tracers = args.map((a) => (a instanceof VjpTracer && a.trace.main === trace.main ? a : trace.pure(a)))
    const [out, residuals] = fwd(...(args.map(lower) as unknown as A))
    return trace.record(out, tracers, (ct, needs) => {
      const cts = bwd(residuals, ct)
      if (cts.length !== args.length) {
        throw new RangeError(`customVjp: bwd returned ${cts.length} cotangents for ${args.length} arguments`)
      }
      return cts.map((c, i) => (needs[i] ? c : null))
    })
  }
