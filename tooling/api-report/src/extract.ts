/**
 * The public surface of packages, read from their TypeScript sources with the compiler API: every name each
 * entry point exports, its kind, its signature as the checker prints it (or, for interfaces and type aliases,
 * its declaration without comments), and the JSDoc tags that qualify it.
 */
import { existsSync } from 'node:fs'
import { join, posix, resolve, sep } from 'node:path'
import ts from 'typescript'
import { compareNames, compareText, type PackageInfo } from './packages.js'

export type ExportKind = 'function' | 'const' | 'let' | 'var' | 'class' | 'interface' | 'type' | 'enum' | 'namespace'

/** The JSDoc tags a report shows next to a name. */
export const reportedTags = ['deprecated', 'experimental', 'internal'] as const

export interface ApiExport {
  readonly name: string
  /** More than one when a name has several meanings (a const and a type of the same name). */
  readonly kinds: readonly ExportKind[]
  /** Of `reportedTags`, those the declaration's JSDoc has, sorted. */
  readonly tags: readonly string[]
  /** The declaration as the report prints it: one line per overload, members indented by two spaces. */
  readonly lines: readonly string[]
  /** Exported with `export type`: a class or value usable in types only. */
  readonly typeOnly?: true
}

export interface ApiEntry {
  /** `@nabla/ndarray/core` */
  readonly name: string
  /** Relative to the package folder: `src/core.ts`. */
  readonly source: string
  /** Sorted by name (case-insensitive). */
  readonly exports: readonly ApiExport[]
}

/** A `declare module '…' { … }` block of the package's sources: it changes another module's types. */
export interface ApiAugmentation {
  readonly module: string
  /** Relative to the package folder. */
  readonly source: string
  readonly lines: readonly string[]
}

/** A type the package's exports name that no entry point of the workspace exports. */
export interface ApiUnexported extends ApiExport {
  /** Where it is declared, as a module name: `@nabla/ndarray/src/ops/elementwise`. */
  readonly module: string
}

export interface PackageApi {
  readonly package: PackageInfo
  readonly entries: readonly ApiEntry[]
  readonly augmentations: readonly ApiAugmentation[]
  /** Sorted by name, then module. */
  readonly unexported: readonly ApiUnexported[]
}

/** Compiler options for a package without a tsconfig.json (the settings of tooling/tsconfig/base.json). */
export const defaultCompilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  customConditions: ['@nabla/source'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  noEmit: true,
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => process.cwd(),
  getNewLine: () => '\n',
}

/** The package's own tsconfig.json options (what its typecheck uses), else the defaults. */
const compilerOptionsOf = (absoluteDir: string): ts.CompilerOptions => {
  const configPath = join(absoluteDir, 'tsconfig.json')
  if (!existsSync(configPath)) return defaultCompilerOptions
  let failure: ts.Diagnostic | undefined
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      failure = d
    },
  })
  const error = failure ?? parsed?.errors.find((d) => d.category === ts.DiagnosticCategory.Error)
  if (parsed === undefined || error !== undefined) {
    throw new Error(`${configPath}: ${error ? ts.formatDiagnostics([error], formatHost).trim() : 'unreadable'}`)
  }
  const { configFilePath: _path, ...options } = parsed.options
  return { ...options, noEmit: true }
}

const stableKey = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareText(a, b)))
      : v,
  )

const builderFlags =
  ts.NodeBuilderFlags.NoTruncation |
  ts.NodeBuilderFlags.IgnoreErrors |
  ts.NodeBuilderFlags.UseAliasDefinedOutsideCurrentScope |
  ts.NodeBuilderFlags.UseSingleQuotesForStringLiteralType |
  ts.NodeBuilderFlags.MultilineObjectLiterals |
  ts.NodeBuilderFlags.GenerateNamesForShadowedTypeParams

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed })

const toPosix = (path: string): string => path.split(sep).join('/')

const stripExtension = (path: string): string => path.replace(/(\.d)?\.[cm]?[jt]sx?$/, '')

/**
 * Reads the public surface of `packages` (folders relative to `root`). Packages with the same compiler options
 * share one program, so this costs about one typecheck of the workspace's sources.
 */
export const extractApis = (root: string, packages: readonly PackageInfo[]): PackageApi[] => {
  const absoluteRoot = resolve(root)
  const abs = (path: string): string => toPosix(join(absoluteRoot, path))
  for (const p of packages)
    for (const e of p.entries)
      if (!existsSync(join(absoluteRoot, p.dir, e.source)))
        throw new Error(`${p.dir}/package.json: the source of "${e.name}", ${e.source}, does not exist`)

  // every entry file → its entry point's name, and each package folder → its name, for readable module paths
  const entryByFile = new Map<string, string>()
  for (const p of packages)
    for (const e of p.entries) entryByFile.set(stripExtension(abs(`${p.dir}/${e.source}`)), e.name)
  const packageDirs = packages.map((p) => ({ dir: `${abs(p.dir)}/`, name: p.name }))
  /** A module's file as a reader knows it: an entry point, `@nabla/ndarray/src/…`, `fp-ts/lib/Either`. */
  const moduleName = (fileName: string): string => {
    const file = stripExtension(toPosix(fileName))
    const entry = entryByFile.get(file)
    if (entry !== undefined) return entry
    const inModules = file.lastIndexOf('/node_modules/')
    if (inModules >= 0) return file.slice(inModules + '/node_modules/'.length).replace(/^@types\//, '')
    const owner = packageDirs.find((p) => file.startsWith(p.dir))
    if (owner !== undefined) return `${owner.name}/${file.slice(owner.dir.length)}`
    const fromRoot = posix.relative(toPosix(absoluteRoot), file)
    return fromRoot.startsWith('..') ? posix.basename(file) : fromRoot
  }

  const groups = new Map<string, { options: ts.CompilerOptions; packages: PackageInfo[] }>()
  for (const p of packages) {
    const options = compilerOptionsOf(join(absoluteRoot, p.dir))
    const key = stableKey(options)
    const group = groups.get(key) ?? { options, packages: [] }
    group.packages.push(p)
    groups.set(key, group)
  }

  const results = new Map<PackageInfo, PackageApi>()
  for (const { options, packages: members } of groups.values()) {
    const roots = members.flatMap((p) => p.entries.map((e) => join(absoluteRoot, p.dir, e.source)))
    const program = ts.createProgram({ rootNames: roots, options, host: ts.createCompilerHost(options, true) })
    const reader = new SurfaceReader(program, moduleName)
    reader.learnNames(
      members.flatMap((p) =>
        p.entries.map((e) => ({ file: abs(`${p.dir}/${e.source}`), packageDir: `${abs(p.dir)}/` })),
      ),
    )
    const read = members.map((p) => {
      const packageDir = `${abs(p.dir)}/`
      const references = new Set<ts.Symbol>()
      reader.references = references
      const entries = p.entries.map((e) => ({
        name: e.name,
        source: e.source,
        exports: reader.entryExports(abs(`${p.dir}/${e.source}`)),
      }))
      const augmentations = program
        .getSourceFiles()
        .filter((f) => toPosix(f.fileName).startsWith(packageDir) && !f.isDeclarationFile)
        .sort((a, b) => compareText(toPosix(a.fileName), toPosix(b.fileName)))
        .flatMap((f) => reader.augmentations(f, posix.relative(packageDir, toPosix(f.fileName))))
      return { p, entries, augmentations, references }
    })
    const exported = new Set(reader.exportNames.keys())
    const inWorkspace = (symbol: ts.Symbol): boolean =>
      (symbol.declarations ?? []).some((d) => {
        const file = d.getSourceFile()
        return !file.isDeclarationFile && packageDirs.some((p) => toPosix(file.fileName).startsWith(p.dir))
      })
    for (const { p, entries, augmentations, references } of read) {
      reader.references = references
      const unexported: ApiUnexported[] = []
      const done = new Set<ts.Symbol>()
      // describing one may name more: go on until every named type has been seen
      for (let more = true; more; ) {
        more = false
        for (const symbol of [...references]) {
          if (done.has(symbol)) continue
          done.add(symbol)
          more = true
          if (exported.has(symbol) || !inWorkspace(symbol)) continue
          const declaration = (symbol.declarations ?? [])[0] as ts.Declaration
          unexported.push({
            ...reader.describeDeclared(symbol, declaration.getSourceFile()),
            module: moduleName(declaration.getSourceFile().fileName),
          })
        }
      }
      unexported.sort((a, b) => compareNames(a.name, b.name) || compareText(a.module, b.module))
      results.set(p, { package: p, entries, augmentations, unexported })
    }
    reader.references = undefined
  }
  return packages.map((p) => results.get(p) as PackageApi)
}

/** Reads declarations out of one program. */
class SurfaceReader {
  private readonly checker: ts.TypeChecker
  /** Where the declared types that printed nodes name are noted, while a package is read. */
  references: Set<ts.Symbol> | undefined
  /** Each exported declaration's name as the first entry point exporting it calls it. */
  readonly exportNames = new Map<ts.Symbol, string>()
  /** The same, for the entry point being read. */
  private entryNames = new Map<ts.Symbol, string>()

  constructor(
    private readonly program: ts.Program,
    private readonly moduleName: (fileName: string) => string,
  ) {
    this.checker = program.getTypeChecker()
  }

  entryExports(fileName: string): ApiExport[] {
    const file = this.program.getSourceFile(fileName)
    if (file === undefined) throw new Error(`${fileName}: not in the program`)
    const moduleSymbol = this.checker.getSymbolAtLocation(file)
    if (moduleSymbol === undefined) return []
    this.entryNames = this.namesOf(fileName)
    try {
      return this.moduleExports(moduleSymbol, file, new Set())
    } finally {
      this.entryNames = new Map()
    }
  }

  /**
   * Learns the names the entry points give their exports (call before reading any): a declaration's own
   * package's entry points name it first, then the others, in order.
   */
  learnNames(entries: readonly { readonly file: string; readonly packageDir: string }[]): void {
    const named = entries.map((e) => ({ ...e, names: this.namesOf(e.file) }))
    const isHome = (symbol: ts.Symbol, packageDir: string): boolean =>
      (symbol.declarations ?? []).some((d) => toPosix(d.getSourceFile().fileName).startsWith(packageDir))
    for (const home of [true, false])
      for (const { packageDir, names } of named)
        for (const [symbol, name] of names)
          if (!this.exportNames.has(symbol) && (!home || isHome(symbol, packageDir))) this.exportNames.set(symbol, name)
  }

  private namesOf(fileName: string): Map<ts.Symbol, string> {
    const names = new Map<ts.Symbol, string>()
    const file = this.program.getSourceFile(fileName)
    const moduleSymbol = file && this.checker.getSymbolAtLocation(file)
    if (moduleSymbol === undefined) return names
    const exports = this.checker.getExportsOfModule(moduleSymbol).sort((a, b) => compareNames(a.name, b.name))
    for (const s of exports) {
      const target = s.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(s) : s
      if (!names.has(target)) names.set(target, s.name)
    }
    return names
  }

  /** A declared type that no entry point exports, described from its own file's view. */
  describeDeclared(symbol: ts.Symbol, file: ts.SourceFile): ApiExport {
    return this.describe(symbol, file, new Set())
  }

  private moduleExports(moduleSymbol: ts.Symbol, enclosing: ts.SourceFile, visiting: Set<ts.Symbol>): ApiExport[] {
    visiting.add(moduleSymbol)
    const exports = this.checker
      .getExportsOfModule(moduleSymbol)
      .map((symbol) => this.describe(symbol, enclosing, visiting))
      .sort((a, b) => compareNames(a.name, b.name))
    visiting.delete(moduleSymbol)
    return exports
  }

  /** `declare module '…'` blocks of one source file. */
  augmentations(file: ts.SourceFile, source: string): ApiAugmentation[] {
    if (!ts.isExternalModule(file)) return []
    return file.statements.flatMap((statement) => {
      if (!ts.isModuleDeclaration(statement) || !ts.isStringLiteral(statement.name)) return []
      const body = statement.body
      const members = body !== undefined && ts.isModuleBlock(body) ? body.statements : []
      const lines = [
        `declare module '${statement.name.text}' {`,
        ...members.flatMap((m) => indent(this.printSource(m))),
        '}',
      ]
      return [{ module: statement.name.text, source, lines }]
    })
  }

  private describe(exported: ts.Symbol, enclosing: ts.SourceFile, visiting: Set<ts.Symbol>): ApiExport {
    const name = exported.name
    let target = exported
    let typeOnly = false
    const chain: ts.Symbol[] = [exported]
    while (target.flags & ts.SymbolFlags.Alias) {
      if (target.declarations?.some(isTypeOnlyAlias)) typeOnly = true
      const next = this.checker.getImmediateAliasedSymbol(target)
      if (next === undefined || next === target) break
      target = next
      chain.push(target)
    }
    const tags = new Set<string>()
    for (const symbol of chain)
      for (const declaration of symbol.declarations ?? [])
        for (const tag of ts.getJSDocTags(declaration))
          if ((reportedTags as readonly string[]).includes(tag.tagName.text)) tags.add(tag.tagName.text)

    const kinds: ExportKind[] = []
    const lines: string[] = []
    const flags = target.flags
    const declarations = target.declarations ?? []
    if (flags & ts.SymbolFlags.Function) {
      kinds.push('function')
      const type = this.checker.getTypeOfSymbol(target)
      for (const signature of type.getCallSignatures()) {
        const node = this.checker.signatureToSignatureDeclaration(
          signature,
          ts.SyntaxKind.FunctionDeclaration,
          enclosing,
          builderFlags,
        ) as ts.FunctionDeclaration | undefined
        if (node === undefined) continue
        const named = ts.factory.updateFunctionDeclaration(
          node,
          undefined,
          undefined,
          ts.factory.createIdentifier(name),
          node.typeParameters,
          node.parameters,
          node.type,
          undefined,
        )
        lines.push(...this.printBuilt(named))
      }
    }
    if (flags & ts.SymbolFlags.Variable) {
      const declaration = declarations.find(ts.isVariableDeclaration)
      const nodeFlags = declaration ? ts.getCombinedNodeFlags(declaration) : ts.NodeFlags.Const
      const keyword: ExportKind =
        nodeFlags & ts.NodeFlags.Const ? 'const' : nodeFlags & ts.NodeFlags.Let ? 'let' : 'var'
      kinds.push(keyword)
      lines.push(...prefix(`${keyword} ${name}: `, this.printType(this.checker.getTypeOfSymbol(target), enclosing)))
    }
    if (flags & ts.SymbolFlags.Class) {
      kinds.push('class')
      lines.push(...this.classLines(target, name, enclosing))
    }
    if (flags & ts.SymbolFlags.Interface) {
      kinds.push('interface')
      lines.push(...this.interfaceLines(target, name))
    }
    if (flags & ts.SymbolFlags.TypeAlias) {
      kinds.push('type')
      const declaration = declarations.find(ts.isTypeAliasDeclaration)
      if (declaration !== undefined) {
        const typeParameters = this.typeParameters(declaration.typeParameters)
        lines.push(...prefix(`type ${name}${typeParameters} = `, this.printSource(declaration.type)))
        lines.push(...this.valueQueryExpansion(declaration.type, enclosing))
      }
    }
    if (flags & ts.SymbolFlags.Enum) {
      kinds.push('enum')
      lines.push(...this.enumLines(target, name))
    }
    if (flags & ts.SymbolFlags.Module && !(flags & ts.SymbolFlags.Enum)) {
      kinds.push('namespace')
      if (visiting.has(target)) lines.push(`namespace ${name} // (a cycle: this namespace contains itself)`)
      else {
        const members = this.moduleExports(target, enclosing, visiting)
        lines.push(`namespace ${name} {`)
        for (const member of members) lines.push(...indent(exportLines(member)))
        lines.push('}')
      }
    }
    if (kinds.length === 0) lines.push(`unresolved ${name} // the compiler found no declaration`)

    // `export type { SomeClass }`: usable in types only
    const typeOnlyValue = typeOnly && (flags & ts.SymbolFlags.Value) !== 0
    return { name, kinds, tags: [...tags].sort(compareText), lines, ...(typeOnlyValue ? { typeOnly: true } : {}) }
  }

  private classLines(symbol: ts.Symbol, name: string, enclosing: ts.SourceFile): string[] {
    const declarations = (symbol.declarations ?? []).filter(
      (d): d is ts.ClassDeclaration | ts.ClassExpression => ts.isClassDeclaration(d) || ts.isClassExpression(d),
    )
    const declaration = declarations[0]
    const isAbstract = declaration?.modifiers?.some((m) => m.kind === ts.SyntaxKind.AbstractKeyword) === true
    const heritage = (declaration?.heritageClauses ?? []).map((h) => ` ${this.printSource(h).join(' ')}`).join('')
    const head = `${isAbstract ? 'abstract ' : ''}class ${name}${this.typeParameters(declaration?.typeParameters)}${heritage}`
    const own = (member: ts.Symbol): boolean =>
      (member.declarations ?? []).some((d) => {
        const owner = ts.isParameter(d) ? d.parent.parent : d.parent
        return owner !== undefined && (declarations as ts.Node[]).includes(owner)
      })
    const body: string[] = []
    // constructors, unless the class declares them private or protected
    const ownConstructor = declaration?.members.find(ts.isConstructorDeclaration)
    if (ownConstructor === undefined || isPublic(ownConstructor)) {
      const staticType = this.checker.getTypeOfSymbol(symbol)
      for (const signature of staticType.getConstructSignatures()) {
        const node = this.checker.signatureToSignatureDeclaration(
          signature,
          ts.SyntaxKind.Constructor,
          enclosing,
          builderFlags,
        )
        if (node === undefined) continue
        // parameter properties (`readonly x: T`) are listed with the other properties
        const parameters = node.parameters.map((p) =>
          ts.factory.updateParameterDeclaration(
            p,
            undefined,
            p.dotDotDotToken,
            p.name,
            p.questionToken,
            p.type,
            undefined,
          ),
        )
        body.push(...this.printBuilt(ts.factory.createConstructorDeclaration(undefined, parameters, undefined)))
      }
    }
    const staticMembers = this.checker
      .getPropertiesOfType(this.checker.getTypeOfSymbol(symbol))
      .filter((m) => m.name !== 'prototype' && own(m))
    const instanceMembers = this.checker.getPropertiesOfType(this.checker.getDeclaredTypeOfSymbol(symbol)).filter(own)
    for (const [members, isStatic] of [
      [staticMembers, true],
      [instanceMembers, false],
    ] as const)
      for (const member of members) body.push(...this.memberLines(member, isStatic, enclosing))
    return body.length === 0 ? [`${head} {}`] : [`${head} {`, ...indent(body), '}']
  }

  private memberLines(member: ts.Symbol, isStatic: boolean, enclosing: ts.SourceFile): string[] {
    const declarations = member.declarations ?? []
    const first = declarations[0]
    if (first === undefined || !declarations.every(isPublic)) return []
    const declaredName = ts.getNameOfDeclaration(first)
    if (declaredName !== undefined && ts.isPrivateIdentifier(declaredName)) return []
    const memberName =
      declaredName !== undefined && ts.isComputedPropertyName(declaredName)
        ? this.printSource(declaredName).join(' ')
        : propertyName(member.name)
    const modifierFlags = ts.getCombinedModifierFlags(first)
    const lead =
      (isStatic ? 'static ' : '') + (modifierFlags & ts.ModifierFlags.Abstract ? 'abstract ' : '') + memberTags(first)
    const optional = member.flags & ts.SymbolFlags.Optional ? '?' : ''
    const type = this.checker.getTypeOfSymbol(member)
    if (member.flags & ts.SymbolFlags.Method) {
      return type.getCallSignatures().flatMap((signature) => {
        const node = this.checker.signatureToSignatureDeclaration(
          signature,
          ts.SyntaxKind.MethodSignature,
          enclosing,
          builderFlags,
        ) as ts.MethodSignature | undefined
        if (node === undefined) return []
        const named = ts.factory.updateMethodSignature(
          node,
          undefined,
          ts.factory.createIdentifier(memberName + optional),
          undefined,
          node.typeParameters,
          node.parameters,
          node.type,
        )
        return prefix(lead, this.printBuilt(named))
      })
    }
    if (member.flags & ts.SymbolFlags.Accessor) {
      const lines: string[] = []
      const printed = this.printType(type, enclosing)
      if (member.flags & ts.SymbolFlags.GetAccessor) lines.push(...prefix(`${lead}get ${memberName}(): `, printed))
      if (member.flags & ts.SymbolFlags.SetAccessor) {
        const setter = declarations.find(ts.isSetAccessorDeclaration)
        const parameter = setter?.parameters[0]?.name
        const parameterName = parameter !== undefined && ts.isIdentifier(parameter) ? parameter.text : 'value'
        lines.push(...suffix(prefix(`${lead}set ${memberName}(${parameterName}: `, printed), ')'))
      }
      return lines
    }
    const readonly =
      modifierFlags & ts.ModifierFlags.Readonly || ts.getCombinedNodeFlags(first) & ts.NodeFlags.Const
        ? 'readonly '
        : ''
    return prefix(`${lead}${readonly}${memberName}${optional}: `, this.printType(type, enclosing, optional !== ''))
  }

  private interfaceLines(symbol: ts.Symbol, name: string): string[] {
    const all = (symbol.declarations ?? []).filter(ts.isInterfaceDeclaration)
    const unaugmented = all.filter((d) => !inAmbientModule(d))
    const declarations = unaugmented.length > 0 ? unaugmented : all
    const first = declarations[0]
    const heritage = declarations
      .flatMap((d) => d.heritageClauses ?? [])
      .map((h) => ` ${this.printSource(h).join(' ')}`)
      .join('')
    const head = `interface ${name}${this.typeParameters(first?.typeParameters)}${heritage}`
    const body = declarations.flatMap((d) =>
      d.members.flatMap((m) => [
        ...prefix(memberTags(m), this.printSource(m)),
        ...(ts.isPropertySignature(m) && m.type !== undefined
          ? this.valueQueryExpansion(m.type, m.getSourceFile())
          : []),
      ]),
    )
    return body.length === 0 ? [`${head} {}`] : [`${head} {`, ...indent(body), '}']
  }

  /**
   * A declared type that is computed from a value (`keyof typeof byName`) changes when the value does, which its
   * text does not show: the type as the checker resolves it follows, as `// = …` lines.
   */
  private valueQueryExpansion(node: ts.TypeNode, enclosing: ts.SourceFile): string[] {
    let queries = false
    const visit = (n: ts.Node): void => {
      if (ts.isTypeQueryNode(n)) queries = true
      else ts.forEachChild(n, visit)
    }
    visit(node)
    if (!queries) return []
    const type = this.checker.getTypeFromTypeNode(node)
    const built = this.checker.typeToTypeNode(type, enclosing, builderFlags | ts.NodeBuilderFlags.InTypeAlias)
    return built === undefined
      ? []
      : indent(prefix('// = ', this.printBuilt(built)).map((l, i) => (i === 0 ? l : `//   ${l}`)))
  }

  private enumLines(symbol: ts.Symbol, name: string): string[] {
    const declarations = (symbol.declarations ?? []).filter(ts.isEnumDeclaration)
    const isConst = declarations.some((d) => d.modifiers?.some((m) => m.kind === ts.SyntaxKind.ConstKeyword))
    const body = declarations.flatMap((d) =>
      d.members.map((m) => {
        const value = this.checker.getConstantValue(m)
        const shown = value === undefined ? '' : ` = ${typeof value === 'string' ? `'${value}'` : String(value)}`
        return `${this.printSource(m.name).join(' ')}${shown}`
      }),
    )
    return [`${isConst ? 'const ' : ''}enum ${name} {`, ...indent(body), '}']
  }

  private typeParameters(parameters: ts.NodeArray<ts.TypeParameterDeclaration> | undefined): string {
    if (parameters === undefined || parameters.length === 0) return ''
    return `<${parameters.map((p) => this.printSource(p).join(' ')).join(', ')}>`
  }

  /** A type as the checker prints it, from the entry point's view (names it can see stay names). */
  private printType(type: ts.Type, enclosing: ts.SourceFile, optional = false): string[] {
    const node = this.checker.typeToTypeNode(type, enclosing, builderFlags)
    const lines = node === undefined ? ['unknown'] : this.printBuilt(node)
    // an optional property's type includes the `undefined` its `?` already says
    return optional
      ? lines.map((line, i) => (i === lines.length - 1 ? line.replace(/ \| undefined$/, '') : line))
      : lines
  }

  /** A node the checker built: unions sorted, names as exported, destructured parameters as `{ … }`; printed. */
  private printBuilt(node: ts.Node): string[] {
    this.collect(node)
    const [result] = ts.transform(node, [this.normalize(true)]).transformed
    return this.tidy(printer.printNode(ts.EmitHint.Unspecified, result as ts.Node, noSourceFile))
  }

  /** A node of the sources, printed without its comments (names as exported, destructuring hidden). */
  private printSource(node: ts.Node): string[] {
    this.collect(node)
    const [result] = ts.transform(node, [this.normalize(false)]).transformed
    return this.tidy(printer.printNode(ts.EmitHint.Unspecified, result as ts.Node, node.getSourceFile()))
  }

  /** What an identifier of a printed node names, aliases followed. */
  private symbolOf(identifier: ts.Identifier): ts.Symbol | undefined {
    const original = ts.getOriginalNode(identifier)
    const symbol =
      (identifier as { symbol?: ts.Symbol }).symbol ??
      (original.parent !== undefined ? this.checker.getSymbolAtLocation(original) : undefined)
    return symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol
  }

  /**
   * Notes, in `references`, the declared types `node` names (interfaces, type aliases, classes, enums): the
   * report lists those of the workspace's sources that no entry point exports, since they are part of the
   * surface too.
   */
  private collect(node: ts.Node): void {
    const references = this.references
    if (references === undefined) return
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) {
        const symbol = this.symbolOf(n)
        if (symbol !== undefined && symbol.flags & declaredTypeFlags) references.add(symbol)
      }
      ts.forEachChild(n, visit)
    }
    visit(node)
  }

  /**
   * The printed form's rewrites: a name that an entry point exports under another name (`export { x as y }`) is
   * shown as exported (`y`), the current entry point's name first; destructured parameters become
   * `{ … }` (their local names are the implementation's); tuples stay on one line; and, for what the checker
   * built, union members are sorted (its order follows type ids, which shift with unrelated code).
   */
  private normalize(sortUnions: boolean): ts.TransformerFactory<ts.Node> {
    return (context) => {
      const visit = (node: ts.Node): ts.Node => {
        if (ts.isIdentifier(node)) {
          const symbol = this.symbolOf(node)
          const shown = symbol && (this.entryNames.get(symbol) ?? this.exportNames.get(symbol))
          return shown !== undefined && shown !== node.text ? ts.factory.createIdentifier(shown) : node
        }
        if (ts.isTupleTypeNode(node)) ts.setEmitFlags(node, ts.EmitFlags.SingleLine)
        if (ts.isParameter(node) && !ts.isIdentifier(node.name)) {
          return ts.factory.updateParameterDeclaration(
            node,
            node.modifiers,
            node.dotDotDotToken,
            bindingPatternName(node.name),
            node.questionToken,
            node.type === undefined ? undefined : (ts.visitNode(node.type, visit) as ts.TypeNode),
            undefined,
          )
        }
        const visited = ts.visitEachChild(node, visit, context)
        if (sortUnions && ts.isUnionTypeNode(visited)) {
          const members = visited.types
            .map((type) => ({ type, key: printer.printNode(ts.EmitHint.Unspecified, type, noSourceFile) }))
            .sort((a, b) => unionRank(a.key) - unionRank(b.key) || compareText(a.key, b.key))
            .map((m) => m.type)
          return ts.factory.updateUnionTypeNode(visited, ts.factory.createNodeArray(members))
        }
        return visited
      }
      return (root) => ts.visitNode(root, visit) as ts.Node
    }
  }

  /** Two-space indentation, no trailing semicolons, module paths as a reader knows them. */
  private tidy(text: string): string[] {
    return text
      .replace(/import\("([^"]*)"\)/g, (_match, path: string) => `import('${this.moduleName(path)}')`)
      .split('\n')
      .map((line) => {
        const body = line.trimStart()
        const depth = Math.floor((line.length - body.length) / 4)
        return '  '.repeat(depth) + body.replace(/;\s*$/, '').trimEnd()
      })
      .filter((line) => line.length > 0)
  }
}

const isTypeOnlyAlias = (declaration: ts.Declaration): boolean =>
  ((ts.isExportSpecifier(declaration) || ts.isImportSpecifier(declaration)) &&
    (declaration.isTypeOnly ||
      (ts.isExportSpecifier(declaration)
        ? declaration.parent.parent.isTypeOnly
        : declaration.parent.parent.isTypeOnly))) ||
  (ts.isImportClause(declaration) && declaration.isTypeOnly) ||
  (ts.isNamespaceExport(declaration) && declaration.parent.isTypeOnly)

const inAmbientModule = (node: ts.Node): boolean => {
  for (let n = node.parent; n !== undefined; n = n.parent)
    if (ts.isModuleDeclaration(n) && ts.isStringLiteral(n.name)) return true
  return false
}

const isPublic = (declaration: ts.Declaration): boolean =>
  (ts.getCombinedModifierFlags(declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0

/** A member's own reported JSDoc tags, as a `/** @… *\/ ` prefix. */
const memberTags = (node: ts.Node): string => {
  const tags = ts
    .getJSDocTags(node)
    .map((t) => t.tagName.text)
    .filter((t) => (reportedTags as readonly string[]).includes(t))
  return tags.length === 0
    ? ''
    : `/** ${[...new Set(tags)]
        .sort(compareText)
        .map((t) => `@${t}`)
        .join(' ')} */ `
}

const propertyName = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`)

/** `text` before the first line. */
const prefix = (text: string, lines: readonly string[]): string[] =>
  lines.map((line, i) => (i === 0 ? text + line : line))

const suffix = (lines: readonly string[], text: string): string[] =>
  lines.map((line, i) => (i === lines.length - 1 ? line + text : line))

const indent = (lines: readonly string[]): string[] => lines.map((line) => `  ${line}`)

/** An export's lines as the report prints them: its tags, then its declaration. */
export const exportLines = (e: ApiExport): string[] => [
  ...(e.typeOnly ? ['/** (a type-only export: the value is not exported) */'] : []),
  ...(e.tags.length > 0 ? [`/** ${e.tags.map((t) => `@${t}`).join(' ')} */`] : []),
  ...e.lines,
]

/** Union members in a fixed order (the checker's follows type ids, which shift with unrelated code). */
const unionRank = (text: string): number => (text === 'null' ? 1 : text === 'undefined' ? 2 : 0)

const bindingPatternName = (name: ts.BindingName): ts.BindingName =>
  ts.isObjectBindingPattern(name)
    ? ts.factory.createIdentifier('{ … }')
    : ts.isArrayBindingPattern(name)
      ? ts.factory.createIdentifier('[ … ]')
      : name

const declaredTypeFlags =
  ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum

/** Nodes the checker built print from their own text, not a file's. */
const noSourceFile = undefined as unknown as ts.SourceFile
