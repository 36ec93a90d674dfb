/** Where a safetensors file's bytes come from for lazy reading: a Blob or File, bytes in memory, or any ranged reader. */

/**
 * A file that can be read in ranges. `read` resolves to exactly `length` bytes from `offset`, in a
 * new buffer the caller may keep (or rejects). nabla makes these for Blobs, bytes and (in
 * `@nabla/io/node`) file paths and `FileHandle`s; implement one for anything else (a fetch with
 * Range headers, …).
 * @category I/O
 * @example
 * // a reader of your own (here over bytes in memory, recording each ranged read)
 * const bytes = encodeSafetensorsOrThrow({ w: ones([2]) })
 * const reads: number[] = []
 * const read = async (offset: number, length: number) => { reads.push(length); return bytes.slice(offset, offset + length) }
 * const src: ByteSource = { name: 'ranged.safetensors', size: bytes.length, read, close: async () => {} }
 * const file = await openSafetensorsOrThrow(src)
 * toArray(await file.readOrThrow('w')) // → [1, 1]
 * reads // → [8, 56, 8] // the length, the header, then only the tensor's bytes
 */
export interface ByteSource {
  /** How errors name the file. */
  readonly name: string
  /** Its size in bytes. */
  readonly size: number
  /** Resolves to the `length` bytes from `offset`, in a new buffer (or rejects). */
  read(offset: number, length: number): Promise<Uint8Array>
  /** Releases what the source opened (a file it opened itself); a no-op otherwise. */
  close(): Promise<void>
}

/**
 * What `openSafetensors` and `loadWeights` read from in any JavaScript runtime.
 * @category I/O
 * @example
 * const bytes = encodeSafetensorsOrThrow({ w: ones([2]) })
 * const sources: SourceLike[] = [bytes, bytes.buffer, new Blob([bytes]), bytesSource(bytes, 'w.safetensors')]
 * const files = await Promise.all(sources.map((s) => openSafetensorsOrThrow(s)))
 * files.map((f) => f.tensors[0].shape) // → [[2], [2], [2], [2]]
 * files[3].file // → 'w.safetensors'
 * await openSafetensorsOrThrow('w.safetensors' as never) // throws SafetensorsFileError: a Blob or File, an ArrayBuffer, a Uint8Array or a ByteSource
 */
export type SourceLike = Blob | ArrayBuffer | Uint8Array | ByteSource

/** Is `x` a {@link ByteSource}? */
export const isByteSource = (x: unknown): x is ByteSource =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as ByteSource).read === 'function' &&
  typeof (x as ByteSource).size === 'number' &&
  typeof (x as ByteSource).close === 'function'

/**
 * A source over bytes in memory (each read is a copy, so arrays read from it never alias them).
 * @category I/O
 * @example
 * // e.g. bytesSource(new Uint8Array(await (await fetch(url)).arrayBuffer()), 'model.safetensors'); here:
 * const src = bytesSource(encodeSafetensorsOrThrow({ w: ones([2]) }), 'model.safetensors')
 * src.size // → 72
 * // the first 8 bytes: the header's length, little-endian
 * await src.read(0, 8) // → new Uint8Array([56, 0, 0, 0, 0, 0, 0, 0])
 * const file = await openSafetensorsOrThrow(src)
 * toArray(await file.readOrThrow('w')) // → [1, 1]
 */
export const bytesSource = (bytes: Uint8Array | ArrayBuffer, name = '<bytes>'): ByteSource => {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  return {
    name,
    size: b.length,
    read: async (offset, length) => b.slice(offset, offset + length),
    close: async () => {},
  }
}

/**
 * A source over a Blob or File (browser or Node): each read is `blob.slice(a, b).arrayBuffer()`, so
 * only the header and the tensors asked for are ever read.
 * @category I/O
 * @example
 * // in a browser: openSafetensors(input.files[0]) (a File from <input type="file">) makes one; here, a Blob in Node
 * const blob = new Blob([encodeSafetensorsOrThrow({ w: ones([2]) })])
 * const src = blobSource(blob, 'w.safetensors')
 * src.size // → 72
 * const file = await openSafetensorsOrThrow(src)
 * file.file // → 'w.safetensors'
 * toArray(await file.readOrThrow('w')) // → [1, 1]
 */
export const blobSource = (blob: Blob, name = (blob as Partial<File>).name || '<blob>'): ByteSource => ({
  name,
  size: blob.size,
  read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  close: async () => {},
})

/** The ByteSource of any {@link SourceLike}, or undefined when it is none of them. */
export const toSource = (source: unknown): ByteSource | undefined => {
  if (isByteSource(source)) return source
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return bytesSource(source)
  if (typeof Blob !== 'undefined' && source instanceof Blob) return blobSource(source)
  return undefined
}
