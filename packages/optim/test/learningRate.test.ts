// learningRateOf / withLearningRate: read and replace a named optimizer's constant learning rate (ReduceLROnPlateau).
import { array, toArray, treeLeaves } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  adagrad,
  adam,
  chain,
  exponentialDecay,
  learningRateOf,
  optimizer,
  rmsprop,
  scaleByLearningRate,
  sgd,
  withLearningRate,
} from '../src/index.js'

const params = { w: array([1, -2, 3]) }
const grads = { w: array([0.5, 0.25, -1]) }

describe('learningRateOf and withLearningRate', () => {
  it('read Keras’s defaults and given rates', () => {
    expect([sgd(), rmsprop(), adagrad(), adam()].map(learningRateOf)).toEqual([0.01, 0.001, 0.001, 0.001])
    expect(learningRateOf(rmsprop({ learningRate: 0.05 }))).toBe(0.05)
    expect(learningRateOf(optimizer('sgd', { learningRate: 0.2, momentum: 0.9 }))).toBe(0.2)
    expect(learningRateOf(chain(scaleByLearningRate(0.1)))).toBeUndefined()
    expect(
      learningRateOf(
        sgd({ learningRate: exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }) }),
      ),
    ).toBeUndefined()
  })
  it('give the optimizer built with the new rate, keeping its other options and its state', () => {
    for (const make of [
      (lr?: number) => sgd({ momentum: 0.9, ...(lr === undefined ? {} : { learningRate: lr }) }),
      (lr?: number) => rmsprop({ rho: 0.8, ...(lr === undefined ? {} : { learningRate: lr }) }),
      (lr?: number) => adam({ beta1: 0.5, ...(lr === undefined ? {} : { learningRate: lr }) }),
    ]) {
      const before = make()
      const state = before.update(grads, before.init(params), params)[1]
      const after = withLearningRate(before, 0.0125)
      expect(learningRateOf(after)).toBe(0.0125)
      const want = make(0.0125).update(grads, state, params)
      const got = after.update(grads, state, params)
      expect(treeLeaves(got as never).map((l) => toArray(l))).toEqual(treeLeaves(want as never).map((l) => toArray(l)))
    }
  })
  it('refuse what has no constant rate, and a rate that is not positive', () => {
    expect(() => withLearningRate(chain(scaleByLearningRate(0.1)), 0.01)).toThrow(
      'withLearningRate: expected an optimizer made by name (sgd, rmsprop, adagrad, adam) with a constant learning rate, got a chain of transformations',
    )
    expect(() => withLearningRate(rmsprop(), 0)).toThrow(
      'withLearningRate: learningRate must be a positive number, got 0',
    )
  })
})
