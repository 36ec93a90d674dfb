/**
 * @nabla/doctest — every `@example` of the packages' sources and every ```ts block of the README,
 * run as a test: `// →` values, `// throws:` errors and `// prints:` output are checked (see README.md).
 */
export { type ArrayReader, comparable, difference, show, tolerance } from './equal.js'
export { countExampleTags, type Example, extractExamples, extractMarkdownBlocks } from './extract.js'
export { type Check, type Instrumented, instrument, type StatementInfo } from './instrument.js'
export { DoctestFailure, exampleTitle, type RunOptions, runExample } from './run.js'
export {
  type EntryPoint,
  loadScope,
  type PackageExamples,
  type PackageInfo,
  packageExamples,
  readmeExamples,
  readPackages,
  resolveSpecifier,
  scopeEntries,
} from './scope.js'
