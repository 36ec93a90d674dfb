// Every optimizer minimises a parabola and the Rosenbrock function (gradients from @nabla/autodiff).
import { grad } from '@nabla/autodiff'
import { add, array, mul, type NDArray, slice, square, sub, sum, toArray } from '@nabla/ndarray'
import { describe, expect, it } from 'vitest'
import {
  adagrad,
  adam,
  applyUpdates,
  exponentialDecay,
  type GradientTransformation,
  rmsprop,
  sgd,
} from '../src/index.js'

const parabola = (w: NDArray) => sum(square(sub(w, array([3, -1], { dtype: 'float64' }))))
const rosenbrock = (w: NDArray) => {
  const x = slice(w, 0)
  const y = slice(w, 1)
  return add(square(sub(1, x)), mul(square(sub(y, square(x))), 100))
}

const minimise = (opt: GradientTransformation<unknown>, f: (w: NDArray) => NDArray, start: number[], steps: number) => {
  let w: NDArray = array(start, { dtype: 'float64' })
  let state = opt.init(w)
  const df = grad(f)
  for (let i = 0; i < steps; i++) {
    const [u, s] = opt.update(df(w), state, w)
    w = applyUpdates(w, u)
    state = s
  }
  return toArray(w) as number[]
}

type Make = () => GradientTransformation<unknown>
// name, optimizer for the parabola and its steps, optimizer for Rosenbrock (from (0, 0)) and its steps
const table: [string, Make, number, Make, number][] = [
  ['sgd', () => sgd({ learningRate: 0.1 }), 200, () => sgd({ learningRate: 2e-3 }), 5000],
  [
    'sgd + momentum',
    () => sgd({ learningRate: 0.01, momentum: 0.9 }),
    500,
    () => sgd({ learningRate: 1e-3, momentum: 0.9 }),
    2000,
  ],
  [
    'sgd + nesterov',
    () => sgd({ learningRate: 0.01, momentum: 0.9, nesterov: true }),
    500,
    () => sgd({ learningRate: 1e-3, momentum: 0.9, nesterov: true }),
    2000,
  ],
  ['rmsprop', () => rmsprop({ learningRate: 0.01 }), 1000, () => rmsprop({ learningRate: 1e-3 }), 5000],
  [
    'rmsprop + momentum',
    () => rmsprop({ learningRate: 1e-3, momentum: 0.9 }),
    3000,
    () => rmsprop({ learningRate: 1e-3, momentum: 0.9 }),
    2000,
  ],
  ['adagrad', () => adagrad({ learningRate: 0.5 }), 2000, () => adagrad({ learningRate: 0.3 }), 5000],
  ['adam', () => adam({ learningRate: 0.05 }), 1000, () => adam({ learningRate: 0.05 }), 2000],
  [
    'adam (exponentially decaying lr)',
    () => adam({ learningRate: exponentialDecay({ initialLearningRate: 0.05, decaySteps: 1000, decayRate: 0.5 }) }),
    1000,
    () => adam({ learningRate: exponentialDecay({ initialLearningRate: 0.05, decaySteps: 2000, decayRate: 0.5 }) }),
    2000,
  ],
]

describe.each(table)('%s', (_, forParabola, parabolaSteps, forRosenbrock, rosenbrockSteps) => {
  it('reaches the bottom of a parabola', () => {
    expect(minimise(forParabola(), parabola, [0, 0], parabolaSteps)).toBeAllClose([3, -1], { atol: 2e-2 })
  })
  it('reaches the minimum (1, 1) of the Rosenbrock function', () => {
    expect(minimise(forRosenbrock(), rosenbrock, [0, 0], rosenbrockSteps)).toBeAllClose([1, 1], { atol: 2e-2 })
  })
})
