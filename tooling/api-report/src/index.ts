/**
 * @nabla/api-report — each package's public surface, entry point by entry point, as a checked-in markdown
 * report (packages/<pkg>/api/<pkg>.api.md) that CI compares with what the sources export (see README.md).
 */
export { compareReports, type Difference, describeDifferences, diffLines } from './compare.js'
export {
  type ApiAugmentation,
  type ApiEntry,
  type ApiExport,
  type ApiUnexported,
  defaultCompilerOptions,
  type ExportKind,
  exportLines,
  extractApis,
  type PackageApi,
  reportedTags,
} from './extract.js'
export { compareNames, compareText, type EntryPoint, entryPoints, type PackageInfo, readPackages } from './packages.js'
export { type Block, type ParsedReport, parseBlocks, parseReport, renderReport, type Section } from './render.js'
export {
  type CheckResult,
  checkReports,
  type GeneratedReport,
  generateReports,
  type OutOfDate,
  type ReportOptions,
  updateReports,
} from './report.js'
