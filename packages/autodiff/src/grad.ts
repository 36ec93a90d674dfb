/** grad and valueAndGrad: reverse mode for scalar-valued functions, over any argument pytrees. */
import { type NDArray, ones, type Tree, treeFlatten } from '@nabla/ndarray'
import { isFloat } from '@nabla/ndarray/core'
import { checkArgnums, checkFloatInputs } from './transform.js'
import { vjpWithAux } from './vjp.js'

/**
 * Options of {@link grad} and {@link valueAndGrad}.
 * @category Transforms
 * @example
 * const options = { argnums: 1, hasAux: true } as const satisfies GradOptions
 * const f = (w: NDArray, x: NDArray) => [sum(mul(w, x)), mul(w, x)] as const // [loss, aux]
 * const [[loss, aux], dx] = valueAndGrad(f, options)(array([1, 2]), array([3, 4]))
 * item(loss)   // → 11
 * toArray(aux) // → [3, 8]
 * toArray(dx)  // → [1, 2] // the gradient for argument 1, x
 */
export interface GradOptions {
  /** Which argument(s) to differentiate (default 0). With a list, the gradient is a list. */
  readonly argnums?: number | readonly number[]
  /** `f` returns `[loss, aux]`; `aux` comes back untouched (no gradient flows through it). */
  readonly hasAux?: boolean
}

type Args = readonly Tree[]

const checkScalar = (op: string, out: unknown): NDArray => {
  const [leaves] = treeFlatten(out as Tree)
  const y = leaves[0]
  if (leaves.length !== 1 || y === undefined || out !== y) {
    throw new TypeError(
      `${op}: the function must return one scalar NDArray${op === 'valueAndGrad' ? ' (or [loss, aux] with hasAux)' : ''}, got a tree of ${leaves.length} arrays`,
    )
  }
  if (y.rank !== 0) {
    throw new TypeError(
      `${op}: the function must return a scalar (shape []), got shape [${y.shape}]; reduce it first, e.g. with mean or sum`,
    )
  }
  if (!isFloat(y.dtype))
    throw new TypeError(`${op}: the function returned a ${y.dtype} value; only float outputs have gradients`)
  return y
}

const valueAndGradImpl =
  (f: (...args: never[]) => unknown, { argnums = 0, hasAux = false }: GradOptions, op: string) =>
  (...args: Args): [unknown, unknown] => {
    const nums = checkArgnums(op, argnums, args.length)
    for (const i of nums) checkFloatInputs(op, treeFlatten(args[i] as Tree)[0], `leaves of argument ${i}`)
    const [value, pullback, aux] = vjpWithAux(
      (...a: never[]) => {
        const out = f(...a)
        if (!hasAux) return [checkScalar(op, out), null] as const
        if (!Array.isArray(out) || out.length !== 2)
          throw new TypeError(`${op}: with hasAux the function must return [loss, aux]`)
        return [checkScalar(op, out[0]), out[1]] as const
      },
      args,
      nums,
    )
    const cts = pullback(ones([], { dtype: value.dtype }))
    const grads = typeof argnums === 'number' ? cts[0] : cts
    return [hasAux ? [value, aux] : value, grads]
  }

/**
 * `f` turned into a function returning `[f(...args), ∇f(...args)]` in one pass. The
 * gradient has the structure of the differentiated argument (a list of them when
 * `argnums` is a list). With `hasAux`, `f` returns `[loss, aux]` and the result is
 * `[[loss, aux], grads]`.
 * @category Transforms
 * @example
 * const lossFn = (params, x, y) => sum(square(sub(add(mul(params.w, x), params.b), y)))
 * const params = { w: array(2), b: array(1) }
 * // grads has params' structure
 * const [loss, grads] = valueAndGrad(lossFn)(params, array([1, 2]), array([3, 4]))
 * item(loss) // → 1
 * item(grads.w) // → 4
 * item(grads.b) // → 2
 */
export function valueAndGrad<A extends Args>(f: (...args: A) => NDArray): (...args: A) => [NDArray, A[0]]
export function valueAndGrad<A extends Args, I extends number>(
  f: (...args: A) => NDArray,
  options: { readonly argnums: I; readonly hasAux?: false },
): (...args: A) => [NDArray, A[I]]
export function valueAndGrad<A extends Args>(
  f: (...args: A) => NDArray,
  options: { readonly argnums: readonly number[]; readonly hasAux?: false },
): (...args: A) => [NDArray, Tree[]]
export function valueAndGrad<A extends Args, Aux>(
  f: (...args: A) => readonly [NDArray, Aux],
  options: { readonly argnums?: number; readonly hasAux: true },
): (...args: A) => [[NDArray, Aux], A[0]]
export function valueAndGrad<A extends Args, Aux>(
  f: (...args: A) => readonly [NDArray, Aux],
  options: { readonly argnums: readonly number[]; readonly hasAux: true },
): (...args: A) => [[NDArray, Aux], Tree[]]
export function valueAndGrad(f: (...args: never[]) => unknown, options: GradOptions = {}): (...args: Args) => unknown {
  return valueAndGradImpl(f, options, 'valueAndGrad')
}

/**
 * The gradient of a scalar-valued `f`: `grad(f)(...args)` has the structure of the
 * differentiated argument (a list of them when `argnums` is a list).
 * @category Transforms
 * @example
 * // −sin(x)
 * item(grad(cos)(array(1))) // → -Math.sin(1)
 * // x
 * toArray(grad((w, x) => sum(mul(w, x)))(ones([3]), array([1, 2, 3]))) // → [1, 2, 3]
 * // [dw, db]
 * const loss = (w, b, x) => sum(add(mul(w, x), b))
 * grad(loss, { argnums: [0, 1] })(array(1), array(0), array([1, 2])).map(item) // → [3, 2]
 * grad((x) => mul(x, 2))(ones([2])) // throws TypeError: the function must return a scalar
 */
export function grad<A extends Args>(f: (...args: A) => NDArray): (...args: A) => A[0]
export function grad<A extends Args, I extends number>(
  f: (...args: A) => NDArray,
  options: { readonly argnums: I },
): (...args: A) => A[I]
export function grad<A extends Args>(
  f: (...args: A) => NDArray,
  options: { readonly argnums: readonly number[] },
): (...args: A) => Tree[]
export function grad(
  f: (...args: never[]) => unknown,
  options: Omit<GradOptions, 'hasAux'> = {},
): (...args: Args) => unknown {
  const inner = valueAndGradImpl(f, options, 'grad')
  return (...args) => inner(...args)[1]
}
