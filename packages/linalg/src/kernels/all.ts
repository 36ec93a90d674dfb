/** Registers the kernel tiers and the worker pool this runtime can use. */
import type { GemmArgs } from './gemm.js'
import { refGemm } from './ref.js'
import { registerKernel, registerThreads } from './registry.js'
import { defaultMinWork, defaultThreadCount, gemmParallel, maxThreads, threadSupport } from './threads/index.js'
import { tsGemm } from './ts.js'
import { gemmWasm, wasmSupport } from './wasm/index.js'

registerKernel('ref', { kernel: refGemm, dtypes: ['float32', 'float64'] })
registerKernel('ts', { kernel: tsGemm, dtypes: ['float32', 'float64'] })

// The fast tiers compute float32 only; dispatch never hands them float64.
if (wasmSupport().simd) {
  registerKernel('wasm', { kernel: (x) => gemmWasm(x as GemmArgs<Float32Array>), dtypes: ['float32'] })
}
if (threadSupport().available) {
  registerThreads({
    defaultThreads: defaultThreadCount(),
    maxThreads,
    minWork: defaultMinWork,
    tiers: ['wasm'],
    run: (x, _tier, threads) => gemmParallel(x as GemmArgs<Float32Array>, { threads }),
  })
}
