/**
 * `node --import tsx tooling/api-report/src/cli.ts --check | --update [--root DIR] [--package NAME …]`
 * (`pnpm api:check`, `pnpm api:update`): compares each package's API report with what its sources export, or
 * rewrites the reports. Exits 0 when up to date (or written), 1 when a report is out of date, 2 on bad usage or
 * an error.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkReports, updateReports } from './report.js'

const usage = `usage: node --import tsx tooling/api-report/src/cli.ts (--check | --update) [--root DIR] [--package NAME]…
  --check        compare packages/<pkg>/api/<pkg>.api.md with what the sources export; exit 1 if any differs
  --update       rewrite the reports that differ
  --root DIR     the workspace (default: the one this tool is in)
  --package NAME only packages/NAME (repeatable)`

const main = (args: readonly string[]): number => {
  let mode: 'check' | 'update' | undefined
  let root = fileURLToPath(new URL('../../../', import.meta.url))
  const packages: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--') continue // \`pnpm api:check -- --package nn\` may pass it on
    if (arg === '--check' || arg === '--update') {
      if (mode !== undefined && mode !== arg.slice(2)) return fail('--check and --update exclude each other')
      mode = arg === '--check' ? 'check' : 'update'
    } else if (arg === '--root' || arg === '--package') {
      const value = args[++i]
      if (value === undefined) return fail(`${arg} needs a value`)
      if (arg === '--root') root = resolve(value)
      else packages.push(value)
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage)
      return 0
    } else return fail(`unknown argument ${arg}`)
  }
  if (mode === undefined) return fail('say --check or --update')
  const options = packages.length > 0 ? { packages } : {}
  const started = performance.now()
  const seconds = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`
  if (mode === 'check') {
    const result = checkReports(root, options)
    if (result.outOfDate.length > 0) {
      console.error(result.message)
      return 1
    }
    console.log(`${result.message} (${seconds()})`)
    return 0
  }
  const written = updateReports(root, options)
  console.log(
    written.length === 0
      ? `api-report: every API report was already up to date (${seconds()})`
      : `api-report: wrote ${written.join(', ')} (${seconds()}); commit them with a changeset (npx -y pnpm@10 changeset)`,
  )
  return 0
}

const fail = (message: string): number => {
  console.error(`api-report: ${message}\n${usage}`)
  return 2
}

try {
  process.exitCode = main(process.argv.slice(2))
} catch (error) {
  console.error(`api-report: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 2
}
