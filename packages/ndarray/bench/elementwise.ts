/**
 * Element-wise ops and sum on contiguous float32, timed against a plain `for` loop doing
 * the same arithmetic into a preallocated output (and the same loop allocating its output,
 * which an immutable op must do). Run: `pnpm bench` in packages/ndarray.
 *
 * An op allocates its result, and the first touch of freshly mapped memory costs a page
 * fault per 4 KiB. glibc hands large freed blocks back to the OS, so in a VM where faults
 * are slow (~10 ms per 4 MB on the machine this was written on) the op timings swing by
 * 10× with the allocator's state. Unless `--raw-malloc` is given, the script re-runs
 * itself with glibc tunables that keep freed memory in the process, so the table measures
 * the ops rather than the page faults.
 *
 * Last, the ops that run as WebAssembly SIMD loops (bias add, where, sum over rows on
 * [128, 512]) are timed again against the same ops in a child with NABLA_KERNEL=ts, which
 * keeps every loop JavaScript: before and after in one run.
 */
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import {
  add,
  exp,
  greater,
  type Key,
  key,
  maximum,
  mul,
  type NDArray,
  split,
  sub,
  sum,
  uniform,
  where,
} from '@nabla/ndarray'
import { concrete } from '@nabla/ndarray/core'

const KEEP_FREED_MEMORY = 'glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=4294967295'
const raw = process.argv.includes('--raw-malloc')
if (!raw && process.env.GLIBC_TUNABLES === undefined && os.platform() === 'linux') {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: KEEP_FREED_MEMORY },
  })
  process.exit(child.status ?? 1)
}

// `--simd-ops`: only time the ops that have a WebAssembly SIMD loop and print them as JSON (the parent runs this
// in a child with NABLA_KERNEL=ts for the JavaScript-loop column)
const simdOpsOnly = process.argv.includes('--simd-ops')

// The issue's target: no op slower than this many times the plain loop.
const TARGET = 3

interface Case {
  readonly name: string
  readonly op: () => unknown
  /** The plain loop into a preallocated output. */
  readonly loop: () => unknown
  /** The same loop, allocating its output each call. */
  readonly allocLoop: () => unknown
}

/**
 * Median time of one call of `fn` in ms: after a warm-up, calls are batched so that each
 * sample lasts at least ~2 ms (small ops would otherwise measure the clock), and samples
 * are taken until about `budgetMs` has passed.
 */
const time = (fn: () => unknown, budgetMs = 500): number => {
  let batch = 1
  for (let t0 = performance.now(); ; batch *= 2) {
    for (let i = 0; i < batch; i++) fn()
    if (performance.now() - t0 > 50) break
  }
  const once = (): number => {
    const t = performance.now()
    for (let i = 0; i < batch; i++) fn()
    return performance.now() - t
  }
  batch = Math.max(1, Math.ceil((batch * 2) / Math.max(once(), 1e-3)))
  const samples: number[] = []
  const start = performance.now()
  while (samples.length < 9 || (performance.now() - start < budgetMs && samples.length < 200)) {
    samples.push(once() / batch)
  }
  samples.sort((x, y) => x - y)
  return samples[samples.length >> 1] as number
}

const dataOf = (x: NDArray): Float32Array => concrete('bench', x).data as Float32Array

const [k1, k2, k3, k4, k5, k6] = split(key(0), 6) as [Key, Key, Key, Key, Key, Key]
const N = 1_000_000
const a = uniform(k1, [N], { minval: -1, maxval: 1 })
const b = uniform(k2, [N], { minval: -1, maxval: 1 })
const ad = dataOf(a)
const bd = dataOf(b)
const out = new Float32Array(N)

// the MNIST-like shapes: a dense layer's bias add, and logits minus their row maximum
const h = uniform(k3, [128, 512])
const bias = uniform(k4, [512])
const logits = uniform(k5, [128, 10])
const rowMax = uniform(k6, [128, 1])
const hd = dataOf(h)
const biasd = dataOf(bias)
const ld = dataOf(logits)
const rd = dataOf(rowMax)
const hOut = new Float32Array(128 * 512)
const lOut = new Float32Array(128 * 10)

// each loop body written once, run into a given output
const addInto = (o: Float32Array) => {
  for (let i = 0; i < N; i++) o[i] = (ad[i] as number) + (bd[i] as number)
}
const mulInto = (o: Float32Array) => {
  for (let i = 0; i < N; i++) o[i] = (ad[i] as number) * (bd[i] as number)
}
const reluInto = (o: Float32Array) => {
  for (let i = 0; i < N; i++) {
    const v = ad[i] as number
    // biome-ignore lint/complexity/useMathMinMax: the branch is how a hand-written relu loop reads
    o[i] = v > 0 ? v : 0
  }
}
const expInto = (o: Float32Array) => {
  for (let i = 0; i < N; i++) o[i] = Math.exp(ad[i] as number)
}
const sumOf = (o: Float64Array) => {
  let s = 0
  for (let i = 0; i < N; i++) s += ad[i] as number
  o[0] = s
}
const biasInto = (o: Float32Array) => {
  for (let i = 0; i < 128; i++) {
    for (let j = 0; j < 512; j++) o[i * 512 + j] = (hd[i * 512 + j] as number) + (biasd[j] as number)
  }
}
const rowSubInto = (o: Float32Array) => {
  for (let i = 0; i < 128; i++) {
    const m = rd[i] as number
    for (let j = 0; j < 10; j++) o[i * 10 + j] = (ld[i * 10 + j] as number) - m
  }
}
const sumOut = new Float64Array(1)
const hMask = greater(h, 0)
const maskd = concrete('bench', hMask).data as Uint8Array
const colSum = new Float64Array(512)
const whereInto = (o: Float32Array) => {
  for (let i = 0; i < 128 * 512; i++) o[i] = maskd[i] ? (hd[i] as number) : 0
}
const colSumInto = (o: Float32Array) => {
  colSum.fill(0)
  for (let i = 0; i < 128; i++)
    for (let j = 0; j < 512; j++) colSum[j] = (colSum[j] as number) + (hd[i * 512 + j] as number)
  o.set(colSum)
}
const colOut = new Float32Array(512)

// the three [128, 512] loops of a dense layer's training step that run as WebAssembly SIMD, and a long add
const simdOps: readonly (readonly [string, () => unknown])[] = [
  ['add [1e6]+[1e6]', () => add(a, b)],
  ['add [128,512]+[512]', () => add(h, bias)],
  ['where(mask, [128,512], 0)', () => where(hMask, h, 0)],
  ['sum [128,512] axis 0', () => sum(h, { axis: 0 })],
]
if (simdOpsOnly) {
  console.log(JSON.stringify(simdOps.map(([name, op]) => [name, time(op)])))
  process.exit(0)
}

const cases: Case[] = [
  {
    name: 'add [1e6]+[1e6]',
    op: () => add(a, b),
    loop: () => addInto(out),
    allocLoop: () => addInto(new Float32Array(N)),
  },
  {
    name: 'mul [1e6]*[1e6]',
    op: () => mul(a, b),
    loop: () => mulInto(out),
    allocLoop: () => mulInto(new Float32Array(N)),
  },
  {
    name: 'maximum([1e6], 0)',
    op: () => maximum(a, 0),
    loop: () => reluInto(out),
    allocLoop: () => reluInto(new Float32Array(N)),
  },
  { name: 'exp [1e6]', op: () => exp(a), loop: () => expInto(out), allocLoop: () => expInto(new Float32Array(N)) },
  { name: 'sum [1e6]', op: () => sum(a), loop: () => sumOf(sumOut), allocLoop: () => sumOf(new Float64Array(1)) },
  {
    name: 'add [128,512]+[512]',
    op: () => add(h, bias),
    loop: () => biasInto(hOut),
    allocLoop: () => biasInto(new Float32Array(128 * 512)),
  },
  {
    name: 'where(mask, [128,512], 0)',
    op: () => where(hMask, h, 0),
    loop: () => whereInto(hOut),
    allocLoop: () => whereInto(new Float32Array(128 * 512)),
  },
  {
    name: 'sum [128,512] axis 0',
    op: () => sum(h, { axis: 0 }),
    loop: () => colSumInto(colOut),
    allocLoop: () => colSumInto(new Float32Array(512)),
  },
  {
    name: 'sub [128,10]-[128,1]',
    op: () => sub(logits, rowMax),
    loop: () => rowSubInto(lOut),
    allocLoop: () => rowSubInto(new Float32Array(128 * 10)),
  },
]

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.arch()}`)
console.log(
  `malloc: ${raw || process.env.GLIBC_TUNABLES === undefined ? 'default' : `GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES}`}`,
)
console.log(`target: every op within ${TARGET}x of the plain loop (median times of repeated runs)\n`)
const rows = cases.map((c) => {
  const loopMs = time(c.loop)
  const allocMs = time(c.allocLoop)
  const opMs = time(c.op)
  return { name: c.name, opMs, loopMs, allocMs, ratio: opMs / loopMs, allocRatio: opMs / allocMs }
})
const pad = Math.max(...rows.map((r) => r.name.length))
const num = (v: number, w = 10) => v.toFixed(v < 0.01 ? 4 : 3).padStart(w)
console.log(
  `${'op'.padEnd(pad)}  ${'op ms'.padStart(10)}  ${'loop ms'.padStart(10)}  ${'loop+alloc'.padStart(10)}  ${'op/loop'.padStart(7)}  ${'op/(loop+alloc)'.padStart(15)}`,
)
for (const r of rows) {
  const flag = r.ratio > TARGET ? '  > target' : ''
  console.log(
    `${r.name.padEnd(pad)}  ${num(r.opMs)}  ${num(r.loopMs)}  ${num(r.allocMs)}  ${r.ratio.toFixed(2).padStart(7)}  ${r.allocRatio.toFixed(2).padStart(15)}${flag}`,
  )
}
const worst = rows.reduce((w, r) => (r.ratio > w.ratio ? r : w))
console.log(`\nworst: ${worst.name} at ${worst.ratio.toFixed(2)}x (target ${TARGET}x)`)

// before/after for the WebAssembly SIMD loops: the same ops in a child with NABLA_KERNEL=ts (JavaScript loops)
const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1), '--simd-ops'], {
  env: { ...process.env, NABLA_KERNEL: 'ts' },
  encoding: 'utf8',
})
const jsTimes = new Map<string, number>(JSON.parse(child.stdout.trim().split('\n').pop() ?? '[]'))
console.log(
  `\n${'SIMD loop'.padEnd(pad)}  ${'JS ms'.padStart(10)}  ${'SIMD ms'.padStart(10)}  ${'speedup'.padStart(7)}`,
)
for (const [name, op] of simdOps) {
  const jsMs = jsTimes.get(name) ?? Number.NaN
  const simdMs = time(op)
  console.log(`${name.padEnd(pad)}  ${num(jsMs)}  ${num(simdMs)}  ${(jsMs / simdMs).toFixed(2).padStart(7)}`)
}
