/** What this browser offers the page, checked before anything starts: each gap is a sentence for the page. */

/** The smallest module using a WebAssembly SIMD instruction (i32x4.splat of 0, dropped). */
const simdModule = Uint8Array.of(
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x04,
  0x01,
  0x60,
  0x00,
  0x00, // type section: () -> ()
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of type 0
  0x0a,
  0x09,
  0x01,
  0x07,
  0x00,
  0x41,
  0x00,
  0xfd,
  0x11,
  0x1a,
  0x0b, // code: i32.const 0; i32x4.splat; drop; end
)

/** Does this browser validate WebAssembly SIMD? */
export const hasWasmSimd = (wasm: unknown = globalThis.WebAssembly): boolean => {
  try {
    return typeof wasm === 'object' && wasm !== null && (wasm as typeof WebAssembly).validate(simdModule)
  } catch {
    return false
  }
}

/** A problem the page names: `fatal` ones stop it (nothing can run), the others explain a slower mode. */
export interface SupportIssue {
  readonly fatal: boolean
  readonly message: string
}

/**
 * The gaps of this browser for the page, in the order a reader should fix them.
 * @example
 * supportIssues(globalThis) // [] in a current browser on a cross-origin isolated page
 */
export const supportIssues = (scope: {
  readonly Worker?: unknown
  readonly WebAssembly?: unknown
  readonly DecompressionStream?: unknown
  readonly crossOriginIsolated?: boolean
}): SupportIssue[] => {
  const issues: SupportIssue[] = []
  if (typeof scope.Worker !== 'function') {
    issues.push({ fatal: true, message: 'This browser has no Web Workers, which the page trains in.' })
  }
  if (typeof scope.WebAssembly !== 'object') {
    issues.push({
      fatal: true,
      message: 'This browser has no WebAssembly (it may be turned off), which nabla runs on.',
    })
  } else if (!hasWasmSimd(scope.WebAssembly)) {
    issues.push({
      fatal: false,
      message:
        'This browser has no WebAssembly SIMD: nabla runs its plain TypeScript kernels on one thread instead, ' +
        'so training works but several times slower. Current Chrome, Edge and Firefox, and Safari 16.4 or later, ' +
        'have SIMD.',
    })
  }
  if (typeof scope.DecompressionStream !== 'function') {
    issues.push({
      fatal: true,
      message:
        'This browser has no DecompressionStream, which unpacks the bundled MNIST files ' +
        '(Chrome 80, Firefox 113, Safari 16.4 or later have it).',
    })
  }
  if (scope.crossOriginIsolated !== true) {
    issues.push({
      fatal: false,
      message:
        'This page is not cross-origin isolated, so nabla cannot share memory with worker threads: training runs ' +
        'on one thread. The host must send Cross-Origin-Opener-Policy: same-origin and ' +
        'Cross-Origin-Embedder-Policy: require-corp with the page (pnpm web and vite preview do).',
    })
  }
  return issues
}
