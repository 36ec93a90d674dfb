/** Benchmark of the WebAssembly SIMD tier (plain and relaxed SIMD) on 1 and 2 threads: GFLOP/s, median of runs. */
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import type { GemmArgs } from '../src/kernels/gemm.js'
import { defaultMinWork, gemmParallel, shutdownPool, threadSupport } from '../src/kernels/threads/index.js'
import { gemmWasm, wasmSupport } from '../src/kernels/wasm/index.js'

// [name, transA, transB, m, n, k, zeros]: op(A) is m×k, op(B) is k×n; the transposed operand is stored
// transposed; `zeros` of A's elements are 0 (MNIST's images are 81 % background: zero skipping, see compactPanel.ts).
const cases: [string, boolean, boolean, number, number, number, number?][] = [
  ['[128×784]·[784×512]', false, false, 128, 512, 784],
  ['  same, A 81 % zeros (as MNIST)', false, false, 128, 512, 784, 0.81],
  ['[128×784]ᵀ·[128×512] (transA)', true, false, 784, 512, 128],
  ['  same, A 81 % zeros (as MNIST)', true, false, 784, 512, 128, 0.81],
  ['[784×128]·[128×512] (same, plain)', false, false, 784, 512, 128],
  ['[128×10]·[512×10]ᵀ (transB)', false, true, 128, 512, 10],
  ['[128×10]·[10×512] (same, plain)', false, false, 128, 512, 10],
  ['[128×512]·[512×10]', false, false, 128, 10, 512],
  ['1024³', false, false, 1024, 1024, 1024],
]

// Deterministic operands in [-1, 1) (a linear congruential generator: no Math.random).
let seed = 12345
const fill = (size: number): Float32Array =>
  Float32Array.from({ length: size }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 2 ** 31 - 1
  })

// zeros: the share of A's elements set to 0 (at random places)
const argsFor = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  zeros = 0,
): GemmArgs<Float32Array> => ({
  transA,
  transB,
  m,
  n,
  k,
  a: fill(m * k).map((x) => ((fill(1)[0] as number) + 1 < 2 * zeros ? 0 : x)),
  aOffset: 0,
  lda: transA ? m : k,
  b: fill(k * n),
  bOffset: 0,
  ldb: transB ? k : n,
  c: new Float32Array(m * n),
  cOffset: 0,
  ldc: n,
})

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

// Seconds per call: warm up (so V8 tiers the wasm up to TurboFan), then `samples` timed batches of ≥ 25 ms.
const secondsPerCall = (run: () => void, samples = 11): { median: number; best: number } => {
  let reps = 1
  for (let t = performance.now(); performance.now() - t < 300; ) run()
  for (;;) {
    const t = performance.now()
    for (let i = 0; i < reps; i++) run()
    if (performance.now() - t > 25) break
    reps *= 2
  }
  const times: number[] = []
  for (let s = 0; s < samples; s++) {
    const t = performance.now()
    for (let i = 0; i < reps; i++) run()
    times.push((performance.now() - t) / reps / 1000)
  }
  return { median: median(times), best: Math.min(...times) }
}

const support = wasmSupport()
const threads = threadSupport()
// NABLA_BENCH_RELAXED=1: this process is the child run with the V8 flag, for the relaxed columns only.
const relaxedChild = process.env.NABLA_BENCH_RELAXED === '1'
if (!relaxedChild) {
  console.log(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical cores, node ${process.version}`,
  )
  console.log(`wasm: simd ${support.simd}, relaxed simd ${support.relaxedSimd}; threads available ${threads.available}`)
  console.log(`threading threshold: m·n·k ≥ ${defaultMinWork} (the 2T columns force 2 threads)`)
  console.log('GFLOP/s = 2·m·n·k / time, median (best) of 11 runs after warm-up\n')
}

const variants = relaxedChild ? [true] : [false, ...(support.relaxedSimd ? [true] : [])]
const columns = variants.flatMap((relaxed) =>
  [1, 2].map((t) => ({ relaxed, threads: t, label: `${relaxed ? 'relaxed' : 'plain'} ${t}T` })),
)
console.log(`${'product'.padEnd(36)}${columns.map((c) => c.label.padStart(16)).join('')}`)
for (const [name, transA, transB, m, n, k, zeros] of cases) {
  const args = argsFor(transA, transB, m, n, k, zeros)
  const cells = columns.map(({ relaxed, threads: t }) => {
    const run =
      t === 1
        ? () => gemmWasm(args, { relaxedSimd: relaxed })
        : () => gemmParallel(args, { threads: t, relaxedSimd: relaxed, minWork: 0 })
    const { median: med, best } = secondsPerCall(run)
    const gflops = (s: number) => ((2 * m * n * k) / s / 1e9).toFixed(1)
    return `${gflops(med)} (${gflops(best)})`.padStart(16)
  })
  console.log(`${name.padEnd(36)}${cells.join('')}`)
}
shutdownPool()

// Node 20 keeps relaxed SIMD behind a V8 flag: measure it in a child process that has the flag.
if (!relaxedChild && !support.relaxedSimd) {
  console.log('\nrelaxed SIMD (f32x4.relaxed_madd), in a child run with --experimental-wasm-relaxed-simd:')
  spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', ...process.execArgv, process.argv[1] as string], {
    stdio: 'inherit',
    env: { ...process.env, NABLA_BENCH_RELAXED: '1' },
  })
}
