// Seconds per MNIST epoch of the book's network, op by op (eager) and compiled (jit), measured in one run so the
// two are comparable on a noisy machine; and where the time goes in each.
// Not a test: numbers for the machine it runs on. EPOCHS (default 2) epochs of each.
import os from 'node:os'
import { valueAndGrad } from '@nabla/autodiff'
import { batches, datasetMnist, toCategorical } from '@nabla/datasets'
import { compileJaxpr, makeJaxpr } from '@nabla/jit'
import { gemmStats, kernelInfo, resetGemmStats, threadsReady } from '@nabla/linalg'
import { key, type NDArray, split, type Tree, treeFlatten, treeLeaves, treeUnflatten } from '@nabla/ndarray'
import { dense, type SerialParams, serial, softmaxCrossentropy, type TrainState, trainStep } from '@nabla/nn'
import { applyUpdates, rmsprop } from '@nabla/optim'
import { scaleImages, toInputs } from '../src/data.js'

const epochs = Number(process.env.EPOCHS ?? 2)
let t0 = performance.now()
const mnist = datasetMnist()
const loadSeconds = (performance.now() - t0) / 1000
const x = scaleImages(toInputs(mnist.train.x))
const y = toCategorical(mnist.train.y, 10)

const net = serial(dense(512, { activation: 'relu' }), dense(10))
const [, initial] = net.init(key(0), [784])
const loss = (p: SerialParams, xb: NDArray, yb: NDArray) => softmaxCrossentropy(net.apply(p, xb), yb)

console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}, ` +
    `MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? 'unset'}, MALLOC_TRIM_THRESHOLD_=${process.env.MALLOC_TRIM_THRESHOLD_ ?? 'unset'}`,
)
console.log(`loading MNIST: ${loadSeconds.toFixed(3)} s`)
// as fit does: the matrix products' workers start before the first epoch
await threadsReady()

const run = (compiled: boolean) => {
  const opt = rmsprop()
  const step = trainStep({ loss, optimizer: opt, jit: compiled })
  let state: TrainState<SerialParams, unknown> = { params: initial, optState: opt.init(initial) }
  const perEpoch: number[] = []
  for (const [e, k] of split(key(1), epochs).entries()) {
    const t = { batch: 0, step: 0 }
    resetGemmStats()
    const started = performance.now()
    const it = batches(x, y, { batchSize: 128, key: k })[Symbol.iterator]()
    for (;;) {
      t0 = performance.now()
      const item = it.next()
      if (item.done === true) break
      const t1 = performance.now()
      ;[state] = step(state, item.value.x, item.value.y)
      t.batch += t1 - t0
      t.step += performance.now() - t1
    }
    const total = (performance.now() - started) / 1000
    perEpoch.push(total)
    const g = gemmStats()
    const line = (name: string, s: number) =>
      `  ${name.padEnd(40)} ${s.toFixed(2)} s  ${((100 * s) / total).toFixed(0).padStart(3)}%`
    console.log(`${compiled ? 'jit  ' : 'eager'} epoch ${e + 1}: ${total.toFixed(2)} s (469 steps of 128)`)
    // flops as 2·m·n·k of the dense product: zero skipping does less work, so this is a dense-equivalent rate
    console.log(line(`GEMM (${g.calls} calls, ${(g.flops / g.seconds / 1e9).toFixed(1)} GFLOP/s dense-eq.)`, g.seconds))
    console.log(line('rest of the step (element-wise, optimizer)', t.step / 1000 - g.seconds))
    console.log(line('batching (shuffle + gather)', t.batch / 1000))
  }
  return perEpoch
}

// The compiled step once more, instrumented: the program trainStep compiles, run with per-step timing, so the
// epoch splits into products, fused element-wise work of the forward and backward pass, the fused optimizer update
// (the steps after the last product), the call around the program (argument checks, output arrays) and batching.
const breakdown = () => {
  const opt = rmsprop()
  const lossAndGrad = valueAndGrad(loss)
  const step = (p: SerialParams, s: unknown, xb: NDArray, yb: NDArray) => {
    const [value, grads] = lossAndGrad(p, xb, yb)
    const [updates, next] = opt.update(grads, s as never, p)
    return [applyUpdates(p, updates), next, value] as const
  }
  let state = [initial, opt.init(initial)] as unknown as Tree
  const [, structure] = treeFlatten(state)
  const first = batches(x, y, { batchSize: 128, key: key(1) })
    [Symbol.iterator]()
    .next().value as {
    x: NDArray
    y: NDArray
  }
  const exe = compileJaxpr(makeJaxpr(step as never)(initial, (state as Tree[])[1] as Tree, first.x, first.y))
  // the optimizer's update is what runs after the last product (the weight gradient of the first layer)
  const optimizerFrom = exe.steps.map((st) => st.kind).lastIndexOf('dot') + 1
  exe.timing = true
  resetGemmStats()
  let t = { batch: 0, call: 0 }
  const started = performance.now()
  const it = batches(x, y, { batchSize: 128, key: key(2) })[Symbol.iterator]()
  for (;;) {
    t0 = performance.now()
    const item = it.next()
    if (item.done === true) break
    // the last, short batch would need a second program: left out here
    if (item.value.x.shape[0] !== 128) continue
    const t1 = performance.now()
    const out = exe.run([...treeLeaves(state), item.value.x, item.value.y] as never)
    state = treeUnflatten(structure, out.slice(0, -1) as never)
    t = { batch: t.batch + (t1 - t0), call: t.call + (performance.now() - t1) }
  }
  const total = (performance.now() - started) / 1000
  const ms = exe.stats.steps
  const sum = (from: number, to: number, kinds: readonly string[]) =>
    ms.slice(from, to).reduce((a, v, k) => a + (kinds.includes(exe.steps[from + k]?.kind ?? '') ? v : 0), 0) / 1000
  const products = sum(0, ms.length, ['dot'])
  const fused = sum(0, optimizerFrom, ['cluster', 'copy'])
  const update = sum(optimizerFrom, ms.length, ['cluster', 'copy'])
  const evals = exe.stats.eval / 1000
  const inside = ms.reduce((a, b) => a + b, 0) / 1000
  const g = gemmStats()
  const line = (name: string, s: number) =>
    `  ${name.padEnd(40)} ${s.toFixed(2)} s  ${((100 * s) / total).toFixed(0).padStart(3)}%`
  console.log(
    `jit   epoch (instrumented, ${exe.stats.runs} steps, ${exe.steps.length} program steps): ${total.toFixed(2)} s`,
  )
  console.log(line(`products (${(g.flops / g.seconds / 1e9).toFixed(1)} GFLOP/s dense-eq.)`, products))
  console.log(line('fused element-wise (forward + backward)', fused))
  console.log(line('fused optimizer update', update))
  if (evals > 0) console.log(line('other primitives (evaluation rules)', evals))
  console.log(line('around the program (checks, outputs)', t.call / 1000 - inside))
  console.log(line('batching (shuffle + gather)', t.batch / 1000))
}

const eager = run(false)
const compiled = run(true)
breakdown()
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
console.log(
  `mean s/epoch: eager ${mean(eager).toFixed(2)}, jit ${mean(compiled).toFixed(2)} ` +
    `(jit/eager ${(mean(compiled) / mean(eager)).toFixed(2)}); rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`,
)
console.log(`kernel: ${JSON.stringify(kernelInfo())}`)
