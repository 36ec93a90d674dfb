/** Shared helpers of the kernel-tier tests: GEMM argument builders, the float64 triple loop with its error bound, bit equality, child runs. */
import { execFileSync } from 'node:child_process'
import type { GemmArgs, GemmArray } from '../src/kernels/gemm.js'

/** What C's storage starts as: any element a kernel must not touch keeps this value. */
export const sentinel = -777.5

/** The four (transA, transB) combinations. */
export const flags = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const

/**
 * Values in [-1, 1) from a linear congruential generator (deterministic for a seed).
 * @example
 * randomFloats(4, 7) // the same four floats on every run
 */
export const randomFloats = (length: number, seed: number): Float32Array => {
  let s = seed >>> 0
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 31 - 1
  })
}

/** A product's shape and storage: ld − stored row length, and elements before each matrix, for A, B and C. */
export interface GemmCase {
  readonly transA: boolean
  readonly transB: boolean
  readonly m: number
  readonly n: number
  readonly k: number
  readonly pads: readonly [number, number, number]
  readonly offsets: readonly [number, number, number]
}

/**
 * The arguments of a case; `fill(length, operand)` makes each array (at least `length` elements: the offset and
 * the stored rows at the padded row stride).
 * @example
 * const g = gemmArgs(cs, (length, x) => (x === 'c' ? new Float32Array(length).fill(sentinel) : randomFloats(length, 1)))
 */
export const gemmArgs = <T extends GemmArray>(
  { transA, transB, m, n, k, pads, offsets }: GemmCase,
  fill: (length: number, operand: 'a' | 'b' | 'c') => T,
): GemmArgs<T> => {
  const lda = (transA ? m : k) + pads[0]
  const ldb = (transB ? k : n) + pads[1]
  const ldc = n + pads[2]
  return {
    transA,
    transB,
    m,
    n,
    k,
    a: fill(offsets[0] + (transA ? k : m) * lda, 'a'),
    aOffset: offsets[0],
    lda: Math.max(1, lda),
    b: fill(offsets[1] + (transB ? n : k) * ldb, 'b'),
    bOffset: offsets[1],
    ldb: Math.max(1, ldb),
    c: fill(offsets[2] + m * ldc, 'c'),
    cOffset: offsets[2],
    ldc: Math.max(1, ldc),
  }
}

/**
 * C[i][j] by the float64 triple loop, with the rounding-error bound of any float32 summation order of k products:
 * |ĉ − c| ≤ γ_k·Σ|a||b|, γ_k = k·u/(1 − k·u), u = 2⁻²⁴ (Higham, Accuracy and Stability, §3.1).
 * @example
 * const { value, bound } = tripleLoop(g, 0, 0)
 */
export const tripleLoop = (g: GemmArgs, i: number, j: number): { value: number; bound: number } => {
  const u = 2 ** -24
  const gamma = (g.k * u) / (1 - g.k * u)
  let value = 0
  let abs = 0
  for (let p = 0; p < g.k; p++) {
    const x =
      (g.a[g.aOffset + (g.transA ? p * g.lda + i : i * g.lda + p)] as number) *
      (g.b[g.bOffset + (g.transB ? j * g.ldb + p : p * g.ldb + j)] as number)
    value += x
    abs += Math.abs(x)
  }
  return { value, bound: gamma * abs }
}

/**
 * Equal bit for bit: same element type, length and bytes (a loop: deep equality on 65536 elements overflows the stack).
 * @example
 * sameBits(Float32Array.of(0), Float32Array.of(-0)) // false
 */
export const sameBits = (x: ArrayBufferView, y: ArrayBufferView | undefined): boolean => {
  if (y === undefined || x.constructor !== y.constructor || x.byteLength !== y.byteLength) return false
  const xb = new Uint8Array(x.buffer, x.byteOffset, x.byteLength)
  const yb = new Uint8Array(y.buffer, y.byteOffset, y.byteLength)
  for (let i = 0; i < xb.length; i++) if (xb[i] !== yb[i]) return false
  return true
}

/**
 * Runs an ES module script in a child node (source conditions, tsx, and the given V8 flags) and parses the JSON
 * of its last output line.
 * @example
 * runChild('console.log(JSON.stringify(1))', [], 30_000) // 1
 */
export const runChild = (
  script: string,
  v8Flags: readonly string[],
  timeout: number,
  env: Readonly<Record<string, string>> = {},
): unknown => {
  const out = execFileSync(
    process.execPath,
    [...v8Flags, '--conditions=@nabla/source', '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout, env: { ...process.env, ...env } },
  )
  return JSON.parse(out.trim().split('\n').pop() as string)
}
