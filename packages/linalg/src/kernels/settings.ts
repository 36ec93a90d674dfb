/**
 * Which kernel tier and how many threads: automatic unless `NABLA_KERNEL` / `NABLA_THREADS`
 * (read once, at the first product) or {@link setKernel} say otherwise.
 */
import { registeredTiers, type Tier, tierNames } from './registry.js'

/**
 * The tier to use (`'auto'`: chosen per product by size, dtype and capability) and the thread count.
 * @category Kernels
 * @example
 * const settings: KernelSettings = { kernel: 'ts', threads: 1 }
 * const before = setKernel(settings)
 * try {
 *   chooseKernel('float32', 512, 512, 512) // → { tier: 'ts', threads: 1 }
 *   setKernel({ kernel: 'auto' })          // → settings // it returns the settings it replaced
 * } finally {
 *   setKernel(before)
 * }
 */
export interface KernelSettings {
  readonly kernel: 'auto' | Tier
  readonly threads: 'auto' | number
}

/** The environment variables, as `process.env` holds them. */
export type KernelEnv = { readonly NABLA_KERNEL?: string | undefined; readonly NABLA_THREADS?: string | undefined }

const allowedKernels = `${tierNames.join(', ')} (or unset for automatic selection)`

/**
 * Settings from the environment: `NABLA_KERNEL=ref|ts|wasm` forces a tier, `NABLA_THREADS=n`
 * (a positive integer) a thread count. Unset or empty means automatic; anything else is an error.
 * @example
 * // internal (not exported): how NABLA_KERNEL=ts NABLA_THREADS=1 are read, as { kernel: 'ts', threads: 1 };
 * // NABLA_THREADS=0 throws "is not a positive integer". setKernel takes the same settings in code:
 * const before = setKernel({ kernel: 'ts', threads: 1 })
 * try {
 *   setKernel({}) // → { kernel: 'ts', threads: 1 }
 * } finally {
 *   setKernel(before)
 * }
 * setKernel({ threads: 0 }) // throws RangeError: threads must be a positive integer or 'auto'; got 0
 */
export const parseKernelEnv = (env: KernelEnv): KernelSettings => {
  const k = env.NABLA_KERNEL?.trim() ?? ''
  const t = env.NABLA_THREADS?.trim() ?? ''
  if (k !== '' && k !== 'auto' && !(tierNames as readonly string[]).includes(k)) {
    throw new RangeError(
      `NABLA_KERNEL=${JSON.stringify(env.NABLA_KERNEL)} is not a kernel tier; expected ${allowedKernels}`,
    )
  }
  if (t !== '' && t !== 'auto' && !/^[1-9][0-9]*$/.test(t)) {
    throw new RangeError(
      `NABLA_THREADS=${JSON.stringify(env.NABLA_THREADS)} is not a positive integer; expected a thread count such as 1 or 2 (or unset for automatic)`,
    )
  }
  return { kernel: k === '' ? 'auto' : (k as 'auto' | Tier), threads: t === '' || t === 'auto' ? 'auto' : Number(t) }
}

let current: KernelSettings | null = null

const processEnv = (): KernelEnv => (globalThis as { process?: { env?: KernelEnv } }).process?.env ?? {}

/** Throws when a forced tier is not available in this runtime. */
const checkAvailable = (source: string, kernel: 'auto' | Tier): void => {
  if (kernel !== 'auto' && !registeredTiers().includes(kernel)) {
    throw new Error(
      `${source}: the ${kernel} tier is not available in this runtime` +
        (kernel === 'wasm' ? ' (no WebAssembly SIMD, or the tier is not built in)' : '') +
        `; available: ${registeredTiers().join(', ')}`,
    )
  }
}

/**
 * The settings in force (the environment is read the first time this is called).
 * @example
 * // internal (not exported): the settings in force, { kernel: 'auto', threads: 'auto' } unless NABLA_KERNEL,
 * // NABLA_THREADS or setKernel say otherwise; setKernel returns them, and kernelInfo shows the tier
 * const before = setKernel({ kernel: 'auto' })
 * try {
 *   kernelInfo().kernel // → 'auto'
 * } finally {
 *   setKernel(before)
 * }
 */
export const kernelSettings = (): KernelSettings => {
  if (current === null) {
    const parsed = parseKernelEnv(processEnv())
    checkAvailable(`NABLA_KERNEL=${parsed.kernel}`, parsed.kernel)
    current = parsed
  }
  return current
}

/**
 * Forces a kernel tier and/or thread count in code (the equivalent of `NABLA_KERNEL` and
 * `NABLA_THREADS`); `'auto'` restores automatic choice; an omitted field is left as it is.
 * Returns the previous settings, so a caller can restore them.
 * @category Kernels
 * @example
 * const before = setKernel({ kernel: 'ts', threads: 1 })
 * try {
 *   // ... every product now runs on the blocked TypeScript kernel, on one thread
 *   matmul(ones([256, 256]), ones([256, 256]))
 *   kernelInfo().last // → { tier: 'ts', threads: 1, dtype: 'float32', m: 256, n: 256, k: 256, transA: false, transB: false, relaxedSimd: false }
 * } finally {
 *   setKernel(before)
 * }
 * setKernel({ kernel: 'gpu' as never }) // throws RangeError: kernel must be one of auto, ref, ts, wasm
 */
export const setKernel = (settings: Partial<KernelSettings>): KernelSettings => {
  const before = kernelSettings()
  const { kernel = before.kernel, threads = before.threads } = settings
  if (kernel !== 'auto' && !(tierNames as readonly unknown[]).includes(kernel)) {
    throw new RangeError(
      `setKernel: kernel must be one of auto, ${tierNames.join(', ')}; got ${JSON.stringify(kernel)}`,
    )
  }
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1)) {
    throw new RangeError(`setKernel: threads must be a positive integer or 'auto'; got ${JSON.stringify(threads)}`)
  }
  checkAvailable('setKernel', kernel)
  current = { kernel, threads }
  return before
}

/**
 * Forgets the settings so the next product reads the environment again (for tests of the
 * environment variables).
 * @example
 * // internal (not exported), for tests of the environment variables: after
 * // process.env.NABLA_KERNEL = 'ref'; resetKernelSettings()
 * // the next product reads NABLA_KERNEL again. In code, setKernel sets the same settings directly:
 * const before = setKernel({ kernel: 'ref' })
 * try {
 *   matmul(ones([2, 2]), ones([2, 2]))
 *   kernelInfo().last.tier // → 'ref'
 * } finally {
 *   setKernel(before)
 * }
 */
export const resetKernelSettings = (): void => {
  current = null
}
