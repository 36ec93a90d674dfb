/** Finding the examples: JSDoc `@example` tags in TypeScript sources, fenced code blocks in markdown. */
import ts from 'typescript'

/** One runnable block of example code and where it came from. */
export interface Example {
  /** The file, as given to the extractor (the suite passes paths relative to the repository root). */
  readonly file: string
  /** 1-based line of the file where the block starts (the `@example` tag, or the opening fence). */
  readonly line: number
  /** The declaration the JSDoc belongs to (`add`, `NDArray.shape`), or the markdown section's heading. */
  readonly name: string
  /** The code, with the JSDoc ` * ` margins removed; line i of it is line `firstCodeLine + i` of the file. */
  readonly code: string
  /** 1-based line of the file holding the code's first line. */
  readonly firstCodeLine: number
}

const jsDocsOf = (node: ts.Node): readonly ts.JSDoc[] => (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []

const nameOf = (node: ts.Node): string | undefined => {
  if (ts.isVariableStatement(node)) {
    const names = node.declarationList.declarations.map((d) => d.name.getText())
    return names.join(', ')
  }
  if (ts.isExportAssignment(node)) return 'default'
  const named = node as { name?: ts.Node }
  if (named.name !== undefined) return named.name.getText()
  if (ts.isConstructorDeclaration(node)) return 'constructor'
  return undefined
}

const enclosing = (n: ts.Node): boolean =>
  ts.isClassLike(n) ||
  ts.isInterfaceDeclaration(n) ||
  ts.isModuleDeclaration(n) ||
  ts.isEnumDeclaration(n) ||
  ts.isTypeAliasDeclaration(n) ||
  ts.isFunctionDeclaration(n) ||
  ts.isVariableDeclaration(n) ||
  ts.isPropertyAssignment(n)

/** `Outer.inner` for a member: the names of the enclosing declarations, outermost first. */
const qualifiedName = (node: ts.Node): string => {
  const parts = [nameOf(node) ?? '(file)']
  for (let n = node.parent; n !== undefined && !ts.isSourceFile(n); n = n.parent) {
    const name = enclosing(n) ? nameOf(n) : undefined
    if (name !== undefined) parts.unshift(name)
  }
  return parts.join('.')
}

/** Removes the JSDoc margin (`   * `) from each line after the first, and the `<caption>` JSDoc allows. */
const exampleLines = (raw: string): string[] =>
  raw
    .split('\n')
    .map((line, i) => (i === 0 ? line : line.replace(/^\s*\*(?: |$)/, '')))
    .map((line) => line.replace(/\r$/, ''))
    .map((line, i) => (i === 0 ? line.replace(/^\s*<caption>.*?<\/caption>/, '') : line))

/** The example text between a fence or blank margins: drops ``` fence lines, keeps line numbering by blanking them. */
const withoutFences = (lines: string[]): string[] => lines.map((line) => (/^\s*```/.test(line) ? '' : line))

/** Every `@example` of a TypeScript source, with the declaration it documents. */
export const extractExamples = (file: string, text: string): Example[] => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found = new Map<number, Example>()
  const visit = (node: ts.Node): void => {
    for (const doc of jsDocsOf(node)) {
      for (const tag of doc.tags ?? []) {
        if (tag.tagName.text !== 'example' || found.has(tag.pos)) continue
        const lines = withoutFences(exampleLines(text.slice(tag.tagName.end, tag.end)))
        const tagLine = source.getLineAndCharacterOfPosition(tag.tagName.getStart(source)).line + 1
        found.set(tag.pos, {
          file,
          line: tagLine,
          name: qualifiedName(node),
          code: lines.join('\n'),
          firstCodeLine: tagLine,
        })
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return [...found.values()].sort((a, b) => a.line - b.line)
}

/** How many `@example` tags the JSDoc comments (`/** … *\/`) of a source contain, attached to a declaration or not. */
export const countExampleTags = (text: string): number => {
  let count = 0
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) count += comment[0].match(/@example\b/g)?.length ?? 0
  return count
}

const runnableFences = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts'])

/** Every ```ts / ```js fenced block of a markdown file (shell and unlabelled blocks are not code to run). */
export const extractMarkdownBlocks = (file: string, text: string): Example[] => {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''))
  const blocks: Example[] = []
  let heading = '(top)'
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const headingMatch = /^#{1,6}\s+(.*)$/.exec(line)
    if (headingMatch) heading = (headingMatch[1] as string).trim()
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(line)
    if (!open) continue
    const fence = open[2] as string
    const closing = (l: string): boolean => l.trim().startsWith(fence) && /^(`+|~+)$/.test(l.trim())
    const end = lines.findIndex((l, j) => j > i && closing(l))
    const close = end === -1 ? lines.length : end
    if (runnableFences.has((open[3] as string).toLowerCase()))
      blocks.push({
        file,
        line: i + 1,
        name: heading,
        code: lines.slice(i + 1, close).join('\n'),
        firstCodeLine: i + 2,
      })
    i = close
  }
  return blocks
}
