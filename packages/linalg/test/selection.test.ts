// Kernel selection: NABLA_KERNEL / NABLA_THREADS (read once, at first use), setKernel, kernelInfo.
import { fileURLToPath } from 'node:url'
import { array, zeros } from '@nabla/ndarray'
import { wasmSupport } from '@nabla/ndarray/wasm'
import { afterEach, describe, expect, it } from 'vitest'
import { chooseKernel, dot, kernelInfo, setKernel } from '../src/index.js'
import { registeredTiers, threadPool } from '../src/kernels/registry.js'
import { parseKernelEnv, resetKernelSettings } from '../src/kernels/settings.js'
import { runChild } from './gemmCases.js'

const saved = { kernel: process.env.NABLA_KERNEL, threads: process.env.NABLA_THREADS }
const restoreEnv = () => {
  for (const [name, value] of [
    ['NABLA_KERNEL', saved.kernel],
    ['NABLA_THREADS', saved.threads],
  ] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
}

afterEach(() => {
  restoreEnv()
  resetKernelSettings()
})

describe('parseKernelEnv', () => {
  it('reads tiers and thread counts; unset, empty or auto mean automatic', () => {
    expect(parseKernelEnv({})).toEqual({ kernel: 'auto', threads: 'auto' })
    expect(parseKernelEnv({ NABLA_KERNEL: '', NABLA_THREADS: '' })).toEqual({ kernel: 'auto', threads: 'auto' })
    expect(parseKernelEnv({ NABLA_KERNEL: 'auto', NABLA_THREADS: 'auto' })).toEqual({ kernel: 'auto', threads: 'auto' })
    for (const tier of ['ref', 'ts', 'wasm'] as const) expect(parseKernelEnv({ NABLA_KERNEL: tier }).kernel).toBe(tier)
    expect(parseKernelEnv({ NABLA_THREADS: '1' }).threads).toBe(1)
    expect(parseKernelEnv({ NABLA_THREADS: ' 12 ' }).threads).toBe(12)
  })

  it('rejects an unknown NABLA_KERNEL, naming the variable, the value and the choices', () => {
    for (const bad of ['gpu', 'WASM', 'ts,wasm']) {
      expect(() => parseKernelEnv({ NABLA_KERNEL: bad })).toThrow(
        `NABLA_KERNEL="${bad}" is not a kernel tier; expected ref, ts, wasm (or unset for automatic selection)`,
      )
    }
  })

  it('rejects a NABLA_THREADS that is not a positive integer', () => {
    for (const bad of ['0', '-1', '1.5', 'two', '2x', '01']) {
      expect(() => parseKernelEnv({ NABLA_THREADS: bad })).toThrow(
        `NABLA_THREADS="${bad}" is not a positive integer; expected a thread count such as 1 or 2 (or unset for automatic)`,
      )
    }
  })
})

describe('the environment, read at the first product', () => {
  it('NABLA_KERNEL=ref forces the reference tier', () => {
    process.env.NABLA_KERNEL = 'ref'
    resetKernelSettings()
    dot(zeros([40, 40]), zeros([40, 40]))
    expect(kernelInfo()).toMatchObject({ kernel: 'ref', last: { tier: 'ref', threads: 1 } })
  })

  it('is read once: changing it later has no effect until the settings are reset', () => {
    process.env.NABLA_KERNEL = 'ts'
    resetKernelSettings()
    dot(zeros([2, 2]), zeros([2, 2]))
    process.env.NABLA_KERNEL = 'ref'
    dot(zeros([2, 2]), zeros([2, 2]))
    expect(kernelInfo().last?.tier).toBe('ts')
  })

  it('a bad value is a clear error at the first product', () => {
    process.env.NABLA_THREADS = '0'
    resetKernelSettings()
    expect(() => dot(zeros([2, 2]), zeros([2, 2]))).toThrow('NABLA_THREADS="0" is not a positive integer')
  })

  it('NABLA_KERNEL=wasm is an error when the wasm tier is not available, and is used when it is', () => {
    process.env.NABLA_KERNEL = 'wasm'
    resetKernelSettings()
    const product = () => dot(zeros([40, 40]), zeros([40, 40]))
    if (registeredTiers().includes('wasm')) {
      product()
      expect(kernelInfo().last?.tier).toBe('wasm')
    } else {
      expect(product).toThrow('NABLA_KERNEL=wasm: the wasm tier is not available in this runtime')
    }
  })
})

describe('setKernel', () => {
  it('forces a tier and returns the previous settings', () => {
    const before = setKernel({ kernel: 'ref' })
    expect(before).toEqual({ kernel: 'auto', threads: 'auto' })
    dot(zeros([3, 3]), zeros([3, 3]))
    expect(kernelInfo().last?.tier).toBe('ref')
    expect(setKernel({ kernel: 'ts', threads: 1 })).toEqual({ kernel: 'ref', threads: 'auto' })
    dot(zeros([3, 3]), zeros([3, 3]))
    expect(kernelInfo()).toMatchObject({ kernel: 'ts', last: { tier: 'ts', threads: 1 } })
    // an omitted field is kept
    expect(setKernel({ threads: 2 })).toEqual({ kernel: 'ts', threads: 1 })
    expect(setKernel(before)).toEqual({ kernel: 'ts', threads: 2 })
  })

  it('overrides the environment', () => {
    process.env.NABLA_KERNEL = 'ref'
    resetKernelSettings()
    setKernel({ kernel: 'ts' })
    dot(zeros([3, 3]), zeros([3, 3]))
    expect(kernelInfo().last?.tier).toBe('ts')
  })

  it('rejects unknown tiers and thread counts that are not positive integers', () => {
    expect(() => setKernel({ kernel: 'gpu' as never })).toThrow(
      'setKernel: kernel must be one of auto, ref, ts, wasm; got "gpu"',
    )
    for (const bad of [0, -2, 1.5, Number.NaN]) {
      expect(() => setKernel({ threads: bad })).toThrow(
        `setKernel: threads must be a positive integer or 'auto'; got ${JSON.stringify(bad)}`,
      )
    }
    if (!registeredTiers().includes('wasm')) {
      expect(() => setKernel({ kernel: 'wasm' })).toThrow('setKernel: the wasm tier is not available in this runtime')
    }
    // nothing changed
    expect(setKernel({})).toEqual({ kernel: 'auto', threads: 'auto' })
  })
})

describe('automatic selection', () => {
  it('sends tiny products to ts, float64 never to wasm, and float32 to the fastest tier', () => {
    expect(chooseKernel('float32', 4, 4, 4).tier).toBe('ts')
    expect(chooseKernel('float64', 512, 512, 512).tier).toBe('ts')
    expect(chooseKernel('float32', 128, 512, 784).tier).toBe(registeredTiers().includes('wasm') ? 'wasm' : 'ts')
  })

  it('a forced tier that cannot compute the dtype falls back to ts; ref is never threaded', () => {
    setKernel({ kernel: 'ref', threads: 4 })
    expect(chooseKernel('float32', 1024, 1024, 1024)).toEqual({ tier: 'ref', threads: 1 })
    expect(chooseKernel('float64', 1024, 1024, 1024)).toEqual({ tier: 'ref', threads: 1 })
  })

  it('forced wasm sends float64 to ts', () => {
    if (registeredTiers().includes('wasm')) {
      setKernel({ kernel: 'wasm' })
      expect(chooseKernel('float64', 64, 64, 64).tier).toBe('ts')
      expect(chooseKernel('float32', 2, 2, 2).tier).toBe('wasm')
    } else {
      expect(() => setKernel({ kernel: 'wasm' })).toThrow('not available')
    }
  })

  it('splits across threads only above the pool’s minimum work, and as many as asked (capped)', () => {
    const pool = threadPool()
    if (pool === null) {
      setKernel({ threads: 4 })
      expect(chooseKernel('float32', 1024, 1024, 1024).threads).toBe(1)
      return
    }
    const tier = pool.tiers[0] as 'ts' | 'wasm'
    setKernel({ kernel: tier, threads: 'auto' })
    const side = Math.ceil(Math.cbrt(pool.minWork))
    expect(chooseKernel('float32', side, side, side)).toEqual({ tier, threads: pool.defaultThreads })
    expect(chooseKernel('float32', 1, 1, pool.minWork - 1).threads).toBe(1)
    setKernel({ threads: 3 })
    expect(chooseKernel('float32', side, side, side).threads).toBe(3)
    setKernel({ threads: 100000 })
    expect(chooseKernel('float32', side, side, side).threads).toBe(pool.maxThreads)
    setKernel({ threads: 1 })
    expect(chooseKernel('float32', side, side, side).threads).toBe(1)
    setKernel({ threads: 'auto' })
  })

  it('kernelInfo reports the setting, the tiers, the runtime’s capabilities and the last product', () => {
    dot(array([1, 2]), array([3, 4], { dtype: 'float64' }))
    const info = kernelInfo()
    expect(info).toMatchObject({
      kernel: 'auto',
      tiers: registeredTiers(),
      ...wasmSupport(),
      last: { tier: 'ts', dtype: 'float64', m: 1, n: 1, k: 2, transA: false, transB: false, relaxedSimd: false },
    })
    expect(info.tiers).toContain('ref')
    expect(info.tiers).toContain('ts')
    expect(typeof info.simd).toBe('boolean')
    expect(info.threads).toBeGreaterThanOrEqual(1)
  })

  it('detects WebAssembly SIMD, and turns Node 20’s relaxed-SIMD flag on from inside the program', () => {
    expect(wasmSupport().simd).toBe(true)
    expect(wasmSupport().relaxedSimd).toBe(true)
  })

  it('NABLA_RELAXED_SIMD=0 leaves the flag off: plain SIMD runs, kernelInfo says so, demanding relaxed throws', () => {
    const index = fileURLToPath(new URL('../src/index.ts', import.meta.url))
    const script = `
      const { kernelInfo, matmul } = await import(${JSON.stringify(index)})
      const { ones } = await import('@nabla/ndarray')
      const { gemmWasm } = await import(${JSON.stringify(fileURLToPath(new URL('../src/kernels/wasm/index.ts', import.meta.url)))})
      matmul(ones([256, 256]), ones([256, 256]))
      let error = ''
      try {
        gemmWasm({ transA: false, transB: false, m: 1, n: 1, k: 1, a: new Float32Array(1), aOffset: 0, lda: 1,
          b: new Float32Array(1), bOffset: 0, ldb: 1, c: new Float32Array(1), cOffset: 0, ldc: 1 }, { relaxedSimd: true })
      } catch (e) { error = e.message }
      const info = kernelInfo()
      console.log(JSON.stringify({ relaxed: info.relaxedSimd, last: info.last, error }))`
    const off = runChild(script, [], 60_000, { NABLA_RELAXED_SIMD: '0' }) as {
      relaxed: boolean
      last: { tier: string; relaxedSimd: boolean }
      error: string
    }
    expect(off.relaxed).toBe(false)
    expect(off.last.relaxedSimd).toBe(false)
    expect(off.error).toMatch(/relaxedSimd: true, but this runtime has no relaxed SIMD/)
    const on = runChild(script, [], 60_000) as typeof off
    expect(on.relaxed).toBe(true)
    expect(on.last).toMatchObject({ tier: 'wasm', relaxedSimd: true })
  })
})
