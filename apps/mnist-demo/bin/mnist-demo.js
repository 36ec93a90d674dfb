#!/usr/bin/env node
// Launcher of the MNIST demo. On Linux, glibc hands every allocation above 128 KiB to mmap
// and gives it back on free, so each new 1.6 MB weight-sized array pays for fresh page
// faults (about 10× the cost of the arithmetic). Raising the mmap threshold keeps such
// arrays in the reusable heap, and raising the trim threshold stops glibc from handing the
// freed top of that heap back to the kernel after every step (measured: 4.57 → 3.81 s per
// epoch); huge pages for that heap cut the page faults of the first epoch by two thirds (a few
// per cent of its time). All must be set before the process starts, so the launcher restarts
// itself once.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

if (process.platform === 'linux' && process.env.MALLOC_MMAP_THRESHOLD_ === undefined) {
  const env = {
    ...process.env,
    MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024),
    MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? String(256 * 1024 * 1024),
    // transparent huge pages for malloc's heap (glibc ≥ 2.35; older ones ignore it): a third of the page faults
    GLIBC_TUNABLES: process.env.GLIBC_TUNABLES ?? 'glibc.malloc.hugetlb=1',
  }
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env,
    },
  )
  process.exit(child.status ?? 1)
}

const { main } = await import('../dist/index.js')
process.exitCode = await main(process.argv.slice(2))
