/** Generate every package's report, compare them with the checked-in ones, or write them. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { compareReports, type Difference, describeDifferences } from './compare.js'
import { extractApis } from './extract.js'
import { type PackageInfo, readPackages } from './packages.js'
import { changesetCommand, renderReport, updateCommand } from './render.js'

export interface GeneratedReport {
  readonly package: PackageInfo
  /** Relative to the root: `packages/ndarray/api/ndarray.api.md`. */
  readonly path: string
  readonly text: string
  readonly entryPoints: number
  readonly exports: number
}

export interface ReportOptions {
  /** Only these package folders (`ndarray`); every package under packages/ when absent. */
  readonly packages?: readonly string[]
}

/**
 * The reports the sources give now, one per package with entry points. Every package is read even when only
 * some are asked for: whether a type is exported, and under which name, depends on all entry points.
 */
export const generateReports = (root: string, options: ReportOptions = {}): GeneratedReport[] => {
  const all = readPackages(root).filter((p) => p.entries.length > 0)
  const wanted = options.packages
  const unknown = (wanted ?? []).filter((w) => !all.some((p) => p.folder === w))
  if (unknown.length > 0) throw new Error(`no package with entry points under packages/: ${unknown.join(', ')}`)
  return extractApis(root, all)
    .filter((api) => wanted === undefined || wanted.includes(api.package.folder))
    .map((api) => ({
      package: api.package,
      path: api.package.report,
      text: renderReport(api),
      entryPoints: api.entries.length,
      exports: api.entries.reduce((n, e) => n + e.exports.length, 0),
    }))
}

const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`

export interface OutOfDate {
  readonly report: GeneratedReport
  /** Missing: no report is checked in. */
  readonly missing: boolean
  readonly differences: readonly Difference[]
}

export interface CheckResult {
  readonly reports: readonly GeneratedReport[]
  readonly outOfDate: readonly OutOfDate[]
  /** What the check prints: a summary when all is well, each difference when not. */
  readonly message: string
}

/** Compares the generated reports with the checked-in ones. */
export const checkReports = (root: string, options: ReportOptions = {}): CheckResult => {
  const reports = generateReports(root, options)
  const outOfDate: OutOfDate[] = []
  for (const report of reports) {
    const file = join(root, report.path)
    if (!existsSync(file)) {
      outOfDate.push({ report, missing: true, differences: [] })
      continue
    }
    const differences = compareReports(readFileSync(file, 'utf8'), report.text)
    if (differences.length > 0) outOfDate.push({ report, missing: false, differences })
  }
  const entryPoints = reports.reduce((n, r) => n + r.entryPoints, 0)
  const exports = reports.reduce((n, r) => n + r.exports, 0)
  if (outOfDate.length === 0) {
    return {
      reports,
      outOfDate,
      message: `api-report: the API reports of ${count(reports.length, 'package')} (${count(entryPoints, 'entry point')}, ${count(exports, 'export')}) are up to date`,
    }
  }
  const lines = [
    `api-report: ${outOfDate.length === 1 ? 'a package exports' : `${outOfDate.length} packages export`} something other than ${outOfDate.length === 1 ? 'its' : 'their'} checked-in API report says.`,
  ]
  for (const o of outOfDate) {
    lines.push('')
    if (o.missing) lines.push(`${o.report.package.name}: ${o.report.path} is missing`)
    else {
      lines.push(`${o.report.package.name}: ${o.report.path} differs from what the sources export:`)
      lines.push(...describeDifferences(o.differences))
    }
  }
  lines.push(
    '',
    `If the change is intended, run \`${updateCommand}\` to rewrite the reports, review their diff, and commit`,
    `them with the change and a changeset (\`${changesetCommand}\`) that says what changed for users.`,
  )
  return { reports, outOfDate, message: lines.join('\n') }
}

/** Writes every report that differs from the generated one; returns the paths written. */
export const updateReports = (root: string, options: ReportOptions = {}): string[] => {
  const written: string[] = []
  for (const report of generateReports(root, options)) {
    const file = join(root, report.path)
    if (existsSync(file) && readFileSync(file, 'utf8') === report.text) continue
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, report.text)
    written.push(report.path)
  }
  return written
}
