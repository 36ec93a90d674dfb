// vmap itself: axes and pytrees, composition with the other transforms, keys, Jacobians built on it, bad input.
import { dot } from '@nabla/linalg'
import {
  add,
  array,
  bernoulli,
  cos,
  exp,
  item,
  key,
  log,
  max,
  mul,
  type NDArray,
  normal,
  ones,
  reshape,
  sin,
  slice,
  split,
  stack,
  sub,
  sum,
  tanh,
  toArray,
  uniform,
  zeros,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import { customVjp, grad, hessian, jacfwd, jacrev, jvp, valueAndGrad, vmap } from '../src/index.js'
import { type MlpParams, mlpLoss } from './mlpLoss.js'
import { hessianPerBasis, jacfwdPerBasis, jacrevPerBasis } from './perBasis.js'
import { expectSame } from './same.js'

const keys = split(key(13), 16)
let next = 0
const randn = (shape: number[], dtype: 'float32' | 'float64' = 'float64') =>
  normal(keys[next++ % keys.length]!, shape, { dtype })

/** Example `b` of `x` along `axis`. */
const at = (x: NDArray, axis: number, b: number): NDArray => slice(x, ...Array<null>(axis).fill(null), b)

describe('vmap: axes, pytrees, unmapped arguments', () => {
  it('maps axis 0 by default and stacks results on axis 0', () => {
    const xs = array([
      [1, 2],
      [3, 4],
      [5, 6],
    ])
    expect(toArray(vmap((x: NDArray) => sum(mul(x, x)))(xs))).toEqual([5, 25, 61])
  })
  it('inAxes per argument, null for an argument every example shares, negative axes, outAxes', () => {
    const m = randn([3, 4])
    const v = randn([3])
    // columns of m (axis −1) dotted with v, results laid out along axis 0
    const got = vmap((col: NDArray, w: NDArray) => dot(col, w), { inAxes: [-1, null] })(m, v)
    const want = stack([0, 1, 2, 3].map((j) => dot(at(m, 1, j), v)))
    expectSame(got, want)
    const scaled = vmap((row: NDArray, s: NDArray) => mul(row, s), { inAxes: [0, 0], outAxes: 1 })(m, v)
    expectSame(
      scaled,
      stack(
        [0, 1, 2].map((i) => mul(at(m, 0, i), at(v, 0, i))),
        1,
      ),
    )
  })
  it('inAxes as a pytree prefix of the arguments, and non-array arguments left unmapped', () => {
    const params = { w: randn([4, 2]), b: randn([2]) }
    const xs = randn([5, 4])
    const f = (p: { w: NDArray; b: NDArray }, x: NDArray, scale: number) => mul(add(dot(x, p.w), p.b), scale)
    const got = vmap(f, { inAxes: [{ w: null, b: null }, 0, null] })(params, xs, 3)
    expectSame(got, stack([0, 1, 2, 3, 4].map((i) => f(params, at(xs, 0, i), 3))))
    // a per-leaf prefix: w mapped on its axis 1 (one w column per example), b shared
    const ws = randn([4, 5])
    const g = (p: { w: NDArray; b: NDArray }) => add(sum(p.w), p.b)
    const got2 = vmap(g, { inAxes: [{ w: 1, b: null }] })({ w: ws, b: params.b })
    expectSame(got2, stack([0, 1, 2, 3, 4].map((i) => g({ w: at(ws, 1, i), b: params.b }))))
  })
  it('outAxes as a pytree, and an output that does not depend on the mapped arguments is broadcast', () => {
    const xs = randn([3, 2])
    const c = randn([2])
    const [a, b] = vmap((x: NDArray) => [exp(x), c], { outAxes: [1, 0] })(xs) as NDArray[]
    expectSame(
      a as NDArray,
      stack(
        [0, 1, 2].map((i) => exp(at(xs, 0, i))),
        1,
      ),
    )
    expectSame(b as NDArray, stack([c, c, c]))
    const out = vmap((x: NDArray) => ({ y: sin(x), shared: c }), { outAxes: { y: 0, shared: null } })(xs) as {
      y: NDArray
      shared: NDArray
    }
    expect(out.shared).toBe(c)
    expectSame(out.y, sin(xs))
  })
  it('batch size 1', () => {
    const xs = randn([1, 3])
    expectSame(vmap((x: NDArray) => mul(sum(x), x))(xs), stack([mul(sum(at(xs, 0, 0)), at(xs, 0, 0))]))
  })
  it('nested vmap over two different axes equals the double loop', () => {
    const xs = randn([3, 4, 2])
    const f = (x: NDArray) => max(mul(x, x)) // x: [2] per (i, j)
    // the outer vmap maps axis 1 (4 examples of [3,2]), the inner one axis 0 of those (3 examples of [2])
    const got = vmap(vmap(f, { inAxes: 0 }), { inAxes: 1 })(xs) // [4, 3]
    const want = stack([0, 1, 2, 3].map((j) => stack([0, 1, 2].map((i) => f(at(at(xs, 1, j), 0, i))))))
    expectSame(got, want)
    const other = vmap(vmap(f, { inAxes: 0 }), { inAxes: 0, outAxes: 1 })(xs) // [4, 3] again
    expectSame(other, want)
  })
  it('a closure over an outer vmap value inside an inner vmap (no confusion between levels)', () => {
    const xs = randn([3])
    const ys = randn([4])
    const got = vmap((x: NDArray) => vmap((y: NDArray) => mul(x, y))(ys))(xs) // [3, 4]
    const want = stack([0, 1, 2].map((i) => mul(at(xs, 0, i), ys)))
    expectSame(got, want)
  })
})

describe('vmap composed with the derivative transforms', () => {
  const params: MlpParams = {
    w1: randn([6, 5], 'float32'),
    b1: randn([5], 'float32'),
    w2: randn([5, 3], 'float32'),
    b2: randn([3], 'float32'),
  }
  const xs = randn([4, 6], 'float32')
  const ys = array([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 0],
  ])
  const single = (p: MlpParams, x: NDArray, y: NDArray) => mlpLoss(p, reshape(x, [1, 6]), reshape(y, [1, 3]))

  it('vmap(grad(f)): per-example gradients equal a loop of single-example gradients', () => {
    const perExample = vmap(grad(single), { inAxes: [null, 0, 0] })(params, xs, ys) as MlpParams
    const loop = [0, 1, 2, 3].map((i) => grad(single)(params, at(xs, 0, i), at(ys, 0, i)) as MlpParams)
    for (const k of ['w1', 'b1', 'w2', 'b2'] as const) {
      expect(perExample[k].shape).toEqual([4, ...params[k].shape])
      expect(perExample[k]).toBeAllClose(stack(loop.map((g) => g[k])), { rtol: 1e-6, atol: 1e-7 })
    }
  })
  it('the per-example gradients average to the batch gradient', () => {
    const perExample = vmap(grad(single), { inAxes: [null, 0, 0] })(params, xs, ys) as MlpParams
    const batch = grad(mlpLoss)(params, xs, ys) as MlpParams
    for (const k of ['w1', 'b1', 'w2', 'b2'] as const) {
      expect(mul(sum(perExample[k], { axis: 0 }), 0.25)).toBeAllClose(batch[k], { rtol: 1e-5, atol: 1e-6 })
    }
  })
  it('grad(vmap(f)) through a sum equals vmap(grad(f))', () => {
    const f = (x: NDArray) => sum(mul(sin(x), x))
    const x = randn([5, 3])
    const outer = grad((z: NDArray) => sum(vmap(f)(z)))(x)
    expect(outer).toBeAllClose(vmap(grad(f))(x), { rtol: 1e-12 })
    expect(outer).toBeAllClose(add(mul(cos(x), x), sin(x)), { rtol: 1e-12 })
  })
  it('grad with respect to an unmapped argument of a vmapped function sums over the examples', () => {
    const w = randn([3])
    const xs2 = randn([4, 3])
    const g = grad((v: NDArray) => sum(vmap((x: NDArray) => tanh(sum(mul(x, v))))(xs2)))(w)
    const want = sum(stack([0, 1, 2, 3].map((i) => grad((v: NDArray) => tanh(sum(mul(at(xs2, 0, i), v))))(w))), {
      axis: 0,
    })
    expect(g).toBeAllClose(want, { rtol: 1e-12 })
  })
  it('vmap over jvp, and jvp of vmap', () => {
    const f = (x: NDArray) => mul(exp(x), sin(x))
    const x = randn([3])
    const ts = randn([4, 3])
    const tangents = vmap((t: NDArray) => jvp(f, [x], [t])[1])(ts)
    const loop = stack([0, 1, 2, 3].map((i) => jvp(f, [x], [at(ts, 0, i)])[1]))
    expect(tangents).toBeAllClose(loop, { rtol: 1e-12 })
    const xs2 = randn([4, 3])
    const [y, dy] = jvp(vmap(f), [xs2], [ts])
    expectSame(y, vmap(f)(xs2))
    expect(dy).toBeAllClose(stack([0, 1, 2, 3].map((i) => jvp(f, [at(xs2, 0, i)], [at(ts, 0, i)])[1])), { rtol: 1e-12 })
  })
  it('valueAndGrad under vmap returns per-example values and gradients', () => {
    const f = (x: NDArray) => sum(mul(x, x))
    const xs2 = array(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64' },
    )
    const [v, g] = vmap(valueAndGrad(f))(xs2)
    expect(toArray(v)).toEqual([14, 77])
    expect(toArray(g)).toEqual([
      [2, 4, 6],
      [8, 10, 12],
    ])
  })
  it('customVjp under vmap: its own backward pass runs in vmap(grad(f)) and in grad(vmap(f))', () => {
    // the custom rule is deliberately not the true derivative (2·ct instead of cos), so the tests can tell which ran
    let calls = 0
    const s = customVjp((x: NDArray) => sin(x), {
      fwd: (x) => [sin(x), x] as const,
      bwd: (x, ct) => {
        calls++
        return [mul(ct, add(mul(x, 0), 2))]
      },
    })
    const xs2 = randn([4, 3])
    const perExample = vmap(grad((x: NDArray) => sum(s(x))))(xs2)
    expect(toArray(perExample)).toEqual(toArray(mul(ones([4, 3], { dtype: 'float64' }), 2)))
    expect(calls).toBe(1) // one batched backward pass, not one per example
    const throughSum = grad((z: NDArray) => sum(vmap((x: NDArray) => sum(s(x)))(z)))(xs2)
    expect(toArray(throughSum)).toEqual(toArray(mul(ones([4, 3], { dtype: 'float64' }), 2)))
    expect(calls).toBe(2)
    // with an unmapped argument, its cotangent is summed over the examples
    const scale = customVjp((x: NDArray, w: NDArray) => mul(x, w), {
      fwd: (x, w) => [mul(x, w), [x, w]] as const,
      bwd: ([x, w], ct) => [mul(ct, w), mul(ct, x)],
    })
    const w = randn([3])
    const gw = grad((v: NDArray) => sum(vmap((x: NDArray) => sum(scale(x, v)))(xs2)))(w)
    expect(gw).toBeAllClose(sum(xs2, { axis: 0 }), { rtol: 1e-12 })
    // without grad the plain function runs, batched
    expectSame(vmap(s)(xs2), sin(xs2))
  })
})

describe('vmap over keys', () => {
  it('each example gets its own key: the draws equal drawing per key, and differ between examples', () => {
    const ks = split(key(3), 4)
    const draws = vmap((k: ReturnType<typeof key>) => normal(k, [5]))(ks)
    expectSame(draws, stack(ks.map((k) => normal(k, [5]))))
    const rows = toArray(draws) as number[][]
    expect(new Set(rows.map((r) => r[0])).size).toBe(4)
  })
  it('keys mix with arrays and unmapped arguments; split, uniform and bernoulli draw per example', () => {
    const ks = split(key(5), 3)
    const xs = randn([3, 2], 'float32')
    const noisy = vmap(
      (k: ReturnType<typeof key>, x: NDArray, s: NDArray) => {
        const [k1, k2] = split(k)
        return add(mul(uniform(k1!, [2]), s), mul(x, bernoulli(k2!, 0.5, [2])))
      },
      { inAxes: [0, 0, null] },
    )(ks, xs, array(2))
    const want = stack(
      ks.map((k, i) => {
        const [k1, k2] = split(k)
        return add(mul(uniform(k1!, [2]), array(2)), mul(at(xs, 0, i), bernoulli(k2!, 0.5, [2])))
      }),
    )
    expectSame(noisy, want)
  })
  it('nested vmap over a list of key lists, and keys returned from the mapped function', () => {
    // a list of key lists is a list of mapped leaves (as a list of arrays is): the outer vmap runs over the
    // position within each list, and hands the inner one a list of batched keys to map over
    const grid = split(key(9), 2).map((k) => split(k, 3)) // 2 lists of 3 keys
    const draws = vmap(vmap((k: ReturnType<typeof key>) => uniform(k, [2])))(grid)
    expectSame(draws, stack([0, 1, 2].map((j) => stack(grid.map((row) => uniform(row[j]!, [2]))))))
    const ks = split(key(1), 3)
    const children = vmap((k: ReturnType<typeof key>) => split(k)[1]!)(ks) as ReturnType<typeof key>[]
    expect(children.map((k) => k.words)).toEqual(ks.map((k) => split(k)[1]!.words))
  })
  it('a batched key cannot be read as words', () => {
    expect(() =>
      vmap((k: ReturnType<typeof key>) => {
        void k.words
        return zeros([])
      })(split(key(0), 2)),
    ).toThrow(
      'random: this key stands for one key per example inside vmap, so it has no single pair of words; use it with split, uniform, normal, bernoulli or permutation, which draw per example',
    )
  })
})

describe('jacfwd, jacrev and hessian on vmap', () => {
  const A = randn([4, 3])
  const f = (x: NDArray) => tanh(add(dot(A, x), sum(mul(sin(x), x))))
  const x = randn([3])
  /** Central differences of f at x, shaped [...out, ...in]. */
  const numericJacobian = (g: (z: NDArray) => NDArray, z: NDArray, eps = 1e-6): NDArray => {
    const cols = Array.from({ length: z.size }, (_, i) => {
      const e = toArray(zeros([z.size], { dtype: 'float64' })) as number[]
      e[i] = eps
      const d = reshape(array(e, { dtype: 'float64' }), z.shape)
      return mul(sub(g(add(z, d)), g(sub(z, d))), 1 / (2 * eps))
    })
    const stacked = stack(cols, -1)
    return reshape(stacked, [...stacked.shape.slice(0, -1), ...z.shape])
  }
  it('jacfwd and jacrev equal the per-basis-vector versions and finite differences (float64)', () => {
    const jf = jacfwd(f)(x)
    const jr = jacrev(f)(x)
    expect(jf.shape).toEqual([4, 3])
    expect(jf).toBeAllClose(jacfwdPerBasis(f)(x), { rtol: 1e-13, atol: 1e-15 })
    expect(jr).toBeAllClose(jacrevPerBasis(f)(x), { rtol: 1e-13, atol: 1e-15 })
    expect(jf).toBeAllClose(numericJacobian(f, x), { rtol: 1e-7, atol: 1e-9 })
    expect(jr).toBeAllClose(numericJacobian(f, x), { rtol: 1e-7, atol: 1e-9 })
  })
  it('matrix-shaped inputs and outputs keep their shapes: [...out, ...in]', () => {
    const g = (m: NDArray) => exp(mul(m, 0.3))
    const m = randn([2, 3])
    expect(jacfwd(g)(m).shape).toEqual([2, 3, 2, 3])
    expect(jacfwd(g)(m)).toBeAllClose(jacfwdPerBasis(g)(m), { rtol: 1e-13 })
    expect(jacrev(g)(m)).toBeAllClose(jacrevPerBasis(g)(m), { rtol: 1e-13 })
  })
  it('hessian of a log-sum-exp of a linear map equals the per-basis version, finite differences and the formula', () => {
    const W = randn([6, 5])
    const lse = (z: NDArray) => log(sum(exp(dot(W, z))))
    const z = randn([5])
    const h = hessian(lse)(z)
    expect(h.shape).toEqual([5, 5])
    expect(h).toBeAllClose(hessianPerBasis(lse)(z), { rtol: 1e-12, atol: 1e-14 })
    expect(h).toBeAllClose(numericJacobian(grad(lse), z), { rtol: 1e-6, atol: 1e-8 })
    // Wᵀ (diag p − p pᵀ) W with p = softmax(W z)
    const logits = toArray(dot(W, z)) as number[]
    const mx = Math.max(...logits)
    const ez = logits.map((l) => Math.exp(l - mx))
    const p = ez.map((e) => e / ez.reduce((a, b) => a + b, 0))
    const Wv = toArray(W) as number[][]
    const formula = Array.from({ length: 5 }, (_, i) =>
      Array.from({ length: 5 }, (_, j) => {
        let s = 0
        for (let a = 0; a < 6; a++)
          for (let b = 0; b < 6; b++)
            s += (Wv[a]![i] as number) * ((a === b ? p[a]! : 0) - p[a]! * p[b]!) * (Wv[b]![j] as number)
        return s
      }),
    )
    expect(h).toBeAllClose(formula, { rtol: 1e-10, atol: 1e-12 })
    expect(item(sum(h))).toBeCloseTo(item(sum(hessianPerBasis(lse)(z))), 12)
  })
})

describe('vmap: bad input', () => {
  const x3 = zeros([3, 2])
  const x4 = zeros([4, 2])
  const id = (...xs: NDArray[]) => xs[0] as NDArray
  it('mapped arguments with different batch sizes list each axis and size', () => {
    expect(() => vmap(id, { inAxes: [0, 1] })(x3, zeros([2, 4]))).toThrow(
      'vmap: the mapped arguments have different batch sizes: argument 0 (shape [3,2]) has size 3 along axis 0, argument 1 (shape [2,4]) has size 4 along axis 1; every mapped axis must have the same size',
    )
    expect(() => vmap(id)({ a: x3, b: x4 } as never)).toThrow(
      'vmap: the mapped arguments have different batch sizes: argument 0.a (shape [3,2]) has size 3 along axis 0, argument 0.b (shape [4,2]) has size 4 along axis 0; every mapped axis must have the same size',
    )
  })
  it('an axis out of range for an argument, or for an output', () => {
    expect(() => vmap(id, { inAxes: 2 })(x3)).toThrow(
      'vmap: inAxes 2 is out of range for argument 0 (shape [3,2], rank 2): expected an axis in -2…1',
    )
    expect(() => vmap(id, { inAxes: -3 })(x3)).toThrow(
      'vmap: inAxes -3 is out of range for argument 0 (shape [3,2], rank 2): expected an axis in -2…1',
    )
    expect(() => vmap(id)(zeros([]))).toThrow(
      'vmap: inAxes 0 is out of range for argument 0 (shape [], rank 0): a scalar has no axis to map over',
    )
    expect(() => vmap(id, { outAxes: 2 })(x3)).toThrow(
      'vmap: outAxes 2 is out of range for output (shape [2] per example, so rank 2 with the example axis): expected an axis in -2…1',
    )
  })
  it('an inAxes tree that does not match the arguments', () => {
    expect(() => vmap(id, { inAxes: [0, 0] })(x3)).toThrow(
      'vmap: inAxes has 2 entries (one per argument), but the function was called with 1 argument(s)',
    )
    expect(() => vmap(id, { inAxes: [[0, 0]] })(x3)).toThrow(
      'vmap: inAxes does not match the structure of the arguments: at argument 0, inAxes is a list of 2 but the value is an NDArray of shape [3,2]',
    )
    expect(() => vmap(id, { inAxes: [{ w: 0, b: null }] })({ w: x3 } as never)).toThrow(
      'vmap: inAxes does not match the structure of the arguments: at argument 0, inAxes is a record with keys b, w but the value is a record with keys w',
    )
    expect(() => vmap(id, { inAxes: { w: 0 } })(x3)).toThrow(
      'vmap: inAxes must be an axis, null, or a list with one entry per argument, got a record with keys w; for a record argument write inAxes: [{ … }]',
    )
    expect(() => vmap(id, { inAxes: [0.5] })).toThrow('vmap: inAxes[0] must be an integer axis or null, got 0.5')
    expect(() => vmap(id, { inAxes: ['0' as never] })).toThrow(
      'vmap: inAxes[0] must be an integer axis, null, or a list or record of them, got the string "0"',
    )
    expect(() => vmap(id, { inAxis: 0 } as never)).toThrow(
      'vmap: unknown option "inAxis"; the options are inAxes, outAxes',
    )
  })
  it('a mapped value that is not an array, a single key, or nothing mapped at all', () => {
    expect(() => vmap(id, { inAxes: [0, 0] })(x3, 2 as never)).toThrow(
      'vmap: argument 1 is the number 2, but inAxes maps it (axis 0); only NDArrays (and lists of keys) can be mapped: give it inAxes null to pass it unchanged to every example',
    )
    expect(() => vmap(id)(key(0) as never)).toThrow(
      'vmap: argument 0 is a single key, which has no axis to map over (inAxes 0); to give each example its own key pass a list of keys (split(k, n)), or give it inAxes null to share it',
    )
    expect(() => vmap(id, { inAxes: null })(x3)).toThrow(
      'vmap: no argument is mapped: every inAxes entry is null or covers no arrays; map at least one array argument (e.g. inAxes: 0)',
    )
  })
  it('outAxes on a non-array output, an outAxes tree that does not match, a mapped output with outAxes null', () => {
    expect(() => vmap((x: NDArray) => [x, 'done'])(x3)).toThrow(
      'vmap: outAxes gives output[1] axis 0, but it is the string "done", not an NDArray; the function must return NDArrays (or lists and records of them) where outAxes places an axis, or give that output outAxes null',
    )
    expect(() => vmap((x: NDArray) => [x, x], { outAxes: [0] })(x3)).toThrow(
      "vmap: outAxes does not match the structure of the function's output: at output, outAxes is a list of 1 but the value is a list of 2",
    )
    expect(() => vmap((x: NDArray) => x, { outAxes: null })(x3)).toThrow(
      'vmap: output differs from example to example, but its outAxes is null (which asks for one value shared by every example); give it an axis such as 0',
    )
    expect((vmap((x: NDArray) => [x, 'kept'], { outAxes: [0, null] })(x3) as unknown[])[1]).toBe('kept')
  })
  it('an argument that is not a function', () => {
    expect(() => vmap(3 as never)).toThrow('vmap: expected a function to batch, got the number 3')
  })
})
