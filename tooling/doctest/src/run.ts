/** Running one example with its injected scope and reporting every failed check. */
import { format } from 'node:util'
import { type ArrayReader, difference, show } from './equal.js'
import type { Example } from './extract.js'
import { type Check, type Instrumented, instrument, runtimeName } from './instrument.js'

export interface RunOptions {
  /** Names in scope without an import (the package's exports, then its dependencies'). */
  readonly scope: ReadonlyMap<string, unknown>
  /** Loads the module an example's own `import` line names (already resolved for the example's package). */
  readonly importModule: (specifier: string) => Promise<Record<string, unknown>>
  /** Recognizes NDArrays so that they compare as `{ shape, dtype, values }`. */
  readonly arrays?: ArrayReader
}

/** An example that failed: the message names the file, the block's line, the export and each failed check. */
export class DoctestFailure extends Error {
  override readonly name = 'DoctestFailure'
  constructor(message: string) {
    super(message)
    // the message says where; vitest need not print this runner's own stack under it
    this.stack = `DoctestFailure: ${message}`
  }
}

const reserved = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval undefined NaN ' +
    `Infinity require exports module console ${runtimeName}`
  ).split(' '),
)

const isBindable = (name: string): boolean => /^[A-Za-z_$][\w$]*$/.test(name) && !reserved.has(name)

/** A check's closure: `[value]`, or a promise of it where the statement may await. */
type Closure = [unknown] | Promise<[unknown]>

/**
 * Calls `f` and continues with its result, synchronously unless it returned a promise; what `f`
 * throws goes to `error`, or on to the caller without one.
 */
const then = (
  f: () => Closure,
  ok: (r: [unknown]) => Promise<void> | undefined,
  error?: (e: unknown) => void,
): Promise<void> | undefined => {
  let r: Closure
  try {
    r = f()
  } catch (e) {
    if (error === undefined) throw e
    error(e)
    return undefined
  }
  if (r instanceof Promise) return r.then(ok, error)
  return ok(r)
}

type AsyncFunctionConstructor = new (...args: string[]) => (...args: unknown[]) => Promise<unknown>
const AsyncFunction = (async () => {}).constructor as AsyncFunctionConstructor

const isThenable = (x: unknown): x is PromiseLike<unknown> =>
  (typeof x === 'object' || typeof x === 'function') &&
  x !== null &&
  typeof (x as { then?: unknown }).then === 'function'

const describeError = (e: unknown): string => {
  if (e instanceof Error) return `${e.name}: ${e.message}`
  return `a non-Error value ${show(e)}`
}

const classChain = (e: unknown): string[] => {
  const names: string[] = []
  if (e instanceof Error && typeof e.name === 'string') names.push(e.name)
  for (
    let p = e === null || e === undefined ? null : Object.getPrototypeOf(e);
    p !== null;
    p = Object.getPrototypeOf(p)
  )
    if (typeof p.constructor?.name === 'string') names.push(p.constructor.name)
  return names
}

const indent = (text: string, by = '    '): string =>
  text
    .split('\n')
    .map((l) => by + l)
    .join('\n')

const shortStatement = (text: string): string => {
  const one = text.replace(/\s*\n\s*/g, ' ')
  return one.length > 160 ? `${one.slice(0, 157)}...` : one
}

/**
 * The stack frames of an error escaping an example, down to the example's own frame: written as
 * `↳ function (file:line)` so that vitest does not mistake them for this runner's stack.
 */
const innerFrames = (e: unknown, example: Example): string => {
  if (!(e instanceof Error) || e.stack === undefined) return ''
  const frames: string[] = []
  for (const line of e.stack.split('\n')) {
    const frame = /^\s+at (.*)$/.exec(line)
    if (!frame) continue
    const text = (frame[1] as string).replace(/\(file:\/\//, '(')
    if (text.includes('runExample') || frames.length >= 8) break
    const own = text.includes(`${example.file}:${example.line}`)
    frames.push(own ? `the example (${example.file}:${example.line})` : text)
    if (own) break
  }
  return frames.map((f) => `\n      ↳ ${f}`).join('')
}

/** Where an example is, as failure messages name it: `packages/ndarray/src/ops/create.ts:70 (array)`. */
export const exampleTitle = (example: Example): string => `${example.file}:${example.line} (${example.name})`

/** Instruments (memoized per example) and runs one example; rejects with a DoctestFailure listing what failed. */
export const runExample = async (example: Example, options: RunOptions): Promise<void> => {
  const prepared: Instrumented = instrument(example.code)
  const fileLine = (line: number): string => `${example.file}:${example.firstCodeLine + line}`
  const title = `example at ${exampleTitle(example)}`
  if (prepared.errors.length > 0)
    throw new DoctestFailure(
      `${title} does not compile:\n${prepared.errors.map((e) => `  ${fileLine(e.line)}: ${e.message}`).join('\n')}`,
    )

  const modules = new Map<string, Record<string, unknown>>()
  for (const specifier of prepared.imports) {
    try {
      modules.set(specifier, await options.importModule(specifier))
    } catch (e) {
      throw new DoctestFailure(`${title}: cannot import '${specifier}': ${describeError(e)}`)
    }
  }
  const require = (specifier: string): unknown => {
    const m = modules.get(specifier)
    if (m === undefined) throw new Error(`the example requires '${specifier}', which was not imported`)
    return m
  }

  const failures: string[] = []
  const ran = new Array<number>(prepared.checks.length).fill(0)
  const output: string[] = []
  const marks = new Map<number, number>()
  let current = -1
  const fail = (check: Check, what: string): void => {
    failures.push(`  ${fileLine(check.line)}: ${shortStatement(check.statement)}\n${indent(what)}`)
  }
  const checkAt = (id: number): Check => {
    ran[id] = (ran[id] ?? 0) + 1
    return prepared.checks[id] as Check
  }
  const runtime = {
    at(index: number): void {
      current = index
    },
    // value and throws get async closures (and are awaited) where the statement may await, plain ones
    // inside a function that is not async: then they check synchronously
    value(id: number, actual: () => Closure, expected: () => Closure): Promise<void> | undefined {
      const check = checkAt(id)
      const compare = ([a]: [unknown], e: () => Closure): Promise<void> | undefined =>
        then(
          e,
          (r) => {
            const d = difference(a, r[0], options.arrays)
            if (d === null) return undefined
            const hint =
              options.arrays?.isNDArray(a) && !options.arrays.isNDArray(r[0])
                ? '\n(an NDArray compares as { shape, dtype, values }: check toArray(x), x.shape or x.dtype instead)'
                : isThenable(a) && !isThenable(r[0])
                  ? '\n(the value is a Promise: write `await` before the expression)'
                  : ''
            fail(
              check,
              `expected: ${show(r[0], options.arrays)}\nactual:   ${show(a, options.arrays)}\ndiffers:  ${d}${hint}`,
            )
            return undefined
          },
          (error) => {
            const text = check.kind === 'value' ? check.expected : ''
            fail(check, `the expected value \`${text}\` threw ${describeError(error)}`)
          },
        )
      return then(actual, (r) => compare(r, expected))
    },
    throws(id: number, body: () => Closure | undefined | Promise<undefined>): Promise<void> | undefined {
      const check = checkAt(id)
      if (check.kind !== 'throws') return undefined
      const expectation = `${check.errorClass ?? 'an error'} whose message contains ${JSON.stringify(check.fragment)}`
      const threw = (error: unknown): void => {
        const message = error instanceof Error ? error.message : String(error)
        const classOk = check.errorClass === undefined || classChain(error).includes(check.errorClass)
        if (!classOk || !message.includes(check.fragment))
          fail(check, `expected to throw ${expectation}\nthrew:    ${describeError(error)}`)
      }
      const returned = (): void => fail(check, `expected to throw ${expectation}, but it did not throw`)
      return then(
        body as () => Closure,
        (r) => {
          const v = r?.[0]
          if (!isThenable(v)) {
            returned()
            return undefined
          }
          return Promise.resolve(v).then(returned, threw)
        },
        threw,
      )
    },
    mark(id: number): void {
      checkAt(id)
      marks.set(id, output.length)
    },
    printed(id: number): void {
      const check = prepared.checks[id] as Check
      if (check.kind !== 'prints') return
      const trimEnds = (s: string): string =>
        s
          .split('\n')
          .map((l) => l.replace(/\s+$/, ''))
          .join('\n')
          .replace(/\n+$/, '')
      const got = trimEnds(output.slice(marks.get(id) ?? 0).join('\n'))
      if (got !== trimEnds(check.text))
        fail(check, `expected to print:\n${indent(check.text)}\nprinted:\n${indent(got)}`)
    },
  }
  const print = (...args: unknown[]): void => {
    output.push(format(...args))
  }
  const capturing = Object.assign(Object.create(console) as Console, { log: print, info: print, debug: print })

  const names = [...options.scope.keys()].filter(isBindable)
  let run: (...args: unknown[]) => Promise<unknown>
  try {
    run = new AsyncFunction(
      ...names,
      'require',
      'exports',
      'console',
      runtimeName,
      `"use strict";{\n${prepared.js}\n}\n//# sourceURL=${example.file}:${example.line}`,
    )
  } catch (e) {
    throw new DoctestFailure(`${title} does not compile after instrumenting: ${describeError(e)}`)
  }
  let escaped: string | undefined
  try {
    await run(...names.map((n) => options.scope.get(n)), require, {}, capturing, runtime)
  } catch (e) {
    const statement = prepared.statements[current]
    const where = statement === undefined ? '' : ` at ${fileLine(statement.line)}: ${shortStatement(statement.text)}`
    escaped = `  threw${where}\n    ${describeError(e)}${innerFrames(e, example)}`
  }
  if (escaped === undefined)
    prepared.checks.forEach((check, id) => {
      if (ran[id] === 0) fail(check, 'this check never ran')
    })
  if (escaped !== undefined) failures.push(escaped)
  if (failures.length > 0) throw new DoctestFailure(`${title} failed:\n${failures.join('\n')}`)
}
