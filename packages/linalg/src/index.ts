/**
 * `@nabla/linalg` — the book's tensor dot and its relatives (`dot`, `matmul`, `tensordot`), all
 * one traceable primitive, `dotGeneral`, evaluated by tiered GEMM kernels with transpose flags;
 * and 2-D convolution (`conv2d`), the `conv2d` primitive and its two transposes, on the same kernels.
 * @module @nabla/linalg
 */
import './kernels/dotGeneral.js'
import './kernels/conv2d.js'

export {
  type Choice,
  chooseKernel,
  type GemmRecord,
  type GemmStats,
  gemmStats,
  type KernelInfo,
  kernelInfo,
  resetGemmStats,
} from './kernels/dispatch.js'
export type { GemmDType, Tier } from './kernels/registry.js'
export { type KernelSettings, setKernel } from './kernels/settings.js'
export { type ThreadSupport, type ThreadsReady, threadSupport, threadsReady } from './kernels/threads/index.js'
export { type Conv2dOptions, conv2d } from './ops/conv2d.js'
export { dot } from './ops/dot.js'
export { dotGeneral } from './ops/dotGeneral.js'
export { matmul } from './ops/matmul.js'
export { type TensordotAxes, tensordot } from './ops/tensordot.js'
export type { Conv2dDims, DotDims } from './primitive.js'
