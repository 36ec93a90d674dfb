// runLoop's WebAssembly SIMD path gives the JavaScript loop's bits (special values, every operand kind, offsets,
// lengths around the threshold), is taken only where it applies, and the public ops built on it stay right.
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { add, array, greater, sum, toTypedArray, where } from '../src/index.js'
import { runLoop, runLoopJs, type StridedView } from '../src/kernels/loop.js'
import { simdLoopMinSize, simdLoopStats } from '../src/kernels/simdLoop.js'
import { wasmEnabled } from '../src/wasm/index.js'
import { wasmHeap } from '../src/wasmHeap.js'

type Mode = 'c' | 'r' | 's' // contiguous, broadcast row, scalar
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor

// float32 values that catch rounding and special-case differences: NaNs (with payloads and sign), ±inf, ±0,
// subnormals, the largest and smallest normals, and ordinary values
const specialBits = [
  0x7fc00000, 0xffc00000, 0x7fa00001, 0xff800123, 0x7f800000, 0xff800000, 0x00000000, 0x80000000, 0x00000001,
  0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3eaaaaab,
]

/** Deterministic data: random floats over a wide range of exponents, a `specials` share of them special values. */
const fill = (data: Float32Array | Float64Array | Int32Array, seed: number, specials = 0.25): void => {
  let s = seed >>> 0 || 1
  const next = () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
  const bits = new Uint32Array(1)
  const asFloat = new Float32Array(bits.buffer)
  for (let i = 0; i < data.length; i++) {
    if (next() < specials) bits[0] = specialBits[Math.floor(next() * specialBits.length)] as number
    else asFloat[0] = (next() - 0.5) * 2 ** Math.floor(next() * 60 - 30)
    if (data instanceof Int32Array) data[i] = bits[0] as number
    else data[i] = asFloat[0] as number
  }
}

const bytesOf = (x: ArrayBufferView): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength)

/**
 * The first element whose bytes differ, described (undefined when the arrays are bit-identical). With `anyNaN`
 * two NaNs count as equal whatever their sign and payload: ECMAScript lets a Float32Array store write any NaN
 * encoding, and WebAssembly lets arithmetic return any NaN — V8's JavaScript loop itself keeps a payload in one
 * place (x + y) and makes it canonical in another (a float64 sum), so NaN bits are nothing to be identical to.
 */
const firstDiff = (got: ArrayBufferView, want: ArrayBufferView, anyNaN: boolean): string | undefined => {
  const size = (got as Float32Array).BYTES_PER_ELEMENT
  const [a, b] = [bytesOf(got), bytesOf(want)]
  if (a.length !== b.length) return `lengths ${a.length} and ${b.length}`
  const float = (x: Uint8Array, e: number) =>
    size === 8
      ? new DataView(x.buffer, x.byteOffset).getFloat64(8 * e, true)
      : new DataView(x.buffer, x.byteOffset).getFloat32(4 * e, true)
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue
    const e = Math.floor(i / size)
    if (anyNaN && Number.isNaN(float(a, e)) && Number.isNaN(float(b, e))) {
      i = (e + 1) * size - 1
      continue
    }
    const hex = (x: Uint8Array) =>
      Array.from(x.subarray(e * size, (e + 1) * size), (v) => v.toString(16).padStart(2, '0'))
        .reverse()
        .join('')
    return `element ${e}: got 0x${hex(a)}, want 0x${hex(b)}`
  }
  return undefined
}

interface Spec {
  readonly ctor: Ctor
  readonly mode: Mode
  readonly offset: number
  /** Whether the data lives in the WebAssembly heap (then the kernel reads or writes it in place). */
  readonly resident: boolean
}

/** An operand of shape [rows, cols] of the given kind, with `extra` elements after its region. */
const operand = (spec: Spec, rows: number, cols: number, seed: number): StridedView => {
  const count = spec.mode === 'c' ? rows * cols : spec.mode === 'r' ? cols : 1
  const length = spec.offset + count + 3
  let data: Float32Array | Float64Array | Int32Array | Uint8Array
  const floats = spec.resident ? wasmHeap().floats(length) : undefined
  if (spec.ctor === Uint8Array) {
    data = new Uint8Array(length)
    for (let i = 0; i < length; i++) data[i] = (i * 7 + seed) % 3 === 0 ? 1 : 0
  } else if (spec.ctor === Float64Array) {
    data = new Float64Array(length)
    fill(data, seed)
  } else {
    const base = floats ?? new Float32Array(length)
    data = spec.ctor === Int32Array ? new Int32Array(base.buffer, base.byteOffset, length) : base
    fill(data as Float32Array | Int32Array, seed)
  }
  const strides = spec.mode === 'c' ? [cols, 1] : spec.mode === 'r' ? [0, 1] : [0, 0]
  return { data, offset: spec.offset, strides }
}

const bodies = {
  add: '$o = x0 + x1',
  sub: '$o = x0 - x1',
  mul: '$o = x0 * x1',
  div: '$o = x0 / x1',
  eq: '$o = +(x0 === x1)',
  ne: '$o = +(x0 !== x1)',
  lt: '$o = +(x0 < x1)',
  gt: '$o = +(x0 > x1)',
  le: '$o = +(x0 <= x1)',
  ge: '$o = +(x0 >= x1)',
  select: '$o = (x1 & -x0) | (x2 & ~-x0)',
  sum: '$o += x0',
} as const
type Body = keyof typeof bodies
const signature: Record<Body, readonly Ctor[]> = {
  add: [Float32Array, Float32Array, Float32Array],
  sub: [Float32Array, Float32Array, Float32Array],
  mul: [Float32Array, Float32Array, Float32Array],
  div: [Float32Array, Float32Array, Float32Array],
  eq: [Uint8Array, Float32Array, Float32Array],
  ne: [Uint8Array, Float32Array, Float32Array],
  lt: [Uint8Array, Float32Array, Float32Array],
  gt: [Uint8Array, Float32Array, Float32Array],
  le: [Uint8Array, Float32Array, Float32Array],
  ge: [Uint8Array, Float32Array, Float32Array],
  select: [Int32Array, Uint8Array, Int32Array, Int32Array],
  sum: [Float64Array, Float32Array],
}

/** Runs `body` through runLoop and through the JavaScript loop; the whole output buffers must agree bit for bit. */
const compare = (body: Body, rows: number, cols: number, specs: readonly Spec[], seed: number): boolean => {
  const shape = rows === 1 && seed % 2 === 0 ? [cols] : [rows, cols]
  const at = (x: StridedView): StridedView => (shape.length === 1 ? { ...x, strides: x.strides.slice(1) } : x)
  const [outSpec, ...inSpecs] = specs as [Spec, ...Spec[]]
  const out = operand(outSpec, rows, cols, seed)
  const ins = inSpecs.map((s, k) => operand(s, rows, cols, seed * 31 + k + 1))
  const jsOut = operand(outSpec, rows, cols, seed) // the same data again
  const before = simdLoopStats.runs
  runLoop(bodies[body], shape, at(out), ins.map(at), body)
  const taken = simdLoopStats.runs > before
  runLoopJs(bodies[body], shape, at(jsOut), ins.map(at))
  // where's bit select moves bits, NaNs included, and comparisons write bytes; arithmetic only has to agree on
  // which results are NaN
  const exact = body === 'select' || out.data instanceof Uint8Array
  expect(firstDiff(out.data, jsOut.data, !exact)).toBeUndefined()
  return taken
}

const specArb = (ctor: Ctor, output: boolean, body: Body): fc.Arbitrary<Spec> =>
  fc.record({
    ctor: fc.constant(ctor),
    mode: output
      ? fc.constantFrom<Mode>(...(body === 'sum' ? (['c', 'r'] as const) : (['c'] as const)))
      : fc.constantFrom<Mode>('c', 'r', 's'),
    offset: fc.integer({ min: 0, max: 9 }),
    resident: ctor === Float32Array || ctor === Int32Array ? fc.boolean() : fc.constant(false),
  })

// lengths just below and above the threshold, rows of a length that is not a multiple of four, one row
const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 })),
  fc.tuple(fc.constant(1), fc.integer({ min: simdLoopMinSize - 5, max: simdLoopMinSize + 11 })),
  fc.tuple(fc.constantFrom(8, 16, 64), fc.constantFrom(511, 512, 513, 255, 257)),
  fc.tuple(fc.constantFrom(31, 32, 33), fc.constantFrom(127, 128, 129)),
)

describe('runLoop SIMD path', () => {
  for (const body of Object.keys(bodies) as Body[]) {
    it(`${body}: the same bits as the JavaScript loop (operand kinds, offsets, special values, threshold)`, () => {
      const sig = signature[body]
      let taken = 0
      fc.assert(
        fc.property(
          shapeArb,
          fc.tuple(...sig.map((c, j) => specArb(c, j === 0, body))),
          fc.integer({ min: 1, max: 1 << 30 }),
          ([rows, cols], specs, seed) => {
            // every operand form generated here is one the kernels take: only the size decides
            const used = compare(body, rows, cols, specs, seed)
            expect(used).toBe(rows * cols >= simdLoopMinSize)
            if (used) taken++
          },
        ),
        { numRuns: 80 },
      )
      expect(taken).toBeGreaterThan(10)
    })
  }

  it('is taken for the four MNIST loops, and not below the threshold or for a column broadcast', () => {
    const c = (mode: Mode, ctor: Ctor = Float32Array): Spec => ({ ctor, mode, offset: 0, resident: false })
    expect(compare('add', 128, 512, [c('c'), c('c'), c('r')], 1)).toBe(true)
    expect(
      compare('select', 128, 512, [c('c', Int32Array), c('c', Uint8Array), c('c', Int32Array), c('s', Int32Array)], 1),
    ).toBe(true)
    expect(compare('sum', 128, 512, [c('r', Float64Array), c('c')], 1)).toBe(true)
    expect(compare('gt', 128, 512, [c('c', Uint8Array), c('c'), c('s')], 1)).toBe(true) // ReLU's mask, x > 0
    expect(compare('add', 1, simdLoopMinSize - 1, [c('c'), c('c'), c('c')], 1)).toBe(false)
    expect(compare('add', 1, simdLoopMinSize, [c('c'), c('c'), c('c')], 1)).toBe(true)
    // x − rowMax, rowMax of shape [R, 1]: inner stride 0, outer 1 — not a form the kernels take
    const out = operand(c('c'), 64, 100, 3)
    const x = operand(c('c'), 64, 100, 4)
    const m = { data: new Float32Array(64).fill(0.5), offset: 0, strides: [1, 0] }
    const before = simdLoopStats.runs
    runLoop(bodies.sub, [64, 100], out, [x, m], 'sub')
    expect(simdLoopStats.runs).toBe(before)
    expect(out.data[0]).toBe(Math.fround((x.data[0] as number) - 0.5))
  })

  it('is chosen by the primitive the caller names, not by the text of the body', () => {
    const floats = (seed: number) => Float32Array.from({ length: 6400 }, (_, k) => Math.sin(k * 0.37 + seed) * 3)
    const at = (data: Float32Array): StridedView => ({ data, offset: 0, strides: [100, 1] })
    const [x, y] = [at(floats(1)), at(floats(2))]
    const run = (simd?: 'add') => {
      const out = new Float32Array(6400)
      const before = simdLoopStats.runs
      runLoop(bodies.add, [64, 100], at(out), [x, y], simd)
      return [simdLoopStats.runs - before, out] as const
    }
    const [plain, js] = run()
    const [taken, simd] = run('add')
    expect(plain).toBe(0) // the body's text alone never picks the SIMD kernel
    expect(taken).toBe(wasmEnabled() ? 1 : 0)
    expect(simd.every((v, k) => Object.is(v, js[k]))).toBe(true)
  })

  it('is off with NABLA_KERNEL=ts', async () => {
    const saved = process.env.NABLA_KERNEL
    process.env.NABLA_KERNEL = 'ts'
    vi.resetModules()
    try {
      const fresh = await import('../src/kernels/simdLoop.js')
      const x = new Float32Array(8192).fill(1)
      const op = (data: Float32Array): StridedView => ({ data, offset: 0, strides: [1] })
      expect(fresh.runSimdLoop('add', [8192], op(new Float32Array(8192)), [op(x), op(x)], [[1], [1], [1]])).toBe(false)
      expect(fresh.simdLoopStats.runs).toBe(0)
    } finally {
      if (saved === undefined) delete process.env.NABLA_KERNEL
      else process.env.NABLA_KERNEL = saved
      vi.resetModules()
    }
  })
})

describe('ops on the SIMD path agree with naive loops', () => {
  const R = 96
  const C = 129
  const xd = new Float32Array(R * C)
  fill(xd, 7, 0) // finite: a NaN in every column would hide a wrong sum
  const bd = new Float32Array(C)
  fill(bd, 8, 0)
  const x = array(xd, { shape: [R, C] })
  const bias = array(bd, { shape: [C] })

  it('add(x, bias)', () => {
    const before = simdLoopStats.runs
    const got = toTypedArray(add(x, bias))
    expect(simdLoopStats.runs).toBe(before + 1)
    const want = new Float32Array(R * C)
    for (let r = 0; r < R; r++)
      for (let c = 0; c < C; c++) want[r * C + c] = (xd[r * C + c] as number) + (bd[c] as number)
    expect(firstDiff(got, want, true)).toBeUndefined()
  })

  it('where(greater(x, 0), x, 0)', () => {
    const got = toTypedArray(where(greater(x, 0), x, 0))
    // biome-ignore lint/complexity/useMathMinMax: where's semantics, spelled out (Math.max would pass NaN on)
    const want = xd.map((v) => (v > 0 ? v : 0))
    expect(firstDiff(got, want, false)).toBeUndefined()
  })

  it('sum(x, { axis: 0 })', () => {
    const got = toTypedArray(sum(x, { axis: 0 }))
    const want = new Float32Array(C)
    for (let c = 0; c < C; c++) {
      let s = 0
      for (let r = 0; r < R; r++) s += xd[r * C + c] as number
      want[c] = s
    }
    expect(firstDiff(got, want, true)).toBeUndefined()
  })
})
