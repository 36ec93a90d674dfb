// The WebAssembly assembler and the SIMD probe: LEB128 encodings, a module that computes what it says,
// instruction encodings checked against hand-written bytes.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ModuleBuilder, signedLeb, unsignedLeb, wasmSupport } from '../src/wasm/index.js'

describe('assembler', () => {
  it('LEB128: the spec examples, and every u32 / i32 decodes back', () => {
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26])
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78])
    expect(signedLeb(63)).toEqual([0x3f])
    expect(signedLeb(64)).toEqual([0xc0, 0x00])
    const decode = (bytes: number[], signed: boolean) => {
      let value = 0n
      let shift = 0n
      for (const b of bytes) {
        value |= BigInt(b & 0x7f) << shift
        shift += 7n
      }
      const last = bytes[bytes.length - 1] as number
      return Number(signed && (last & 0x40) !== 0 ? value - (1n << shift) : value)
    }
    fc.assert(fc.property(fc.nat({ max: 0xffffffff }), (v) => decode(unsignedLeb(v), false) === v))
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => decode(signedLeb(v), true) === v))
  })

  it('assembles a module with memory, locals, a loop and SIMD that computes what it says', () => {
    // sum4(p, n): Σ of n f32x4 vectors from p, then the sum of the four lanes
    const mod = new ModuleBuilder()
    mod.importMemory('env', 'memory', { initial: 1 })
    mod.func(
      ['i32', 'i32'],
      ['f32'],
      (f) => {
        const acc = f.local('v128')
        f.block((done) =>
          f.loop((top) => {
            f.get(1).i32Eqz().brIf(done)
            f.get(acc).get(0).v128Load().f32x4Add().set(acc)
            f.inc(0, 16).inc(1, -1).br(top)
          }),
        )
        f.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Add()
        f.get(acc).f32x4ExtractLane(2).f32Add().get(acc).f32x4ExtractLane(3).f32Add()
      },
      'sum4',
    )
    const bytes = mod.toBytes()
    expect(WebAssembly.validate(bytes)).toBe(true)
    const memory = new WebAssembly.Memory({ initial: 1 })
    const { sum4 } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as {
      sum4: (p: number, n: number) => number
    }
    new Float32Array(memory.buffer).set(
      Float32Array.from({ length: 12 }, (_, i) => i + 1),
      4,
    )
    expect(sum4(16, 3)).toBe(78) // 1 + … + 12
  })

  it('encodes f32x4.relaxed_madd as 0xfd 0x105 (LEB128: 0xfd 0x85 0x02)', () => {
    const mod = new ModuleBuilder()
    mod.func(['v128', 'v128', 'v128'], ['v128'], (f) => f.get(0).get(1).get(2).f32x4RelaxedMadd())
    const bytes = [...mod.toBytes()]
    const at = bytes.indexOf(0xfd)
    expect(bytes.slice(at - 6, at + 4)).toEqual([0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b])
  })

  it('rejects out-of-range LEB inputs and bad shuffles', () => {
    expect(() => unsignedLeb(-1)).toThrow(/unsignedLeb expects an integer in \[0, 2\^32\), got -1/)
    expect(() => signedLeb(1.5)).toThrow(/signedLeb expects a 32-bit integer, got 1.5/)
    const mod = new ModuleBuilder()
    expect(() => mod.func([], [], (f) => f.i8x16Shuffle([0, 1]))).toThrow(/needs 16 lanes, got 2/)
  })
})

describe('wasmSupport', () => {
  it('reports SIMD, and relaxed SIMD (turned on from inside the program on Node 20) exactly when relaxed_madd validates', () => {
    // (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
    const relaxedModule = Uint8Array.of(
      ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
      ...[1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b],
      ...[3, 2, 1, 0],
      ...[10, 13, 1, 11, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b],
    )
    expect(wasmSupport()).toEqual({ simd: true, relaxedSimd: true })
    expect(WebAssembly.validate(relaxedModule)).toBe(true)
    // cut short by one byte, the module is invalid: the check can fail
    expect(WebAssembly.validate(relaxedModule.slice(0, -1))).toBe(false)
  })
})
