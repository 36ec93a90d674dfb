/**
 * Turning an example into checked JavaScript: the `// →`, `// throws:` and `// prints:` comments
 * become calls into the runner around the statements they belong to, then TypeScript's
 * `transpileModule` strips the types and turns `import` lines into `require` calls.
 */
import ts from 'typescript'

/** What one marker comment checks. `line` is 0-based within the example's code. */
export type Check =
  | { readonly kind: 'value'; readonly line: number; readonly statement: string; readonly expected: string }
  | {
      readonly kind: 'throws'
      readonly line: number
      readonly statement: string
      readonly errorClass: string | undefined
      readonly fragment: string
    }
  | { readonly kind: 'prints'; readonly line: number; readonly statement: string; readonly text: string }

/** A top-level statement, so that an error escaping the example can name the one it came from. */
export interface StatementInfo {
  readonly line: number
  readonly text: string
}

export interface Instrumented {
  /** The body to run; it calls `__doctest.at/value/throws/mark/printed` and `require`. */
  readonly js: string
  readonly checks: readonly Check[]
  readonly statements: readonly StatementInfo[]
  /** Module specifiers of the example's own `import` lines. */
  readonly imports: readonly string[]
  /** Problems found before running (syntax errors, marker comments attached to nothing): `line` is 0-based. */
  readonly errors: readonly { readonly line: number; readonly message: string }[]
}

/** The name the instrumented code calls the runner by. */
export const runtimeName = '__doctest'

const valueMarker = /^\/\/\s*→\s*(.*)$/
const throwsMarker = /^\/\/\s*throws(?:\s+([A-Za-z_$][\w$]*))?\s*:\s*(.*)$/
const printsMarker = /^\/\/\s*prints:(?: ?)(.*)$/

interface Comment {
  readonly pos: number
  readonly end: number
  readonly text: string
  readonly line: number
  /** True when code precedes the comment on its line. */
  readonly trailing: boolean
}

interface ListStatement {
  readonly node: ts.Statement
  readonly depth: number
  readonly endLine: number
}

const allComments = (source: ts.SourceFile, code: string): Comment[] => {
  const seen = new Map<number, ts.CommentRange>()
  const add = (ranges: ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) if (r.kind === ts.SyntaxKind.SingleLineCommentTrivia) seen.set(r.pos, r)
  }
  const visit = (node: ts.Node): void => {
    add(ts.getLeadingCommentRanges(code, node.pos))
    add(ts.getTrailingCommentRanges(code, node.end))
    ts.forEachChild(node, visit)
  }
  visit(source)
  add(ts.getLeadingCommentRanges(code, source.endOfFileToken.pos))
  return [...seen.values()]
    .sort((a, b) => a.pos - b.pos)
    .map((r) => {
      const { line, character } = source.getLineAndCharacterOfPosition(r.pos)
      const lineStart = r.pos - character
      return {
        pos: r.pos,
        end: r.end,
        text: code.slice(r.pos, r.end),
        line,
        trailing: code.slice(lineStart, r.pos).trim() !== '',
      }
    })
}

const statementLists = (source: ts.SourceFile): ListStatement[] => {
  const out: ListStatement[] = []
  const visit = (node: ts.Node, depth: number): void => {
    const statements = (node as { statements?: ts.NodeArray<ts.Statement> }).statements
    if (
      statements !== undefined &&
      (ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseOrDefaultClause(node))
    )
      for (const s of statements)
        out.push({ node: s, depth, endLine: source.getLineAndCharacterOfPosition(s.end).line })
    ts.forEachChild(node, (child) => visit(child, depth + 1))
  }
  visit(source, 0)
  return out
}

const outermost = (candidates: ListStatement[]): ListStatement | undefined =>
  candidates.reduce<ListStatement | undefined>(
    (best, c) => (best === undefined || c.node.getStart() < best.node.getStart() ? c : best),
    undefined,
  )

/** Can code at this statement use `await`: at the top level, or inside an async function? */
const awaitable = (node: ts.Node): boolean => {
  for (let n = node.parent; n !== undefined; n = n.parent)
    if (ts.isFunctionLike(n)) return (ts.getCombinedModifierFlags(n as ts.Declaration) & ts.ModifierFlags.Async) !== 0
  return true
}

const compilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  moduleDetection: ts.ModuleDetectionKind.Force,
  isolatedModules: true,
  esModuleInterop: false,
  sourceMap: false,
  removeComments: false,
}

const syntaxErrors = (code: string): { line: number; message: string }[] => {
  const out = ts.transpileModule(code, { compilerOptions, reportDiagnostics: true, fileName: 'example.ts' })
  return (out.diagnostics ?? []).map((d) => ({
    line: d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }))
}

/** Parses an example, attaches its marker comments to statements and produces the code to run. */
export const instrument = (code: string): Instrumented => {
  const errors = syntaxErrors(code)
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const lists = statementLists(source)
  const comments = allComments(source, code)
  const checks: Check[] = []
  const edits: { start: number; end: number; text: string; order: number }[] = []
  const checked = new Set<ts.Statement>()
  const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line
  const textOf = (node: ts.Node): string => code.slice(node.getStart(source), node.end)

  for (let ci = 0; ci < comments.length; ci++) {
    const comment = comments[ci] as Comment
    const value = valueMarker.exec(comment.text)
    const throws = value ? null : throwsMarker.exec(comment.text)
    const prints = value || throws ? null : printsMarker.exec(comment.text)
    if (!value && !throws && !prints) continue
    let statement: ListStatement | undefined
    if (comment.trailing)
      statement = outermost(lists.filter((s) => s.endLine === comment.line && s.node.end <= comment.pos))
    else if (prints) {
      // an own-line `// prints:` belongs to the statement just before it (only comments in between)
      const before = lists.filter((s) => s.node.end <= comment.pos)
      const last = Math.max(...before.map((s) => s.node.end))
      const gap = code.slice(last, comment.pos)
      if (before.length > 0 && /^(\s|\/\/[^\n]*)*$/.test(gap))
        statement = outermost(before.filter((s) => s.node.end === last))
    }
    if (statement === undefined) {
      errors.push({
        line: comment.line,
        message: comment.trailing
          ? `\`${comment.text}\` ends no statement (put it after the statement's last token)`
          : `\`${comment.text}\` must follow the statement it checks on the same line`,
      })
      continue
    }
    const node = statement.node
    if (
      [...checked].some((c) => c.pos <= node.pos && node.end <= c.end) ||
      [...checked].some((c) => node.pos <= c.pos && c.end <= node.end)
    ) {
      errors.push({
        line: comment.line,
        message: `\`${comment.text}\`: one statement cannot carry two checks, nor contain another checked statement`,
      })
      continue
    }
    checked.add(node)
    const id = checks.length
    const line = lineOf(node.end)
    const statementText = textOf(node)
    const start = node.getStart(source)
    const expression = ts.isExpressionStatement(node) ? textOf(node.expression) : undefined
    // inside a function that is not async the check cannot await: its closures are then plain ones
    const canAwait = awaitable(node)
    const aw = canAwait ? 'await ' : ''
    const as = canAwait ? 'async ' : ''
    if (value) {
      if (expression === undefined) {
        errors.push({ line: comment.line, message: `\`// →\` needs an expression statement, not \`${statementText}\`` })
        continue
      }
      const expected = (value[1] as string).trim()
      const bad = expected === '' ? [{ message: 'nothing after the arrow' }] : syntaxErrors(`(${expected}\n)`)
      if (bad.length > 0) {
        errors.push({ line: comment.line, message: `\`// → ${expected}\`: not an expression (${bad[0]?.message})` })
        continue
      }
      checks.push({ kind: 'value', line, statement: statementText, expected })
      edits.push({
        start,
        end: node.end,
        order: 0,
        text: `;${aw}${runtimeName}.value(${id}, ${as}() => [(${expression})], ${as}() => [(${expected}\n)]);`,
      })
    } else if (throws) {
      checks.push({
        kind: 'throws',
        line,
        statement: statementText,
        errorClass: throws[1],
        fragment: (throws[2] as string).trim(),
      })
      const body = expression === undefined ? `{ ${statementText}\n}` : `[(${expression})]`
      edits.push({ start, end: node.end, order: 0, text: `;${aw}${runtimeName}.throws(${id}, ${as}() => ${body});` })
    } else if (prints) {
      // the output: the text after `// prints:`, then the comment lines right below it that are
      // indented to where that text starts (or by three spaces when `// prints:` ends its line)
      const first = (prints[1] as string).replace(/\s+$/, '')
      const indent = first === '' ? 5 : comment.text.length - (prints[1] as string).length
      const lines = first === '' ? [] : [first]
      const from = ci
      for (let next = ci + 1; next < comments.length; next++) {
        const c = comments[next] as Comment
        if (c.trailing || c.line !== comment.line + (next - from)) break
        if (valueMarker.test(c.text) || throwsMarker.test(c.text) || printsMarker.test(c.text)) break
        if (c.text.replace(/\s+$/, '') === '//') {
          lines.push('')
        } else if (/^\/\/ *$/.test(c.text.slice(0, indent)) && c.text.length > indent) {
          lines.push(c.text.slice(indent).replace(/\s+$/, ''))
        } else break
        ci = next
      }
      while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
      checks.push({ kind: 'prints', line, statement: statementText, text: lines.join('\n') })
      edits.push({ start, end: start, order: 1, text: `;${runtimeName}.mark(${id});` })
      edits.push({ start: node.end, end: node.end, order: 0, text: `;${runtimeName}.printed(${id});` })
    }
  }

  const statements: StatementInfo[] = []
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)) continue
    const start = s.getStart(source)
    edits.push({ start, end: start, order: 2, text: `;${runtimeName}.at(${statements.length});` })
    statements.push({ line: lineOf(start), text: textOf(s) })
  }

  // apply from the end; at one position, replacements first so that insertions land before them
  edits.sort((a, b) => b.start - a.start || a.order - b.order)
  let rewritten = code
  for (const e of edits) rewritten = rewritten.slice(0, e.start) + e.text + rewritten.slice(e.end)

  const imports = source.statements
    .filter(ts.isImportDeclaration)
    .filter((s) => !s.importClause?.isTypeOnly)
    .map((s) => (s.moduleSpecifier as ts.StringLiteral).text)

  const js =
    errors.length > 0
      ? ''
      : ts.transpileModule(rewritten, { compilerOptions, fileName: 'example.ts', reportDiagnostics: false }).outputText
  return { js, checks, statements, imports, errors: errors.sort((a, b) => a.line - b.line) }
}
