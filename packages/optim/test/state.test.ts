// Optimizer states are pytrees of NDArrays only (what jit carries from step to step): counts are float64 scalars,
// there is no null and no JS number; a JS-number schedule cannot run with a traced count, and says so.
import { grad, jvp } from '@nabla/autodiff'
import {
  add,
  array,
  div,
  isNDArray,
  item,
  mul,
  type NDArray,
  sum,
  type Tree,
  toArray,
  treeFlatten,
  treeMap,
  zeros,
} from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  adagrad,
  adam,
  chain,
  exponentialDecay,
  type GradientTransformation,
  learningRateAt,
  optimizer,
  piecewiseConstant,
  rmsprop,
  scaleByAdam,
  scaleByLearningRate,
  scaleByRms,
  sgd,
} from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: states of different optimizers
type Opt = GradientTransformation<any>

const params = { w: array([[1, 2, 3]]), b: [array([0.5, -0.5], { dtype: 'float64' })] }
const grads = { w: array([[0.1, -0.2, 0.3]]), b: [array([1, -1], { dtype: 'float64' })] }
const zerosOf = (tree: Tree): Tree => treeMap((x: NDArray) => zeros(x.shape, { dtype: x.dtype }), tree)

const count = (c: unknown): number => {
  expect(isNDArray(c)).toBe(true)
  const a = c as NDArray
  expect(a.dtype).toBe('float64')
  expect(a.shape).toEqual([])
  return item(a)
}

const optimizers: [string, () => Opt][] = [
  ['sgd', () => sgd()],
  ['sgd + momentum', () => sgd({ momentum: 0.9 })],
  ['sgd + nesterov', () => sgd({ momentum: 0.9, nesterov: true })],
  ['sgd with a schedule', () => sgd({ learningRate: piecewiseConstant({ boundaries: [1], values: [0.1, 0.01] }) })],
  ['rmsprop', () => rmsprop()],
  ['rmsprop + momentum', () => rmsprop({ momentum: 0.9 })],
  ['rmsprop centered', () => rmsprop({ centered: true })],
  ['rmsprop centered + momentum', () => rmsprop({ centered: true, momentum: 0.9 })],
  ['adagrad', () => adagrad()],
  ['adam', () => adam()],
  [
    'adam with a schedule',
    () => adam({ learningRate: exponentialDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5 }) }),
  ],
  ...(['sgd', 'rmsprop', 'adagrad', 'adam'] as const).map((name): [string, () => Opt] => [
    `optimizer('${name}')`,
    () => optimizer(name),
  ]),
]

describe.each(optimizers)('%s: the state is a pytree of NDArrays', (_, make) => {
  it('at init and after each step, and it can be traced', () => {
    const opt = make()
    let state = opt.init(params)
    for (let step = 0; step < 3; step++) {
      const [leaves] = treeFlatten(state) // throws on null, numbers or other non-arrays
      expect(leaves.length).toBeGreaterThan(0)
      expect(leaves.every(isNDArray)).toBe(true)
      ;[, state] = opt.update(grads, state, params)
    }
    // the whole step under a transform (its state traced, as jit would have it)
    const [[, traced]] = jvp(
      (s: never) => opt.update(grads, s, params) as unknown as Tree,
      [state],
      [zerosOf(state)],
    ) as unknown as [[Tree, Tree]]
    expect(treeFlatten(traced)[1]).toEqual(treeFlatten(state)[1])
  })
})

describe('the state shapes', () => {
  it('scaleByLearningRate: { count }, a float64 scalar counting the updates', () => {
    const t = scaleByLearningRate(0.1)
    let state = t.init(params)
    expect(Object.keys(state)).toEqual(['count'])
    expect(count(state.count)).toBe(0)
    for (let i = 0; i < 3; i++) [, state] = t.update(grads, state)
    expect(count(state.count)).toBe(3)
  })
  it('scaleByAdam: { count, mu, nu }', () => {
    const t = scaleByAdam()
    const [, state] = t.update(grads, t.init(params))
    expect(Object.keys(state).sort()).toEqual(['count', 'mu', 'nu'])
    expect(count(state.count)).toBe(1)
    expect(treeFlatten(state.mu)[1]).toEqual(treeFlatten(params)[1])
  })
  it('scaleByRms: { nu } uncentered, { nu, mu } centered (no mu: null)', () => {
    const plain = scaleByRms()
    const s = plain.update(grads, plain.init(params))[1]
    expect(Object.keys(plain.init(params))).toEqual(['nu'])
    expect(Object.keys(s)).toEqual(['nu'])
    const centered = scaleByRms({ centered: true })
    expect(Object.keys(centered.init(params)).sort()).toEqual(['mu', 'nu'])
    expect(Object.keys(centered.update(grads, centered.init(params))[1]).sort()).toEqual(['mu', 'nu'])
  })
  it('the named optimizers: the tuples of their transforms’ states', () => {
    const keys = (opt: Opt) => (opt.init(params) as object[]).map((s) => Object.keys(s).sort())
    expect(keys(sgd())).toEqual([['count']])
    expect(keys(sgd({ momentum: 0.9 }))).toEqual([['count'], ['trace']])
    expect(keys(rmsprop())).toEqual([['nu'], ['count']])
    expect(keys(rmsprop({ centered: true, momentum: 0.5 }))).toEqual([['mu', 'nu'], ['count'], ['trace']])
    expect(keys(adagrad())).toEqual([['sumOfSquares'], ['count']])
    expect(keys(adam())).toEqual([['count', 'mu', 'nu'], ['count']])
  })
  it('chain of no transforms has the empty state', () => {
    expect(chain().init(params)).toEqual([])
  })
  it('no updateAndApply: update followed by applyUpdates is the step', () => {
    for (const [, make] of optimizers) expect('updateAndApply' in make()).toBe(false)
  })
})

describe('learningRateAt', () => {
  const schedule = (step: number) => 0.1 / (1 + step)
  it('a fixed rate is the number itself, whatever the count', () => {
    expect(learningRateAt(0.01, array(5, { dtype: 'float64' }))).toBe(0.01)
    expect(learningRateAt(0.01, 5)).toBe(0.01)
    // a traced count too
    grad((c: NDArray) => {
      expect(learningRateAt(0.01, c)).toBe(0.01)
      return sum(c)
    })(array(5, { dtype: 'float64' }))
  })
  it('a schedule at a concrete count is called with its number', () => {
    expect(learningRateAt(schedule, array(9, { dtype: 'float64' }))).toBe(schedule(9))
    expect(learningRateAt(schedule, 9)).toBe(schedule(9))
  })
  it('a built-in schedule at a traced count gives a float64 array (its arrayForm)', () => {
    const lr = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 })
    let seen: NDArray | number | undefined
    grad((c: NDArray) => {
      const r = learningRateAt(lr, c)
      seen = r
      return sum(mul(c, r))
    })(array(5, { dtype: 'float64' }))
    expect(isNDArray(seen)).toBe(true)
    expect((seen as NDArray).dtype).toBe('float64')
  })
  it('a schedule of your own with an arrayForm runs at a traced count, with the bits of its JS form', () => {
    const inverse = Object.assign((step: number) => 0.1 / (1 + step), {
      arrayForm: (step: NDArray) => div(0.1, add(step, 1)),
    })
    const opt = sgd({ learningRate: inverse })
    let state = opt.init(params)
    for (let step = 0; step < 4; step++) {
      const [[traced, tracedState]] = jvp(
        (s: never) => opt.update(grads, s, params) as unknown as Tree,
        [state],
        [zerosOf(state)],
      ) as unknown as [[Tree, Tree]]
      const [eager, eagerState] = opt.update(grads, state, params)
      expect(treeFlatten(traced)[0].map((x) => toArray(x))).toEqual(treeFlatten(eager)[0].map((x) => toArray(x)))
      state = eagerState
      expect(item((tracedState as { count: NDArray }[])[0]!.count)).toBe(step + 1)
    }
  })
  it('a JS-number schedule at a traced count is a clear error', () => {
    const message =
      /a learning-rate schedule written as a JS function of the step number cannot run inside jit.*use a built-in schedule.*or train with `jit: false`/
    expect(() =>
      grad((c: NDArray) => {
        learningRateAt(schedule, c)
        return sum(c)
      })(array(0, { dtype: 'float64' })),
    ).toThrow(message)
    // through an optimizer whose step is traced
    const opt = sgd({ learningRate: schedule })
    const state = opt.init(params)
    expect(() => jvp((s: never) => opt.update(grads, s, params)[0] as Tree, [state], [zerosOf(state)])).toThrow(message)
    // eagerly it is fine
    expect(() => opt.update(grads, state, params)).not.toThrow()
  })
})
