/** stopGradient: the identity whose derivative is zero — a primitive, so every transform level respects it. */
import { type NDArray, type Tree, treeMap } from '@nabla/ndarray'
import { bind, registerImpl, registerShapeRule, type ShapedArray } from '@nabla/ndarray/core'

declare module '@nabla/ndarray/core' {
  interface PrimitiveParams {
    stopGradient: Record<string, never>
  }
}

registerImpl('stopGradient', ([x]) => x as never)
registerShapeRule('stopGradient', ([x]) => x as ShapedArray)

/**
 * `x` unchanged, but treated as a constant by every transform (the gradient through it is 0).
 * Works on one array or a pytree of them.
 * @category Transforms
 * @example
 * // = x, not 2x
 * toArray(grad((x) => sum(mul(x, stopGradient(x))))(array([1, 2]))) // → [1, 2]
 * toArray(stopGradient(array([1, 2]))) // → [1, 2]
 */
export const stopGradient = <T extends Tree>(x: T): T =>
  treeMap((leaf: NDArray) => bind('stopGradient', [leaf], {}), x) as unknown as T
