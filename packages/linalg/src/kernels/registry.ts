/** The kernel tiers and the worker pool this runtime has, registered by name (see `all.ts`). */
import type { GemmArgs, GemmKernel } from './gemm.js'

/** A kernel tier: `ref` (naive oracle), `ts` (blocked TypeScript), `wasm` (WebAssembly SIMD, float32). */
export type Tier = 'ref' | 'ts' | 'wasm'

/**
 * Every tier name, in order of speed.
 * @example
 * tierNames.includes('wasm') // true
 */
export const tierNames: readonly Tier[] = ['ref', 'ts', 'wasm']

/** Floating-point element types a GEMM runs on. */
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
 * registerKernel('ts', { kernel: tsGemm, dtypes: ['float32', 'float64'] })
 */
export const registerKernel = (tier: Tier, entry: TierEntry): void => {
  tiers.set(tier, entry)
}

/**
 * Makes worker-thread parallelism available.
 * @example
 * registerThreads({ defaultThreads: 2, maxThreads: 256, minWork: 1 << 19, tiers: ['wasm'], run })
 */
export const registerThreads = (threads: ThreadPool): void => {
  pool = threads
}

/**
 * The registered entry of a tier, or undefined.
 * @example
 * tierEntry('wasm')?.kernel
 */
export const tierEntry = (tier: Tier): TierEntry | undefined => tiers.get(tier)

/**
 * The registered tiers, in order of speed.
 * @example
 * registeredTiers() // ['ref', 'ts'] before the wasm tier is wired
 */
export const registeredTiers = (): Tier[] => tierNames.filter((t) => tiers.has(t))

/**
 * The registered worker pool, or null.
 * @example
 * threadPool()?.minWork
 */
export const threadPool = (): ThreadPool | null => pool
