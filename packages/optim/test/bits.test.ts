// The step counts are float64 arrays: every optimizer gives the bits it gave with JS-number counts (the reference
// below is that implementation, written out with JS numbers), eagerly and with the count traced (jvp stands in
// for jit: under it the state is traced and the schedules run in their array form).
import { jvp } from '@nabla/autodiff'
import {
  add,
  array,
  type DType,
  div,
  fuse,
  item,
  mul,
  type NDArray,
  sqrt,
  square,
  sub,
  type Tree,
  toTypedArray,
  treeFlatten,
  treeMap,
  zeros,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  adagrad,
  adam,
  applyUpdates,
  chain,
  exponentialDecay,
  type GradientTransformation,
  type LearningRate,
  piecewiseConstant,
  rmsprop,
  scaleByAdagrad,
  scaleByRms,
  sgd,
  trace,
} from '../src/index.js'
import { treeZipWith } from '../src/treeZipWith.js'

// biome-ignore lint/suspicious/noExplicitAny: states of different optimizers
type Opt = GradientTransformation<any>

/** The previous scaleByLearningRate: a JS-number count, the rate a JS number, `mul(g, −lr)` (a scalar of g's dtype). */
const refLearningRate = (lr: LearningRate): GradientTransformation<{ count: number }> => ({
  init: () => ({ count: 0 }),
  update: (grads, { count }) => {
    const rate = (typeof lr === 'function' ? lr(count) : lr) * -1
    return [treeMap((g: NDArray) => mul(g, rate), grads), { count: count + 1 }]
  },
})

/** The previous scaleByAdam: α = √(1−β₂ᵗ)/(1−β₁ᵗ) in JS doubles; fused per leaf as it was, or op by op. */
const refAdam = (
  fused: boolean,
  { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = {},
): GradientTransformation<{ count: number; mu: Tree; nu: Tree }> => ({
  init: (params) => ({ count: 0, mu: zerosOf(params), nu: zerosOf(params) }),
  update: (grads, state) => {
    const t = state.count + 1
    const alpha = Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    const leaf = (g: NDArray, m: NDArray, v: NDArray): [NDArray, NDArray, NDArray] => {
      const mu = add(m, mul(sub(g, m), 1 - beta1))
      const nu = add(v, mul(sub(square(g), v), 1 - beta2))
      return [div(mul(mu, alpha), add(sqrt(nu), epsilon)), mu, nu]
    }
    const [updates, mu, nu] = treeZipWith(fused ? fuse(leaf) : leaf, grads, state.mu, state.nu)
    return [updates, { count: t, mu, nu }]
  },
})

const zerosOf = (tree: Tree): Tree => treeMap((x: NDArray) => zeros(x.shape, { dtype: x.dtype }), tree)

const decay = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.7 })
const stairs = exponentialDecay({ initialLearningRate: 0.05, decaySteps: 2, decayRate: 0.5, staircase: true })
const pieces = piecewiseConstant({ boundaries: [1, 3.5], values: [0.1, 0.05, 0.01] })

// name, the optimizer, the previous implementation (its fused or op-by-op form), dtypes checked under a trace
type Row = [string, () => Opt, (fused: boolean) => Opt, readonly DType[]]
const both: readonly DType[] = ['float32', 'float64']
const table: Row[] = [
  ['sgd', () => sgd({ learningRate: 0.1 }), () => chain(refLearningRate(0.1)), both],
  ['sgd, exponentialDecay', () => sgd({ learningRate: decay }), () => chain(refLearningRate(decay)), both],
  ['sgd, staircase decay', () => sgd({ learningRate: stairs }), () => chain(refLearningRate(stairs)), both],
  ['sgd, piecewiseConstant', () => sgd({ learningRate: pieces }), () => chain(refLearningRate(pieces)), both],
  [
    'sgd + momentum, exponentialDecay',
    () => sgd({ learningRate: decay, momentum: 0.9 }),
    () => chain(refLearningRate(decay), trace({ decay: 0.9 })),
    both,
  ],
  [
    'sgd + nesterov, piecewiseConstant',
    () => sgd({ learningRate: pieces, momentum: 0.8, nesterov: true }),
    () => chain(refLearningRate(pieces), trace({ decay: 0.8, nesterov: true })),
    both,
  ],
  ['rmsprop', () => rmsprop(), () => chain(scaleByRms(), refLearningRate(0.001)), both],
  [
    'rmsprop centered + momentum, staircase decay',
    () => rmsprop({ learningRate: stairs, centered: true, momentum: 0.5 }),
    () => chain(scaleByRms({ centered: true }), refLearningRate(stairs), trace({ decay: 0.5 })),
    both,
  ],
  [
    'adagrad, piecewiseConstant',
    () => adagrad({ learningRate: pieces }),
    () => chain(scaleByAdagrad(), refLearningRate(pieces)),
    both,
  ],
  ['adam', () => adam(), (fused) => chain(refAdam(fused), refLearningRate(0.001)), both],
  [
    'adam, exponentialDecay',
    () => adam({ learningRate: decay }),
    (fused) => chain(refAdam(fused), refLearningRate(decay)),
    both,
  ],
  [
    'adam β₁ 0.5 β₂ 0.9 ε 1e-3, staircase decay',
    () => adam({ learningRate: stairs, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }),
    (fused) => chain(refAdam(fused, { beta1: 0.5, beta2: 0.9, epsilon: 1e-3 }), refLearningRate(stairs)),
    both,
  ],
]

/** Each element's bits, as hex. */
const bits = (x: NDArray): string[] => {
  const t = toTypedArray(x)
  const words =
    t instanceof Float64Array
      ? Array.from(new BigUint64Array(t.buffer, t.byteOffset, t.length))
      : Array.from(new Uint32Array(t.buffer, t.byteOffset, t.length))
  return words.map((w) => w.toString(16))
}

/** Parameters `{ w, b: [b] }` of `size` + 2 elements and a different gradient for each step. */
const paramsOf = (dtype: DType, size: number): Tree => ({
  w: array(
    Array.from({ length: size }, (_, i) => Math.sin(i + 1)),
    { dtype },
  ),
  b: [array([0.25, -1.5], { dtype })],
})
const gradsAt = (step: number, params: Tree): Tree =>
  treeMap((p: NDArray) => {
    const n = p.size
    return array(
      Array.from({ length: n }, (_, i) => Math.cos(3 * i + 7 * step) * (1 + (i % 5))),
      { dtype: p.dtype },
    )
  }, params)

/** Every array of the two states has the same bits; a JS-number count of the reference equals the array count. */
const expectSameState = (state: Tree, reference: unknown): void => {
  const [leaves] = treeFlatten(state)
  const [refLeaves] = treeFlatten(reference as Tree, {
    isLeaf: (x) => typeof x === 'number' || (typeof x === 'object' && x !== null && 'dtype' in x),
  })
  expect(leaves.length).toBe(refLeaves.length)
  leaves.forEach((leaf, i) => {
    const r = refLeaves[i] as unknown
    if (typeof r === 'number') {
      expect(leaf.dtype).toBe('float64')
      expect(item(leaf)).toBe(r)
    } else expect(bits(leaf)).toEqual(bits(r as NDArray))
  })
}

const steps = 7

describe.each(table)('%s: the same bits as with JS-number counts', (_, make, reference, tracedDTypes) => {
  it.each([
    ['float32', 3],
    ['float32', 2048],
    ['float64', 3],
  ] as const)('eagerly, %s × %i', (dtype, size) => {
    const opt = make()
    // op by op, each op rounding to the dtype, as the optimizers now compute (under jit the same ops fuse)
    const ref = reference(false)
    let params = paramsOf(dtype, size)
    let refParams = params
    let state = opt.init(params)
    let refState = ref.init(params)
    for (let step = 0; step < steps; step++) {
      const grads = gradsAt(step, params)
      const [u, next] = opt.update(grads, state, params)
      params = applyUpdates(params, u)
      state = next
      const [ru, refNext] = ref.update(grads, refState, refParams)
      refParams = applyUpdates(refParams, ru)
      refState = refNext
      expect(treeFlatten(params)[0].map(bits)).toEqual(treeFlatten(refParams)[0].map(bits))
      expectSameState(state, refState)
    }
  })
  it.each(tracedDTypes)('with the state traced, %s', (dtype) => {
    const opt = make()
    const ref = reference(false)
    let params = paramsOf(dtype, 3)
    let refParams = params
    let state = opt.init(params)
    let refState = ref.init(params)
    for (let step = 0; step < steps; step++) {
      const grads = gradsAt(step, params)
      const p = params
      const [[nextParams, next]] = jvp(
        (s: never) => {
          const [u, n] = opt.update(grads, s, p)
          return [applyUpdates(p, u), n] as Tree
        },
        [state],
        [zerosOf(state)],
      ) as unknown as [[Tree, Tree]]
      params = nextParams
      state = next
      const [ru, refNext] = ref.update(grads, refState, refParams)
      refParams = applyUpdates(refParams, ru)
      refState = refNext
      expect(treeFlatten(params)[0].map(bits)).toEqual(treeFlatten(refParams)[0].map(bits))
      expectSameState(state, refState)
    }
  })
})

describe('adam in float64 against Keras’s formula in JS doubles, bit for bit', () => {
  it('ten steps with an exponentially decaying rate', () => {
    const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-7]
    const lr = exponentialDecay({ initialLearningRate: 0.01, decaySteps: 4, decayRate: 0.8 })
    const opt = adam({ learningRate: lr })
    const w0 = [1, -2, 0.5, 3e-3, -7]
    let params: NDArray = array(w0, { dtype: 'float64' })
    let state = opt.init(params)
    let w = [...w0]
    let m = w0.map(() => 0)
    let v = w0.map(() => 0)
    for (let step = 0; step < 10; step++) {
      const g = w0.map((_, i) => Math.cos(3 * i + 7 * step) * (1 + i))
      const [u, next] = opt.update(array(g, { dtype: 'float64' }), state, params)
      params = applyUpdates(params, u)
      state = next
      const t = step + 1
      const alpha = Math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
      const rate = lr(step) * -1
      m = m.map((mi, i) => mi + (g[i]! - mi) * (1 - beta1))
      v = v.map((vi, i) => vi + (g[i]! * g[i]! - vi) * (1 - beta2))
      w = w.map((wi, i) => wi + ((m[i]! * alpha) / (Math.sqrt(v[i]!) + epsilon)) * rate)
      expect(bits(params)).toEqual(bits(array(w, { dtype: 'float64' })))
    }
  })
})
