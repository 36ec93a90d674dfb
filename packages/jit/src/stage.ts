/**
 * The staging trace: while `jit` traces a function, every primitive it binds — on its arguments and on arrays it
 * makes or closes over — is recorded as an equation instead of being run (JAX's omnistaging, through the
 * dynamic trace). Abstract values come from each primitive's shape rule; reading one is a clear error.
 */
import type { NDArray, Tree, TreeDef } from '@nabla/ndarray'
import { treeFlatten } from '@nabla/ndarray'
import {
  Concrete,
  type MainTrace,
  newMain,
  type Params,
  type PrimitiveName,
  type ShapedArray,
  shapeOf,
  Trace,
  Tracer,
  withDynamicTrace,
} from '@nabla/ndarray/core'
import type { Atom, Eqn, Jaxpr, Var } from './jaxpr.js'

/** Thrown when a value of an enclosing transform (a tracer `f` closed over) reaches the trace: `jit` then inlines `f`. */
export class ClosedOverTracer extends Error {}

interface Builder {
  nextId: number
  readonly eqns: Eqn[]
  readonly consts: Map<Concrete, Var>
}

/** An array inside `jit`: a shape, a dtype and the program value it stands for. */
export class JaxprTracer extends Tracer {
  constructor(
    readonly trace: JaxprTrace,
    readonly atom: Atom,
  ) {
    super()
  }
  get shape(): readonly number[] {
    return this.atom.aval.shape
  }
  get dtype(): NDArray['dtype'] {
    return this.atom.aval.dtype
  }
}

class JaxprTrace extends Trace {
  get builder(): Builder {
    return this.main.globalData as Builder
  }
  newVar(aval: ShapedArray): Var {
    return {
      kind: 'var',
      id: this.builder.nextId++,
      aval: { shape: Object.freeze([...aval.shape]), dtype: aval.dtype },
    }
  }
  pure(x: NDArray): JaxprTracer {
    if (!(x instanceof Concrete)) throw new ClosedOverTracer()
    // scalars go into the program as literals; other arrays are captured once each, as constants
    if (x.rank === 0) return new JaxprTracer(this, { kind: 'literal', value: x, aval: { shape: [], dtype: x.dtype } })
    let v = this.builder.consts.get(x)
    if (v === undefined) {
      v = this.newVar(x)
      this.builder.consts.set(x, v)
    }
    return new JaxprTracer(this, v)
  }
  override lift(): JaxprTracer {
    throw new ClosedOverTracer()
  }
  processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray {
    const atoms = (inputs as readonly JaxprTracer[]).map((t) => t.atom)
    const out = this.newVar(
      shapeOf(
        prim,
        atoms.map((a) => a.aval),
        params,
      ),
    )
    this.builder.eqns.push({ prim, inputs: atoms, params, out } as Eqn)
    return new JaxprTracer(this, out)
  }
}

/** What tracing returns: the program and the structure of the function's result. */
export interface Traced {
  readonly jaxpr: Jaxpr
  readonly outDef: TreeDef
}

const describe = (x: unknown): string => (x === null ? 'null' : typeof x === 'object' ? 'an object' : typeof x)

/**
 * Traces `f` on abstract arguments of the given avals (one list per argument, in `treeFlatten` order, with its
 * structure) into a program. `op` names the caller in error messages.
 * @example
 * // internal (not exported): makeJaxpr and jit trace through it, e.g.
 * // traceToJaxpr('makeJaxpr', f, [{ shape: [3], dtype: 'float32' }], (leaves) => [leaves[0]])
 * const jaxpr = makeJaxpr((x) => mul(x, 2))(zeros([3]))
 * jaxpr.inputs.map((v) => showAval(v.aval)) // → ['f32[3]']
 * jaxpr.eqns.map((e) => e.prim) // → ['mul']
 * makeJaxpr((x) => toArray(x))(zeros([3])) // throws: toArray
 */
export const traceToJaxpr = (
  op: string,
  f: (...args: never[]) => unknown,
  avals: readonly ShapedArray[],
  rebuild: (leaves: readonly NDArray[]) => readonly unknown[],
): Traced => {
  const builder: Builder = { nextId: 0, eqns: [], consts: new Map() }
  return newMain(JaxprTrace, builder, (main: MainTrace) =>
    withDynamicTrace(main, () => {
      const trace = new JaxprTrace(main)
      const inputs = avals.map((a) => trace.newVar(a))
      const out = (f as (...a: unknown[]) => unknown)(...rebuild(inputs.map((v) => new JaxprTracer(trace, v))))
      let leaves: NDArray[]
      let outDef: TreeDef
      try {
        ;[leaves, outDef] = treeFlatten(out as Tree)
      } catch (e) {
        throw new TypeError(
          `${op}: the function must return an NDArray or a list or record of them; ${(e as Error).message.replace(/^tree: /, '')}` +
            (out === undefined || typeof out !== 'object' ? ` (it returned ${describe(out)})` : ''),
        )
      }
      const outputs = leaves.map((l) => {
        if (l instanceof JaxprTracer && l.trace.main === main) return l.atom
        return trace.pure(l).atom
      })
      const consts = [...builder.consts.entries()]
      const jaxpr: Jaxpr = {
        inputs,
        consts: consts.map(([, v]) => v),
        constValues: consts.map(([c]) => c),
        eqns: builder.eqns,
        outputs,
      }
      return { jaxpr, outDef }
    }),
  )
}
