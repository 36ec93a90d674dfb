/** The equality of `// →` checks, and how values are shown in failures. */
import { inspect } from 'node:util'

/** How the comparison recognizes and reads NDArrays (passed in, so that this module imports no package). */
export interface ArrayReader {
  readonly isNDArray: (x: unknown) => boolean
  readonly toArray: (x: never) => unknown
}

/** Relative and absolute tolerance of non-integer numbers. */
export const tolerance = 1e-6

const numbersEqual = (a: number, b: number): boolean => {
  if (a === b) return true
  if (Number.isNaN(a) && Number.isNaN(b)) return true
  if (Number.isInteger(a) && Number.isInteger(b)) return false
  return Math.abs(a - b) <= tolerance + tolerance * Math.abs(b)
}

/** An NDArray as `{ shape, dtype, values }` (values nested, as `toArray` gives them); anything else as is. */
export const comparable = (x: unknown, arrays: ArrayReader | undefined): unknown => {
  if (arrays === undefined || !arrays.isNDArray(x)) return x
  const a = x as { shape: readonly number[]; dtype: string }
  let values: unknown
  try {
    values = arrays.toArray(x as never)
  } catch {
    values = '(no values: a traced array)'
  }
  return { shape: [...a.shape], dtype: a.dtype, values }
}

const isTypedArray = (x: unknown): x is ArrayLike<number | bigint> => ArrayBuffer.isView(x) && !(x instanceof DataView)

const isPlain = (x: object): boolean => {
  const proto = Object.getPrototypeOf(x)
  return proto === null || proto === Object.prototype
}

/** Where `actual` first differs from `expected`, or null when they are equal. */
export const difference = (
  actual: unknown,
  expected: unknown,
  arrays?: ArrayReader,
  path = '',
  seen: Set<unknown> = new Set(),
): string | null => {
  const a = comparable(actual, arrays)
  const e = comparable(expected, arrays)
  const at = path === '' ? '' : ` at ${path}`
  const differ = (): string => `${show(a, arrays)} ≠ ${show(e, arrays)}${at}`
  if (typeof a === 'number' && typeof e === 'number') return numbersEqual(a, e) ? null : differ()
  if (a === e) return null
  if (typeof a !== 'object' || typeof e !== 'object' || a === null || e === null) return differ()
  if (seen.has(a)) return null
  seen.add(a)
  if (Array.isArray(a) !== Array.isArray(e)) return differ()
  if (isTypedArray(a) || isTypedArray(e)) {
    if (!isTypedArray(a) || !isTypedArray(e) || a.constructor !== e.constructor)
      return `${show(a, arrays)} ≠ ${show(e, arrays)}${at} (${a.constructor.name} vs ${e.constructor.name})`
    if (a.length !== e.length) return `length ${a.length} ≠ ${e.length}${at}`
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], e[i], arrays, `${path}[${i}]`, seen)
      if (d !== null) return d
    }
    return null
  }
  if (Array.isArray(a) && Array.isArray(e)) {
    if (a.length !== e.length) return `length ${a.length} ≠ ${e.length}${at}: ${show(a, arrays)} ≠ ${show(e, arrays)}`
    for (let i = 0; i < a.length; i++) {
      const d = difference(a[i], e[i], arrays, `${path}[${i}]`, seen)
      if (d !== null) return d
    }
    return null
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(e) && !(isPlain(a) && isPlain(e))) return differ()
  if (a instanceof Date && e instanceof Date) return a.getTime() === e.getTime() ? null : differ()
  if (a instanceof Map && e instanceof Map)
    return difference([...a.entries()], [...e.entries()], arrays, `${path}.entries()`, seen)
  if (a instanceof Set && e instanceof Set) return difference([...a], [...e], arrays, `${path}.values()`, seen)
  if (a instanceof Error && e instanceof Error) return a.name === e.name && a.message === e.message ? null : differ()
  if (typeof a === 'function' || typeof e === 'function') return differ()
  const keysA = Object.keys(a).sort()
  const keysE = Object.keys(e).sort()
  const missing = keysE.filter((k) => !keysA.includes(k))
  const extra = keysA.filter((k) => !keysE.includes(k))
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      extra.length > 0 ? `unexpected ${extra.join(', ')}` : '',
    ]
    return `${parts.filter((p) => p !== '').join('; ')}${at}: ${show(a, arrays)} ≠ ${show(e, arrays)}`
  }
  for (const k of keysA) {
    const d = difference(
      (a as Record<string, unknown>)[k],
      (e as Record<string, unknown>)[k],
      arrays,
      `${path}.${k}`,
      seen,
    )
    if (d !== null) return d
  }
  return null
}

const normalized = (x: unknown, arrays: ArrayReader | undefined, depth: number): unknown => {
  const c = comparable(x, arrays)
  if (depth > 8 || typeof c !== 'object' || c === null || isTypedArray(c)) return c
  if (Array.isArray(c)) return c.map((v) => normalized(v, arrays, depth + 1))
  if (!isPlain(c)) return c
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, normalized(v, arrays, depth + 1)]))
}

/** A value as failure messages show it: NDArrays as `{ shape, dtype, values }`, on one line when short. */
export const show = (x: unknown, arrays?: ArrayReader): string =>
  inspect(normalized(x, arrays, 0), { depth: 8, breakLength: 100, maxArrayLength: 64, maxStringLength: 400 })
