/** The runner itself: fixture blocks whose checks are wrong must fail, and say where and why. */
import { describe, expect, test } from 'vitest'
import {
  type ArrayReader,
  countExampleTags,
  DoctestFailure,
  difference,
  type Example,
  extractExamples,
  extractMarkdownBlocks,
  instrument,
  runExample,
} from '../src/index.js'

// a fixture source, as a package's file would hold it
const fixture = `/** Adds. @example add(1, 2) // → 3 */
export const add = (a: number, b: number): number => a + b

/**
 * Halves; throws on odd numbers.
 * @example
 * half(4) // → 2
 * half(3) // throws RangeError: odd
 */
export const half = (n: number): number => {
  if (n % 2 !== 0) throw new RangeError(\`half: \${n} is odd\`)
  return n / 2
}

export class Box {
  /**
   * @example
   * new Box(2).twice() // → 4
   */
  twice(): number {
    return 4
  }
}
`

const scope = new Map<string, unknown>([
  ['add', (a: number, b: number) => a + b],
  [
    'half',
    (n: number) => {
      if (n % 2 !== 0) throw new RangeError(`half: ${n} is odd`)
      return n / 2
    },
  ],
  ['seven', 7],
])

const example = (code: string, name = 'half'): Example => ({
  file: 'packages/fixture/src/half.ts',
  line: 10,
  name,
  code,
  firstCodeLine: 11,
})

const options = {
  scope,
  importModule: async (specifier: string) => {
    if (specifier === 'fixture-module') return { seven: 'imported seven', half: (n: number) => n }
    throw new Error(`no module ${specifier}`)
  },
}

const failureOf = async (code: string, name?: string): Promise<string> => {
  try {
    await runExample(example(code, name), options)
  } catch (e) {
    expect(e).toBeInstanceOf(DoctestFailure)
    return (e as Error).message
  }
  throw new Error('expected the example to fail')
}

describe('extraction', () => {
  test('finds each @example, its line and the declaration it documents', () => {
    const found = extractExamples('packages/fixture/src/half.ts', fixture)
    expect(found.map((e) => [e.line, e.name])).toEqual([
      [1, 'add'],
      [6, 'half'],
      [17, 'Box.twice'],
    ])
    expect(found[0]?.code.trim()).toBe('add(1, 2) // → 3')
    expect(found[1]?.code.split('\n').slice(1, 3)).toEqual(['half(4) // → 2', 'half(3) // throws RangeError: odd'])
    expect(countExampleTags(fixture)).toBe(3)
  })

  test("a README's ts and js blocks are examples, shell blocks are not", () => {
    const md = '# T\n\n```sh\nls\n```\n\n## Use\n\n```ts\nconst a = 1\n```\n\n```js\na // → 1\n```\n'
    expect(extractMarkdownBlocks('README.md', md).map((b) => [b.line, b.name, b.code])).toEqual([
      [9, 'Use', 'const a = 1'],
      [13, 'Use', 'a // → 1'],
    ])
  })
})

describe('checks that hold pass', () => {
  test('values, errors, output, imports', async () => {
    const code = [
      "import { seven } from 'fixture-module'",
      'half(4) // → 2',
      '0.1 + 0.2 // → 0.3',
      'const pair = [half(8), { a: NaN }]',
      'pair // → [4, { a: NaN }]',
      'seven // → "imported seven"',
      'half(3) // throws RangeError: is odd',
      'half(3) // throws Error: odd',
      'await Promise.reject(new TypeError("nope")) // throws: nope',
      'const add = (a: number) => a // a block may shadow an injected name',
      'add(5) // → 5',
      'console.log("a", 1) // prints: a 1',
      'console.log("x\\n  y")',
      '// prints:',
      '//   x',
      '//     y',
      'const big = [1,',
      '  2] // a multi-line statement is checked by its last line',
      'big.length + [1,',
      '  2].length // → 4',
    ].join('\n')
    await expect(runExample(example(code), options)).resolves.toBeUndefined()
  })

  test('numbers: integers exactly, others within 1e-6, NaN equals NaN', () => {
    expect(difference(1, 1)).toBeNull()
    expect(difference(1, 2)).not.toBeNull()
    expect(difference(0.30000001, 0.3)).toBeNull()
    expect(difference(0.3001, 0.3)).not.toBeNull()
    expect(difference(NaN, NaN)).toBeNull()
    expect(difference({ a: [1, 'x', null] }, { a: [1, 'x', undefined] })).not.toBeNull()
    expect(difference({ a: 1 }, { a: 1, b: undefined })).not.toBeNull()
  })

  test('an NDArray compares as { shape, dtype, values }', () => {
    class Fake {
      constructor(
        readonly shape: number[],
        readonly dtype: string,
        readonly values: number[],
      ) {}
    }
    const arrays: ArrayReader = {
      isNDArray: (x) => x instanceof Fake,
      toArray: (x: never) => (x as Fake).values,
    }
    expect(difference(new Fake([2], 'int32', [1, 2]), new Fake([2], 'int32', [1, 2]), arrays)).toBeNull()
    expect(difference(new Fake([2], 'int32', [1, 2]), new Fake([2], 'float32', [1, 2]), arrays)).toMatch(/dtype/)
    expect(
      difference(new Fake([2], 'int32', [1, 2]), { shape: [2], dtype: 'int32', values: [1, 2] }, arrays),
    ).toBeNull()
    expect(difference(new Fake([2], 'int32', [1, 2]), [1, 2], arrays)).not.toBeNull()
  })
})

describe('checks that do not hold fail', () => {
  test('a wrong → value names the file, the line, the export, the statement, expected and actual', async () => {
    const message = await failureOf('const n = 4\nhalf(n) // → 3')
    expect(message).toContain('packages/fixture/src/half.ts:10 (half)')
    expect(message).toContain('packages/fixture/src/half.ts:12: half(n)')
    expect(message).toContain('expected: 3')
    expect(message).toContain('actual:   2')
  })

  test('a wrong throws fails: another message, another class, or no error', async () => {
    expect(await failureOf('half(3) // throws: even')).toMatch(
      /expected to throw an error whose message contains "even"/,
    )
    expect(await failureOf('half(3) // throws TypeError: odd')).toMatch(/threw: {4}RangeError: half: 3 is odd/)
    expect(await failureOf('half(4) // throws: odd')).toMatch(/but it did not throw/)
  })

  test('a throwing block names its file, export and statement', async () => {
    const message = await failureOf('const a = half(4)\nconst b = half(a + 2)\nhalf(b + 1)\nhalf(2) // → 1', 'quarter')
    expect(message).toContain('example at packages/fixture/src/half.ts:10 (quarter) failed')
    expect(message).toContain('threw at packages/fixture/src/half.ts:13: half(b + 1)')
    expect(message).toContain('RangeError: half: 3 is odd')
  })

  test('wrong output fails', async () => {
    expect(await failureOf('console.log(1 + 1) // prints: 3')).toMatch(/expected to print:\n\s+3\n\s+printed:\n\s+2/)
  })

  test('every failed check is reported, not only the first', async () => {
    const message = await failureOf('half(2) // → 2\nhalf(4) // → 1\nhalf(6) // → 3')
    expect(message).toContain('half.ts:11: half(2)')
    expect(message).toContain('half.ts:12: half(4)')
    expect(message).not.toContain('half.ts:13')
  })

  test('a check that never runs fails', async () => {
    expect(await failureOf('const f = () => {\n  half(2) // → 1\n}')).toMatch(
      /half.ts:12: half\(2\)\n {4}this check never ran/,
    )
  })

  test('a marker comment attached to no statement, or a syntax error, fails before running', async () => {
    expect(await failureOf('half(2)\n// → 1')).toMatch(/does not compile:\n {2}packages\/fixture\/src\/half.ts:12: /)
    expect(await failureOf('const x = 1\nx // → [1,')).toMatch(/not an expression/)
    expect(await failureOf('const x = (1')).toMatch(/does not compile/)
    expect(await failureOf('const x = 1 // → 1')).toMatch(/needs an expression statement/)
  })

  test('an unknown name fails', async () => {
    expect(await failureOf('undefinedThing(1)')).toMatch(/ReferenceError: undefinedThing is not defined/)
  })
})

describe('instrumenting', () => {
  test('every marker becomes a check on its statement', () => {
    const { checks, errors } = instrument('f(1) // → 2\ng() // throws TypeError: bad\nconsole.log(1) // prints: 1')
    expect(errors).toEqual([])
    expect(checks).toEqual([
      { kind: 'value', line: 0, statement: 'f(1)', expected: '2' },
      { kind: 'throws', line: 1, statement: 'g()', errorClass: 'TypeError', fragment: 'bad' },
      { kind: 'prints', line: 2, statement: 'console.log(1)', text: '1' },
    ])
  })

  test('prose comments are not checks', () => {
    expect(instrument('f(1) // the result → 2\n// throws if it must\nf(2) // [2, 3]').checks).toEqual([])
  })
})
