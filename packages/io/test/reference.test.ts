// Interoperability: files the reference implementation wrote (test/fixtures), an independent NumPy reader and
// writer (scripts/interop.py), and — when Python can import it — the safetensors package itself, both ways.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { array, type NDArray, reshape, toArray, toTypedArray, zeros } from '@nabla/ndarray'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeSafetensors, decodeSafetensorsOrThrow, encodeSafetensorsOrThrow } from '../src/index.js'
import { openSafetensors, readSafetensorsOrThrow, writeSafetensorsOrThrow } from '../src/node.js'
import { left, right } from './fixtures.js'

const here = fileURLToPath(new URL('.', import.meta.url))
const fixture = (name: string) => new Uint8Array(readFileSync(join(here, 'fixtures', `${name}.safetensors`)))
const tmp = mkdtempSync(join(tmpdir(), 'nabla-interop-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const hex = (x: NDArray) => {
  const t = toTypedArray(x)
  return Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('hex')
}

describe('a file written by the current reference (test/fixtures/samples.*, made by scripts/interop.py fixture)', () => {
  const want = JSON.parse(readFileSync(join(here, 'fixtures', 'samples.json'), 'utf8')) as {
    metadata: Record<string, string>
    tensors: Record<string, { dtype: string; shape: number[]; hex: string; values: string[] }>
  }
  const native = ['F32', 'F64', 'I32', 'U8', 'BOOL']
  const number = (v: string) =>
    v === 'nan' ? Number.NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v)
  it('reads every tensor: native dtypes byte for byte, widened ones (F16, I8, I16, U16, I64) value for value', () => {
    const f = right(decodeSafetensors(fixture('samples'), { name: 'samples' }))
    expect(f.metadata).toEqual(want.metadata)
    expect([...f.names].sort()).toEqual(Object.keys(want.tensors).sort())
    for (const [name, t] of Object.entries(want.tensors)) {
      const got = f.tensors[name] as NDArray
      expect(got.shape, name).toEqual(t.shape)
      if (native.includes(t.dtype)) expect(hex(got), name).toBe(t.hex)
      const values = Array.from(toTypedArray(got) as ArrayLike<number>)
      for (const [i, v] of values.entries()) {
        expect(Object.is(v, number(t.values[i] as string)), `${name}[${i}]`).toBe(true)
      }
    }
  })
})

describe('files written by the reference implementation (safetensors.numpy, 2022)', () => {
  const expected: [string, string, string, number[]][] = [
    ['U8', 'B', 'uint8', [253, 254, 255, 0, 1, 2]],
    ['U16', 'H', 'int32', [65533, 65534, 65535, 0, 1, 2]],
    ['I8', 'b', 'int32', [-3, -2, -1, 0, 1, 2]],
    ['I16', 'h', 'int32', [-3, -2, -1, 0, 1, 2]],
    ['I32', 'i', 'int32', [-3, -2, -1, 0, 1, 2]],
    ['F16', 'e', 'float32', [-3, -2, -1, 0, 1, 2]],
    ['F32', 'f', 'float32', [-3, -2, -1, 0, 1, 2]],
    ['F64', 'd', 'float64', [-3, -2, -1, 0, 1, 2]],
  ]
  it.each(expected)(
    '%s.safetensors: tensor %s reads as %s with the stored values and the metadata',
    (file, name, dtype, values) => {
      const f = right(decodeSafetensors(fixture(file), { name: file }))
      expect(f.names).toEqual([name])
      expect(f.metadata).toEqual({ test: 'a' })
      const t = f.tensors[name]!
      expect([t.dtype, t.shape]).toEqual([dtype, [6]])
      expect(Array.from(toTypedArray(t))).toEqual(values)
    },
  )
  it('the same-dtype tensors are the stored bytes exactly (F32, F64, I32, U8)', () => {
    for (const file of ['F32', 'F64', 'I32', 'U8']) {
      const bytes = fixture(file)
      const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))
      const t = Object.values(decodeSafetensorsOrThrow(bytes).tensors)[0]!
      expect(hex(t)).toBe(Buffer.from(bytes.subarray(8 + n)).toString('hex'))
    }
  })
  it('U32.safetensors: values above 2³¹ − 1 cannot be int32; the read fails naming the tensor and the value', () => {
    expect(left(decodeSafetensors(fixture('U32'), { name: 'U32.safetensors' })).message).toBe(
      'decodeSafetensors: U32.safetensors: tensor "I": value out of range: expected every element within int32 (−2147483648…2147483647), the widest integer dtype nabla has (U32 is read as int32), found 4294967293 at flat index 0 of shape [6]',
    )
  })
  it('overall.safetensors (all nine, name order, unpadded header): listed lazily; each readable tensor read by name', async () => {
    const f = right(await openSafetensors(join(here, 'fixtures', 'overall.safetensors'))())
    expect(f.tensors.map((t) => `${t.name}:${t.fileDType}`)).toEqual([
      'B:U8',
      'H:U16',
      'I:U32',
      'b:I8',
      'd:F64',
      'e:F16',
      'f:F32',
      'h:I16',
      'i:I32',
    ])
    for (const [, name, dtype, values] of expected) {
      const t = right(await f.read(name)())
      expect(t.dtype).toBe(dtype)
      expect(Array.from(toTypedArray(t))).toEqual(values)
    }
    expect(left(await f.read('I')()).kind).toBe('value')
    await f.close()
  })
})

const python = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' })
const hasNumpy = python.status === 0
const script = join(here, '..', 'scripts', 'interop.py')
const py = (...args: string[]) => JSON.parse(execFileSync('python3', [script, ...args], { encoding: 'utf8' }))
const probe = hasNumpy ? spawnSync('python3', [script, 'probe'], { encoding: 'utf8' }) : undefined
const hasSafetensors = probe?.status === 0
if (!hasNumpy)
  console.log(
    `reference.test.ts: skipping the NumPy oracle: python3 cannot import numpy (${python.stderr?.trim() || python.error})`,
  )
if (hasNumpy && !hasSafetensors) {
  console.log(`reference.test.ts: skipping the live safetensors round trip: ${probe?.stderr.trim()}`)
}

type Described = {
  metadata: Record<string, string>
  tensors: Record<string, { dtype: string; shape: number[]; hex: string }>
}

// what nabla writes for the interop checks: every nabla dtype with edge values
const nablaTree = {
  weights: {
    kernel: reshape(array(new Float32Array([Number.NaN, -0, Number.POSITIVE_INFINITY, 1e-45, -1.5, 3])), [3, 2]),
  },
  double: array(new Float64Array([Number.NaN, -0, 5e-324, Math.PI])),
  ints: array([-2147483648, 2147483647], { dtype: 'int32' }),
  bytes: array([0, 255], { dtype: 'uint8' }),
  flags: array([true, false], { dtype: 'bool' }),
  scalar: reshape(array([7], { dtype: 'int32' }), []),
  empty: zeros([0, 3]),
}
const stOf: Record<string, string> = { float32: 'F32', float64: 'F64', int32: 'I32', uint8: 'U8', bool: 'BOOL' }

const checkAgainst = (described: Described, tensors: Record<string, NDArray>) => {
  expect(Object.keys(described.tensors).sort()).toEqual(Object.keys(tensors).sort())
  for (const [name, d] of Object.entries(described.tensors)) {
    const t = tensors[name]!
    expect([name, d.dtype, d.shape, d.hex]).toEqual([name, stOf[t.dtype], t.shape, hex(t)])
  }
}

describe.skipIf(!hasNumpy)('an independent reader and writer (struct + json + NumPy, scripts/interop.py)', () => {
  it('NumPy reads what nabla writes, bit for bit', async () => {
    const path = join(tmp, 'nabla.safetensors')
    await writeSafetensorsOrThrow(path, nablaTree, { metadata: { by: 'nabla' } })
    const described = py('numpy-read', path) as Described
    expect(described.metadata).toEqual({ by: 'nabla' })
    checkAgainst(described, (await readSafetensorsOrThrow(path)).tensors)
  })
  it('nabla reads what NumPy writes (reverse name order, unpadded header), widening F16 and the narrow integers', async () => {
    const path = join(tmp, 'numpy.safetensors')
    const described = py('numpy-write', path) as Described
    const f = await readSafetensorsOrThrow(path)
    expect(f.metadata).toEqual(described.metadata)
    for (const [name, d] of Object.entries(described.tensors)) {
      const t = f.tensors[name]!
      expect(t.shape).toEqual(d.shape)
      if (['F32', 'F64', 'I32', 'U8', 'BOOL'].includes(d.dtype)) expect(hex(t)).toBe(d.hex)
    }
    expect(toArray(f.tensors.half!)).toEqual([1, -2, 65504, 2 ** -24, Number.POSITIVE_INFINITY])
    expect(toArray(f.tensors.int64!)).toEqual([-2147483648, 2147483647])
    expect(toArray(f.tensors.uint16!)).toEqual([0, 65535])
  })
})

describe.skipIf(!hasSafetensors)('the safetensors package itself, both ways (only where python3 can import it)', () => {
  it('safetensors reads what nabla writes, bit for bit, and writes the same bytes for the same tensors', async () => {
    const path = join(tmp, 'nabla-live.safetensors')
    await writeSafetensorsOrThrow(path, nablaTree, { metadata: { by: 'nabla' } })
    const described = py('st-read', path) as Described
    expect(described.metadata).toEqual({ by: 'nabla' })
    checkAgainst(described, (await readSafetensorsOrThrow(path)).tensors)
  })
  it('nabla reads what safetensors writes, and writes those tensors back as the same bytes', async () => {
    const path = join(tmp, 'st-live.safetensors')
    const described = py('st-write', path) as Described
    const f = await readSafetensorsOrThrow(path)
    expect(f.metadata).toEqual(described.metadata)
    for (const [name, d] of Object.entries(described.tensors)) {
      expect(f.tensors[name]!.shape).toEqual(d.shape)
      if (['F32', 'F64', 'I32', 'U8', 'BOOL'].includes(d.dtype)) expect(hex(f.tensors[name]!)).toBe(d.hex)
    }
    const same = Object.fromEntries(
      Object.entries(f.tensors).filter(([name]) =>
        ['F32', 'F64', 'I32', 'U8', 'BOOL'].includes(described.tensors[name]!.dtype),
      ),
    )
    const again = join(tmp, 'st-again.safetensors')
    execFileSync('python3', [
      '-c',
      `import json, sys; from safetensors.numpy import load_file, save_file; t = load_file(sys.argv[1]); save_file({k: t[k] for k in sys.argv[4:]}, sys.argv[2], metadata=json.loads(sys.argv[3]))`,
      path,
      again,
      // one metadata entry: the reference keeps metadata in a hash map, so the order of several is its own choice
      JSON.stringify({ format: 'np' }),
      ...Object.keys(same),
    ])
    expect(
      Buffer.from(encodeSafetensorsOrThrow(same, { metadata: { format: 'np' } })).equals(readFileSync(again)),
    ).toBe(true)
  })
})
