// Time of one optimizer step (update + applyUpdates) on the MNIST network's 407,050 parameters.
import os from 'node:os'
import { key, type NDArray, normal, split } from '@nabla/ndarray'
import { adam, applyUpdates, type GradientTransformation, rmsprop, sgd } from '../src/index.js'

const shapes = [[784, 512], [512], [512, 10], [10]]
const ks = split(key(0), 8)
const params = shapes.map((s, i) => normal(ks[i]!, s))
const grads = shapes.map((s, i) => normal(ks[i + 4]!, s, { stddev: 0.01 }))

const time = (f: () => void, reps = 200): number => {
  for (let i = 0; i < 30; i++) f()
  const t = performance.now()
  for (let i = 0; i < reps; i++) f()
  return (performance.now() - t) / reps
}

console.log(
  `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, node ${process.version}, MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? 'unset'}`,
)
const rows: [string, GradientTransformation<unknown>][] = [
  ['sgd', sgd()],
  ['rmsprop', rmsprop()],
  ['adam', adam()],
]
for (const [name, opt] of rows) {
  let p: NDArray[] = params
  let s = opt.init(p)
  const composed = time(() => {
    const [u, next] = opt.update(grads, s, p)
    p = applyUpdates(p, u)
    s = next
  })
  console.log(`${name.padEnd(8)} update + applyUpdates ${composed.toFixed(2)} ms/step`)
}
