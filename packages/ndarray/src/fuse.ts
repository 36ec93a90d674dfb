/**
 * fuse: runs a chain of element-wise ops as one loop. The function is traced once per call
 * with symbolic tracers that write each primitive as a line of JavaScript; the lines become
 * a single generated loop (cached by its text), so `add(mul(v, ρ), mul(square(g), 1 − ρ))`
 * over 400,000 weights reads each input once and allocates only its outputs. Under other
 * transforms, or when `f` uses an op that is not element-wise, `f` simply runs op by op —
 * the result is the same either way. Float32 chains of +, −, ×, ÷, negation and square root
 * of 1024 elements or more run as WebAssembly SIMD (see `fusedWasm`), rounding each op to
 * float32 exactly as the unfused ops do; other chains run as a JavaScript loop that
 * computes in float64 and rounds once at the end.
 */
import { allocate, type DType, isFloat } from './dtype.js'
import { type FusedNode, type FusedRef, fusedWasmAvailable, runFusedWasm } from './fusedWasm.js'
import { binaryBodies, compareBodies, resultType, unaryBodies } from './kernels/elementwise.js'
import { Concrete, type NDArray } from './ndarray.js'
import type { Params, PrimitiveName } from './primitive.js'
import { shapesEqual } from './shape.js'
import { type MainTrace, newMain, Trace, Tracer } from './trace.js'

class Unfusable extends Error {}

interface Program {
  readonly lines: string[]
  readonly consts: number[]
  next: number
  /** The same program as float ops for the SIMD form, or null once an op without one is seen. */
  nodes: FusedNode[] | null
}

// primitives with a lane-wise f32x4 instruction (maximum/minimum are left out: NumPy's signed-zero rule
// differs from f32x4.max's)
const floatOps: Partial<Record<PrimitiveName, FusedNode['op']>> = {
  add: 'add',
  sub: 'sub',
  mul: 'mul',
  div: 'div',
  neg: 'neg',
  sqrt: 'sqrt',
}

class FuseTracer extends Tracer {
  constructor(
    readonly trace: FuseTrace,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly ref: FusedRef,
  ) {
    super()
  }
}

const bodyOf = (prim: PrimitiveName, params: unknown): string | undefined => {
  if (prim in binaryBodies) return binaryBodies[prim as keyof typeof binaryBodies]
  if (prim in unaryBodies) return unaryBodies[prim as keyof typeof unaryBodies]
  if (prim === 'compare') return compareBodies[(params as Params<'compare'>).op]
  if (prim === 'where') return '$o = x0 ? x1 : x2'
  if (prim === 'cast' && isFloat((params as Params<'cast'>).dtype)) return '$o = x0'
  return undefined
}

class FuseTrace extends Trace {
  get program(): Program {
    return this.main.globalData as Program
  }
  pure(x: NDArray): FuseTracer {
    // a constant: only scalars, passed to the loop as numbers
    if (!(x instanceof Concrete) || x.size !== 1 || !isFloat(x.dtype)) throw new Unfusable()
    const p = this.program
    p.consts.push(x.data[x.offset] as number)
    const index = p.consts.length - 1
    return new FuseTracer(this, `c[${index}]`, x.dtype, [], { kind: 'const', index })
  }
  processPrimitive<P extends PrimitiveName>(prim: P, inputs: readonly Tracer[], params: Params<P>): NDArray {
    const body = bodyOf(prim, params)
    if (body === undefined) throw new Unfusable()
    const ts = inputs as readonly FuseTracer[]
    const dtype =
      prim === 'cast'
        ? (params as Params<'cast'>).dtype
        : resultType(
            prim,
            ts.map((t) => t.dtype),
          )
    if (!isFloat(dtype)) throw new Unfusable()
    const shape = ts.find((t) => t.shape.length > 0)?.shape ?? []
    const p = this.program
    const name = `t${p.next++}`
    const expr = body.replace('$o = ', '').replace(/\bx([0-2])\b/g, (_, i: string) => `(${ts[Number(i)]?.name})`)
    p.lines.push(`const ${name} = ${expr};`)
    const op = floatOps[prim]
    if (op === undefined || dtype !== 'float32') p.nodes = null
    p.nodes?.push({ op, args: ts.map((t) => t.ref) } as FusedNode)
    return new FuseTracer(this, name, dtype, shape, { kind: 'node', index: p.next - 1 })
  }
}

type Loop = (n: number, outs: Float32Array[] | Float64Array[], ins: ArrayLike<number>[], c: Float64Array) => void
const loops = new Map<string, Loop>()

const compile = (nIn: number, lines: readonly string[], results: readonly string[]): Loop => {
  const src = `return function fused(n, outs, ins, c) {
  ${Array.from({ length: nIn }, (_, k) => `const in${k} = ins[${k}];`).join(' ')}
  ${results.map((_, k) => `const out${k} = outs[${k}];`).join(' ')}
  for (let i = 0; i < n; i++) {
    ${Array.from({ length: nIn }, (_, k) => `const x${k} = in${k}[i];`).join(' ')}
    ${lines.join('\n    ')}
    ${results.map((r, k) => `out${k}[i] = ${r};`).join(' ')}
  }
}`
  let fn = loops.get(src)
  if (fn === undefined) {
    fn = new Function(src)() as Loop
    loops.set(src, fn)
  }
  return fn
}

/**
 * Fuses an element-wise function of equally shaped float arrays into one loop. `f` may
 * return one array or a list of them (several outputs from one pass).
 * @category Element-wise
 * @example
 * const rmsStep = fuse((g: NDArray, nu: NDArray) => {
 *   const next = add(mul(nu, 0.9), mul(square(g), 0.1))
 *   return [next, div(g, sqrt(add(next, 1e-7)))]
 * })
 * const [nu2, update] = rmsStep(array([1, 2]), array([0, 0])) as NDArray[]
 * toArray(nu2!)    // → [0.1, 0.4]
 * toArray(update!) // → [3.162277, 3.162277]
 */
export const fuse = <A extends NDArray[], R extends NDArray | readonly NDArray[]>(
  f: (...args: A) => R,
): ((...args: A) => R) => {
  let fusable = true
  return (...args: A): R => {
    const first = args[0]
    const direct =
      !fusable ||
      first === undefined ||
      !args.every((a) => a instanceof Concrete && a.contiguous && isFloat(a.dtype) && shapesEqual(a.shape, first.shape))
    if (direct) return f(...args)
    try {
      const program: Program = { lines: [], consts: [], next: 0, nodes: [] }
      return newMain(FuseTrace, program, (main: MainTrace) => {
        const trace = new FuseTrace(main)
        const tracers = args.map(
          (a, index) => new FuseTracer(trace, `x${index}`, a.dtype, a.shape, { kind: 'in', index }),
        ) as unknown as A
        const out = f(...tracers)
        const list = (Array.isArray(out) ? out : [out]) as NDArray[]
        const results = list.map((o) => {
          if (!(o instanceof FuseTracer) || o.trace.main !== main || !shapesEqual(o.shape, first.shape))
            throw new Unfusable()
          return o
        })
        const n = first.size
        const inputs = args.map((a) => {
          const c = a as Concrete
          return c.offset === 0 ? c.data : c.data.subarray(c.offset, c.offset + n)
        })
        let outs: (Float32Array | Float64Array)[] | undefined
        if (program.nodes !== null && args.every((a) => a.dtype === 'float32') && fusedWasmAvailable(n)) {
          const nodes = program.nodes
          const refs = results.map((r) => r.ref)
          const wasmProgram = { inputs: args.length, consts: program.consts.length, nodes, results: refs }
          outs = runFusedWasm(wasmProgram, n, inputs as Float32Array[], program.consts)
        }
        if (outs === undefined) {
          const loop = compile(
            args.length,
            program.lines,
            results.map((r) => r.name),
          )
          outs = results.map((r) => allocate(r.dtype as 'float32', n, false)) // the loop writes every element
          loop(n, outs as Float32Array[], inputs, Float64Array.from(program.consts))
        }
        const arrays = results.map((r, k) => new Concrete(r.dtype, first.shape, outs?.[k] as Float32Array))
        return (Array.isArray(out) ? arrays : arrays[0]) as unknown as R
      })
    } catch (e) {
      if (!(e instanceof Unfusable)) throw e
      fusable = false
      return f(...args)
    }
  }
}
