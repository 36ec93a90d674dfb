/** `ModuleBuilder`: assembles functions, one memory (imported or defined) and exports into a WebAssembly binary. */
import { Code } from './code.js'
import { nameBytes, sectionBytes, unsignedLeb, type ValType, valTypeCode, vectorBytes } from './encoding.js'

/**
 * Limits of the module's memory, in 64 KiB pages; a shared memory needs a maximum (threads proposal).
 * @category WebAssembly
 * @example
 * const limits: MemoryLimits = { initial: 1, maximum: 4, shared: true }
 * const bytes = new ModuleBuilder().importMemory('env', 'memory', limits).toBytes()
 * WebAssembly.validate(bytes) // → true
 * new ModuleBuilder().defineMemory({ initial: 1, shared: true }, 'memory').toBytes() // throws: a shared memory needs a maximum size
 */
export interface MemoryLimits {
  readonly initial: number
  readonly maximum?: number
  readonly shared?: boolean
}

interface FunctionEntry {
  readonly code: Code
  readonly exportName: string | undefined
}

const limitsBytes = ({ initial, maximum, shared = false }: MemoryLimits): number[] => {
  if (shared && maximum === undefined) throw new Error('wasm assembler: a shared memory needs a maximum size')
  // flags: bit 0 = has maximum, bit 1 = shared
  if (maximum === undefined) return [0x00, ...unsignedLeb(initial)]
  return [shared ? 0x03 : 0x01, ...unsignedLeb(initial), ...unsignedLeb(maximum)]
}

/**
 * Builds one module: add functions (a callee before its callers, so its index is known), give the memory,
 * then `toBytes()`.
 * @category WebAssembly
 * @example
 * const mod = new ModuleBuilder()
 * mod.importMemory('env', 'memory', { initial: 1 })
 * mod.func(['i32', 'i32'], ['i32'], (f) => f.get(0).get(1).i32Add(), 'add')
 * const { add } = new WebAssembly.Instance(new WebAssembly.Module(mod.toBytes()), {
 *   env: { memory: new WebAssembly.Memory({ initial: 1 }) },
 * }).exports as { add: (a: number, b: number) => number }
 * add(2, 3) // → 5
 */
export class ModuleBuilder {
  private readonly functions: FunctionEntry[] = []
  private memoryImport: { module: string; field: string; limits: MemoryLimits } | undefined
  private memoryDefinition: { limits: MemoryLimits; exportName: string } | undefined

  /**
   * Imports the memory (index 0) as `module.field`.
   * @example
   * const bytes = new ModuleBuilder().importMemory('env', 'memory', { initial: 1 }).toBytes()
   * WebAssembly.Module.imports(new WebAssembly.Module(bytes)) // → [{ module: 'env', name: 'memory', kind: 'memory' }]
   */
  importMemory(module: string, field: string, limits: MemoryLimits): this {
    this.memoryImport = { module, field, limits }
    return this
  }

  /**
   * Defines the memory (index 0) in the module and exports it.
   * @example
   * const bytes = new ModuleBuilder().defineMemory({ initial: 1 }, 'memory').toBytes()
   * WebAssembly.Module.exports(new WebAssembly.Module(bytes)) // → [{ name: 'memory', kind: 'memory' }]
   */
  defineMemory(limits: MemoryLimits, exportName: string): this {
    this.memoryDefinition = { limits, exportName }
    return this
  }

  /**
   * Adds a function whose body `build` emits, exported when `exportName` is given; returns its index.
   * @example
   * const mod = new ModuleBuilder()
   * const twice = mod.func(['f32'], ['f32'], (f) => f.get(0).get(0).raw(0x92)) // f32.add, not exported
   * twice // → 0 // its index
   * mod.func(['f32'], ['f32'], (f) => f.get(0).call(twice).call(twice), 'quadruple') // → 1
   * const { quadruple } = new WebAssembly.Instance(new WebAssembly.Module(mod.toBytes())).exports as {
   *   quadruple: (x: number) => number
   * }
   * quadruple(1.5) // → 6
   */
  func(params: readonly ValType[], results: readonly ValType[], build: (f: Code) => void, exportName?: string): number {
    const code = new Code(params, results)
    build(code)
    this.functions.push({ code, exportName })
    return this.functions.length - 1
  }

  /**
   * The binary module.
   * @example
   * const bytes = new ModuleBuilder().toBytes()
   * WebAssembly.validate(bytes)     // → true
   * Array.from(bytes.slice(0, 8))   // → [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0] // "\0asm", version 1
   */
  toBytes(): Uint8Array<ArrayBuffer> {
    // Type section: one function type per distinct signature.
    const signatures: string[] = []
    const typeIndex = this.functions.map(({ code }) => {
      const key = `${code.params.join()}->${code.results.join()}`
      const found = signatures.indexOf(key)
      if (found >= 0) return found
      signatures.push(key)
      return signatures.length - 1
    })
    const typeEntries = signatures.map((key) => {
      const [params = '', results = ''] = key.split('->')
      const types = (s: string) => (s === '' ? [] : s.split(',').map((t) => [valTypeCode[t as ValType]]))
      return [0x60, ...vectorBytes(types(params)), ...vectorBytes(types(results))]
    })

    const imports = this.memoryImport
      ? [
          [
            ...nameBytes(this.memoryImport.module),
            ...nameBytes(this.memoryImport.field),
            0x02,
            ...limitsBytes(this.memoryImport.limits),
          ],
        ]
      : []
    const memories = this.memoryDefinition ? [limitsBytes(this.memoryDefinition.limits)] : []
    const exports = [
      ...this.functions.flatMap(({ exportName }, i) =>
        exportName === undefined ? [] : [[...nameBytes(exportName), 0x00, ...unsignedLeb(i)]],
      ),
      ...(this.memoryDefinition ? [[...nameBytes(this.memoryDefinition.exportName), 0x02, 0x00]] : []),
    ]

    const bytes = [
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic "\0asm", version 1
      ...sectionBytes(1, vectorBytes(typeEntries)),
      ...(imports.length > 0 ? sectionBytes(2, vectorBytes(imports)) : []),
      ...sectionBytes(3, vectorBytes(typeIndex.map((t) => unsignedLeb(t)))),
      ...(memories.length > 0 ? sectionBytes(5, vectorBytes(memories)) : []),
      ...sectionBytes(7, vectorBytes(exports)),
      ...sectionBytes(10, vectorBytes(this.functions.map(({ code }) => code.encode()))),
    ]
    return new Uint8Array(bytes)
  }
}
