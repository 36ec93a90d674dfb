/**
 * `gemm`: runs one product on the tier the settings and the product's size call for, and
 * keeps what `kernelInfo` and `gemmStats` report.
 */
import './all.js'
import { wasmHeap } from '@nabla/ndarray/core'
import { wasmSupport } from '@nabla/ndarray/wasm'
import type { GemmArgs } from './gemm.js'
import { type GemmDType, registeredTiers, type Tier, type TierEntry, threadPool, tierEntry } from './registry.js'
import { kernelSettings } from './settings.js'

/** Products with at most this many multiply-adds go to `ts` (its plain loop): a call into wasm or packing costs more. */
const TINY = 4096

/**
 * The tier and thread count one product runs with.
 * @category Kernels
 * @example
 * const before = setKernel({ kernel: 'ref', threads: 'auto' })
 * try {
 *   const choice: Choice = chooseKernel('float32', 512, 512, 512)
 *   choice // → { tier: 'ref', threads: 1 } // the forced tier; ref never runs on threads
 * } finally {
 *   setKernel(before)
 * }
 */
export interface Choice {
  readonly tier: Tier
  readonly threads: number
}

const supports = (tier: Tier, dtype: GemmDType): boolean => tierEntry(tier)?.dtypes.includes(dtype) ?? false

/**
 * The tier and thread count for an m×k·k×n product of `dtype` under the current settings:
 * a forced tier is used when it computes `dtype` (wasm is float32-only: float64 goes to ts);
 * otherwise the fastest registered tier, except that tiny products stay on ts. Threads are
 * used only above the pool's minimum work, never for `ref`.
 * @category Kernels
 * @example
 * const before = setKernel({ kernel: 'auto', threads: 'auto' })
 * try {
 *   // { tier: 'wasm', threads: 2 } with every tier wired on two cores
 *   chooseKernel('float32', 128, 512, 784).tier // → kernelInfo().tiers.includes('wasm') ? 'wasm' : 'ts'
 *   // wasm is float32 only; tiny products stay on ts, on one thread
 *   chooseKernel('float64', 128, 512, 784).tier // → 'ts'
 *   chooseKernel('float32', 2, 2, 2) // → { tier: 'ts', threads: 1 }
 *   setKernel({ kernel: 'ref' })
 *   chooseKernel('float32', 128, 512, 784) // → { tier: 'ref', threads: 1 }
 * } finally {
 *   setKernel(before)
 * }
 */
export const chooseKernel = (dtype: GemmDType, m: number, n: number, k: number): Choice => {
  const settings = kernelSettings()
  const work = m * n * k
  let tier: Tier
  if (settings.kernel !== 'auto') tier = supports(settings.kernel, dtype) ? settings.kernel : 'ts'
  else if (work > TINY && supports('wasm', dtype)) tier = 'wasm'
  else tier = 'ts'
  const pool = threadPool()
  const wanted = settings.threads === 'auto' ? (pool?.defaultThreads ?? 1) : settings.threads
  const threaded = pool !== null && tier !== 'ref' && pool.tiers.includes(tier) && work >= pool.minWork && wanted > 1
  return { tier, threads: threaded ? Math.min(wanted, pool.maxThreads) : 1 }
}

/**
 * A product that ran: what `kernelInfo().last` shows (`threads`: how many took part).
 * @category Kernels
 * @example
 * matmul(ones([2, 3], { dtype: 'float64' }), ones([3, 4], { dtype: 'float64' }))
 * const record: GemmRecord | null = kernelInfo().last
 * const { dtype, m, n, k, transA, transB, relaxedSimd } = record!
 * const product = { dtype, m, n, k, transA, transB, relaxedSimd }
 * product // → { dtype: 'float64', m: 2, n: 4, k: 3, transA: false, transB: false, relaxedSimd: false }
 */
export interface GemmRecord extends Choice {
  readonly dtype: GemmDType
  readonly m: number
  readonly n: number
  readonly k: number
  readonly transA: boolean
  readonly transB: boolean
  /** Whether the product's multiply-adds were relaxed SIMD's fused `f32x4.relaxed_madd` (wasm tier only). */
  readonly relaxedSimd: boolean
}

/**
 * Counts of GEMM calls, their floating-point operations (2·m·n·k each) and the wall time spent in them.
 * @category Kernels
 * @example
 * resetGemmStats()
 * matmul(ones([4, 8]), ones([8, 2]))
 * matmul(ones([4, 8]), ones([8, 2]))
 * const stats: GemmStats = gemmStats()
 * stats.calls // → 2
 * stats.flops // → 2 * (2 * 4 * 2 * 8) // 2·m·n·k per call
 */
export interface GemmStats {
  readonly calls: number
  readonly flops: number
  readonly seconds: number
}

let last: GemmRecord | null = null
let calls = 0
let flops = 0
let seconds = 0

/**
 * C = op(A)·op(B) on the chosen tier (all of linalg's products go through here).
 * @example
 * // internal (not exported): every product of linalg ends here, e.g. for xᵀ·g
 * // gemm({ transA: true, transB: false, m, n, k, a, aOffset: 0, lda: m, b, bOffset: 0, ldb: n, c, cOffset: 0, ldc: n })
 * const x = ones([32, 3])
 * const g = ones([32, 4])
 * toArray(dotGeneral(x, g, { contracting: [[0], [0]], batch: [[], []] }))[0] // → [32, 32, 32, 32]
 * const { m, n, k, transA, transB } = kernelInfo().last
 * const product = { m, n, k, transA, transB }
 * product // → { m: 3, n: 4, k: 32, transA: true, transB: false }
 */
export const gemm = (args: GemmArgs): void => {
  const dtype: GemmDType = args.c instanceof Float64Array ? 'float64' : 'float32'
  const choice = chooseKernel(dtype, args.m, args.n, args.k)
  const pool = threadPool()
  let threads = 1
  const started = performance.now()
  const run = (g: GemmArgs): void => {
    if (choice.threads > 1 && pool !== null) threads = pool.run(g, choice.tier, choice.threads)
    else (tierEntry(choice.tier) as TierEntry).kernel(g)
  }
  if (choice.tier === 'wasm' && dtype === 'float32' && narrowTransposed(args)) viaTranspose(args, run)
  else run(args)
  seconds += (performance.now() - started) / 1000
  calls++
  flops += 2 * args.m * args.n * args.k
  const { m, n, k, transA, transB } = args
  // the wasm tier's kernels use relaxed SIMD exactly when the runtime has it (see useRelaxed)
  const relaxedSimd = choice.tier === 'wasm' && dtype === 'float32' && wasmSupport().relaxedSimd
  last = { tier: choice.tier, threads, dtype, m, n, k, transA, transB, relaxedSimd }
}

/**
 * op(A) transposed, op(B) plain, a narrow C (n ≤ 15, m ≥ 4n: MNIST's weight gradient hᵀ·g of the 10-class layer): the
 * WebAssembly tiles would be 2 rows by n columns, a few multiply-adds per load. The same product computed as
 * Cᵀ = op(B)ᵀ·op(A)ᵀ has n rows and m columns, whole 16-wide tiles, and is about 2.7× faster; each element is
 * the same sum of the same products in the same order, so the bits do not change.
 */
const narrowTransposed = ({ transA, transB, m, n, k }: GemmArgs): boolean =>
  // with op(B) plain, the transpose is a tiles-form product too (a plain A′ could take the dot form, another order)
  transA && !transB && n <= 15 && m >= 4 * n && k > 0

let scratch: Float32Array | undefined

/** Runs `args` as its transpose into scratch storage (in the WebAssembly heap when it can be), then copies C out. */
const viaTranspose = (args: GemmArgs, run: (g: GemmArgs) => void): void => {
  const { m, n, c, cOffset, ldc } = args
  if (scratch === undefined || scratch.length < m * n) scratch = wasmHeap().floats(m * n) ?? new Float32Array(m * n)
  const ct = scratch
  run({
    ...{ transA: !args.transB, transB: !args.transA, m: n, n: m, k: args.k },
    ...{ a: args.b, aOffset: args.bOffset, lda: args.ldb, b: args.a, bOffset: args.aOffset, ldb: args.lda },
    ...{ c: ct, cOffset: 0, ldc: m },
  })
  for (let i = 0; i < m; i++) {
    const row = cOffset + i * ldc
    for (let j = 0; j < n; j++) c[row + j] = ct[j * m + i] as number
  }
}

/**
 * How many GEMM calls ran since the last reset, and their flops (2·m·n·k each). Autodiff's
 * tests use it to show that no backward product is computed for a constant.
 * @category Kernels
 * @example
 * const x = ones([128, 784])
 * const w = ones([784, 512])
 * resetGemmStats()
 * dot(x, w)
 * gemmStats().calls // → 1
 * gemmStats().flops // → 2 * 128 * 512 * 784
 * gemmStats().seconds > 0 // → true
 */
export const gemmStats = (): GemmStats => ({ calls, flops, seconds })

/**
 * Sets the GEMM counters to zero.
 * @category Kernels
 * @example
 * matmul(ones([2, 3]), ones([3, 4]))
 * resetGemmStats()
 * gemmStats() // → { calls: 0, flops: 0, seconds: 0 }
 */
export const resetGemmStats = (): void => {
  calls = 0
  flops = 0
  seconds = 0
}

/**
 * What {@link kernelInfo} reports.
 * @category Kernels
 * @example
 * const info: KernelInfo = kernelInfo()
 * info.tiers.includes(info.tier) // → true // a large product runs on an available tier
 * info.simd                      // → wasmSupport().simd
 * info.threads >= 1              // → true
 */
export interface KernelInfo {
  /** The tier setting: `'auto'` or the forced tier. */
  readonly kernel: 'auto' | Tier
  /** The tier a large float32 product runs on now. */
  readonly tier: Tier
  /** Threads a large product is split across (1 without a worker pool). */
  readonly threads: number
  /** Tiers available in this runtime, slowest first. */
  readonly tiers: readonly Tier[]
  /** Is a worker pool available? */
  readonly workers: boolean
  /** Does the runtime have WebAssembly SIMD / relaxed SIMD (fused multiply-add)? */
  readonly simd: boolean
  readonly relaxedSimd: boolean
  /** The last product that ran (tier, threads, dtype, sizes, flags), or null. */
  readonly last: GemmRecord | null
}

/**
 * Which kernels are in use: the setting, the tier and threads a large float32 product gets,
 * what the runtime offers, and the product that ran last.
 * @category Kernels
 * @example
 * // 'ts' after a float64 product (wasm is float32 only), unless the ref tier is forced (NABLA_KERNEL=ref)
 * matmul(ones([64, 64], { dtype: 'float64' }), ones([64, 64], { dtype: 'float64' }))
 * kernelInfo().last?.tier // → kernelInfo().kernel === 'ref' ? 'ref' : 'ts'
 * kernelInfo().last?.dtype // → 'float64'
 * kernelInfo().tiers.slice(0, 2) // → ['ref', 'ts']
 */
export const kernelInfo = (): KernelInfo => {
  const big = chooseKernel('float32', 1024, 1024, 1024)
  return {
    kernel: kernelSettings().kernel,
    tier: big.tier,
    threads: big.threads,
    tiers: registeredTiers(),
    workers: threadPool() !== null,
    ...wasmSupport(),
    last,
  }
}
