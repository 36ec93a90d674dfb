/**
 * The convolution primitives are bilinear, so each JVP is the same primitive applied to one tangent at a time, and
 * their cotangents are the other two primitives (TensorFlow's backprop pair): with T(x, k, g) = ⟨conv2d(x, k), g⟩,
 * conv2dBackpropInput(g, k) is ∂T/∂x and conv2dBackpropFilter(x, g) is ∂T/∂k. Each primitive's cotangents are
 * again members of the three, so derivatives of every order stay on the fast kernels.
 */
import type { Conv2dDims } from '@nabla/linalg'
import type { NDArray } from '@nabla/ndarray'
import { bind } from '@nabla/ndarray/core'
import { asType } from '../cotangent.js'
import type { Rule } from '../rule.js'
import { combine } from './add.js'

/** Only the geometry of a convolution's params (without a backprop primitive's size). */
const dimsOf = ({ strides, padding, dilation }: Conv2dDims): Conv2dDims => ({ strides, padding, dilation })

const conv = (x: NDArray, k: NDArray, p: Conv2dDims): NDArray => bind('conv2d', [x, k], dimsOf(p))

/** ∂⟨conv2d(x, k), g⟩/∂x for images shaped like `like`. */
const backpropInput = (g: NDArray, k: NDArray, p: Conv2dDims, like: NDArray): NDArray =>
  bind('conv2dBackpropInput', [g, k], {
    ...dimsOf(p),
    inputSize: [like.shape[1] as number, like.shape[2] as number],
  })

/** ∂⟨conv2d(x, k), g⟩/∂k for a kernel shaped like `like`. */
const backpropFilter = (x: NDArray, g: NDArray, p: Conv2dDims, like: NDArray): NDArray =>
  bind('conv2dBackpropFilter', [x, g], {
    ...dimsOf(p),
    kernelSize: [like.shape[0] as number, like.shape[1] as number],
  })

export const conv2d: Rule<'conv2d'> = {
  jvp: ([x, k], [dx = null, dk = null], out, p) =>
    asType(combine(dx && conv(dx, k as NDArray, p), dk && conv(x as NDArray, dk, p), out.shape), out),
  vjp: (ct, [x, k], _, p, [nx, nk]) => [
    nx ? asType(backpropInput(ct, k as NDArray, p, x as NDArray), x as NDArray) : null,
    nk ? asType(backpropFilter(x as NDArray, ct, p, k as NDArray), k as NDArray) : null,
  ],
}

export const conv2dBackpropInput: Rule<'conv2dBackpropInput'> = {
  jvp: ([g, k], [dg = null, dk = null], out, p) =>
    asType(
      combine(
        dg && bind('conv2dBackpropInput', [dg, k as NDArray], p),
        dk && bind('conv2dBackpropInput', [g as NDArray, dk], p),
        out.shape,
      ),
      out,
    ),
  // ⟨ct, ∂T/∂x (g, k)⟩ = T(ct, k, g)
  vjp: (ct, [g, k], _, p, [ng, nk]) => [
    ng ? asType(conv(ct, k as NDArray, p), g as NDArray) : null,
    nk ? asType(backpropFilter(ct, g as NDArray, p, k as NDArray), k as NDArray) : null,
  ],
}

export const conv2dBackpropFilter: Rule<'conv2dBackpropFilter'> = {
  jvp: ([x, g], [dx = null, dg = null], out, p) =>
    asType(
      combine(
        dx && bind('conv2dBackpropFilter', [dx, g as NDArray], p),
        dg && bind('conv2dBackpropFilter', [x as NDArray, dg], p),
        out.shape,
      ),
      out,
    ),
  // ⟨ct, ∂T/∂k (x, g)⟩ = T(x, ct, g)
  vjp: (ct, [x, g], _, p, [nx, ng]) => [
    nx ? asType(backpropInput(g as NDArray, ct, p, x as NDArray), x as NDArray) : null,
    ng ? asType(conv(x as NDArray, ct, p), g as NDArray) : null,
  ],
}
