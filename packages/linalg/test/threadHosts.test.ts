// Worker hosts and wait strategies, in Node: host selection (worker_threads, Web Workers, none), what
// threadSupport reports for browser-like scopes, the browser path emulated on Node workers (background start,
// products on the calling thread until the workers are up, a caller that spins and never calls Atomics.wait),
// the same through gemmParallel in a child whose Atomics.wait throws as on a page's main thread, and threadsReady.
import { resolveObjectURL } from 'node:buffer'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { setKernel } from '../src/index.js'
import type { GemmArgs } from '../src/kernels/gemm.js'
import { GemmPool } from '../src/kernels/threads/gemmPool.js'
import { poolSize, shutdownPool, threadsReady } from '../src/kernels/threads/index.js'
import { probeThreadSupport, threadSupport } from '../src/kernels/threads/threadSupport.js'
import { pickWorkerHost, type WorkerData, type WorkerHost } from '../src/kernels/threads/workerHost.js'
import { workerSource } from '../src/kernels/threads/workerSource.js'
import { gemmWasm } from '../src/kernels/wasm/index.js'
import { gemmArgs, randomFloats, runChild, sameBits } from './gemmCases.js'

afterAll(() => shutdownPool())

/** A stand-in for the browser's Worker: records what it is given. */
class FakeWorker {
  static made: FakeWorker[] = []
  posted: unknown[] = []
  terminated = false
  onerror: ((event: { message?: string }) => void) | null = null
  constructor(readonly url: string) {
    FakeWorker.made.push(this)
  }
  postMessage(data: unknown): void {
    this.posted.push(data)
  }
  terminate(): void {
    this.terminated = true
  }
}

const pageScope = { Worker: FakeWorker, Blob, URL, WebAssembly, Atomics, navigator: { hardwareConcurrency: 8 } }
const mainThreadAtomics = {
  wait: () => {
    throw new TypeError('Atomics.wait cannot be called in this context')
  },
}

describe('pickWorkerHost', () => {
  it('picks worker_threads under Node, Web Workers where Worker, Blob and URL.createObjectURL exist, else none', () => {
    expect(pickWorkerHost()).toMatchObject({ kind: 'node', startsWhileBlocked: true })
    expect(pickWorkerHost(pageScope)).toMatchObject({ kind: 'web', startsWhileBlocked: false })
    // a bundler's `process` shim without getBuiltinModule does not make a browser look like Node
    expect(pickWorkerHost({ ...pageScope, process: {} })?.kind).toBe('web')
    expect(pickWorkerHost({})).toBeNull()
    expect(pickWorkerHost({ Worker: FakeWorker, Blob })).toBeNull()
  })

  it('a Web Worker host starts every worker from one blob URL of workerSource and posts it its data', async () => {
    const host = pickWorkerHost(pageScope) as WorkerHost
    FakeWorker.made = []
    const failures: string[] = []
    const data = (index: number) => ({ index }) as unknown as WorkerData
    const handles = [0, 1].map((i) => host.start(data(i), (message) => failures.push(message)))
    const [w0, w1] = FakeWorker.made
    expect(w0?.url).toMatch(/^blob:/)
    expect(w1?.url).toBe(w0?.url)
    expect(await resolveObjectURL(w0?.url as string)?.text()).toBe(workerSource)
    expect([w0?.posted, w1?.posted]).toEqual([[data(0)], [data(1)]])
    w1?.onerror?.({ message: 'Uncaught CompileError' })
    w0?.onerror?.({ message: '' })
    expect(failures).toEqual([
      'worker 1 failed: Uncaught CompileError',
      'worker 0 failed: it did not load (may this page run blob: workers?)',
    ])
    handles[0]?.terminate()
    expect([w0?.terminated, w1?.terminated]).toEqual([true, false])
  })
})

describe('probeThreadSupport', () => {
  it('a page that is not cross-origin isolated: names crossOriginIsolated and SharedArrayBuffer', () => {
    const support = probeThreadSupport({ ...pageScope, crossOriginIsolated: false, Atomics: mainThreadAtomics })
    expect(support).toMatchObject({ available: false, cores: 8, host: 'web', canWait: false })
    expect(support.missing[0]).toMatch(
      /^crossOriginIsolated \(SharedArrayBuffer needs .*Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)$/,
    )
    expect(support.missing.slice(1)).toEqual(['SharedArrayBuffer'])
  })

  it("an isolated page's main thread: available, but it may not block (Atomics.wait throws there)", () => {
    const scope = { ...pageScope, crossOriginIsolated: true, SharedArrayBuffer, Atomics: mainThreadAtomics }
    expect(probeThreadSupport(scope)).toEqual({ available: true, missing: [], cores: 8, host: 'web', canWait: false })
    // a dedicated worker of that page may
    expect(probeThreadSupport({ ...scope, Atomics }).canWait).toBe(true)
  })

  it('names what is missing: Worker, Atomics.wait, shared memory; Node reports its cores and may block', () => {
    expect(probeThreadSupport({ SharedArrayBuffer, Atomics, WebAssembly }).missing).toEqual(['Worker'])
    expect(probeThreadSupport({ ...pageScope, SharedArrayBuffer, Atomics: {}, WebAssembly: {} }).missing).toEqual([
      'Atomics.wait',
      'shared WebAssembly.Memory',
    ])
    expect(threadSupport()).toEqual({
      available: true,
      missing: [],
      cores: os.availableParallelism(),
      host: 'node',
      canWait: true,
    })
  })
})

/** The browser branch of workerSource, run on a Node worker: no `process`, a `self` fed by the first message. */
const webBranch = `const { parentPort } = require('node:worker_threads')
const self = {}
new Function('process', 'self', ${JSON.stringify(workerSource)})(undefined, self)
parentPort.once('message', (data) => self.onmessage({ data }))`

/** A host that behaves like a browser's: workers get their data by message and start in the background. */
const emulatedWebHost: WorkerHost = {
  kind: 'web',
  startsWhileBlocked: false,
  start: (data, onFailure) => {
    const worker = new Worker(webBranch, { eval: true, execArgv: [] })
    worker.on('error', (error) => onFailure(`worker ${data.index} failed: ${error.message}`))
    worker.unref()
    worker.postMessage(data)
    return { terminate: () => void worker.terminate() }
  },
}

const product = (seed: number): GemmArgs<Float32Array> =>
  gemmArgs({ transA: true, transB: false, m: 100, n: 90, k: 300, pads: [1, 0, 2], offsets: [3, 0, 1] }, (len, x) =>
    x === 'c' ? new Float32Array(len) : randomFloats(len, seed + (x === 'a' ? 0 : 1)),
  )

describe('the browser path, emulated on Node workers', () => {
  it('starts workers in the background, then the caller spins (never Atomics.wait): bit-identical to gemmWasm', async () => {
    const wait = vi.spyOn(Atomics, 'wait').mockImplementation(mainThreadAtomics.wait)
    const pool = new GemmPool(false, { host: emulatedWebHost, canWait: false })
    try {
      expect(pool.ensureWorkers(1)).toBe(false) // started, not up yet: a caller computes alone meanwhile
      expect(pool.size).toBe(1)
      await pool.whenReady(1)
      expect(pool.ensureWorkers(1)).toBe(true)
      for (const seed of [1, 2, 3]) {
        const g = product(seed)
        const plan = pool.engine.prepare('gemmParallel', g, 2)
        if (plan === undefined) throw new Error('the heap could not hold the product')
        expect(plan.jobs).toHaveLength(2) // the worker takes chunks of C from the shared counter
        pool.run(plan)
        pool.engine.finish(g, plan)
        const single = g.c.slice().fill(0)
        gemmWasm({ ...g, c: single }, { relaxedSimd: false })
        expect(sameBits(g.c, single)).toBe(true)
      }
      expect(wait).not.toHaveBeenCalled()
    } finally {
      wait.mockRestore()
      pool.close()
    }
  })

  it('a worker that fails to start (or cannot be created) rejects whenReady and fails later products with its message', async () => {
    const blocked: WorkerHost = {
      kind: 'web',
      startsWhileBlocked: false,
      start: (data, onFailure) => {
        setTimeout(() => onFailure(`worker ${data.index} failed: blocked by the page's worker-src policy`), 1)
        return { terminate: () => {} }
      },
    }
    const pool = new GemmPool(false, { host: blocked, canWait: false })
    const message = "gemmParallel: worker 0 failed: blocked by the page's worker-src policy"
    await expect(pool.whenReady(1)).rejects.toThrow(message)
    expect(() => pool.ensureWorkers(1)).toThrow(message)
    pool.close()
    const refused: WorkerHost = {
      ...blocked,
      start: () => {
        throw new Error('The operation is insecure.')
      },
    }
    const other = new GemmPool(false, { host: refused, canWait: false })
    for (let i = 0; i < 2; i++) {
      expect(() => other.ensureWorkers(1)).toThrow('gemmParallel: worker 0 could not start: The operation is insecure.')
    }
    other.close()
  })
})

describe('gemmParallel and threadsReady', () => {
  it('where Atomics.wait throws (a child, as a page): 1 thread until the workers are up, then 2, same bits', () => {
    const index = fileURLToPath(new URL('../src/kernels/threads/index.ts', import.meta.url))
    const script = `
      Atomics.wait = () => { throw new TypeError('Atomics.wait cannot be called in this context') }
      const { gemmParallel, threadSupport, threadsReady } = await import(${JSON.stringify(index)})
      let s = 9
      const rand = (len) => Float32Array.from({ length: len }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1))
      const m = 128, n = 96, k = 200, a = rand(m * k), b = rand(k * n)
      const run = (threads) => {
        const c = new Float32Array(m * n)
        const used = gemmParallel({ transA: false, transB: true, m, n, k, a, aOffset: 0, lda: k, b, bOffset: 0, ldb: k,
          c, cOffset: 0, ldc: n }, { threads, minWork: 0 })
        return { used, bits: Array.from(new Uint32Array(c.buffer)).join() }
      }
      const early = run(2)
      const { threads, workers, canWait } = await threadsReady({ threads: 2 })
      const later = run(2), one = run(1)
      console.log(JSON.stringify({ canWait: threadSupport().canWait, ready: { threads, workers, canWait },
        used: [early.used, later.used, one.used], same: early.bits === one.bits && later.bits === one.bits }))`
    expect(runChild(script, [], 30_000)).toEqual({
      canWait: false,
      ready: { threads: 2, workers: 1, canWait: false },
      used: [1, 2, 1],
      same: true,
    })
  })

  it('threadsReady starts the workers the thread setting asks for and resolves when they are up', async () => {
    shutdownPool()
    const before = setKernel({ threads: 3 })
    try {
      expect(await threadsReady()).toMatchObject({
        available: true,
        host: 'node',
        canWait: true,
        threads: 3,
        workers: 2,
      })
      expect(poolSize()).toBe(2)
      expect(await threadsReady({ threads: 1 })).toMatchObject({ threads: 1, workers: 2 })
      // a single-threaded tier chosen: nothing to start
      shutdownPool()
      setKernel({ kernel: 'ts', threads: 2 })
      expect(await threadsReady()).toMatchObject({ threads: 1, workers: 0 })
      expect(poolSize()).toBe(0)
    } finally {
      setKernel(before)
    }
    for (const threads of [0, 1.5, 257]) {
      await expect(threadsReady({ threads })).rejects.toThrow(
        `threadsReady: threads must be an integer from 1 to 256, got ${threads}`,
      )
    }
  })
})
