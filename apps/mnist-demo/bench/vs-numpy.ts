// Seconds per MNIST epoch of the demo's training with nabla (Keras face, jit on: bench/epoch-times.ts) next to a
// hand-written NumPy loop of the same network (bench/numpy_reference.py) and, when a python3 with PyTorch is on the
// PATH, the same in PyTorch on the CPU (bench/torch_reference.py); run alternately in one sitting, each in a fresh
// process: nabla, NumPy, PyTorch, nabla, NumPy, PyTorch, …
// With MODEL=convnet, the demo's --model convnet (chapter 5: conv 32/64/64 3×3 relu, 2×2 max pooling, dense 64,
// dense 10; batch 64) in nabla and in PyTorch (bench/torch_convnet.py); NumPy has no convnet here and is skipped.
// Not a test: numbers for the machine it runs on. Each run's line says how many cores' worth of CPU other processes
// used meanwhile (from /proc/stat): on a shared machine, a run with more than a few hundredths is not clean.
//   MODEL         dense (default: chapter 2's network, batch 128) or convnet (chapter 5's, batch 64)
//   ROUNDS        rounds of runs (default 1)
//   EPOCHS        epochs per run (default 5)
//   PYTHON        the interpreter for NumPy (default: the first python3 on the PATH that imports numpy)
//   TORCH_PYTHON  the interpreter for PyTorch (default: the first python3 on the PATH that imports torch)
//   TORCH=0       skip PyTorch
//   TORCH_THREADS PyTorch's intra-op threads (default: its own choice; see bench/torch_reference.py)
// Run from apps/mnist-demo: node --conditions=@nabla/source --import tsx bench/vs-numpy.ts (pnpm bench:peers;
// MODEL=convnet pnpm bench:peers for the convnet).
import { spawnSync } from 'node:child_process'
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs'
import os from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mnistDataDir } from '@nabla/datasets'
import * as E from 'fp-ts/lib/Either.js'

type System = 'nabla' | 'numpy' | 'torch'
type Model = 'dense' | 'convnet'

/** What the OpenBLAS a Python run loaded said about itself. */
interface Blas {
  readonly source?: string
  readonly library?: string
  readonly coretype?: string
  readonly threads?: number
  readonly config?: string
  readonly env?: Record<string, string>
}

/** The JSON line a run ends with. */
interface Run {
  readonly system: System
  readonly model?: Model
  readonly batch_size?: number
  readonly epochs: readonly number[]
  readonly test_accuracy: number
  readonly peak_rss_mb?: number
  readonly cpu_seconds?: number
  readonly version?: string
  readonly python?: string
  readonly kernel?: {
    readonly tier: string
    readonly threads: number
    readonly simd: boolean
    readonly relaxedSimd: boolean
  }
  readonly blas?: Blas | null
  readonly threads?: number
  readonly default_threads?: number
  readonly blas_build?: string | null
  readonly unavailable?: string
}

const label: Record<System, string> = { nabla: 'nabla', numpy: 'NumPy', torch: 'PyTorch' }

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name]
  const n = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`vs-numpy: ${name} must be a positive integer, got ${raw}`)
  return n
}
const rounds = positive('ROUNDS', 1)
const epochs = positive('EPOCHS', 5)
const modelEnv = process.env.MODEL ?? ''
if (modelEnv !== '' && modelEnv !== 'dense' && modelEnv !== 'convnet')
  throw new RangeError(`vs-numpy: MODEL must be dense or convnet, got ${modelEnv}`)
const model: Model = modelEnv === 'convnet' ? 'convnet' : 'dense'
// the demo's batch for each network (its --batch-size default), given to every system
const batchSize = model === 'convnet' ? 64 : 128
const describe: Record<Model, string> = {
  dense: 'the dense network (chapter 2: Dense 512 relu → Dense 10)',
  convnet: 'the convnet (chapter 5: conv 32/64/64 3×3 relu, 2×2 max pooling, dense 64 relu, dense 10)',
}
const here = dirname(fileURLToPath(import.meta.url))
const appDir = dirname(here)

// the demo launcher's malloc settings (bin/mnist-demo.js sets them before it starts): the demo's defaults
const nablaEnv: NodeJS.ProcessEnv = {
  ...process.env,
  MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? String(256 * 1024 * 1024),
  GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? 'glibc.malloc.hugetlb=1',
}
// A machine may pin OpenBLAS to an older core type or a smaller cache than the CPU has, which slows NumPy's
// kernels: the NumPy run gets OpenBLAS's own choice. The thread count (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS)
// is left as the machine has it.
const pinned = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'] as const
const numpyEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !(pinned as readonly string[]).includes(k)),
)

/** Every distinct `python3` on the PATH, in PATH order (the same interpreter twice counts once). */
const pythonsOnPath = (): string[] => {
  const seen = new Set<string>()
  const found: string[] = []
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, 'python3')
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

/** The first interpreter (the given one, else each python3 on the PATH) that can import `module`. */
const findPython = (given: string | undefined, module: string): { python?: string; why?: string } => {
  const candidates = given !== undefined && given !== '' ? [given] : pythonsOnPath()
  if (candidates.length === 0) return { why: 'no python3 on the PATH' }
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8', env: numpyEnv })
    if (probe.status === 0) return { python }
  }
  return { why: `${candidates.join(', ')}: no module named ${module}` }
}

/** CPU seconds the whole machine has been busy (all cores, not idle, I/O wait or steal), or undefined off Linux. */
const machineBusySeconds = (): number | undefined => {
  try {
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
    // /proc/stat counts in USER_HZ ticks, 100 a second on Linux
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / 100
  } catch {
    return undefined
  }
}

/** Cores' worth of CPU that processes other than the run used while it ran (a noisy machine shows here). */
const otherLoad = new WeakMap<Run, number>()

/** Runs one child in apps/mnist-demo and parses the JSON line its output ends with. */
const runChild = (system: System, command: string, args: readonly string[], env: NodeJS.ProcessEnv): Run => {
  const busyBefore = machineBusySeconds()
  const started = performance.now()
  const child = spawnSync(command, args, {
    cwd: appDir,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const last =
    child.stdout
      ?.trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .at(-1) ?? ''
  if (child.status !== 0 || last === '') {
    throw new Error(
      `vs-numpy: the ${label[system]} run failed (${child.error?.message ?? `exit code ${child.status}`})`,
    )
  }
  const run = JSON.parse(last) as Run
  const busyAfter = machineBusySeconds()
  if (busyBefore !== undefined && busyAfter !== undefined && run.cpu_seconds !== undefined) {
    const wall = (performance.now() - started) / 1000
    otherLoad.set(run, Math.max(0, busyAfter - busyBefore - run.cpu_seconds) / wall)
  }
  return run
}

const dataDir = mnistDataDir()
if (E.isLeft(dataDir)) throw new Error(`vs-numpy: ${dataDir.left.message}`)
const common = ['--epochs', String(epochs), '--batch-size', String(batchSize)]
const pyArgs = (script: string) => [join(here, script), ...common, '--data', dataDir.right]

const runners: { system: System; run: () => Run }[] = [
  {
    system: 'nabla',
    run: () =>
      runChild(
        'nabla',
        process.execPath,
        ['--conditions=@nabla/source', '--import', 'tsx', join(here, 'epoch-times.ts'), '--model', model, ...common],
        nablaEnv,
      ),
  },
]
// a missing python3, NumPy or PyTorch is not a failure of nabla: say so and time the others
const numpyPython =
  model === 'convnet'
    ? { why: 'no NumPy convnet here (numpy_reference.py is the dense network; MODEL=convnet times nabla and PyTorch)' }
    : findPython(process.env.PYTHON, 'numpy')
if (numpyPython.python !== undefined) {
  const python = numpyPython.python
  runners.push({ system: 'numpy', run: () => runChild('numpy', python, pyArgs('numpy_reference.py'), numpyEnv) })
} else console.log(`NumPy skipped: ${numpyPython.why}`)
const torchPython =
  process.env.TORCH === '0' ? { why: 'TORCH=0' } : findPython(process.env.TORCH_PYTHON, 'torch, numpy')
if (torchPython.python !== undefined) {
  const python = torchPython.python
  const script = model === 'convnet' ? 'torch_convnet.py' : 'torch_reference.py'
  runners.push({ system: 'torch', run: () => runChild('torch', python, pyArgs(script), process.env) })
} else console.log(`PyTorch skipped: torch unavailable (${torchPython.why})`)

const cpus = os.cpus()
console.log(
  `machine: ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${os.platform()} ${os.release()}, Node ${process.version}; ` +
    `load average ${os.loadavg()[0]?.toFixed(2)} at the start`,
)
for (const name of pinned) {
  if (process.env[name] !== undefined) console.log(`${name}=${process.env[name]} here: unset for the NumPy run`)
}
console.log(
  `${describe[model]}: ${rounds} round(s) of ${runners.map((r) => label[r.system]).join(', ')}; ` +
    `${epochs} epoch(s) each, batch ${batchSize}, float32\n`,
)

const fmt = (s: number) => s.toFixed(2)
const mb = (r: Run) => (r.peak_rss_mb === undefined ? '?' : `${r.peak_rss_mb.toFixed(0)} MB`)
const runs: Run[] = []
for (let round = 1; round <= rounds; round++) {
  for (const { system, run } of runners) {
    const result = run()
    if (result.unavailable !== undefined) {
      console.log(`round ${round}  ${label[system].padEnd(7)}  skipped: ${result.unavailable}`)
      continue
    }
    // a run that says what it trained must have trained what was asked
    if ((result.model ?? model) !== model || (result.batch_size ?? batchSize) !== batchSize) {
      throw new Error(
        `vs-numpy: the ${label[system]} run trained ${result.model} with batch ${result.batch_size}, not ${model} with ${batchSize}`,
      )
    }
    runs.push(result)
    console.log(
      `round ${round}  ${label[system].padEnd(7)}  epochs ${result.epochs.map(fmt).join('  ')} s   ` +
        `test accuracy ${result.test_accuracy.toFixed(4)}   peak RSS ${mb(result)}   ` +
        `other processes ${otherLoad.get(result)?.toFixed(2) ?? '?'} cores`,
    )
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}
interface Summary {
  readonly system: System
  readonly mine: readonly Run[]
  readonly first: number
  readonly later: number
}
const summarize = (among: readonly Run[], system: System): Summary | undefined => {
  const mine = among.filter((r) => r.system === system)
  if (mine.length === 0) return undefined
  const first = median(mine.map((r) => r.epochs[0] as number))
  // epochs 2… are the steady state (the first traces and compiles, warms the caches and starts the workers)
  const later = epochs > 1 ? median(mine.flatMap((r) => r.epochs.slice(1))) : first
  return { system, mine, first, later }
}
const steady = epochs > 1 ? `median of epochs 2–${epochs}` : 'epoch 1'

/** The table of seconds per epoch, accuracy, memory and ratios over `among`; its summaries. */
const report = (title: string, among: readonly Run[]): Summary[] => {
  const summaries = runners.map((r) => summarize(among, r.system)).filter((s) => s !== undefined)
  const nabla = summaries.find((s) => s.system === 'nabla')
  const most = Math.max(...summaries.map((s) => s.mine.length))
  console.log(`\n${title} (${steady}${most > 1 ? `, over ${most} rounds` : ''}):`)
  const header = ['', 's/epoch', 'epoch 1', 'test accuracy', 'peak RSS', 'nabla / this (s/epoch, epoch 1)']
  const rows = summaries.map((s) => [
    label[s.system],
    fmt(s.later),
    fmt(s.first),
    s.mine.map((r) => r.test_accuracy.toFixed(4)).join(', '),
    `${Math.max(...s.mine.map((r) => r.peak_rss_mb ?? Number.NaN)).toFixed(0)} MB`,
    s.system === 'nabla' || nabla === undefined
      ? '—'
      : `${(nabla.later / s.later).toFixed(2)}, ${(nabla.first / s.first).toFixed(2)}`,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  for (const row of [header, ...rows]) {
    console.log(
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ')}`,
    )
  }
  for (const s of summaries) {
    if (nabla !== undefined && s !== nabla) {
      console.log(`  nabla / ${label[s.system]}: ${(nabla.later / s.later).toFixed(2)} (${steady})`)
    }
  }
  return summaries
}

const summaries = report('seconds per epoch, all runs', runs)
// runs during which other processes took more than a tenth of a core are not clean; the clean ones alone, if any
const cleanBelow = 0.1
const clean = runs.filter((r) => (otherLoad.get(r) ?? Number.POSITIVE_INFINITY) < cleanBelow)
if (clean.length < runs.length) {
  const systems = [...new Set(runs.map((r) => r.system))]
  const missing = systems.filter((system) => !clean.some((c) => c.system === system)).map((system) => label[system])
  if (missing.length === 0) report(`clean runs only (other processes < ${cleanBelow} cores)`, clean)
  else console.log(`\nno clean run (other processes < ${cleanBelow} cores) of ${missing.join(', ')}: noisy numbers`)
}
const nabla = summaries.find((s) => s.system === 'nabla')
const numpy = summaries.find((s) => s.system === 'numpy')
const torch = summaries.find((s) => s.system === 'torch')

const blasText = (b: Blas | null | undefined) =>
  b === null || b === undefined
    ? 'no OpenBLAS found in the process'
    : `${b.library}: kernel ${b.coretype ?? '?'}, ${b.threads ?? '?'} thread(s) [${b.config ?? ''}] (from the ${b.source ?? '?'})`
const k = nabla?.mine[0]?.kernel
if (k !== undefined) {
  const simd = k.tier === 'wasm' ? (k.relaxedSimd ? ', relaxed SIMD' : k.simd ? ', SIMD' : '') : ''
  console.log(`\nnabla: ${nabla?.mine[0]?.version}; matrix products: ${k.tier} kernel on ${k.threads} thread(s)${simd}`)
}
const numpyRun = numpy?.mine[0]
if (numpyRun !== undefined) {
  const env = Object.entries(numpyRun.blas?.env ?? {})
  console.log(
    `NumPy: ${numpyRun.version}, ${numpyRun.python}; OpenBLAS ${blasText(numpyRun.blas)}; ` +
      `${pinned.join(', ')} unset; OpenBLAS environment: ${env.length === 0 ? 'none' : env.map(([n, v]) => `${n}=${v}`).join(' ')}`,
  )
}
const torchRun = torch?.mine[0]
if (torchRun !== undefined) {
  console.log(
    `PyTorch: ${torchRun.version}, ${torchRun.python}; ${torchRun.threads} intra-op thread(s) (its default ${torchRun.default_threads}); ` +
      `BLAS_INFO=${torchRun.blas_build ?? '?'}, OpenBLAS ${blasText(torchRun.blas)}`,
  )
}
console.log(`load average ${os.loadavg()[0]?.toFixed(2)} at the end`)
