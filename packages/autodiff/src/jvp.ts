/** Forward mode: a trace whose tracers carry a tangent beside the primal (Autodidax's JVPTrace). */
import { type NDArray, type Tree, treeFlatten, treeUnflatten } from '@nabla/ndarray'
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
import { checkFloatInputs } from './transform.js'

/** A value inside `jvp`: its primal and its tangent (null for an exact zero). */
export class JvpTracer extends PrimalTracer {
  constructor(
    readonly trace: JvpTrace,
    primal: NDArray,
    readonly tangent: Tangent,
  ) {
    super(primal)
  }
}

/** The forward-mode interpreter: applies each primitive's JVP rule. */
export class JvpTrace extends Trace {
  pure(x: NDArray): JvpTracer {
    return new JvpTracer(this, x, null)
  }
  processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray {
    const tracers = inputs as readonly JvpTracer[]
    const primals = tracers.map((t) => t.primal)
    const out = bind(prim, primals, params)
    const tangents = tracers.map((t) => t.tangent)
    if (tangents.every((t) => t === null)) return out
    const tangent = rules[prim].jvp(primals, tangents, out, params as never)
    return tangent === null ? out : new JvpTracer(this, out, tangent)
  }
}

/** The primal and tangent of a value returned from the function under `jvp`. */
const splitJvp = (main: MainTrace, x: NDArray): [NDArray, NDArray | null] =>
  x instanceof JvpTracer && x.trace.main === main ? [x.primal, x.tangent] : [x, null]

/**
 * Evaluates `f` at `primals` and its directional derivative along `tangents` (forward
 * mode): `[f(x), J·t]`. Arguments and results may be pytrees; tangents match primals.
 * @category Transforms
 * @example
 * const x = array([0, 1])
 * // dy = cos(x)
 * const [y, dy] = jvp(sin, [x], [ones(x.shape)])
 * toArray(y) // → [0, Math.sin(1)]
 * toArray(dy) // → [1, Math.cos(1)]
 */
export const jvp = <R extends Tree>(
  f: (...args: never[]) => R,
  primals: readonly Tree[],
  tangents: readonly Tree[],
): [R, R] => {
  if (primals.length !== tangents.length) {
    throw new RangeError(`jvp: ${primals.length} primals but ${tangents.length} tangents`)
  }
  return newMain(JvpTrace, null, (main) => {
    const trace = new JvpTrace(main)
    const args = primals.map((p, i) => {
      const [ps, def] = treeFlatten(p)
      const [ts] = treeFlatten(tangents[i] as Tree)
      checkFloatInputs('jvp', ps)
      if (ts.length !== ps.length)
        throw new RangeError(`jvp: argument ${i} has ${ps.length} arrays but ${ts.length} tangents`)
      ps.forEach((x, j) => {
        const t = ts[j] as NDArray
        if (!shapesEqual(t.shape, x.shape) || t.dtype !== x.dtype) {
          throw new RangeError(
            `jvp: tangent ${j} of argument ${i} is ${t.dtype} [${t.shape}], expected ${x.dtype} [${x.shape}] like its primal`,
          )
        }
      })
      return treeUnflatten(
        def,
        ps.map((x, j) => new JvpTracer(trace, x, ts[j] as NDArray)),
      )
    })
    const out = (f as (...a: Tree[]) => R)(...args)
    const [leaves, def] = treeFlatten(out)
    const pairs = leaves.map((l) => splitJvp(main, l))
    const tangentsOut = pairs.map(([p, t]) => t ?? zerosOf(p))
    return [
      treeUnflatten(
        def,
        pairs.map(([p]) => p),
      ) as R,
      treeUnflatten(def, tangentsOut) as R,
    ]
  })
}
