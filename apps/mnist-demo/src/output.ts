/** How the demo prints: R-console style commands and results, listings as headings, details that --quiet hides. */
import type { Writable } from 'node:stream'

/** The demo's printer. */
export interface Output {
  /** Where live progress goes (fit's progress bar). */
  readonly stream: Writable & { isTTY?: boolean }
  /** A heading such as "Listing 2.1 Loading the MNIST dataset" (hidden when quiet). */
  listing(title: string): void
  /** An R command as the book shows it, after the prompt (hidden when quiet). */
  command(text: string): void
  /** A result: always printed. */
  result(text: string): void
  /** Supporting output (summary, the drawn digit; hidden when quiet). */
  detail(text: string): void
}

/**
 * A printer on `stream`.
 * @example
 * const out = makeOutput(process.stdout, false)
 */
export const makeOutput = (stream: Output['stream'], quiet: boolean): Output => {
  const write = (text: string) => stream.write(`${text}\n`)
  return {
    stream,
    listing: (title) => quiet || write(`\n# ${title}`),
    command: (text) => quiet || write(`> ${text}`),
    result: write,
    detail: (text) => quiet || write(text),
  }
}
