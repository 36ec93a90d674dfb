// Writing and reading back: every dtype, scalars, empty tensors, nested trees, metadata, the reference layout, lazy reads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  array,
  type DType,
  type NDArray,
  reshape,
  slice,
  toArray,
  toTypedArray,
  transpose,
  zeros,
} from '@nabla/ndarray'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import {
  bytesSource,
  decodeSafetensors,
  decodeSafetensorsOrThrow,
  decodeWeights,
  encodeSafetensors,
  encodeSafetensorsOrThrow,
  loadWeights,
  openSafetensors,
  SafetensorsFileError,
} from '../src/index.js'
import * as N from '../src/node.js'
import { le, left, raw, right } from './fixtures.js'

const tmp = mkdtempSync(join(tmpdir(), 'nabla-io-'))
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const bitsOf = (x: NDArray) => {
  const t = toTypedArray(x)
  return Array.from(new Uint8Array(t.buffer, t.byteOffset, t.byteLength))
}
const same = (a: NDArray, b: NDArray) => {
  expect(b.dtype).toBe(a.dtype)
  expect(b.shape).toEqual(a.shape)
  expect(bitsOf(b)).toEqual(bitsOf(a))
}

const samples: Record<DType, NDArray> = {
  bool: array([true, false, true, true], { dtype: 'bool' }),
  uint8: array([0, 1, 254, 255], { dtype: 'uint8' }),
  int32: array([-2147483648, -1, 0, 2147483647], { dtype: 'int32' }),
  float32: array(new Float32Array([Number.NaN, -0, Number.POSITIVE_INFINITY, 1e-45, 3.4028234663852886e38, -1.5])),
  float64: array(new Float64Array([Number.NaN, -0, Number.NEGATIVE_INFINITY, 5e-324, Number.MAX_VALUE, Math.PI])),
}

describe('round trip', () => {
  it.each(Object.keys(samples) as DType[])(
    '%s: same dtype, shape and bits (NaN, -0, ±Inf, subnormals included)',
    (d) => {
      const x = reshape(samples[d], [2, samples[d].shape[0]! / 2])
      const back = right(decodeSafetensors(right(encodeSafetensors({ x }))))
      same(x, back.tensors.x!)
    },
  )
  it('each nabla dtype is stored as the reference dtype: bool BOOL, uint8 U8, int32 I32, float32 F32, float64 F64', () => {
    const file = decodeSafetensorsOrThrow(encodeSafetensorsOrThrow(samples))
    const header = new TextDecoder().decode(encodeSafetensorsOrThrow(samples)).slice(8)
    for (const [d, st] of <[DType, string][]>[
      ['bool', 'BOOL'],
      ['uint8', 'U8'],
      ['int32', 'I32'],
      ['float32', 'F32'],
      ['float64', 'F64'],
    ]) {
      expect(header).toContain(`"${d}":{"dtype":"${st}"`)
      same(samples[d], file.tensors[d]!)
    }
  })
  it('a scalar (shape []) and empty tensors ([0], [2, 0]) of every dtype', () => {
    const tree = Object.fromEntries(
      (Object.keys(samples) as DType[]).flatMap((d) => [
        [`${d}_empty`, zeros([0], { dtype: d })],
        [`${d}_empty2`, zeros([2, 0], { dtype: d })],
        [`${d}_one`, reshape(array(toTypedArray(samples[d]).slice(1, 2), { dtype: d }), [])],
      ]),
    )
    const back = decodeSafetensorsOrThrow(encodeSafetensorsOrThrow(tree))
    for (const [k, v] of Object.entries(tree)) same(v, back.tensors[k]!)
    expect(back.tensors.float32_one!.shape).toEqual([])
    expect(back.tensors.int32_empty2!.shape).toEqual([2, 0])
  })
  it('nested trees: names are paths joined with "." (records in sorted order, list indices), or as configured', () => {
    const k = array([[1, 2]])
    const b = array([3])
    const tree = { layers: [{ kernel: k, bias: b }, { kernel: k }], scale: { value: b } }
    const file = decodeSafetensorsOrThrow(encodeSafetensorsOrThrow(tree))
    expect([...file.names].sort()).toEqual(['layers.0.bias', 'layers.0.kernel', 'layers.1.kernel', 'scale.value'])
    const slash = decodeSafetensorsOrThrow(encodeSafetensorsOrThrow(tree, { naming: { separator: '/' } }))
    expect([...slash.names].sort()).toEqual(['layers/0/bias', 'layers/0/kernel', 'layers/1/kernel', 'scale/value'])
    const custom = decodeSafetensorsOrThrow(
      encodeSafetensorsOrThrow(tree, { naming: { name: (p) => `model.${p.join('_')}` } }),
    )
    expect(custom.names).toContain('model.layers_0_kernel')
    // back into the tree's structure with a template
    const back = right(decodeWeights(encodeSafetensorsOrThrow(tree), tree))
    expect(toArray(back.layers[1]!.kernel)).toEqual([[1, 2]])
    expect(Object.keys(back.layers[0]!)).toEqual(['bias', 'kernel'])
  })
  it('metadata strings round-trip (any Unicode), and files without metadata have none', () => {
    const metadata = { format: 'pt', note: 'héllo "quoted" \\ \n ☃ 🙂', '': 'empty key' }
    const file = decodeSafetensorsOrThrow(encodeSafetensorsOrThrow({ a: array([1]) }, { metadata }))
    expect(file.metadata).toEqual(metadata)
    expect(decodeSafetensorsOrThrow(encodeSafetensorsOrThrow({ a: array([1]) })).metadata).toEqual({})
  })
  it('the layout of the reference writer: dtype F64 > F32 > I32 > U8 > BOOL, then name by code point; header padded with spaces to 8 bytes', () => {
    const bytes = encodeSafetensorsOrThrow({
      z: array([1], { dtype: 'bool' }),
      b: array([1], { dtype: 'uint8' }),
      a: array([1], { dtype: 'uint8' }),
      y: array([1], { dtype: 'int32' }),
      x: array([1], { dtype: 'float32' }),
      w: array([1], { dtype: 'float64' }),
      '\u{1F600}': array([2], { dtype: 'float32' }),
      '\uFFFD': array([3], { dtype: 'float32' }),
    })
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true))
    expect(n % 8).toBe(0)
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n))
    expect(header.trimEnd()).toBe(
      '{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
        '"x":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
        '"\uFFFD":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},' +
        '"\u{1F600}":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},' +
        '"y":{"dtype":"I32","shape":[1],"data_offsets":[20,24]},' +
        '"a":{"dtype":"U8","shape":[1],"data_offsets":[24,25]},' +
        '"b":{"dtype":"U8","shape":[1],"data_offsets":[25,26]},' +
        '"z":{"dtype":"BOOL","shape":[1],"data_offsets":[26,27]}}',
    )
    expect(header.length - header.trimEnd().length).toBeLessThan(8)
    expect(/^ *$/.test(header.slice(header.trimEnd().length))).toBe(true)
  })
  it("writes the reference's own test file byte for byte", () => {
    // safetensors/src/tensor.rs, test_deserialization: 60 header bytes, written padded to 64
    const bytes = encodeSafetensorsOrThrow({ test: zeros([2, 2], { dtype: 'int32' }) })
    const header = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    '
    expect(Array.from(bytes)).toEqual(Array.from(raw(header, new Array(16).fill(0))))
  })
  it('strided and offset views are written as their row-major elements', () => {
    const t = slice(transpose(reshape(array([1, 2, 3, 4, 5, 6], { dtype: 'int32' }), [2, 3])), [1, 3])
    expect(t.shape).toEqual([2, 2])
    const back = decodeSafetensorsOrThrow(encodeSafetensorsOrThrow({ t }))
    expect(toArray(back.tensors.t!)).toEqual(toArray(t))
  })
})

describe('reading dtypes nabla does not have', () => {
  const one = (dtype: string, shape: number[], data: Uint8Array) =>
    decodeSafetensors(raw(JSON.stringify({ t: { dtype, shape, data_offsets: [0, data.length] } }), data))
  it('F16 and BF16 widen to float32 exactly (subnormals, ±Inf, NaN)', () => {
    const f16 = le(6, 2, (v, at, x) => v.setUint16(at, x, true), [0x3c00, 0xc000, 0x0001, 0x7c00, 0xfc00, 0x7e00])
    const a = right(one('F16', [6], f16)).tensors.t!
    expect(a.dtype).toBe('float32')
    expect(Array.from(toTypedArray(a))).toEqual([
      1,
      -2,
      2 ** -24,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ])
    const bf = le(3, 2, (v, at, x) => v.setUint16(at, x, true), [0x3f80, 0xc0a0, 0x7f80])
    expect(Array.from(toTypedArray(right(one('BF16', [3], bf)).tensors.t!))).toEqual([1, -5, Number.POSITIVE_INFINITY])
  })
  it('F8_E4M3 and F8_E5M2 widen to float32; the other F8 variants, F4, F6 and C64 are refused by name', () => {
    expect(
      Array.from(toTypedArray(right(one('F8_E4M3', [4], Uint8Array.from([0x38, 0xc0, 0x7e, 0x7f]))).tensors.t!)),
    ).toEqual([1, -2, 448, Number.NaN])
    expect(
      Array.from(toTypedArray(right(one('F8_E5M2', [3], Uint8Array.from([0x3c, 0x7c, 0x01]))).tensors.t!)),
    ).toEqual([1, Number.POSITIVE_INFINITY, 2 ** -16])
    for (const d of ['F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ', 'C64']) {
      const e = left(one(d, [1], new Uint8Array(d === 'C64' ? 8 : 1)))
      expect(e.kind).toBe('dtype')
      expect(e.message).toBe(
        `decodeSafetensors: <bytes>: tensor "t": unsupported dtype: expected a dtype nabla can hold or widen: BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F8_E4M3, F8_E5M2, F16, BF16, F32, F64, found ${d}${d === 'C64' ? ' (complex)' : ''}`,
      )
    }
    expect(left(one('F4', [2], new Uint8Array(1))).kind).toBe('dtype')
  })
  it('I8, I16 and U16 widen to int32; U32, I64 and U64 become int32 when every value fits', () => {
    expect(toArray(right(one('I8', [2], Uint8Array.from([0x80, 0x7f]))).tensors.t!)).toEqual([-128, 127])
    expect(
      toArray(
        right(
          one(
            'U16',
            [1],
            le(1, 2, (v, a, x) => v.setUint16(a, x, true), [65535]),
          ),
        ).tensors.t!,
      ),
    ).toEqual([65535])
    expect(
      toArray(
        right(
          one(
            'I16',
            [1],
            le(1, 2, (v, a, x) => v.setInt16(a, x, true), [-32768]),
          ),
        ).tensors.t!,
      ),
    ).toEqual([-32768])
    const i64 = (xs: bigint[]) => {
      const out = new Uint8Array(8 * xs.length)
      xs.forEach((x, i) => {
        new DataView(out.buffer).setBigInt64(8 * i, x, true)
      })
      return out
    }
    expect(toArray(right(one('I64', [3], i64([-2147483648n, 2147483647n, -1n]))).tensors.t!)).toEqual([
      -2147483648, 2147483647, -1,
    ])
    expect(toArray(right(one('U64', [1], i64([2147483647n]))).tensors.t!)).toEqual([2147483647])
    expect(left(one('I64', [2], i64([0n, 2147483648n]))).message).toBe(
      'decodeSafetensors: <bytes>: tensor "t": value out of range: expected every element within int32 (−2147483648…2147483647), the widest integer dtype nabla has (I64 is read as int32), found 2147483648 at flat index 1 of shape [2]',
    )
    expect(left(one('I64', [1], i64([-9223372036854775808n]))).found).toBe(
      '-9223372036854775808 at flat index 0 of shape [1]',
    )
    expect(left(one('U64', [1], i64([-1n]))).found).toBe('18446744073709551615 at flat index 0 of shape [1]')
    expect(
      left(
        one(
          'U32',
          [1, 1],
          le(1, 4, (v, a, x) => v.setUint32(a, x, true), [2147483648]),
        ),
      ).found,
    ).toBe('2147483648 at flat index 0 of shape [1, 1]')
  })
  it('a BOOL byte other than 0 or 1 is refused, never silently made true', () => {
    expect(left(one('BOOL', [3], Uint8Array.from([0, 1, 2]))).message).toBe(
      'decodeSafetensors: <bytes>: tensor "t": value out of range: expected BOOL bytes 0 or 1, found 0x02 at flat index 2 of shape [3]',
    )
  })
})

describe('lazy reading: the header first, then one ranged read per tensor', () => {
  const tree = { big: zeros([1000, 100]), small: array([1, 2, 3], { dtype: 'int32' }) }
  const bytes = encodeSafetensorsOrThrow(tree, { metadata: { k: 'v' } })
  const counting = () => {
    const reads: [number, number][] = []
    const inner = bytesSource(bytes, 'counted')
    return {
      reads,
      src: {
        ...inner,
        read: (o: number, l: number) => {
          reads.push([o, l])
          return inner.read(o, l)
        },
      },
    }
  }
  it('opening reads 8 bytes then the header; read(name) reads exactly that tensor', async () => {
    const { reads, src } = counting()
    const f = right(await openSafetensors(src)())
    expect(reads.length).toBe(2)
    expect(reads[0]).toEqual([0, 8])
    expect(f.metadata).toEqual({ k: 'v' })
    expect(f.tensors.map((t) => [t.name, t.dtype, t.fileDType, t.shape, t.byteLength])).toEqual([
      ['big', 'float32', 'F32', [1000, 100], 400000],
      ['small', 'int32', 'I32', [3], 12],
    ])
    const small = right(await f.read('small')())
    expect(toArray(small)).toEqual([1, 2, 3])
    expect(reads[2]![1]).toBe(12)
    expect(left(await f.read('nope')()).message).toBe(
      'openSafetensors().read: counted: tensor not found: expected one of the file\'s 2 tensors ("big", "small"), found "nope"',
    )
    await f.close()
  })
  it('a Blob (or File) and an ArrayBuffer work as sources, in any runtime', async () => {
    const blob = new Blob([bytes as Uint8Array<ArrayBuffer>])
    const f = right(await openSafetensors(blob)())
    same(tree.small, right(await f.read('small')()))
    const all = right(await right(await openSafetensors(bytes.slice().buffer)()).readAll()())
    same(tree.big, all.big!)
    const file = new File([bytes as Uint8Array<ArrayBuffer>], 'weights.safetensors')
    expect(right(await openSafetensors(file)()).file).toBe('weights.safetensors')
    expect(left(await openSafetensors(42 as never)()).message).toMatch(
      /^openSafetensors: <source>: cannot read or write the file: expected a Blob or File, an ArrayBuffer, a Uint8Array or a ByteSource/,
    )
  })
  it('Node: a path or a FileHandle, read in ranges; a FileHandle given is left open', async () => {
    const path = join(tmp, 'lazy.safetensors')
    writeFileSync(path, bytes)
    const f = right(await N.openSafetensors(path)())
    same(tree.small, right(await f.read('small')()))
    await f.close()
    const fh = await open(path, 'r')
    const g = right(await N.openSafetensors(fh)())
    same(tree.big, right(await g.read('big')()))
    await g.close()
    expect((await fh.stat()).size).toBe(bytes.length) // still open
    await fh.close()
    const missing = join(tmp, 'missing.safetensors')
    expect(left(await N.openSafetensors(missing)()).message).toBe(
      `openSafetensors: ${missing}: file not found: expected an existing safetensors file, found no such file`,
    )
    expect(left(await N.openSafetensors(tmp)()).message).toBe(
      `openSafetensors: ${tmp}: cannot read or write the file: expected a regular file, found a directory`,
    )
  })
  it('a file that shrinks after opening is an io error, not a short array', async () => {
    const path = join(tmp, 'shrinks.safetensors')
    writeFileSync(path, bytes)
    const f = right(await N.openSafetensors(path)())
    writeFileSync(path, bytes.subarray(0, 1000))
    expect(left(await f.read('small')()).message).toMatch(
      /^openSafetensors\(\)\.read: .*shrinks\.safetensors: cannot read or write the file: expected 12 bytes at byte \d+ \(did the file change while open\?\), found 0 bytes$/,
    )
    await f.close()
  })
  it("a failed read says Node's error code once", async () => {
    const gone = join(tmp, 'gone.safetensors')
    // a source whose reads fail with Node's own error, whose message already starts with its code
    const source = { name: 'gone', size: 100, read: () => readFile(gone), close: async () => {} }
    expect(left(await N.openSafetensors(source)()).message).toBe(
      `openSafetensors: gone: cannot read or write the file: expected to read 8 bytes at byte 0, found ENOENT: no such file or directory, open '${gone}'`,
    )
  })
})

describe('files and parameter trees (Node)', () => {
  it('writes more tensors than one gathered write takes (IOV_MAX is 1024): the file is the encoded bytes', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => array([i, -i, i / 7]))
    const path = join(tmp, 'many.safetensors')
    right(await N.writeSafetensors(path, many)())
    const { readFile } = await import('node:fs/promises')
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(encodeSafetensorsOrThrow(many)))).toBe(true)
  })

  const params = [
    { kernel: reshape(array([1, 2, 3, 4, 5, 6]), [2, 3]), bias: zeros([3]) },
    { kernel: zeros([3, 1]), bias: zeros([1]) },
  ]
  it('saveWeights then loadWeights gives the tree back; readSafetensors and writeSafetensors agree', async () => {
    const path = join(tmp, 'w.safetensors')
    right(await N.saveWeights(path, params, { metadata: { epoch: '5' } })())
    const back = right(await N.loadWeights(path, params)())
    expect(back.length).toBe(2)
    same(params[0]!.kernel, back[0]!.kernel)
    const all = right(await N.readSafetensors(path)())
    expect(all.metadata).toEqual({ epoch: '5' })
    expect([...all.names].sort()).toEqual(['0.bias', '0.kernel', '1.bias', '1.kernel'])
    // browser-safe form from a Blob
    same(
      params[1]!.kernel,
      (
        await loadWeights(new Blob([encodeSafetensorsOrThrow(params) as Uint8Array<ArrayBuffer>]), params)().then(right)
      )[1]!.kernel,
    )
    await expect(N.loadWeightsOrThrow(join(tmp, 'none.safetensors'), params)).rejects.toThrow(SafetensorsFileError)
  })
  it('loading into a template names a missing tensor, an extra one, and both shapes or dtypes on a mismatch', async () => {
    const path = join(tmp, 'w2.safetensors')
    await N.saveWeightsOrThrow(path, params)
    const [first, second] = params as [(typeof params)[0], (typeof params)[0]]
    const cases: [unknown, string][] = [
      [
        [first, { ...second, extra: zeros([2]) }],
        `loadWeights: ${path}: tensor "1.extra": file does not match the template: expected a tensor for the template's [1].extra, found none named "1.extra" in the file (it has 4: "0.bias", "0.kernel", "1.bias", "1.kernel")`,
      ],
      [
        [first],
        `loadWeights: ${path}: tensor "1.bias": file does not match the template: expected only the template's 2 tensors, found 2 more: "1.bias", "1.kernel" (first: F32 [1]); pass allowExtra to ignore them`,
      ],
      [
        [{ ...first, kernel: zeros([3, 2]) }, second],
        `loadWeights: ${path}: tensor "0.kernel": file does not match the template: expected shape [3, 2] (the template's [0].kernel), found shape [2, 3] in the file`,
      ],
      [
        [{ ...first, bias: zeros([3], { dtype: 'float64' }) }, second],
        `loadWeights: ${path}: tensor "0.bias": file does not match the template: expected dtype float64 (the template's [0].bias), found F32, read as float32`,
      ],
    ]
    for (const [template, message] of cases) {
      expect(left(await N.loadWeights(path, template as never)()).message).toBe(message)
    }
    expect(E.isRight(await N.loadWeights(path, [first], { allowExtra: true })())).toBe(true)
  })
  it('a failed write leaves no file and no temporary behind', async () => {
    const dir = join(tmp, 'no-such-dir', 'w.safetensors')
    expect(left(await N.writeSafetensors(dir, { a: zeros([1]) })()).message).toMatch(
      /^writeSafetensors: .*no-such-dir\/w\.safetensors: cannot read or write the file: expected to write the file, found ENOENT: /,
    )
  })
  it("a failed write names the user's path, the temporary file only in parentheses, and Node's code once", async () => {
    const path = join(tmp, 'no-such-dir', 'w.safetensors')
    const e = left(await N.writeSafetensors(path, { a: zeros([1]) })())
    const temp = `${literal(path)}\\.\\d+\\.[0-9a-z]+\\.tmp`
    expect(e.file).toBe(path)
    expect(e.message).toMatch(
      new RegExp(
        `^writeSafetensors: ${literal(path)}: cannot read or write the file: expected to write the file, found ENOENT: no such file or directory \\(open of the temporary file ${temp}\\)$`,
      ),
    )
  })
})
