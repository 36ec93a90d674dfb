/**
 * A pool of recycled storage. On this kind of machine the first write to freshly mapped
 * memory costs more than the arithmetic done in it, and a training loop makes the same
 * few large arrays every step. Code that owns an array and knows it is dead (the `fit`
 * loop, for the weights of two steps ago) may hand its buffer back with `recycle`;
 * `allocate` reuses it, zeroed. Nothing a user holds is ever recycled behind their back.
 */
import { type DType, setHandedOut, setReuse, type TypedArray } from './dtype.js'
import { Concrete } from './ndarray.js'

const minBytes = 64 * 1024
const maxBytes = 256 * 1024 * 1024
const perSize = 8

const pools = new Map<string, TypedArray[]>()
// the open arenas' logs, innermost last: [dtype, buffer] of each large array handed out during them
const arenas: [DType, TypedArray][][] = []
const pooled = new WeakSet<TypedArray>()
let bytes = 0

// Buffers inside a WebAssembly heap (shared memory) are kept for the kernels that read them in place
// (`takeRecycled`); handing them to any other op would push those kernels back to copying.
const onSharedMemory = (buf: TypedArray): boolean =>
  typeof SharedArrayBuffer === 'function' && buf.buffer instanceof SharedArrayBuffer

/** A pooled buffer of `size` elements of `dtype` (not one of a WebAssembly heap), zeroed if asked, if one is available. */
const takePooled = (dtype: DType, size: number, zero: boolean): TypedArray | undefined => {
  const buf = takeRecycled(dtype, size, (b) => !onSharedMemory(b))
  if (zero) buf?.fill(0)
  return buf
}

/**
 * A pooled buffer of `size` elements of `dtype` that `accept` takes, not zeroed (for a caller that overwrites
 * it whole), if one is available.
 * @example
 * takeRecycled('float32', n, (b) => heap.pointerOf(b as Float32Array) >= 0) // a recycled array inside the wasm heap
 */
export const takeRecycled = (
  dtype: DType,
  size: number,
  accept: (buf: TypedArray) => boolean,
): TypedArray | undefined => {
  const list = pools.get(`${dtype}:${size}`)
  if (list === undefined) return undefined
  for (let i = list.length - 1; i >= 0; i--) {
    const buf = list[i] as TypedArray
    if (!accept(buf)) continue
    list.splice(i, 1)
    pooled.delete(buf)
    bytes -= buf.byteLength
    return buf
  }
  return undefined
}

/** Every concrete NDArray inside a value made of lists and plain records (numbers and other leaves are skipped). */
export const arraysIn = (x: unknown, out: Concrete[] = []): Concrete[] => {
  if (x instanceof Concrete) out.push(x)
  else if (Array.isArray(x)) for (const v of x) arraysIn(v, out)
  else if (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) arraysIn(v, out)
  }
  return out
}

// set by wasmHeap.ts: a float32 array in the shared WebAssembly heap (a recycled one, else a new block within the
// heap's budget), or undefined where the heap cannot hold arrays
let heapFloats: (n: number, zero: boolean) => Float32Array | undefined = () => undefined

/** Installs where an arena's float32 arrays come from (wasmHeap.ts: the shared heap). */
export const setHeapFloats = (f: (n: number, zero: boolean) => Float32Array | undefined): void => {
  heapFloats = f
}

// Only buffers of at least minBytes are pooled, so smaller requests skip the lookup (bytes, not elements: float64
// counts 8). Inside an arena the lifetimes are known, so large float32 arrays live in the WebAssembly heap, where
// the generated kernels (matrix products, SIMD loops) read and write them in place; the arena gives them back.
setReuse((dtype, size, bytes, zero) => {
  if (bytes < minBytes) return undefined
  if (dtype === 'float32' && arenas.length > 0) {
    const resident = heapFloats(size, zero)
    if (resident !== undefined) return resident
  }
  return takePooled(dtype, size, zero)
})

/**
 * Adds a heap array handed out by a generated kernel (a fused loop's result) to the innermost open arena, if any:
 * such arrays are not made by `allocate`, yet die with the span like the rest.
 * @example
 * noteInArena('float32', out) // wasmHeap.ts, for each heap array it hands out
 */
export const noteInArena = (dtype: DType, buf: TypedArray): void => {
  if (buf.byteLength >= minBytes) arenas[arenas.length - 1]?.push([dtype, buf])
}

// Puts a whole buffer in the pool, if it qualifies and there is room; true if taken.
const give = (dtype: DType, buf: TypedArray): boolean => {
  if (buf.byteLength < minBytes || pooled.has(buf) || bytes + buf.byteLength > maxBytes) return false
  const key = `${dtype}:${buf.length}`
  const list = pools.get(key) ?? []
  if (list.length >= perSize) return false
  list.push(buf)
  pools.set(key, list)
  pooled.add(buf)
  bytes += buf.byteLength
  return true
}

/**
 * Hands the storage of the arrays inside `tree` (lists and records; other leaves are skipped), which the caller owns and will never read again back to the pool.
 * Only whole buffers of at least 64 KiB are taken; views, scalars and tracers are ignored.
 * Returns how many buffers were taken.
 * @example
 * recycle(oldParams) // inside a loop that made oldParams and has replaced them
 */
export const recycle = (tree: unknown, { keep }: { readonly keep?: ReadonlySet<TypedArray> } = {}): number => {
  let taken = 0
  for (const x of arraysIn(tree)) {
    if (!(x instanceof Concrete) || x.offset !== 0 || x.data.length !== x.size || !x.contiguous) continue
    if (keep?.has(x.data)) continue
    if (give(x.dtype, x.data)) taken++
  }
  return taken
}

/** A span of work whose large arrays go back to the pool at its end (see `openArena`). */
export interface Arena {
  /**
   * Ends the span: every array of at least 64 KiB that `allocate` handed out during it goes back to the pool,
   * except those whose storage an array inside `keep` (lists and records) uses, views included. Returns how many
   * buffers were taken. An enclosing arena inherits the kept ones.
   */
  close(...keep: readonly unknown[]): number
  /** Ends the span without taking anything (e.g. on an error); an enclosing arena inherits its arrays. */
  discard(): void
}

// heap arrays are noted once, when the heap hands them out (wasmHeap.ts), whoever asked for them
setHandedOut((dtype, buf) => {
  if (!onSharedMemory(buf)) noteInArena(dtype, buf)
})

/**
 * Opens an arena: a span of work — one training step, say — whose caller knows that every array made during it is
 * dead at its end unless reachable from what it returns. `close(results)` then hands the others' storage back to
 * the pool, so the next span reuses it instead of making (and the garbage collector finding) fresh buffers.
 * Only arrays `allocate` hands out count: arrays that existed before the span are never taken. The caller must
 * know nothing else holds the span's arrays — as for a pure function given to `grad`, which keeps none.
 * Arenas nest; close them innermost first.
 * @example
 * const arena = openArena()
 * const next = step(state, xb, yb)
 * arena.close(next) // the step's intermediates are reused by the next step
 */
export const openArena = (): Arena => {
  const log: [DType, TypedArray][] = []
  arenas.push(log)
  const end = (): [DType, TypedArray][] | undefined => {
    if (arenas[arenas.length - 1] !== log) {
      throw new Error(
        arenas.includes(log) ? 'openArena: close the inner arena first' : 'openArena: this arena is already closed',
      )
    }
    arenas.pop()
    return arenas[arenas.length - 1]
  }
  return {
    close(...keep) {
      const outer = end()
      // an ordinary array owns its buffer, and every view of it sees that buffer; heap arrays share the heap's
      // one buffer, and their views share the array itself
      const kept = arraysIn(keep).map((x) => x.data)
      const liveArrays = new Set<TypedArray>(kept)
      const liveBuffers = new Set(kept.map((x) => x.buffer))
      let taken = 0
      for (const [dtype, buf] of log) {
        const live = onSharedMemory(buf) ? liveArrays.has(buf) : liveBuffers.has(buf.buffer)
        if (live) outer?.push([dtype, buf])
        else if (give(dtype, buf)) taken++
      }
      return taken
    },
    discard() {
      end()?.push(...log)
    },
  }
}

/**
 * The buffers behind every array of some trees, for `recycle`'s `keep`.
 * @example
 * recycle(old, { keep: buffersOf(current) })
 */
export const buffersOf = (...trees: readonly unknown[]): Set<TypedArray> =>
  new Set(trees.flatMap((t) => arraysIn(t).map((x) => (x as Concrete).data)))
