/** Benchmark: time to load all of MNIST (70000 images) into NDArrays, median of several runs, with the machine it ran on. */
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { datasetMnist, datasetMnistTask, decodeIdx, idxDatasetFiles, mnistDataDir } from '../src/index.js'

const runs = Number(process.env.RUNS ?? 9)

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

const time = async (label: string, f: () => unknown): Promise<void> => {
  await f() // warm-up (JIT, file cache)
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await f()
    ms.push(performance.now() - t0)
  }
  const [lo, hi] = [Math.min(...ms), Math.max(...ms)]
  console.log(
    `${label.padEnd(52)} median ${median(ms).toFixed(1).padStart(7)} ms  (min ${lo.toFixed(1)}, max ${hi.toFixed(1)})`,
  )
}

const cpu = cpus()
console.log(`machine: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, node ${process.version}; ${runs} runs each`)

await time('datasetMnist() (sync, sizes/headers/shapes checked)', () => datasetMnist())
await time('datasetMnistTask() (async, 4 files concurrently)', async () => {
  if (E.isLeft(await datasetMnistTask()())) throw new Error('load failed')
})
await time('datasetMnist({ verifyChecksums: true }) (+ MD5)', () => datasetMnist({ verifyChecksums: true }))

// Parsing alone, from bytes already in memory (one copy into the array).
const dir = (mnistDataDir() as E.Right<string>).right
const bytes = readFileSync(join(dir, idxDatasetFiles.trainImages))
await time('decodeIdx(train images bytes) (parse + copy, 47 MB)', () => decodeIdx(bytes))
