/** `checkGemmArgs`: validates a float32 GEMM call (dims, element type, offsets and leading dimensions in bounds). */
import type { GemmArgs } from '../gemm.js'

const isCount = (x: number): boolean => Number.isInteger(x) && x >= 0

// The stored matrix spans rows×cols with row stride ld from offset: it must lie inside the array.
const checkOperand = (
  op: string,
  name: string,
  data: Float32Array,
  offset: number,
  ld: number,
  rows: number,
  cols: number,
): void => {
  if (!isCount(offset)) throw new RangeError(`${op}: ${name}Offset must be a non-negative integer, got ${offset}`)
  if (!Number.isInteger(ld) || ld < Math.max(1, cols)) {
    throw new RangeError(`${op}: ld${name} must be an integer ≥ max(1, ${cols}) (the stored row length), got ${ld}`)
  }
  if (rows > 0 && cols > 0) {
    const needed = offset + (rows - 1) * ld + cols
    if (needed > data.length) {
      throw new RangeError(
        `${op}: ${name} is stored as [${rows}×${cols}] with ld${name} ${ld} from offset ${offset}, ` +
          `which needs ${needed} elements, but ${name} has ${data.length}`,
      )
    }
  }
}

/**
 * Throws a RangeError or TypeError naming `op` when `args` is not a valid float32 GEMM: non-integer or negative
 * m, n, k; operands that are not Float32Array; offsets or leading dimensions that leave the arrays.
 * @example
 * // internal (not exported): validates each call into the wasm tier, e.g. checkGemmArgs('gemmWasm', args) throws
 * // "gemmWasm: a is a Float64Array; this kernel takes Float32Array". Products through the public ops always pass:
 * // float64 goes to the ts tier, and views come with their offsets and leading dimensions
 * const before = setKernel({ kernel: 'wasm' })
 * try {
 *   matmul(ones([2, 2], { dtype: 'float64' }), ones([2, 2], { dtype: 'float64' }))
 *   kernelInfo().last.tier // → 'ts'
 *   toArray(matmul(slice(ones([4, 6]), [1, 3], [2, 5]), ones([3, 2]))) // → [[3, 3], [3, 3]]
 * } finally {
 *   setKernel(before)
 * }
 */
export const checkGemmArgs = (op: string, args: GemmArgs): void => {
  const { m, n, k, transA, transB } = args
  for (const [name, value] of [
    ['m', m],
    ['n', n],
    ['k', k],
  ] as const) {
    if (!isCount(value)) throw new RangeError(`${op}: ${name} must be a non-negative integer, got ${value}`)
  }
  for (const name of ['a', 'b', 'c'] as const) {
    const x = args[name] as unknown
    if (!(x instanceof Float32Array)) {
      const kind = (x as object | undefined)?.constructor?.name ?? typeof x
      throw new TypeError(`${op}: ${name} is a ${kind}; this kernel takes Float32Array`)
    }
  }
  const a = args.a as Float32Array
  const b = args.b as Float32Array
  checkOperand(op, 'a', a, args.aOffset, args.lda, transA ? k : m, transA ? m : k)
  checkOperand(op, 'b', b, args.bOffset, args.ldb, transB ? n : k, transB ? k : n)
  checkOperand(op, 'c', args.c as Float32Array, args.cOffset, args.ldc, m, n)
}
