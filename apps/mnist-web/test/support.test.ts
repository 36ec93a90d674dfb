// What the page says about a browser that lacks something: each gap is named, with what to do about it.
import { describe, expect, it } from 'vitest'
import { hasWasmSimd, supportIssues } from '../src/support.js'

const full = { Worker: class {}, WebAssembly, DecompressionStream: class {}, crossOriginIsolated: true }

describe('supportIssues', () => {
  it('finds nothing to say in a complete, cross-origin isolated browser', () => {
    expect(hasWasmSimd()).toBe(true)
    expect(supportIssues(full)).toEqual([])
  })
  it('a browser without WebAssembly SIMD: a warning (slower kernels), not a stop', () => {
    // the probe module validates only where SIMD does: a WebAssembly that rejects it stands for an old browser
    const noSimd = { ...WebAssembly, validate: (bytes: BufferSource) => !(bytes as Uint8Array).includes(0xfd) }
    expect(hasWasmSimd(noSimd)).toBe(false)
    expect(supportIssues({ ...full, WebAssembly: noSimd })).toEqual([
      {
        fatal: false,
        message: expect.stringMatching(
          /^This browser has no WebAssembly SIMD: nabla runs its plain TypeScript kernels/,
        ),
      },
    ])
  })
  it('a page that is not cross-origin isolated: a warning naming both headers', () => {
    const [issue] = supportIssues({ ...full, crossOriginIsolated: false })
    expect(issue?.fatal).toBe(false)
    expect(issue?.message).toContain(
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp',
    )
  })
  it('no Web Workers, no WebAssembly, no DecompressionStream: errors that stop the page', () => {
    const issues = supportIssues({ crossOriginIsolated: true })
    expect(issues.map((i) => i.fatal)).toEqual([true, true, true])
    expect(issues.map((i) => i.message.split(',')[0])).toEqual([
      'This browser has no Web Workers',
      'This browser has no WebAssembly (it may be turned off)',
      'This browser has no DecompressionStream',
    ])
  })
})
