/**
 * Benchmark: writing and reading 200 MB of float32 tensors as safetensors (bytes in memory and a
 * file in the OS temp dir), in GB/s (target ≥ 1 GB/s each way), and loading the chapter network's
 * weights (784→512→10). loadModel's time is in @nabla/nn's `bench:model`.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Key, key, type NDArray, split, uniform } from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { decodeSafetensors, decodeWeights, encodeSafetensors } from '../src/index.js'
import { loadWeights, openSafetensors, readSafetensors, writeSafetensors } from '../src/node.js'

const runs = Number(process.env.RUNS ?? 5)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number
const must = <A>(e: E.Either<{ message: string }, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
}

const time = async (label: string, bytes: number, f: () => unknown): Promise<void> => {
  await f()
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await f()
    ms.push(performance.now() - t0)
  }
  const m = median(ms)
  const rate = bytes > 0 ? `  ${(bytes / 1e9 / (m / 1000)).toFixed(2).padStart(6)} GB/s` : ''
  console.log(`${label.padEnd(58)} median ${m.toFixed(2).padStart(8)} ms${rate}`)
}

console.log(`${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, Node ${process.version}, median of ${runs}`)
const count = 50
const keys = split(key(0), count) as Key[]
const tree: Record<string, NDArray> = Object.fromEntries(
  keys.map((k, i) => [`layer_${String(i).padStart(2, '0')}.weight`, uniform(k, [1000, 1000])]),
)
const total = count * 1000 * 1000 * 4
const bytes = must(encodeSafetensors(tree))
const dir = mkdtempSync(join(tmpdir(), 'nabla-io-bench-'))
const path = join(dir, 'big.safetensors')
try {
  console.log(`${count} float32 tensors [1000, 1000]: ${(bytes.length / 1e6).toFixed(1)} MB`)
  await time('encodeSafetensors (tree → bytes)', total, () => must(encodeSafetensors(tree)))
  await time('decodeSafetensors (bytes → arrays, copied)', total, () => must(decodeSafetensors(bytes)))
  await time('writeSafetensors (tree → file, temp + rename)', total, async () =>
    must(await writeSafetensors(path, tree)()),
  )
  await time('readSafetensors (file → arrays, header then tensor reads)', total, async () =>
    must(await readSafetensors(path)()),
  )
  await time('openSafetensors + readAll (file → arrays, ranged reads)', total, async () => {
    const f = must(await openSafetensors(path)())
    must(await f.readAll()())
    await f.close()
  })
  await time('openSafetensors: header only (list 50 tensors)', 0, async () => {
    const f = must(await openSafetensors(path)())
    await f.close()
  })

  // the chapter's network: 784→512→10, its parameters as compile makes them
  const [k1, k2] = split(key(1), 2) as [Key, Key]
  const params = [
    { kernel: uniform(k1, [784, 512]), bias: uniform(k1, [512]) },
    { kernel: uniform(k2, [512, 10]), bias: uniform(k2, [10]) },
  ]
  const w = must(encodeSafetensors(params))
  const wpath = join(dir, 'mnist-weights.safetensors')
  must(await writeSafetensors(wpath, params)())
  console.log(`chapter network weights: ${(w.length / 1e6).toFixed(2)} MB`)
  await time('decodeWeights (bytes → params tree, checked)', w.length, () => must(decodeWeights(w, params)))
  await time('loadWeights (file → params tree, checked)', w.length, async () =>
    must(await loadWeights(wpath, params)()),
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
