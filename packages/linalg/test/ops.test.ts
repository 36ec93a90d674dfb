// dot, matmul, tensordot and dotGeneral agree with naive nested loops on random shapes (0- and
// 1-sized axes included) and on transposed, strided and reversed inputs, on every registered tier.

import { type DType, type NDArray, toTypedArray, transpose } from '@nabla/ndarray'
import { type Ref, refArb, toNested } from '@nabla/test-utils'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { dot, dotGeneral, gemmStats, kernelInfo, matmul, resetGemmStats, setKernel, tensordot } from '../src/index.js'
import { registeredTiers, threadPool } from '../src/kernels/registry.js'
import { sameBits } from './gemmCases.js'
import { layouts, naiveDot, naiveDotGeneral, naiveMatmul, withLayout } from './naive.js'

const dim = fc.integer({ min: 0, max: 4 })
const dims = (min: number, max: number) => fc.array(dim, { minLength: min, maxLength: max })
const layoutArb = fc.constantFrom(...layouts)
const dtypeArb = fc.constantFrom<DType>('float32', 'float64')

/** Random values of `shape` in a random layout and dtype (values exact in float32, so results are exact). */
const operand = (shape: readonly number[]) =>
  fc.tuple(refArb(shape), layoutArb, dtypeArb).map(([ref, layout, dtype]) => ({
    ref,
    layout,
    dtype,
    x: withLayout(ref, layout, dtype),
  }))

const expectedType = (a: { dtype: DType }, b: { dtype: DType }) =>
  a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32'

const before = setKernel({})
afterAll(() => setKernel(before))

describe.each(registeredTiers())('on the %s tier', (tier) => {
  const forced = () => setKernel({ kernel: tier })

  it('dot follows NumPy for every pair of ranks 1…4 and 1…3', () => {
    forced()
    const shapes = fc
      .tuple(dims(0, 3), dim, fc.integer({ min: 1, max: 3 }), dims(0, 1), dim)
      .map(([xi, k, yRank, yBatch, n]) => [[...xi, k], yRank === 1 ? [k] : [...yBatch.slice(0, yRank - 2), k, n]])
    fc.assert(
      fc.property(
        shapes.chain(([xs, ys]) => fc.tuple(operand(xs as number[]), operand(ys as number[]))),
        ([a, b]) => {
          resetGemmStats()
          const z = dot(a.x, b.x)
          expect(z.dtype).toBe(expectedType(a, b))
          const ref = naiveDot(a.ref, b.ref)
          expect(z.shape).toEqual(ref.shape)
          expect(z).toBeAllClose(toNested(ref))
          // the forced tier ran (if any GEMM ran: empty products and empty sums need none)
          if (gemmStats().calls > 0) expect(kernelInfo().last?.tier).toBe(expectedTier(tier, z))
        },
      ),
      { numRuns: 150 },
    )
  })

  it('matmul broadcasts batch axes as NumPy does (vectors as a row / a column)', () => {
    forced()
    const shapes = fc
      .tuple(dims(0, 3), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.nat(3), fc.nat(3), dim, dim, dim)
      .chain(([batch, ones, dropX, dropY, m, k, n]) =>
        fc.tuple(fc.boolean(), fc.boolean()).map(([xVec, yVec]) => {
          const bx = batch.map((d, i) => (ones[i] ? 1 : d)).slice(dropX)
          const by = batch.map((d, i) => (ones[i] ? d : 1)).slice(dropY)
          return [xVec ? [k] : [...bx, m, k], yVec ? [k] : [...by, k, n]]
        }),
      )
    fc.assert(
      fc.property(
        shapes.chain(([xs, ys]) => fc.tuple(operand(xs as number[]), operand(ys as number[]))),
        ([a, b]) => {
          const z = matmul(a.x, b.x)
          expect(z.dtype).toBe(expectedType(a, b))
          const ref = naiveMatmul(a.ref, b.ref)
          expect(z.shape).toEqual(ref.shape)
          expect(z).toBeAllClose(toNested(ref))
        },
      ),
      { numRuns: 150 },
    )
  })

  it('tensordot sums over the given axes (a count, or explicit lists in any order)', () => {
    forced()
    const cases = fc.tuple(dims(0, 2), dims(0, 3), dims(0, 2), fc.boolean()).chain(([xf, c, yf, explicit]) =>
      fc
        .tuple(
          fc.shuffledSubarray(range(xf.length + c.length), { minLength: xf.length + c.length }),
          fc.shuffledSubarray(range(yf.length + c.length), { minLength: yf.length + c.length }),
        )
        .map(([px, py]) => {
          if (!explicit)
            return { xs: [...xf, ...c], ys: [...c, ...yf], axes: c.length as number | [number[], number[]] }
          // x's axis px[i] holds logical axis i: the contracted axes sit wherever the permutation put them
          const xs = permute([...xf, ...c], px)
          const ys = permute([...c, ...yf], py)
          const xa = c.map((_, i) => px[xf.length + i] as number)
          const ya = c.map((_, i) => py[i] as number)
          return { xs, ys, axes: [xa, ya] as [number[], number[]] }
        }),
    )
    fc.assert(
      fc.property(
        cases.chain((cs) => fc.tuple(fc.constant(cs), operand(cs.xs), operand(cs.ys))),
        ([{ axes }, a, b]) => {
          const [xa, ya] =
            typeof axes === 'number' ? [range(axes).map((i) => a.ref.shape.length - axes + i), range(axes)] : axes
          const ref = naiveDotGeneral(a.ref, b.ref, [xa, ya], [[], []])
          const z = tensordot(a.x, b.x, axes)
          expect(z.shape).toEqual(ref.shape)
          expect(z).toBeAllClose(toNested(ref))
        },
      ),
      { numRuns: 150 },
    )
  })

  it('dotGeneral: batch and contracting axes anywhere, result [batch, x free, y free]', () => {
    forced()
    const cases = fc.tuple(dims(0, 2), dims(0, 2), dims(0, 2), dims(0, 2)).chain(([b, c, xf, yf]) =>
      fc
        .tuple(
          fc.shuffledSubarray(range(b.length + c.length + xf.length), { minLength: b.length + c.length + xf.length }),
          fc.shuffledSubarray(range(b.length + c.length + yf.length), { minLength: b.length + c.length + yf.length }),
        )
        .map(([px, py]) => {
          const lx = [...b, ...c, ...xf]
          const ly = [...b, ...c, ...yf]
          const where = (p: number[], from: number, n: number) => range(n).map((i) => p[from + i] as number)
          return {
            xs: permute(lx, px),
            ys: permute(ly, py),
            contracting: [where(px, b.length, c.length), where(py, b.length, c.length)] as [number[], number[]],
            batch: [where(px, 0, b.length), where(py, 0, b.length)] as [number[], number[]],
          }
        }),
    )
    fc.assert(
      fc.property(
        cases.chain((cs) => fc.tuple(fc.constant(cs), operand(cs.xs), operand(cs.ys))),
        ([{ contracting, batch }, a, b]) => {
          const z = dotGeneral(a.x, b.x, { contracting, batch })
          const ref = naiveDotGeneral(a.ref, b.ref, contracting, batch)
          expect(z.shape).toEqual(ref.shape)
          expect(z).toBeAllClose(toNested(ref))
        },
      ),
      { numRuns: 150 },
    )
  })

  it('large products in every layout agree with the ref tier (blocked paths, several k blocks)', () => {
    for (const [m, k, n] of [
      [70, 300, 33],
      [9, 530, 5],
      [130, 17, 66],
    ] as const) {
      const a = randomRef([m, k], 1)
      const b = randomRef([k, n], 2)
      const xs = layouts.map((l) => withLayout(a, l))
      const ys = layouts.map((l) => withLayout(b, l))
      for (const x of xs) {
        for (const y of ys) {
          setKernel({ kernel: 'ref' })
          const expected = dot(x, y)
          forced()
          expect(dot(x, y)).toBeAllClose(expected, { rtol: 1e-5, atol: 1e-5 })
        }
      }
    }
  })
})

describe('threads', () => {
  it('give the same result bit for bit whatever their number, above and below the threshold', () => {
    const pool = threadPool()
    const a = withLayout(randomRef([128, 784], 3), 'contiguous')
    const b = withLayout(randomRef([784, 512], 4), 'contiguous')
    const small = [withLayout(randomRef([20, 30], 5), 'transposed'), withLayout(randomRef([20, 7], 6), 'contiguous')]
    for (const tier of registeredTiers().filter((t) => t !== 'ref')) {
      const results = [1, 2, 3].map((threads) => {
        setKernel({ kernel: tier, threads })
        const big = toTypedArray(dot(a, b))
        const usedBig = kernelInfo().last?.threads
        const tiny = toTypedArray(dot(transpose(small[0] as NDArray), small[1] as NDArray))
        expect(kernelInfo().last?.threads).toBe(1)
        return { big, tiny, usedBig }
      })
      const threaded = pool?.tiers.includes(tier) ?? false
      expect(results.map((r) => r.usedBig)).toEqual(threaded ? [1, 2, 3] : [1, 1, 1])
      for (const r of results.slice(1)) {
        expect(sameBits(r.big, results[0]?.big)).toBe(true)
        expect(sameBits(r.tiny, results[0]?.tiny)).toBe(true)
      }
    }
  })
})

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/** permute(shape, p)[j] = shape[p[j]]… inverted: axis p[i] of the result holds logical axis i. */
function permute(shape: readonly number[], p: readonly number[]): number[] {
  const out = new Array<number>(shape.length)
  p.forEach((to, from) => {
    out[to] = shape[from] as number
  })
  return out
}

/** Deterministic pseudo-random values in [−1, 1) (a linear congruential generator). */
function randomRef(shape: readonly number[], seed: number): Ref {
  let state = seed
  const size = shape.reduce((p, d) => p * d, 1)
  const values = Array.from({ length: size }, () => {
    state = (state * 16807) % 2147483647
    return (2 * state) / 2147483647 - 1
  })
  return { shape, values }
}

function expectedTier(forcedTier: string, z: NDArray): string {
  return forcedTier === 'wasm' && z.dtype === 'float64' ? 'ts' : forcedTier
}

describe('an empty sum', () => {
  it('a product with k = 0 gives zeros of the result shape', async () => {
    const { zeros } = await import('@nabla/ndarray')
    const [m, n] = [128, 160]
    const empty = toTypedArray(dot(zeros([m, 0], { dtype: 'float64' }), zeros([0, n], { dtype: 'float64' })))
    expect(empty.length).toBe(m * n)
    expect(empty.every((v) => v === 0)).toBe(true)
  })
})
