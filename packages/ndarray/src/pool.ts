/**
 * A pool of recycled storage. On this kind of machine the first write to freshly mapped
 * memory costs more than the arithmetic done in it, and a training loop makes the same
 * few large arrays every step. Code that owns an array and knows it is dead (the `fit`
 * loop, for the weights of two steps ago) may hand its buffer back with `recycle`;
 * `allocate` reuses it, zeroed. Nothing a user holds is ever recycled behind their back.
 */
import { type DType, setReuse, type TypedArray } from './dtype.js'
import { Concrete } from './ndarray.js'

const minBytes = 64 * 1024
const maxBytes = 256 * 1024 * 1024
const perSize = 8

const pools = new Map<string, TypedArray[]>()
const pooled = new WeakSet<TypedArray>()
let bytes = 0

// Buffers inside a WebAssembly heap (shared memory) are kept for the kernels that read them in place
// (`takeRecycled`); handing them to any other op would push those kernels back to copying.
const onSharedMemory = (buf: TypedArray): boolean =>
  typeof SharedArrayBuffer === 'function' && buf.buffer instanceof SharedArrayBuffer

/** A pooled buffer of `size` elements of `dtype` (not one of a WebAssembly heap), zeroed, if one is available. */
const takePooled = (dtype: DType, size: number): TypedArray | undefined => {
  const buf = takeRecycled(dtype, size, (b) => !onSharedMemory(b))
  buf?.fill(0)
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

// only buffers of at least minBytes are pooled, so smaller requests skip the lookup (bytes, not elements: float64 counts 8)
setReuse((dtype, size, bytes) => (bytes >= minBytes ? takePooled(dtype, size) : undefined))

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
    const buf = x.data
    if (buf.byteLength < minBytes || pooled.has(buf) || keep?.has(buf) || bytes + buf.byteLength > maxBytes) continue
    const key = `${x.dtype}:${x.size}`
    const list = pools.get(key) ?? []
    if (list.length >= perSize) continue
    list.push(buf)
    pools.set(key, list)
    pooled.add(buf)
    bytes += buf.byteLength
    taken++
  }
  return taken
}

/**
 * The buffers behind every array of some trees, for `recycle`'s `keep`.
 * @example
 * recycle(old, { keep: buffersOf(current) })
 */
export const buffersOf = (...trees: readonly unknown[]): Set<TypedArray> =>
  new Set(trees.flatMap((t) => arraysIn(t).map((x) => (x as Concrete).data)))
