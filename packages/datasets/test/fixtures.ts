/** IDX fixtures built byte by byte (independently of encodeIdx), and temporary directories. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** An IDX file from its parts: magic bytes 00 00, type code, rank, big-endian uint32 dims, then the payload bytes. */
export const idxFile = (code: number, dims: readonly number[], payload: readonly number[] = []): Uint8Array => {
  const header = [0, 0, code, dims.length]
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255)
  return Uint8Array.from([...header, ...payload])
}

// One temporary folder per test file (registered while the file is collected), removed when the file finishes.
const base = mkdtempSync(join(tmpdir(), 'nabla-datasets-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

/** A fresh empty directory inside the test file's temporary folder. */
export const tempDir = (): string => mkdtempSync(join(base, 'case-'))
