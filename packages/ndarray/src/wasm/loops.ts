/** Loop shapes shared by generated kernels. */
import type { Code } from './code.js'

/**
 * Emits `for (i = start; i < end; i += step) body`, where `start` and `end` each push an i32 and `i` is an i32
 * local: the counted loop of the window and im2col kernels.
 * @category WebAssembly
 * @example
 * const mod = new ModuleBuilder()
 * mod.importMemory('env', 'memory', { initial: 1 })
 * // the sum of 0, 3, 6, … below n
 * mod.func(['i32'], ['i32'], (f) => {
 *   const [i, s] = [f.local('i32'), f.local('i32')]
 *   forStep(f, i, () => f.i32Const(0), () => f.get(0), () => f.get(s).get(i).i32Add().set(s), 3)
 *   f.get(s)
 * }, 'sum')
 * const { sum } = new WebAssembly.Instance(new WebAssembly.Module(mod.toBytes()), {
 *   env: { memory: new WebAssembly.Memory({ initial: 1 }) },
 * }).exports as { sum: (n: number) => number }
 * sum(10) // → 0 + 3 + 6 + 9
 */
export const forStep = (f: Code, i: number, start: () => void, end: () => void, body: () => void, step = 1): void => {
  start()
  f.set(i)
  f.block((done) =>
    f.loop((top) => {
      f.get(i)
      end()
      f.i32GeS().brIf(done)
      body()
      f.inc(i, step).br(top)
    }),
  )
}
