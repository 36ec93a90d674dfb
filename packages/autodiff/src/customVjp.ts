/** customVjp: give a composite function its own reverse-mode derivative (for stability or speed). */
import { type NDArray, sum, type Tree, zeros } from '@nabla/ndarray'
import type { MainTrace } from '@nabla/ndarray/core'
import { Tracer } from '@nabla/ndarray/core'
import { moveAxis } from './batching/axes.js'
import type { BatchDim } from './batching/rule.js'
import type { Tangent } from './rule.js'
import { VjpTracer } from './vjp.js'
import { BatchTrace, BatchTracer, unbatch, vmap as vmapTyped } from './vmap.js'

/** vmap without the batched types (residuals are arbitrary pytrees here). */
const vmap = vmapTyped as (
  f: (...args: never[]) => unknown,
  options: { readonly inAxes: readonly (number | null)[] },
) => (...args: unknown[]) => unknown

/**
 * The two halves of a custom derivative.
 * @category Transforms
 * @example
 * // the identity, with its cotangent clipped to [−1, 1] on the way back
 * const halves: CustomVjp<[NDArray], null> = { fwd: (x) => [x, null], bwd: (_, ct) => [clip(ct, -1, 1)] }
 * const clipGrad = customVjp((x: NDArray) => x, halves)
 * toArray(grad((x) => sum(mul(clipGrad(x), 3)))(array([1, 2]))) // → [1, 1] // 3 clipped to 1
 * toArray(clipGrad(array([1, 2])))                             // → [1, 2]
 */
export interface CustomVjp<A extends readonly NDArray[], Res> {
  /** Computes the output and whatever the backward half needs (the residuals). */
  readonly fwd: (...args: A) => readonly [NDArray, Res]
  /** Maps the output cotangent to one cotangent per argument (null for none). */
  readonly bwd: (residuals: Res, ct: NDArray) => readonly Tangent[]
}

/**
 * `f` with a hand-written VJP: under `grad`/`vjp` the composite is one step of the tape
 * whose pullback is `bwd`; elsewhere (eager, `jvp`) `f` itself runs and is differentiated
 * op by op. `bwd` is written in public ops, so higher derivatives still work. Under `vmap` inside
 * `grad` (`grad(vmap(f))`), `fwd` and `bwd` run batched: then the residuals must be NDArrays (or
 * lists and records of them).
 * @category Transforms
 * @example
 * const lse = (x) => log(sum(exp(x)))
 * const logSumExp = customVjp(lse, {
 *   fwd: (x) => {
 *     const y = lse(x)
 *     return [y, [x, y]]
 *   },
 *   // the gradient is softmax(x) = exp(x − y)
 *   bwd: ([x, y], ct) => [mul(ct, exp(sub(x, y)))],
 * })
 * item(logSumExp(array([0, 0]))) // → Math.log(2)
 * toArray(grad(logSumExp)(array([0, 0]))) // → [0.5, 0.5]
 */
export const customVjp =
  <A extends readonly NDArray[], Res>(f: (...args: A) => NDArray, { fwd, bwd }: CustomVjp<A, Res>) =>
  (...args: A): NDArray => {
    let top: Tracer | null = null
    for (const a of args)
      if (a instanceof Tracer && (top === null || a.trace.main.level > top.trace.main.level)) top = a
    if (top instanceof BatchTracer) return underVmap(top.trace.main, f, fwd, bwd, args)
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

/**
 * The custom rule seen through a vmap level: when a reverse-mode tracer sits beneath the batch, `fwd` runs
 * batched (one vmap), the tape gets one step for the whole batch, and its pullback runs `bwd` batched too.
 */
const underVmap = <A extends readonly NDArray[], Res>(
  main: MainTrace,
  f: (...args: A) => NDArray,
  fwd: CustomVjp<A, Res>['fwd'],
  bwd: CustomVjp<A, Res>['bwd'],
  args: A,
): NDArray => {
  const split = args.map((a) => unbatch(main, a))
  let top: Tracer | null = null
  for (const [v] of split)
    if (v instanceof Tracer && (top === null || v.trace.main.level > top.trace.main.level)) top = v
  if (!(top instanceof VjpTracer)) return f(...args)
  const trace = top.trace
  const own = (v: NDArray): v is VjpTracer => v instanceof VjpTracer && v.trace.main === trace.main
  const dims: BatchDim[] = split.map(([, d]) => d)
  const [out, residuals] = vmap((...xs: NDArray[]) => fwd(...(xs as unknown as A)) as readonly [NDArray, Tree], {
    inAxes: dims,
  })(...split.map(([v]) => (own(v) ? v.primal : v))) as [NDArray, Tree]
  const tracers = split.map(([v]) => (own(v) ? v : trace.pure(v)))
  const recorded = trace.record(out, tracers, (ct, needs) => {
    const cts = vmap(
      (res: Tree, c: NDArray) => {
        const got = bwd(res as Res, c)
        if (got.length !== args.length) {
          throw new RangeError(`customVjp: bwd returned ${got.length} cotangents for ${args.length} arguments`)
        }
        return got.map((g, i) => g ?? zeros((args[i] as NDArray).shape, { dtype: (args[i] as NDArray).dtype }))
      },
      { inAxes: [0, 0] },
    )(residuals, ct) as NDArray[]
    // back to each argument's own layout: its batch axis, or summed over the batch for an unbatched argument
    return cts.map((c, i) => {
      if (!needs[i]) return null
      const d = dims[i] ?? null
      return d === null ? sum(c, { axis: 0 }) : moveAxis(c, 0, d)
    })
  })
  return new BatchTracer(new BatchTrace(main), recorded, 0)
}
