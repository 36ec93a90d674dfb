/**
 * A strict JSON parser for safetensors headers: RFC 8259 syntax only, duplicate keys and lone
 * surrogates rejected, nesting limited, numbers kept as their exact source text (so a shape
 * extent of 18446744073709551614 is seen as such, not rounded to a double). Never throws:
 * a syntax error is a value saying what was expected where.
 */

/** A JSON number, as written. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A parsed JSON value: objects are Maps (in source order), numbers their source text. */
export type Json = null | boolean | string | JsonNumber | readonly Json[] | ReadonlyMap<string, Json>

/** What went wrong, in the message's words: expected …, found …. */
export interface JsonFailure {
  readonly expected: string
  readonly found: string
}

/** Nesting deeper than this is refused (a safetensors header needs three levels). */
export const maxJsonDepth = 64

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d

class Failure {
  constructor(readonly failure: JsonFailure) {}
}

/**
 * Parses `text` as one JSON value surrounded by optional whitespace.
 * @example
 * // internal (not exported): parseJson('{"a":[1,2]}') is { value: Map { 'a' => [JsonNumber('1'), JsonNumber('2')] } };
 * // parseJson('{"a":1,"a":2}') is { failure: { expected: 'unique keys in an object', found: 'a second key "a" at character 7' } }.
 * // A header with a duplicate key is refused with its failure:
 * const head = new TextEncoder().encode('{"a":1,"a":2}')
 * const bytes = new Uint8Array(8 + head.length)
 * new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true)
 * bytes.set(head, 8)
 * decodeSafetensorsOrThrow(bytes) // throws SafetensorsFileError: expected unique keys in an object, found a second key "a" at character 7
 */
export const parseJson = (text: string): { readonly value: Json } | { readonly failure: JsonFailure } => {
  let i = 0
  const n = text.length
  const fail = (expected: string, at = i): never => {
    const found =
      at >= n
        ? 'the end of the header'
        : `${JSON.stringify(text.slice(at, at + 12))}${at + 12 < n ? '…' : ''} at character ${at}`
    throw new Failure({ expected, found })
  }
  const skip = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i++
  }
  const literal = (word: string, v: Json): Json => {
    if (text.startsWith(word, i)) {
      i += word.length
      return v
    }
    return fail('a JSON value')
  }
  const hex4 = (): number => {
    const h = text.slice(i, i + 4)
    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('four hex digits after \\u')
    i += 4
    return Number.parseInt(h, 16)
  }
  const string = (): string => {
    // at the opening quote
    i++
    let out = ''
    let run = i
    for (;;) {
      if (i >= n) fail('a closing quote of the string')
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        out += text.slice(run, i)
        i++
        return out
      }
      if (c < 0x20) fail('no raw control characters inside a string (escape them)')
      if (c === 0x5c) {
        out += text.slice(run, i)
        const e = text[i + 1]
        i += 2
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e
            break
          case 'b':
            out += '\b'
            break
          case 'f':
            out += '\f'
            break
          case 'n':
            out += '\n'
            break
          case 'r':
            out += '\r'
            break
          case 't':
            out += '\t'
            break
          case 'u': {
            const at = i - 2
            const u = hex4()
            if (u >= 0xdc00 && u <= 0xdfff) fail('no lone low surrogate escape', at)
            if (u >= 0xd800 && u <= 0xdbff) {
              if (text[i] !== '\\' || text[i + 1] !== 'u') fail('a low surrogate escape after a high one', at)
              i += 2
              const low = hex4()
              if (low < 0xdc00 || low > 0xdfff) fail('a low surrogate escape after a high one', at)
              out += String.fromCharCode(u, low)
            } else out += String.fromCharCode(u)
            break
          }
          default:
            fail('an escape \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX', i - 2)
        }
        run = i
        continue
      }
      i++
    }
  }
  const number = (): JsonNumber => {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    m.lastIndex = i
    const hit = m.exec(text)
    if (hit === null) return fail('a JSON value')
    i += hit[0].length
    return new JsonNumber(hit[0])
  }
  const value = (depth: number): Json => {
    skip()
    if (i >= n) return fail('a JSON value')
    const c = text[i]
    if (c === '{' || c === '[') {
      if (depth >= maxJsonDepth) fail(`nesting at most ${maxJsonDepth} deep`)
      i++
      skip()
      if (c === '[') {
        const items: Json[] = []
        if (text[i] === ']') {
          i++
          return items
        }
        for (;;) {
          items.push(value(depth + 1))
          skip()
          if (text[i] === ',') i++
          else if (text[i] === ']') {
            i++
            return items
          } else fail("',' or ']' in a list")
        }
      }
      const entries = new Map<string, Json>()
      if (text[i] === '}') {
        i++
        return entries
      }
      for (;;) {
        skip()
        if (text[i] !== '"') fail('a quoted key')
        const at = i
        const k = string()
        if (entries.has(k)) {
          throw new Failure({
            expected: 'unique keys in an object',
            found: `a second key ${JSON.stringify(k)} at character ${at}`,
          })
        }
        skip()
        if (text[i] !== ':') fail("':' after a key")
        i++
        entries.set(k, value(depth + 1))
        skip()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return entries
        } else fail("',' or '}' in an object")
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true', true)
    if (c === 'f') return literal('false', false)
    if (c === 'n') return literal('null', null)
    return number()
  }
  try {
    const v = value(0)
    skip()
    if (i < n) fail('nothing after the JSON value but whitespace')
    return { value: v }
  } catch (e) {
    if (e instanceof Failure) return { failure: e.failure }
    throw e
  }
}
