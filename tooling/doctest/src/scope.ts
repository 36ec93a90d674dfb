/** The workspace's packages, their public entry points, and the names an example sees without importing. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { countExampleTags, type Example, extractExamples, extractMarkdownBlocks } from './extract.js'

export interface EntryPoint {
  /** `@nabla/nn/node` */
  readonly specifier: string
  /** Absolute path of its TypeScript source (the `@nabla/source` condition of the exports map). */
  readonly source: string
}

export interface PackageInfo {
  /** The folder name under packages/: `nn`. */
  readonly folder: string
  /** `@nabla/nn` */
  readonly name: string
  readonly dir: string
  /** The exports map's entries, in its order (`./package.json` and other non-code entries left out). */
  readonly entries: readonly EntryPoint[]
  /** The @nabla packages of its `dependencies`, in their order. */
  readonly dependencies: readonly string[]
}

interface Manifest {
  name: string
  exports?: Record<string, string | Record<string, string>>
  dependencies?: Record<string, string>
}

const sourceOf = (target: string | Record<string, string>): string | undefined =>
  typeof target === 'string' ? target : (target['@nabla/source'] ?? target.import ?? target.default)

/** Every folder of `<root>/packages` with a package.json. */
export const readPackages = (root: string): PackageInfo[] => {
  const packagesDir = join(root, 'packages')
  return readdirSync(packagesDir)
    .filter((folder) => existsSync(join(packagesDir, folder, 'package.json')))
    .sort()
    .map((folder) => {
      const dir = join(packagesDir, folder)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
      const entries = Object.entries(manifest.exports ?? {}).flatMap(([sub, target]) => {
        const source = sourceOf(target)
        if (source === undefined || !/\.[cm]?[jt]s$/.test(source)) return []
        return [
          { specifier: sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`, source: join(dir, source) },
        ]
      })
      const dependencies = Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@nabla/'))
      return { folder, name: manifest.name, dir, entries, dependencies }
    })
}

/**
 * The entry points whose exports an example of `pkg` sees, in priority order (the first module exporting
 * a name wins): the package's own, then those of each @nabla dependency. With no package (the README),
 * every package's, dependents before their dependencies (so `@nabla/nn` wins over `@nabla/io`).
 */
export const scopeEntries = (pkg: PackageInfo | undefined, all: readonly PackageInfo[]): EntryPoint[] => {
  const byName = new Map(all.map((p) => [p.name, p]))
  if (pkg !== undefined) return [pkg, ...pkg.dependencies.flatMap((d) => byName.get(d) ?? [])].flatMap((p) => p.entries)
  const depth = (p: PackageInfo, seen: Set<string> = new Set()): number =>
    seen.has(p.name)
      ? 0
      : 1 +
        Math.max(
          0,
          ...p.dependencies.flatMap((d) => {
            const q = byName.get(d)
            return q === undefined ? [] : [depth(q, new Set([...seen, p.name]))]
          }),
        )
  return [...all].sort((a, b) => depth(b) - depth(a) || a.name.localeCompare(b.name)).flatMap((p) => p.entries)
}

/** Loads entry points and merges their exports into one scope; the first module exporting a name wins. */
export const loadScope = async (
  entries: readonly EntryPoint[],
  importModule: (path: string) => Promise<Record<string, unknown>>,
): Promise<Map<string, unknown>> => {
  const scope = new Map<string, unknown>()
  for (const entry of entries) {
    const module = await importModule(entry.source)
    for (const [name, value] of Object.entries(module))
      if (!scope.has(name) && name !== 'default') scope.set(name, value)
  }
  return scope
}

/**
 * Resolves an example's `import` specifier: a relative one from the example's file (`./x.js` to
 * `./x.ts`), a @nabla entry point to its source file, anything else as Node would from the package's
 * folder (README examples: from each package's folder in turn).
 */
export const resolveSpecifier = (
  specifier: string,
  pkg: PackageInfo | undefined,
  all: readonly PackageInfo[],
  fromFile?: string,
): string => {
  if (fromFile !== undefined && /^\.\.?\//.test(specifier)) {
    const path = resolve(dirname(fromFile), specifier)
    const ts = path.replace(/\.([cm]?)js$/, '.$1ts')
    return existsSync(ts) ? ts : path
  }
  for (const p of all) for (const e of p.entries) if (e.specifier === specifier) return e.source
  if (specifier.startsWith('@nabla/')) throw new Error(`'${specifier}' is not an entry point of a package`)
  const from = pkg === undefined ? all : [pkg, ...all]
  for (const p of from) {
    try {
      return createRequire(join(p.dir, 'package.json')).resolve(specifier)
    } catch {
      // not resolvable from this package's folder; try the next
    }
  }
  return specifier
}

/** One package's examples, and any `@example` that is in a JSDoc comment but attached to no declaration. */
export interface PackageExamples {
  readonly pkg: PackageInfo
  readonly examples: readonly Example[]
  /** Files whose JSDoc comments hold more `@example` tags than were extracted (each would go unrun). */
  readonly unattached: readonly { readonly file: string; readonly tags: number; readonly extracted: number }[]
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort()

/** The examples of `<root>/packages/<folder>/src/**\/*.ts`, paths relative to `root`. */
export const packageExamples = (root: string, pkg: PackageInfo): PackageExamples => {
  const src = join(pkg.dir, 'src')
  const examples: Example[] = []
  const unattached: { file: string; tags: number; extracted: number }[] = []
  for (const path of existsSync(src) ? sourceFiles(src) : []) {
    const file = relative(root, path).split('\\').join('/')
    const text = readFileSync(path, 'utf8')
    const found = extractExamples(file, text)
    const tags = countExampleTags(text)
    if (tags !== found.length) unattached.push({ file, tags, extracted: found.length })
    examples.push(...found)
  }
  return { pkg, examples, unattached }
}

/** The README's ```ts / ```js blocks. */
export const readmeExamples = (root: string, file = 'README.md'): Example[] =>
  extractMarkdownBlocks(file, readFileSync(join(root, file), 'utf8'))
