/**
 * MNIST over the network from the site itself: the four gzipped IDX files the build copied into `mnist/`, each
 * streamed through the browser's DecompressionStream into one buffer of the file's size, with progress counted in
 * uncompressed bytes (so it is right whether or not a host also sent the files with a Content-Encoding).
 */
import { type MnistRole, mnistAssets } from './protocol.js'

const roles = Object.keys(mnistAssets) as MnistRole[]

/** The bytes of a response body, gunzipped when they are gzip (1f 8b); `onBytes` hears of each chunk. */
const readBody = async (response: Response, expected: number, onBytes: (n: number) => void): Promise<Uint8Array> => {
  if (response.body === null) throw new Error(`${response.url}: the response has no body`)
  const [probe, body] = response.body.tee()
  const first = (await probe.getReader().read()).value ?? new Uint8Array(0)
  void probe.cancel().catch(() => undefined)
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b
  if (gzip && typeof DecompressionStream !== 'function') {
    throw new Error('this browser has no DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 or later have it)')
  }
  const stream = gzip
    ? body.pipeThrough(new DecompressionStream('gzip') as ReadableWritablePair<Uint8Array, Uint8Array>)
    : body
  let out = new Uint8Array(expected)
  let length = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (length + value.length > out.length) {
      const grown = new Uint8Array(Math.max(out.length * 2, length + value.length))
      grown.set(out.subarray(0, length))
      out = grown
    }
    out.set(value, length)
    length += value.length
    onBytes(value.length)
  }
  return out.subarray(0, length)
}

/**
 * Fetches and inflates the four files (in parallel) from `base` + `mnist/<name>.gz`; `onProgress(loaded, total)` in
 * uncompressed bytes. Rejects with the file's URL and HTTP status when one cannot be fetched.
 * @example
 * const raw = await loadMnist(document.baseURI, (loaded, total) => bar.value = loaded / total)
 */
export const loadMnist = async (
  base: string,
  onProgress: (loaded: number, total: number) => void,
): Promise<Record<MnistRole, Uint8Array>> => {
  const total = roles.reduce((sum, role) => sum + mnistAssets[role].bytes, 0)
  let loaded = 0
  let reported = 0
  const onBytes = (n: number) => {
    loaded += n
    // about a hundred messages over the whole load
    if (loaded - reported > total / 100 || loaded === total) {
      reported = loaded
      onProgress(Math.min(loaded, total), total)
    }
  }
  const files = await Promise.all(
    roles.map(async (role) => {
      const { file, bytes } = mnistAssets[role]
      const url = new URL(`mnist/${file}.gz`, base)
      const response = await fetch(url)
      if (!response.ok)
        throw new Error(`could not fetch ${url.pathname}: HTTP ${response.status} ${response.statusText}`)
      return [role, await readBody(response, bytes, onBytes)] as const
    }),
  )
  onProgress(total, total)
  return Object.fromEntries(files) as Record<MnistRole, Uint8Array>
}
