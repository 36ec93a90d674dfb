// Hand-built safetensors files for the tests: any header text, any data, any declared length.
import type { SafetensorsError } from '../src/index.js'

/** A file: the 8-byte little-endian length (`declared`, default the header's UTF-8 length), the header, the data. */
export const raw = (
  header: string | Uint8Array,
  data: ArrayLike<number> = [],
  declared?: bigint | number,
): Uint8Array => {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header
  const out = new Uint8Array(8 + h.length + data.length)
  new DataView(out.buffer).setBigUint64(0, BigInt(declared ?? h.length), true)
  out.set(h, 8)
  out.set(Array.from(data), 8 + h.length)
  return out
}

/** The Left of an Either (fails the test on Right). */
export const left = (
  e: { _tag: 'Left'; left: SafetensorsError } | { _tag: 'Right'; right: unknown },
): SafetensorsError => {
  if (e._tag === 'Right') throw new Error('expected Left, got Right')
  return e.left
}

/** The Right of an Either (fails the test with the error's message on Left). */
export const right = <A>(e: { _tag: 'Left'; left: SafetensorsError } | { _tag: 'Right'; right: A }): A => {
  if (e._tag === 'Left') throw new Error(`expected Right, got Left: ${e.left.message}`)
  return e.right
}

/** Little-endian bytes of numbers written with a DataView setter. */
export const le = (
  n: number,
  bytes: number,
  set: (v: DataView, at: number, x: number) => void,
  xs: readonly number[],
) => {
  const out = new Uint8Array(bytes * n)
  const v = new DataView(out.buffer)
  xs.forEach((x, i) => {
    set(v, i * bytes, x)
  })
  return out
}
