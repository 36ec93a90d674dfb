/** makeJaxpr: the program `jit` would compile for these arguments, without compiling or running it. */
import { type NDArray, type Tree, treeFlatten, treeUnflatten } from '@nabla/ndarray'
import type { ShapedArray } from '@nabla/ndarray/core'
import type { Jaxpr } from './jaxpr.js'
import { traceToJaxpr } from './stage.js'

/**
 * A function that traces `f` on arguments shaped like its own (arrays or lists and records of them; only
 * shapes and dtypes are used) and returns the program: print it with `printJaxpr`.
 * @category Transforms
 * @example
 * const jaxpr = makeJaxpr((x) => sum(exp(x)))(zeros([3]))
 * console.log(printJaxpr(jaxpr))
 * jaxpr.eqns.map((e) => e.prim) // → ['exp', 'reduceSum']
 * jaxpr.outputs[0].aval // → { shape: [], dtype: 'float32' }
 * // lists and records of arrays are arguments too: their leaves become the inputs, in treeFlatten order
 * makeJaxpr(({ w, b }) => add(w, b))({ w: ones([2]), b: ones([2]) }).inputs.length // → 2
 */
export const makeJaxpr =
  <A extends Tree[]>(f: (...args: A) => unknown) =>
  (...args: A): Jaxpr => {
    const flat = args.map((a, i) => {
      try {
        return treeFlatten(a)
      } catch (e) {
        throw new TypeError(
          `makeJaxpr: argument ${i} must be an NDArray or a list or record of them, but ${(e as Error).message.replace(/^tree: /, '')}`,
        )
      }
    })
    const avals: ShapedArray[] = flat.flatMap(([leaves]) => leaves.map((x) => ({ shape: x.shape, dtype: x.dtype })))
    const rebuild = (leaves: readonly NDArray[]): unknown[] => {
      let k = 0
      return flat.map(([ls, def]) => {
        const part = treeUnflatten(def, leaves.slice(k, k + ls.length))
        k += ls.length
        return part
      })
    }
    return traceToJaxpr('makeJaxpr', f as (...a: never[]) => unknown, avals, rebuild).jaxpr
  }
