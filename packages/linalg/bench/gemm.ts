/**
 * GFLOP/s of each kernel tier (and thread count, when a worker pool is wired) on the MNIST
 * network's products: forward, the two backward products with a transposed operand (given as a
 * flag), the skinny output layer, and 1024³. Median of repetitions; prints the machine.
 * Run: pnpm --filter @nabla/linalg bench
 */
import os from 'node:os'
import { kernelInfo, setKernel, type Tier } from '../src/index.js'
import { gemm } from '../src/kernels/dispatch.js'
import type { GemmArgs } from '../src/kernels/gemm.js'
import { registeredTiers, threadPool } from '../src/kernels/registry.js'

interface Case {
  readonly name: string
  readonly m: number
  readonly n: number
  readonly k: number
  readonly transA: boolean
  readonly transB: boolean
  /** ref runs only where this is true (it is the oracle, not a contender) */
  readonly ref: boolean
}

const cases: readonly Case[] = [
  { name: '[128×784]·[784×512]', m: 128, n: 512, k: 784, transA: false, transB: false, ref: true },
  { name: '[128×784]ᵀ·[128×512] (transA)', m: 784, n: 512, k: 128, transA: true, transB: false, ref: true },
  { name: '[128×10]·[512×10]ᵀ (transB)', m: 128, n: 512, k: 10, transA: false, transB: true, ref: true },
  { name: '[128×512]·[512×10]', m: 128, n: 10, k: 512, transA: false, transB: false, ref: true },
  { name: '1024³', m: 1024, n: 1024, k: 1024, transA: false, transB: false, ref: false },
]

/** Deterministic values in [−1, 1). */
const filled = (n: number, seed: number): Float32Array => {
  const out = new Float32Array(n)
  let s = seed
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647
    out[i] = (2 * s) / 2147483647 - 1
  }
  return out
}

const argsFor = ({ m, n, k, transA, transB }: Case): GemmArgs => ({
  transA,
  transB,
  m,
  n,
  k,
  a: filled(m * k, 1),
  aOffset: 0,
  lda: transA ? m : k,
  b: filled(k * n, 2),
  bOffset: 0,
  ldb: transB ? k : n,
  c: new Float32Array(m * n),
  cOffset: 0,
  ldc: n,
})

/** Median seconds of one product: warm up, then repeat for ~0.6 s (at least 5, at most 200 times). */
const median = (args: GemmArgs): number => {
  const warm = performance.now()
  do gemm(args)
  while (performance.now() - warm < 150)
  const times: number[] = []
  const start = performance.now()
  while (times.length < 5 || (times.length < 200 && performance.now() - start < 600)) {
    const t = performance.now()
    gemm(args)
    times.push(performance.now() - t)
  }
  times.sort((x, y) => x - y)
  return (times[times.length >> 1] as number) / 1000
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.arch()}`)
const info = kernelInfo()
console.log(
  `tiers: ${info.tiers.join(', ')}; workers: ${info.workers}; simd: ${info.simd}; relaxed simd: ${info.relaxedSimd}`,
)

const pool = threadPool()
const runs: { tier: Tier; threads: number }[] = registeredTiers().flatMap((tier) => {
  const counts = pool !== null && tier !== 'ref' && pool.tiers.includes(tier) ? [1, pool.defaultThreads] : [1]
  return [...new Set(counts)].map((threads) => ({ tier, threads }))
})

const width = Math.max(...cases.map((c) => c.name.length))
console.log(`\nGFLOP/s (float32, median)`)
console.log(`${''.padEnd(width)}  ${runs.map((r) => `${r.tier}×${r.threads}`.padStart(9)).join('')}`)
const plain = new Map<string, number>()
for (const c of cases) {
  const args = argsFor(c)
  const cells = runs.map(({ tier, threads }) => {
    if (tier === 'ref' && !c.ref) return '—'.padStart(9)
    setKernel({ kernel: tier, threads })
    const gflops = (2 * c.m * c.n * c.k) / median(args) / 1e9
    const used = kernelInfo().last?.threads ?? 1
    if (c === cases[0]) plain.set(`${tier}×${threads}`, gflops)
    const base = c === cases[1] ? (plain.get(`${tier}×${threads}`) ?? gflops) : gflops
    const marks = `${gflops < 0.85 * base ? '!' : ''}${used < threads ? `(${used})` : ''}`
    return `${gflops.toFixed(2)}${marks}`.padStart(9)
  })
  console.log(`${c.name.padEnd(width)}  ${cells.join('')}`)
}
console.log('(! marks a transposed-flag product more than 15% slower than the plain one;')
console.log(' (n) marks a product that ran on fewer threads than asked, e.g. below the pool threshold)')
setKernel({ kernel: 'auto', threads: 'auto' })
