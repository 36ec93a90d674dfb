/**
 * One test per `@example` block of packages/<name>/src and per ```ts block of README.md
 * (named `<package>/<file>:<line> <export>`), and one per package that it has examples at all.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { expect, test } from 'vitest'
import {
  type ArrayReader,
  type Example,
  loadScope,
  type PackageInfo,
  packageExamples,
  readmeExamples,
  readPackages,
  resolveSpecifier,
  runExample,
  scopeEntries,
} from '../src/index.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const packages = readPackages(root)

const load = (path: string): Promise<Record<string, unknown>> =>
  import(/* @vite-ignore */ path.startsWith('/') ? pathToFileURL(path).href : path)

const scopes = new Map<string, Promise<Map<string, unknown>>>()
const scopeOf = (pkg: PackageInfo | undefined): Promise<Map<string, unknown>> => {
  const key = pkg?.name ?? '(readme)'
  let scope = scopes.get(key)
  if (scope === undefined) {
    scope = loadScope(scopeEntries(pkg, packages), load)
    scopes.set(key, scope)
  }
  return scope
}

let arrays: Promise<ArrayReader> | undefined
const arrayReader = (): Promise<ArrayReader> => {
  const ndarray = packages.find((p) => p.name === '@nabla/ndarray')?.entries[0]
  if (ndarray === undefined) throw new Error('no @nabla/ndarray package')
  arrays ??= load(ndarray.source).then((m) => m as unknown as ArrayReader)
  return arrays
}

// each block runs in a fresh empty working directory, removed afterwards: files it writes land there
const inTempDir = async (body: () => Promise<void>): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-doctest-'))
  const before = process.cwd()
  process.chdir(dir)
  try {
    await body()
  } finally {
    process.chdir(before)
    rmSync(dir, { recursive: true, force: true })
  }
}

const run = async (example: Example, pkg: PackageInfo | undefined): Promise<void> => {
  const options = {
    scope: await scopeOf(pkg),
    importModule: (specifier: string) => load(resolveSpecifier(specifier, pkg, packages, join(root, example.file))),
    arrays: await arrayReader(),
  }
  await inTempDir(() => runExample(example, options))
}

for (const pkg of packages) {
  const { examples, unattached } = packageExamples(root, pkg)
  test(`${pkg.folder} has @example blocks`, () => {
    expect(examples.length, `no @example found in packages/${pkg.folder}/src`).toBeGreaterThan(0)
  })
  for (const { file, tags, extracted } of unattached)
    test(`${file}: every @example belongs to a declaration`, () => {
      expect.fail(`${file} has ${tags} @example tags in JSDoc comments but only ${extracted} attached to a declaration`)
    })
  for (const example of examples)
    test(`${example.file.replace(/^packages\//, '')}:${example.line} ${example.name}`, () => run(example, pkg))
}

const readme = readmeExamples(root)
test('README.md has code blocks', () => {
  expect(readme.length).toBeGreaterThan(0)
})
// the README trains the book's network on all of MNIST: minutes on a slow machine
for (const example of readme)
  test(`${example.file}:${example.line} ${example.name}`, () => run(example, undefined), 600_000)
