// Bundled by browser.test.ts (esbuild, for the browser) and run on a page's main thread and in a dedicated Web
// Worker: the backward pass's products on 2 threads — before and after `threadsReady` — and on 1 thread, compared
// bit for bit with each other and with a float64 triple loop. Reports plain data; the test asserts on it.
import { array, type NDArray, toTypedArray, transpose } from '@nabla/ndarray'
import { dot, kernelInfo, setKernel, threadSupport, threadsReady } from '../src/index.js'

/** One product's outcome: the threads it ran on, its bits, and its worst error in units of the γ_k·Σ|a·b| bound. */
interface Product {
  readonly threads: number
  readonly bits: string
  readonly errorOverBound: number
}

export interface PageReport {
  readonly where: 'page' | 'worker'
  readonly crossOriginIsolated: boolean
  readonly hardwareConcurrency: number
  readonly support: ReturnType<typeof threadSupport>
  readonly ready: Awaited<ReturnType<typeof threadsReady>>
  readonly info: { readonly threads: number; readonly workers: boolean }
  /** [128×784]·[784×512] and [784×128]ᵀ·[784×512] (a transposed operand), each before, after and on 1 thread. */
  readonly products: readonly { readonly before: Product; readonly after: Product; readonly one: Product }[]
}

// A fixed LCG: the same inputs on every run, in [-1, 1).
const floats = (length: number, seed: number): Float32Array => {
  let s = seed >>> 0
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 31 - 1
  })
}

const hash = (c: Float32Array): string => {
  // FNV-1a over the float bits: equal strings ⇔ (practically) identical bits; cheap to send back
  let h = 0x811c9dc5
  for (const word of new Uint32Array(c.buffer, c.byteOffset, c.length)) h = Math.imul(h ^ word, 0x01000193) >>> 0
  return `${c.length}:${h.toString(16)}`
}

/** max over C of |c − exact| / (γ_k·Σ|a·b|), with C = op(A)·B, A given as [m×k] (or [k×m] when transposed). */
const errorOverBound = (
  c: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
): number => {
  const u = 2 ** -24
  const gamma = (k * u) / (1 - k * u)
  let worst = 0
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let value = 0
      let abs = 0
      for (let p = 0; p < k; p++) {
        const x = (a[transA ? p * m + i : i * k + p] as number) * (b[p * n + j] as number)
        value += x
        abs += Math.abs(x)
      }
      const err = Math.abs((c[i * n + j] as number) - value) / (gamma * abs)
      if (!(err <= worst)) worst = err // NaN counts as the worst
    }
  }
  return worst
}

const product = (x: NDArray, y: NDArray, check: (c: Float32Array) => number): Product => {
  const c = toTypedArray(dot(x, y)) as Float32Array
  return { threads: kernelInfo().last?.threads ?? 0, bits: hash(c), errorOverBound: check(c) }
}

const run = async (where: 'page' | 'worker'): Promise<PageReport> => {
  const [m, n, k] = [128, 512, 784]
  const a = floats(m * k, 1)
  const at = floats(k * m, 2)
  const b = floats(k * n, 3)
  const cases = [
    { x: array(a, { shape: [m, k] }), check: (c: Float32Array) => errorOverBound(c, a, b, m, n, k, false) },
    // dot(xᵀ, w): the transpose reaches the kernel as a flag
    { x: transpose(array(at, { shape: [k, m] })), check: (c: Float32Array) => errorOverBound(c, at, b, m, n, k, true) },
  ]
  const y = array(b, { shape: [k, n] })
  setKernel({ threads: 2 })
  // In a browser no worker can have started yet (the thread has not yielded): these run on this thread
  const before = cases.map(({ x, check }) => product(x, y, check))
  const ready = await threadsReady()
  const after = cases.map(({ x, check }) => product(x, y, check))
  const { threads, workers } = kernelInfo()
  setKernel({ threads: 1 })
  const one = cases.map(({ x, check }) => product(x, y, check))
  setKernel({ threads: 'auto' })
  return {
    where,
    crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    support: threadSupport(),
    ready,
    info: { threads, workers },
    products: cases.map((_, i) => ({
      before: before[i] as Product,
      after: after[i] as Product,
      one: one[i] as Product,
    })),
  }
}

const scope = globalThis as unknown as {
  document?: { currentScript?: { src?: string } | null }
  onmessage: ((event: unknown) => void) | null
  postMessage(data: unknown): void
  nabla?: { page(): Promise<PageReport>; worker(): Promise<PageReport> }
}

if (scope.document === undefined) {
  // A dedicated Web Worker running this same bundle: any message starts the run, the report goes back.
  scope.onmessage = () => {
    run('worker').then(
      (report) => scope.postMessage({ report }),
      (error: unknown) => scope.postMessage({ error: String(error) }),
    )
  }
} else {
  const src = scope.document.currentScript?.src ?? ''
  scope.nabla = {
    page: () => run('page'),
    worker: () =>
      new Promise((resolve, reject) => {
        const worker = new Worker(src)
        worker.onmessage = ({ data }: MessageEvent<{ report?: PageReport; error?: string }>) => {
          worker.terminate()
          if (data.report !== undefined) resolve(data.report)
          else reject(new Error(`in the Web Worker: ${data.error}`))
        }
        worker.onerror = (event) => reject(new Error(`the Web Worker failed: ${event.message}`))
        worker.postMessage('run')
      }),
  }
}
