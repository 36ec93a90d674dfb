/**
 * `WasmHeap`: float32 storage inside one WebAssembly memory, so generated kernels read their inputs and write
 * their outputs in place instead of copying them in and out on every call. Arrays made here are ordinary
 * Float32Arrays (views of the memory); their block returns to the heap when the array is garbage-collected
 * (FinalizationRegistry). A compiled program plans its own buffers in one block (see `@nabla/jit`).
 */

import type { ModuleBuilder } from './wasm/index.js'

const pageBytes = 65536
// cache-line blocks: SIMD loads never straddle two lines, and a layout aligned from a block's start is aligned
const align = 64

/**
 * A block allocator over a WebAssembly memory. With a shared memory (where the runtime has SharedArrayBuffer)
 * growth never detaches the views handed out, so the heap can hold arrays (`resident`); with a plain memory
 * growth would empty every view, so it only lends scratch blocks. A request takes a free block of its size
 * first (a training step asks for the same few sizes every time), else the smallest larger one, split; a
 * released block merges with free neighbours, and a free block at the top lowers it, so that the space of
 * programs and arrays that are gone serves requests of other sizes instead of the memory growing.
 * @category Storage
 * @example
 * const heap = new WasmHeap(16 * 2 ** 20, 2 ** 20) // at most 16 MiB, of which arrays may hold 1 MiB
 * heap.resident // → typeof SharedArrayBuffer === 'function' // a shared memory (always in Node)
 * const x = heap.floats(1024) // a Float32Array of zeros inside heap.memory, or undefined when full
 * x?.buffer === heap.memory.buffer // → heap.resident
 * heap.floats(2 ** 20) // → undefined // 4 MiB: beyond what arrays may hold
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory
  /** Whether arrays may live in the heap (a shared memory). */
  readonly resident: boolean
  private top = align
  /** Free blocks: size by address, address by end, addresses by size. */
  private readonly freeAt = new Map<number, number>()
  private readonly freeEnding = new Map<number, number>()
  private readonly bySize = new Map<number, Set<number>>()
  /** The size of every block handed out and not yet released, by its address. */
  private readonly sizes = new Map<number, number>()
  private readonly buffers = new WeakSet<ArrayBufferLike>()
  private live = 0
  private readonly registry = new FinalizationRegistry<[number, number]>(([ptr, bytes]) => {
    this.live -= bytes
    this.release(ptr)
  })

  /** The most the memory may grow to, in bytes (what its kernels declare for the memory they import). */
  readonly maxBytes: number

  /**
   * @param maxBytes the most the memory may grow to.
   * @param residentBytes the most that arrays (`floats`) may hold at once. Their blocks come back only when the
   *   arrays are collected, which a loop that never yields to the event loop postpones; past this budget,
   *   `floats` declines and callers fall back to ordinary arrays.
   * @param shared false for a plain memory (scratch blocks only), as where the runtime has no shared memory.
   */
  constructor(
    maxBytes: number,
    readonly residentBytes: number = maxBytes / 8,
    shared = true,
  ) {
    let memory: WebAssembly.Memory | undefined
    if (shared) {
      try {
        memory = new WebAssembly.Memory({ initial: 1, maximum: Math.ceil(maxBytes / pageBytes), shared: true })
      } catch {
        memory = undefined
      }
    }
    // a page without cross-origin isolation has no SharedArrayBuffer global at all
    this.resident =
      memory !== undefined && typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer
    if (memory === undefined) {
      // a plain memory; where the address space for the full size cannot be had, a smaller one (256 MiB)
      for (const bytes of [maxBytes, Math.min(maxBytes, 2 ** 28)]) {
        try {
          memory = new WebAssembly.Memory({ initial: 1, maximum: Math.ceil(bytes / pageBytes) })
          maxBytes = bytes
          break
        } catch {
          memory = undefined
        }
      }
    }
    if (memory === undefined) throw new Error('WasmHeap: this runtime could not create a WebAssembly memory')
    this.memory = memory
    this.maxBytes = maxBytes
    this.buffers.add(this.memory.buffer)
  }

  /**
   * Declares, in a module being built, the import of this memory as `env.memory` with matching limits (a shared
   * memory's import must state its maximum). Every generated kernel that works in the heap starts so.
   * @example
   * const mod = new ModuleBuilder()
   * wasmHeap().importInto(mod)
   * WebAssembly.Module.imports(new WebAssembly.Module(mod.toBytes())) // → [{ module: 'env', name: 'memory', kind: 'memory' }]
   */
  importInto(mod: ModuleBuilder): void {
    mod.importMemory('env', 'memory', {
      initial: 1,
      maximum: Math.ceil(this.maxBytes / pageBytes),
      shared: this.resident,
    })
  }

  /**
   * Compiles and instantiates a module built with `importInto` on this memory.
   * @example
   * const heap = new WasmHeap(2 ** 20)
   * const mod = new ModuleBuilder()
   * heap.importInto(mod)
   * mod.func(['i32'], ['f32'], (f) => f.get(0).f32Load(), 'read')
   * const read = heap.instantiate(mod.toBytes()).read as (pointer: number) => number
   * const ptr = heap.alloc(16)!
   * heap.view()[ptr / 4] = 2.5
   * read(ptr) // → 2.5
   */
  instantiate(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Exports {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory } }).exports
  }

  /**
   * The memory as floats (a fresh view: after growth the old ones are shorter).
   * @example
   * const heap = new WasmHeap(2 ** 20)
   * const ptr = heap.alloc(16)!
   * heap.view()[ptr / 4] = 7 // the float at byte address ptr
   * heap.view()[ptr / 4]     // → 7
   * heap.view().length       // → heap.memory.buffer.byteLength / 4
   */
  view(): Float32Array {
    const buffer = this.memory.buffer
    this.buffers.add(buffer)
    return new Float32Array(buffer)
  }

  /**
   * The byte address of `x` when it lives in this heap, else −1.
   * @example
   * const heap = new WasmHeap(2 ** 20)
   * const x = heap.floats(4)!
   * heap.pointerOf(x)                  // → x.byteOffset
   * heap.pointerOf(new Float32Array(4)) // → -1
   */
  pointerOf(x: Float32Array): number {
    return this.resident && this.buffers.has(x.buffer) ? x.byteOffset : -1
  }

  /**
   * A block of at least `bytes` bytes (64-byte aligned), or undefined when the heap is full. A free block of
   * the same size is reused first, then the smallest larger free block (its rest stays free), and only then does
   * the heap grow.
   * @example
   * const heap = new WasmHeap(2 ** 20)
   * const ptr = heap.alloc(100)! // a 128-byte block
   * ptr % 64 // → 0
   * heap.release(ptr)
   * heap.alloc(128)     // → ptr // the freed block again
   * heap.alloc(2 ** 21) // → undefined // more than the heap may grow to
   */
  alloc(bytes: number): number | undefined {
    const size = Math.max(align, Math.ceil(bytes / align) * align)
    const exact = this.bySize.get(size)
    if (exact !== undefined && exact.size > 0) {
      const ptr = exact.values().next().value as number
      this.takeFree(ptr)
      this.sizes.set(ptr, size)
      return ptr
    }
    let best = -1
    let bestSize = Number.POSITIVE_INFINITY
    for (const [ptr, s] of this.freeAt) {
      if (s > size && s < bestSize) {
        best = ptr
        bestSize = s
      }
    }
    if (best >= 0) {
      this.takeFree(best)
      this.addFree(best + size, bestSize - size)
      this.sizes.set(best, size)
      return best
    }
    const ptr = this.top
    const end = ptr + size
    const have = this.memory.buffer.byteLength
    if (end > have) {
      const pages = Math.ceil((end - have) / pageBytes)
      if (have + pages * pageBytes > this.maxBytes) return undefined
      try {
        this.memory.grow(pages)
      } catch {
        return undefined
      }
      this.buffers.add(this.memory.buffer)
    }
    this.top = end
    this.sizes.set(ptr, size)
    return ptr
  }

  /**
   * Gives a block back; it merges with free neighbours.
   * @example
   * const heap = new WasmHeap(2 ** 20)
   * const a = heap.alloc(64)!
   * const b = heap.alloc(64)!
   * heap.alloc(64) // a block above them
   * heap.release(a)
   * heap.release(b)     // merges with a's block: one free block of 128 bytes
   * heap.alloc(128)     // → a
   * heap.release(12345) // throws: no block in use starts at 12345
   */
  release(ptr: number): void {
    const size = this.sizes.get(ptr)
    if (size === undefined) throw new Error(`WasmHeap: internal: no block in use starts at ${ptr}`)
    this.sizes.delete(ptr)
    let start = ptr
    let end = ptr + size
    const before = this.freeEnding.get(start)
    if (before !== undefined) {
      this.takeFree(before)
      start = before
    }
    const after = this.freeAt.get(end)
    if (after !== undefined) {
      this.takeFree(end)
      end += after
    }
    if (end === this.top) this.top = start
    else this.addFree(start, end - start)
  }

  /**
   * Bytes from the heap's start to the end of its highest block in use or free (the rest of the memory is unused).
   * @example
   * const heap = new WasmHeap(2 ** 20)
   * heap.used // → 64 // blocks start one alignment unit in
   * const ptr = heap.alloc(1000)!
   * heap.used // → 64 + 1024
   * heap.release(ptr)
   * heap.used // → 64 // a free block at the top lowers it
   */
  get used(): number {
    return this.top
  }

  private addFree(ptr: number, size: number): void {
    this.freeAt.set(ptr, size)
    this.freeEnding.set(ptr + size, ptr)
    const list = this.bySize.get(size)
    if (list === undefined) this.bySize.set(size, new Set([ptr]))
    else list.add(ptr)
  }

  private takeFree(ptr: number): void {
    const size = this.freeAt.get(ptr) as number
    this.freeAt.delete(ptr)
    this.freeEnding.delete(ptr + size)
    this.bySize.get(size)?.delete(ptr)
  }

  /**
   * A zeroed float32 array of `n` elements living in the heap, whose block comes back when it is collected;
   * undefined when the heap is not resident or is full.
   * @example
   * const heap = new WasmHeap(2 ** 20)
   * const out = heap.floats(4) ?? new Float32Array(4)
   * Array.from(out)         // → [0, 0, 0, 0]
   * heap.pointerOf(out) > 0 // → heap.resident
   */
  floats(n: number, zeroed = true): Float32Array | undefined {
    if (!this.resident || this.live + 4 * n > this.residentBytes) return undefined
    const ptr = this.alloc(4 * n)
    if (ptr === undefined) return undefined
    this.live += 4 * n
    const buffer = this.memory.buffer
    this.buffers.add(buffer)
    const x = new Float32Array(buffer, ptr, n)
    if (zeroed) x.fill(0)
    this.registry.register(x, [ptr, 4 * n])
    return x
  }
}

let heap: WasmHeap | undefined

/**
 * The one heap of the process that generated kernels share (fused loops, the threaded matrix product): 2 GiB at
 * most — address space reserved, pages used as needed — of which arrays may hold 64 MiB. Where it is resident
 * (shared memory), a kernel's output lives there and the next kernel reads it in place.
 * @category Storage
 * @example
 * wasmHeap() === wasmHeap()    // → true // one per process
 * wasmHeap().maxBytes          // → 2 ** 31
 * const x = residentFloats(2 ** 14)
 * x !== undefined && wasmHeap().pointerOf(x) >= 0 // → wasmHeap().resident // x is stored in the heap
 */
export const wasmHeap = (): WasmHeap => {
  heap ??= new WasmHeap(2 ** 31, 64 * 2 ** 20)
  return heap
}

/** Arrays from this size on may live in the heap: below that, an ordinary array costs less than a heap block. */
export const residentMinBytes = 64 * 1024

/**
 * A float32 array of `n` elements inside the heap, or undefined when the heap is not resident, `n` is below
 * `residentMinBytes` (small arrays are cheaper as ordinary ones), or the resident budget is spent.
 * @category Storage
 * @example
 * residentFloats(16) // → undefined // 64 bytes: an ordinary array is cheaper
 * const out = residentFloats(2 ** 14) ?? allocate('float32', 2 ** 14) // a fused loop's result, read in place by the next kernel
 * out.length // → 2 ** 14
 */
export const residentFloats = (n: number): Float32Array | undefined => {
  const h = wasmHeap()
  if (!h.resident || 4 * n < residentMinBytes) return undefined
  return h.floats(n)
}
