/**
 * Random numbers from explicit keys, as in JAX: a key is a pair of 32-bit words, `split`
 * derives independent keys, and every sampler is a pure function of its key. The bits come
 * from the counter-based Threefry-2x32 hash (20 rounds) in 32-bit integer arithmetic, so
 * they are identical on every platform.
 */
import { allocate, checkDType, type DType } from './dtype.js'
import { Concrete, type NDArray } from './ndarray.js'
import { checkShape, type Shape, sizeOf } from './shape.js'

/**
 * A PRNG key: two 32-bit words. Immutable; use `split` to get more.
 * @category Random
 * @example
 * const k: Key = key(7)
 * k.kind             // → 'nabla.key'
 * k.words            // → [0, 7]
 * Object.isFrozen(k) // → true
 * split(k)[0]!.kind  // → 'nabla.key' // split gives keys too
 */
export interface Key {
  readonly kind: 'nabla.key'
  readonly words: readonly [number, number]
}

const makeKey = (a: number, b: number): Key =>
  Object.freeze({ kind: 'nabla.key', words: Object.freeze([a >>> 0, b >>> 0]) }) as Key

/**
 * What a batching transform (`vmap`) puts behind a key that stands for one key per example. Samplers given
 * such a key draw once per example key (`sample`), and the transform stacks the draws along its batch; `split`
 * splits each example's key. Host code is per key, so these draws are correct but not vectorised.
 * @category Random
 * @example
 * import { keyBatchOf } from './random.js'
 * // one key per example of a batch of two, drawn from in turn and stacked
 * const batch: KeyBatch = { sample: (draw) => stack([draw(key(1)), draw(key(2))]), split: (n) => split(key(1), n) }
 * const k = batchedKey(batch)
 * keyBatchOf(k) === batch   // → true
 * normal(k, [4]).shape      // → [2, 4]
 * toArray(normal(k, [4]))   // → [toArray(normal(key(1), [4])), toArray(normal(key(2), [4]))]
 */
export interface KeyBatch {
  /** The draws of `draw` for each example's key, stacked as the transform's batched value. */
  readonly sample: (draw: (k: Key) => NDArray) => NDArray
  /** `split` of each example's key, regrouped into `n` batched keys. */
  readonly split: (n: number) => Key[]
}

const keyBatches = new WeakMap<Key, KeyBatch>()

/**
 * A key standing for a batch of keys, one per example of a batching transform: the random functions hand their
 * draw to `batch` instead of reading the key. Its words cannot be read (that is an error naming the transform).
 * @category Random
 * @example
 * // what vmap gives f for a mapped list of keys (here two, stacked by hand)
 * const keys = [key(1), key(2)]
 * const k = batchedKey({
 *   sample: (draw) => stack(keys.map(draw)),
 *   split: () => {
 *     throw new Error('not used here')
 *   },
 * })
 * uniform(k, [3]).shape // → [2, 3] // one draw per example key, stacked
 * toArray(uniform(k, [3])) // → toArray(stack([uniform(key(1), [3]), uniform(key(2), [3])]))
 * k.words // throws TypeError: one key per example inside vmap
 */
export const batchedKey = (batch: KeyBatch): Key => {
  const k = Object.freeze({
    kind: 'nabla.key',
    get words(): readonly [number, number] {
      throw new TypeError(
        'random: this key stands for one key per example inside vmap, so it has no single pair of words; ' +
          'use it with split, uniform, normal, bernoulli or permutation, which draw per example',
      )
    },
  }) as Key
  keyBatches.set(k, batch)
  return k
}

/**
 * The batch behind a key made by {@link batchedKey}, or undefined for an ordinary key.
 * @category Random
 * @example
 * import { keyBatchOf } from './random.js'
 * keyBatchOf(key(0)) // → undefined
 */
export const keyBatchOf = (k: Key): KeyBatch | undefined =>
  typeof k === 'object' && k !== null ? keyBatches.get(k) : undefined

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r))

const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const

/** Threefry-2x32 with 20 rounds: hashes counter (c0, c1) under key (k0, k1) into `out[at]`, `out[at + 1]`. */
const threefry = (k0: number, k1: number, c0: number, c1: number, out: Uint32Array, at: number): void => {
  const ks = [k0 >>> 0, k1 >>> 0, (0x1bd11bda ^ k0 ^ k1) >>> 0]
  let x0 = (c0 + (ks[0] as number)) | 0
  let x1 = (c1 + (ks[1] as number)) | 0
  for (let block = 0; block < 5; block++) {
    for (const r of ROTATIONS[block % 2] as readonly number[]) {
      x0 = (x0 + x1) | 0
      x1 = rotl(x1, r) ^ x0
    }
    x0 = (x0 + (ks[(block + 1) % 3] as number)) | 0
    x1 = (x1 + (ks[(block + 2) % 3] as number) + block + 1) | 0
  }
  out[at] = x0
  out[at + 1] = x1
}

/**
 * `n` random 32-bit words from `key` (counters (i, 0), two words per hash).
 * @category Random
 * @example
 * // the same words on every platform; the first two are Random123's known answer for Threefry-2x32-20
 * randomBits(key(0), 3) // → new Uint32Array([0x6b200159, 0x99ba4efe, 1351547692])
 */
export const randomBits = (k: Key, n: number): Uint32Array => {
  const out = new Uint32Array(n + (n % 2))
  for (let i = 0; i < out.length; i += 2) threefry(k.words[0], k.words[1], i >>> 1, 0, out, i)
  return n % 2 === 0 ? out : out.subarray(0, n)
}

/**
 * A key from an integer seed (any safe integer; negative seeds are fine, NaN is not).
 * @category Random
 * @example
 * key(42)         // → { kind: 'nabla.key', words: [0, 42] }
 * key(2 ** 32 + 1) // → { kind: 'nabla.key', words: [1, 1] }
 * key(0.5)        // throws RangeError: the seed must be a safe integer
 */
export const key = (seed: number): Key => {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    const got = typeof seed === 'number' ? String(seed) : `${typeof seed} ${JSON.stringify(seed)}`
    throw new RangeError(`key: the seed must be a safe integer, got ${got}`)
  }
  const hi = Math.floor(seed / 2 ** 32)
  return makeKey(hi, seed - hi * 2 ** 32)
}

/**
 * Throws unless `k` is a key made by `key(seed)` or `split(key)`, naming `op`; returns it.
 * @category Random
 * @example
 * checkKey('shuffle', key(0)) // → key(0)
 * checkKey('shuffle', 3)      // throws TypeError: shuffle: expected a key made by key(seed) or split(key), got number
 */
export const checkKey = (op: string, k: unknown): Key => {
  if (typeof k !== 'object' || k === null || (k as Key).kind !== 'nabla.key') {
    throw new TypeError(`${op}: expected a key made by key(seed) or split(key), got ${k === null ? 'null' : typeof k}`)
  }
  return k as Key
}

/**
 * `n` (default 2) new independent keys derived from `k`.
 * @category Random
 * @example
 * const [k1, k2] = split(key(0))
 * k1 // → { kind: 'nabla.key', words: [928981903, 3453687069] }
 * k2 // → { kind: 'nabla.key', words: [2473972575, 935721516] }
 * split(key(0), 3)[1] // → k2 // the same keys, however many are asked for
 */
export const split = (k: Key, n = 2): Key[] => {
  checkKey('split', k)
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`split: n must be a positive integer, got ${n}`)
  const batch = keyBatchOf(k)
  if (batch !== undefined) return batch.split(n)
  const buf = new Uint32Array(2)
  return Array.from({ length: n }, (_, i) => {
    threefry(k.words[0], k.words[1], i, 1, buf, 0)
    return makeKey(buf[0] as number, buf[1] as number)
  })
}

/** Floats uniformly in [0, 1): 23 random bits for float32, 53 for float64. */
const unitFloats = (k: Key, n: number, dtype: 'float32' | 'float64'): Float64Array => {
  const out = new Float64Array(n)
  if (dtype === 'float32') {
    const bits = randomBits(k, n)
    for (let i = 0; i < n; i++) out[i] = ((bits[i] as number) >>> 9) * 2 ** -23
  } else {
    const bits = randomBits(k, 2 * n)
    for (let i = 0; i < n; i++)
      out[i] = (((bits[2 * i] as number) >>> 5) * 2 ** 26 + ((bits[2 * i + 1] as number) >>> 6)) * 2 ** -53
  }
  return out
}

/** The checks every float sampler makes, in order (key, shape, dtype); returns the float dtype. */
const checkFloatSampler = (op: string, k: Key, shape: Shape, dtype: DType): 'float32' | 'float64' => {
  checkKey(op, k)
  checkShape(op, shape)
  checkDType(op, dtype)
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new TypeError(`${op}: dtype must be float32 or float64, got ${dtype}`)
  return dtype
}

/**
 * Options of {@link uniform}.
 * @category Random
 * @example
 * const options: UniformOptions = { minval: 5, maxval: 6, dtype: 'float64' }
 * const u = uniform(key(0), [100], options)
 * u.dtype                                // → 'float64'
 * item(min(u)) >= 5 && item(max(u)) < 6  // → true
 * uniform(key(0), [2], { minval: 1, maxval: 1 }) // throws RangeError: expected finite minval < maxval
 */
export interface UniformOptions {
  readonly minval?: number
  readonly maxval?: number
  readonly dtype?: 'float32' | 'float64'
}

/**
 * Samples uniformly from [minval, maxval) (default [0, 1)).
 * @category Random
 * @example
 * const u = uniform(key(0), [2, 3], { minval: -1, maxval: 1 })
 * u.shape // → [2, 3]
 * item(min(u)) >= -1 && item(max(u)) < 1 // → true
 * toArray(u) // → toArray(uniform(key(0), [2, 3], { minval: -1, maxval: 1 })) // a pure function of the key
 */
export const uniform = (
  k: Key,
  shape: Shape,
  { minval = 0, maxval = 1, dtype = 'float32' }: UniformOptions = {},
): NDArray => {
  const batch = keyBatchOf(k)
  if (batch !== undefined) return batch.sample((one) => uniform(one, shape, { minval, maxval, dtype }))
  const d = checkFloatSampler('uniform', k, shape, dtype)
  if (!(Number.isFinite(minval) && Number.isFinite(maxval) && minval < maxval)) {
    throw new RangeError(`uniform: expected finite minval < maxval, got minval ${minval} and maxval ${maxval}`)
  }
  const u = unitFloats(k, sizeOf(shape), d)
  const data = allocate(d, u.length)
  for (let i = 0; i < u.length; i++) {
    const v = minval + (maxval - minval) * (u[i] as number)
    data[i] = v
    if ((data[i] as number) >= maxval) data[i] = minval // float32 rounding can reach maxval; fold back
  }
  return new Concrete(d, shape, data)
}

/**
 * Options of {@link normal}.
 * @category Random
 * @example
 * const options: NormalOptions = { mean: 3, stddev: 0, dtype: 'float64' }
 * const x = normal(key(0), [3], options)
 * toArray(x) // → [3, 3, 3] // no spread: every sample is the mean
 * x.dtype    // → 'float64'
 * normal(key(0), [3], { stddev: -1 }) // throws RangeError: stddev ≥ 0
 */
export interface NormalOptions {
  readonly mean?: number
  readonly stddev?: number
  readonly dtype?: 'float32' | 'float64'
}

/**
 * Samples from a normal distribution (Box–Muller on two uniforms per pair of samples).
 * @category Random
 * @example
 * const w = normal(key(1), [512], { stddev: 0.05 })
 * w.shape // → [512]
 * Math.abs(item(sqrt(mean(square(w)))) - 0.05) < 0.005 // → true // the sample deviation is near 0.05
 */
export const normal = (
  k: Key,
  shape: Shape,
  { mean = 0, stddev = 1, dtype = 'float32' }: NormalOptions = {},
): NDArray => {
  const batch = keyBatchOf(k)
  if (batch !== undefined) return batch.sample((one) => normal(one, shape, { mean, stddev, dtype }))
  const d = checkFloatSampler('normal', k, shape, dtype)
  if (!(Number.isFinite(mean) && Number.isFinite(stddev) && stddev >= 0)) {
    throw new RangeError(`normal: expected a finite mean and stddev ≥ 0, got mean ${mean} and stddev ${stddev}`)
  }
  const n = sizeOf(shape)
  const u = unitFloats(k, n + (n % 2), 'float64')
  const data = allocate(d, n)
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - (u[i] as number)))
    const t = 2 * Math.PI * (u[i + 1] as number)
    data[i] = mean + stddev * r * Math.cos(t)
    if (i + 1 < n) data[i + 1] = mean + stddev * r * Math.sin(t)
  }
  return new Concrete(d, shape, data)
}

/**
 * A random ordering of 0…n−1 (int32), by Fisher–Yates on 53-bit uniforms.
 * @category Random
 * @example
 * toArray(permutation(key(7), 10)) // → [6, 5, 8, 4, 2, 0, 3, 7, 1, 9]
 * permutation(key(7), 60000).dtype // → 'int32' // shuffled sample indices for an epoch
 */
export const permutation = (k: Key, n: number): NDArray => {
  checkKey('permutation', k)
  const batch = keyBatchOf(k)
  if (batch !== undefined) return batch.sample((one) => permutation(one, n))
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
    throw new RangeError(`permutation: n must be an integer in 0…2³¹−1, got ${n}`)
  const data = new Int32Array(n)
  for (let i = 0; i < n; i++) data[i] = i
  const u = unitFloats(k, n, 'float64')
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((u[i] as number) * (i + 1))
    const t = data[i] as number
    data[i] = data[j] as number
    data[j] = t
  }
  return new Concrete('int32', [n], data)
}

/**
 * Samples `true` with probability `p` (for dropout masks).
 * @category Random
 * @example
 * toArray(bernoulli(key(3), 0.5, [2, 4])) // → [[false, true, false, false], [true, false, false, false]]
 * const mask = bernoulli(key(3), 0.5, [128, 512])
 * mask.dtype // → 'bool'
 * Math.abs(item(mean(cast(mask, 'float32'))) - 0.5) < 0.01 // → true
 */
export const bernoulli = (k: Key, p: number, shape: Shape): NDArray => {
  checkKey('bernoulli', k)
  const batch = keyBatchOf(k)
  if (batch !== undefined) return batch.sample((one) => bernoulli(one, p, shape))
  checkShape('bernoulli', shape)
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`)
  const u = unitFloats(k, sizeOf(shape), 'float64')
  const data = allocate('bool', u.length)
  for (let i = 0; i < u.length; i++) data[i] = (u[i] as number) < p ? 1 : 0
  return new Concrete('bool', shape, data)
}
