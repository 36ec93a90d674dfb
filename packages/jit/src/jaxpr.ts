/**
 * The program `jit` stages: typed inputs, one equation per primitive, outputs — after JAX's jaxpr. It is plain
 * data: `printJaxpr` shows it, the compiler's passes read it, `evalJaxpr` runs it op by op.
 */
import type { Concrete, Params, PrimitiveName, ShapedArray } from '@nabla/ndarray/core'

/**
 * A value of the program, defined once: an input, a captured constant or an equation's result.
 * @category Jaxprs
 * @example
 * const jaxpr = makeJaxpr((x) => exp(x))(zeros([2, 3]))
 * const x: Var = jaxpr.inputs[0]
 * x.kind // → 'var'
 * showAval(x.aval) // → 'f32[2,3]'
 * jaxpr.eqns[0].inputs[0] === x // → true
 */
export interface Var {
  readonly kind: 'var'
  readonly id: number
  readonly aval: ShapedArray
}

/**
 * A scalar constant written into the program itself (`mul(x, 0.5)`'s 0.5).
 * @category Jaxprs
 * @example
 * const jaxpr = makeJaxpr((x) => mul(x, 0.5))(zeros([3]))
 * const half = jaxpr.eqns[0].inputs[1] as Literal
 * half.kind // → 'literal'
 * item(half.value) // → 0.5
 * showAval(half.aval) // → 'f32[]'
 */
export interface Literal {
  readonly kind: 'literal'
  readonly value: Concrete
  readonly aval: ShapedArray
}

/**
 * What an equation reads.
 * @category Jaxprs
 * @example
 * const jaxpr = makeJaxpr((x) => add(x, 1))(zeros([2]))
 * const atoms: readonly Atom[] = jaxpr.eqns[0].inputs
 * atoms.map((a) => a.kind) // → ['var', 'literal']
 */
export type Atom = Var | Literal

/**
 * One primitive applied: `out = prim[params](inputs…)`.
 * @category Jaxprs
 * @example
 * const eqn: Eqn = makeJaxpr((x) => sum(x, { axis: 0 }))(zeros([2, 3])).eqns[0]
 * eqn.prim // → 'reduceSum'
 * eqn.params // → { axes: [0] }
 * eqn.inputs.length // → 1
 * showAval(eqn.out.aval) // → 'f32[3]'
 */
export interface Eqn<P extends PrimitiveName = PrimitiveName> {
  readonly prim: P
  readonly inputs: readonly Atom[]
  readonly params: Params<P>
  readonly out: Var
}

/**
 * A closed program: `consts` are arrays the function captured (weights it closed over, arrays it made), bound
 * to `constValues` when it runs; `inputs` are its arguments' leaves, in `treeFlatten` order.
 * @category Jaxprs
 * @example
 * const w = array([1, 2])
 * const jaxpr: Jaxpr = makeJaxpr((x) => mul(x, w))(zeros([2]))
 * jaxpr.inputs.length // → 1
 * toArray(jaxpr.constValues[0]) // → [1, 2]
 * jaxpr.eqns.map((e) => e.prim) // → ['mul']
 * toArray(evalJaxpr(jaxpr, [array([3, 4])])[0]) // → [3, 8]
 */
export interface Jaxpr {
  readonly inputs: readonly Var[]
  readonly consts: readonly Var[]
  readonly constValues: readonly Concrete[]
  readonly eqns: readonly Eqn[]
  readonly outputs: readonly Atom[]
}

const shortDType: Record<string, string> = { float32: 'f32', float64: 'f64', int32: 'i32', uint8: 'u8', bool: 'bool' }

/**
 * An aval in the compact form used when printing: `f32[128,784]`.
 * @category Jaxprs
 * @example
 * showAval({ shape: [2, 3], dtype: 'float32' }) // → 'f32[2,3]'
 * showAval({ shape: [], dtype: 'int32' }) // → 'i32[]'
 */
export const showAval = (aval: ShapedArray): string =>
  `${shortDType[aval.dtype] ?? aval.dtype}[${aval.shape.join(',')}]`

// a, b, …, z, ba, bb, … (as JAX names variables)
const nameOf = (k: number): string => {
  let s = ''
  let n = k
  do {
    s = String.fromCharCode(97 + (n % 26)) + s
    n = Math.floor(n / 26)
  } while (n > 0)
  return s
}

const showParam = (v: unknown): string => (Array.isArray(v) ? JSON.stringify(v) : String(v))

/**
 * The program as text: constants and inputs with their types, one line per equation, the outputs.
 * @category Jaxprs
 * @example
 * console.log(printJaxpr(makeJaxpr((x) => sum(exp(x)))(zeros([3]))))
 * // prints:
 * //   { lambda ; a:f32[3]. let
 * //       b:f32[3] = exp a
 * //       c:f32[] = reduceSum[axes=[0]] b
 * //     in (c) }
 */
export const printJaxpr = (jaxpr: Jaxpr): string => {
  const names = new Map<number, string>()
  const name = (v: Var): string => {
    let n = names.get(v.id)
    if (n === undefined) {
      n = nameOf(names.size)
      names.set(v.id, n)
    }
    return n
  }
  const atom = (a: Atom): string => {
    if (a.kind === 'var') return name(a)
    const value = a.value.data[a.value.offset] as number
    return `${Number.isInteger(value) && a.aval.dtype.startsWith('float') ? value.toFixed(1) : value}:${shortDType[a.aval.dtype]}`
  }
  const binder = (v: Var): string => `${name(v)}:${showAval(v.aval)}`
  const head = `{ lambda ${[...jaxpr.consts.map(binder), ';', ...jaxpr.inputs.map(binder)].join(' ')}. let`
  const lines = jaxpr.eqns.map((e) => {
    const ps = Object.entries(e.params as object)
    const params = ps.length === 0 ? '' : `[${ps.map(([k, v]) => `${k}=${showParam(v)}`).join(' ')}]`
    return `    ${binder(e.out)} = ${e.prim}${params} ${e.inputs.map(atom).join(' ')}`
  })
  return [head, ...lines, `  in (${jaxpr.outputs.map(atom).join(', ')}) }`].join('\n')
}
