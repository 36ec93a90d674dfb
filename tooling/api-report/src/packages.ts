/** The workspace's packages and their public entry points, as their package.json "exports" maps declare them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'

export interface EntryPoint {
  /** The specifier a user imports: `@nabla/ndarray/core`. */
  readonly name: string
  /** Its TypeScript source (the `@nabla/source` condition), relative to the package folder: `src/core.ts`. */
  readonly source: string
}

export interface PackageInfo {
  /** The folder under packages/: `ndarray`. */
  readonly folder: string
  /** `@nabla/ndarray` */
  readonly name: string
  /** The package folder, relative to the root: `packages/ndarray`. */
  readonly dir: string
  /** The entry points, in the exports map's order (entries without a `@nabla/source` condition left out). */
  readonly entries: readonly EntryPoint[]
  /** Where its report lives, relative to the root: `packages/ndarray/api/ndarray.api.md`. */
  readonly report: string
}

interface Manifest {
  readonly name?: string
  readonly exports?: string | Record<string, unknown>
}

/** The condition under which each package's exports map names its TypeScript sources. */
export const sourceCondition = '@nabla/source'

const sourceOf = (target: unknown): string | undefined => {
  if (target === null || typeof target !== 'object') return undefined
  const source = (target as Record<string, unknown>)[sourceCondition]
  return typeof source === 'string' ? source : undefined
}

/** The entry points of one manifest: every subpath whose target has a `@nabla/source` condition. */
export const entryPoints = (manifest: Manifest, where: string): EntryPoint[] => {
  const name = manifest.name
  if (typeof name !== 'string') throw new Error(`${where}: package.json has no "name"`)
  const exports = manifest.exports
  if (exports === undefined || typeof exports === 'string') return []
  // a map of conditions at the top level ({ "@nabla/source": …, "default": … }) is the "." entry alone
  const map = Object.keys(exports).every((key) => key.startsWith('.')) ? exports : { '.': exports }
  return Object.entries(map).flatMap(([subpath, target]) => {
    const source = sourceOf(target)
    if (source === undefined) return []
    if (subpath.includes('*')) throw new Error(`${where}: exports "${subpath}": subpath patterns are not supported`)
    return [
      {
        name: subpath === '.' ? name : `${name}/${subpath.replace(/^\.\//, '')}`,
        source: posix.normalize(source.replace(/\\/g, '/')).replace(/^\.\//, ''),
      },
    ]
  })
}

/** Every folder of `<root>/packages` with a package.json, by folder name. */
export const readPackages = (root: string): PackageInfo[] => {
  const packagesDir = join(root, 'packages')
  if (!existsSync(packagesDir)) return []
  return readdirSync(packagesDir)
    .filter((folder) => existsSync(join(packagesDir, folder, 'package.json')))
    .sort(compareText)
    .map((folder) => {
      const dir = `packages/${folder}`
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest
      return {
        folder,
        name: manifest.name ?? folder,
        dir,
        entries: entryPoints(manifest, `${dir}/package.json`),
        report: `${dir}/api/${folder}.api.md`,
      }
    })
}

/** Code-unit order: the same on every machine, whatever its locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Names in case-insensitive order (`add`, `ArgOptions`, `argmax`), ties broken by code units. */
export const compareNames = (a: string, b: string): number =>
  compareText(a.toLowerCase(), b.toLowerCase()) || compareText(a, b)
