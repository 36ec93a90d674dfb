// Fuzz: random, mutated and hostile files never make the reader throw or read outside the file.
// 100,000 runs, as the issue asks (about 6 s on a 2-core machine); `npx -y pnpm@10 --filter @nabla/io fuzz` runs any number (RUNS).
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { anyFile, decodesSafely } from './fuzzCases.js'

describe('fuzz', () => {
  it('every file gives a Left or a valid value, never an exception, never a read outside the file', async () => {
    await fc.assert(fc.asyncProperty(anyFile, decodesSafely), { numRuns: 100_000, seed: 14 })
  })
})
