/** The long fuzz run: 100,000 random, mutated and hostile files (RUNS=… to change, SEED=… to replay). */
import fc from 'fast-check'
import { anyFile, classify } from '../test/fuzzCases.js'

const runs = Number(process.env.RUNS ?? 100_000)
const seed = process.env.SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.SEED)
const t0 = performance.now()
const kinds = new Map<string, number>()
await fc.assert(
  fc.asyncProperty(anyFile, async (bytes) => {
    const k = await classify(bytes)
    kinds.set(k, (kinds.get(k) ?? 0) + 1)
  }),
  { numRuns: runs, seed },
)
console.log(
  `fuzz: ${runs} files (seed ${seed}), every one a Left or a valid value: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
)
console.log(
  [...kinds]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', '),
)
