/** The kernel tiers and the worker pool this runtime has, registered by name (see `all.ts`). */
import type { GemmArgs, GemmKernel } from './gemm.js'

/**
 * A kernel tier: `ref` (naive oracle), `ts` (blocked TypeScript), `wasm` (WebAssembly SIMD, float32).
 * @category Kernels
 * @example
 * const tiers: readonly Tier[] = kernelInfo().tiers
 * tiers.slice(0, 2) // → ['ref', 'ts'] // slowest first
 * const before = setKernel({ kernel: tiers[0] })
 * try {
 *   matmul(ones([2, 2]), ones([2, 2]))
 *   kernelInfo().last?.tier // → 'ref'
 * } finally {
 *   setKernel(before)
 * }
 */
export type Tier = 'ref' | 'ts' | 'wasm'

/**
 * Every tier name, in order of speed.
 * @example
 * // internal (not exported): ['ref', 'ts', 'wasm']; the tiers this runtime has, in that order:
 * kernelInfo().tiers.slice(0, 2) // → ['ref', 'ts']
 * setKernel({ kernel: 'cuda' as never }) // throws RangeError: kernel must be one of auto, ref, ts, wasm
 */
export const tierNames: readonly Tier[] = ['ref', 'ts', 'wasm']

/**
 * Floating-point element types a GEMM runs on.
 * @category Kernels
 * @example
 * const dtype: GemmDType = 'float64'
 * matmul(ones([2, 2], { dtype }), ones([2, 2], { dtype })).dtype // → 'float64'
 * kernelInfo().last?.dtype                                        // → dtype
 * chooseKernel(dtype, 512, 512, 512).tier === 'wasm'              // → false // wasm is float32 only
 */
export type GemmDType = 'float32' | 'float64'

/** A registered tier: its entry point and the element types it computes in. */
export interface TierEntry {
  readonly kernel: GemmKernel
  readonly dtypes: readonly GemmDType[]
}

/**
 * Worker-thread parallelism over a tier's kernel. `run` splits C into fixed parts (so the
 * result does not depend on the thread count), runs them on `threads` threads over shared
 * memory, and returns when all are done.
 */
export interface ThreadPool {
  /** Thread count when neither `NABLA_THREADS` nor `setKernel` sets one (usually the core count). */
  readonly defaultThreads: number
  /** Products with fewer multiply-adds (m·n·k) than this stay on the calling thread. */
  readonly minWork: number
  /** Most threads (the calling one included) the pool can use; larger settings are capped. */
  readonly maxThreads: number
  /** Tiers whose kernel the pool can run. */
  readonly tiers: readonly Tier[]
  /** Runs the product on up to `threads` threads; returns how many took part. */
  readonly run: (args: GemmArgs, tier: Tier, threads: number) => number
}

const tiers = new Map<Tier, TierEntry>()
let pool: ThreadPool | null = null

/**
 * Makes a tier available (the `ref` and `ts` tiers always are; `wasm` when the runtime has SIMD).
 * @example
 * // internal (not exported): how the tiers are wired at load, e.g.
 * // registerKernel('ts', { kernel: tsGemm, dtypes: ['float32', 'float64'] })
 * kernelInfo().tiers.includes('ts') // → true
 */
export const registerKernel = (tier: Tier, entry: TierEntry): void => {
  tiers.set(tier, entry)
}

/**
 * Makes worker-thread parallelism available.
 * @example
 * // internal (not exported): how the worker pool is wired at load, e.g.
 * // registerThreads({ defaultThreads: 2, maxThreads: 256, minWork: 1 << 19, tiers: ['wasm'], run })
 * // kernelInfo says whether there is one
 * kernelInfo().workers // → threadSupport().available
 */
export const registerThreads = (threads: ThreadPool): void => {
  pool = threads
}

/**
 * The registered entry of a tier, or undefined.
 * @example
 * // internal (not exported): tierEntry('wasm')?.kernel is the wasm tier's entry point; it is what runs a forced
 * // tier, and a tier that cannot compute the dtype hands the product to ts
 * const before = setKernel({ kernel: 'wasm' })
 * try {
 *   matmul(ones([2, 2], { dtype: 'float64' }), ones([2, 2], { dtype: 'float64' }))
 *   kernelInfo().last.tier // → 'ts'
 * } finally {
 *   setKernel(before)
 * }
 */
export const tierEntry = (tier: Tier): TierEntry | undefined => tiers.get(tier)

/**
 * The registered tiers, in order of speed.
 * @example
 * // internal (not exported): ['ref', 'ts'] before the wasm tier is wired; kernelInfo().tiers is it
 * kernelInfo().tiers // → ['ref', 'ts', 'wasm'].filter((t) => t !== 'wasm' || kernelInfo().simd)
 */
export const registeredTiers = (): Tier[] => tierNames.filter((t) => tiers.has(t))

/**
 * The registered worker pool, or null.
 * @example
 * // internal (not exported): products below its minWork stay on the calling thread
 * const before = setKernel({ kernel: 'wasm', threads: 2 })
 * try {
 *   matmul(ones([4, 4]), ones([4, 4]))
 *   kernelInfo().last.threads // → 1
 * } finally {
 *   setKernel(before)
 * }
 */
export const threadPool = (): ThreadPool | null => pool
