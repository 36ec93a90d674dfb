/** Benchmark: saveModel and loadModel of the chapter's network (784→512 relu→10 softmax, rmsprop), target ≤ 50 ms to load. */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipe } from 'fp-ts/lib/function.js'
import { compile, decodeModel, encodeModel, kerasModelSequential, layerDense } from '../src/index.js'
import { loadModel, saveModel } from '../src/node.js'

const runs = Number(process.env.RUNS ?? 15)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number
const time = async (label: string, f: () => unknown): Promise<void> => {
  await f()
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await f()
    ms.push(performance.now() - t0)
  }
  console.log(
    `${label.padEnd(48)} median ${median(ms).toFixed(2).padStart(7)} ms  (min ${Math.min(...ms).toFixed(2)}, max ${Math.max(...ms).toFixed(2)})`,
  )
}

console.log(`${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}, median of ${runs}`)
const model = compile(
  pipe(
    kerasModelSequential(),
    layerDense({ units: 512, activation: 'relu', inputShape: [784] }),
    layerDense({ units: 10, activation: 'softmax' }),
  ),
  { optimizer: 'rmsprop', loss: 'categorical_crossentropy', metrics: ['accuracy'] },
)
const dir = mkdtempSync(join(tmpdir(), 'nabla-model-bench-'))
const path = join(dir, 'mnist.safetensors')
try {
  const bytes = encodeModel(model)
  console.log(`chapter network with rmsprop state: ${(bytes.length / 1e6).toFixed(2)} MB`)
  await time('encodeModel (model → bytes)', () => encodeModel(model))
  await time('decodeModel (bytes → compiled model)', () => decodeModel(bytes))
  await time('saveModel (model → file)', () => saveModel(model, path))
  await time('loadModel (file → compiled model)', () => loadModel(path))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
