/** Learning-rate schedules: functions of the step count, accepted wherever a learning rate is. */
import { broadcastTo, cast, div, full, item, lessEqual, mul, type NDArray, pow, where } from '@nabla/ndarray'
import { Concrete } from '@nabla/ndarray/core'

/**
 * A learning rate as a function of the number of updates applied so far (0 for the first). A schedule may
 * also carry `arrayForm`: the same function of the count as a float64 scalar NDArray, written with array ops,
 * which is what runs when the count is traced (a training step inside `jit`). The built-in schedules have one.
 * @category Schedules
 * @example
 * const halving: Schedule = (step) => 0.1 * 0.5 ** step
 * halving(2) // → 0.025
 * learningRateAt(halving, 3) // → 0.0125
 * halving.arrayForm // → undefined
 * const decay: Schedule = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 })
 * item(decay.arrayForm(array(20, { dtype: 'float64' }))) // → decay(20)
 */
export interface Schedule {
  (step: number): number
  /** The schedule on a float64 scalar step, in float64 array ops, bit for bit the same values as the JS form. */
  readonly arrayForm?: (step: NDArray) => NDArray
}

/**
 * A fixed learning rate or a schedule.
 * @category Schedules
 * @example
 * const rates: LearningRate[] = [0.01, (step) => 0.1 / (1 + step)]
 * rates.map((lr) => learningRateAt(lr, 4)) // → [0.01, 0.02]
 * learningRateOf(sgd({ learningRate: rates[0] })) // → 0.01
 * learningRateOf(sgd({ learningRate: rates[1] })) // → undefined
 */
export type LearningRate = number | Schedule

const check = (op: string, name: string, v: number, min = 0, strict = false): void => {
  if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? v <= min : v < min)) {
    throw new RangeError(`${op}: ${name} must be a finite number ${strict ? '>' : '≥'} ${min}, got ${String(v)}`)
  }
}

/**
 * Throws unless `lr` is a non-negative number or a function.
 * @example
 * import { checkLearningRate } from './schedule.js'
 * checkLearningRate('sgd', 0.01) // fine
 * checkLearningRate('sgd', -1) // throws RangeError: sgd: learningRate must be a finite number ≥ 0, got -1
 */
export const checkLearningRate = (op: string, lr: LearningRate): void => {
  if (typeof lr !== 'function') check(op, 'learningRate', lr)
}

/**
 * The learning rate after `count` updates. A fixed rate is returned as it is (a JS number). A schedule is
 * called with the count's value when the count is a JS number or a concrete array, and the number it gives
 * is returned; when the count is traced (inside `jit` or another transform), the schedule's `arrayForm`
 * gives the rate as a float64 scalar NDArray. A schedule without one cannot run there: that is an error.
 * @category Schedules
 * @example
 * import { vmap } from '@nabla/autodiff'
 * learningRateAt(0.001, array(10, { dtype: 'float64' })) // → 0.001
 * learningRateAt((step) => 0.1 / (1 + step), array(9, { dtype: 'float64' })) // → 0.01
 * // a traced count (here under vmap; in practice a jitted training step) gets the schedule's arrayForm
 * const decay = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 })
 * const counts = array([0, 10, 20], { dtype: 'float64' })
 * toArray(vmap((count) => learningRateAt(decay, count))(counts)) // → [0.1, 0.05, 0.025]
 * vmap((count) => learningRateAt((step) => 0.1 / (1 + step), count))(counts) // throws: cannot run inside jit
 */
export function learningRateAt(lr: LearningRate, count: number): number
export function learningRateAt(lr: LearningRate, count: NDArray | number): number | NDArray
export function learningRateAt(lr: LearningRate, count: NDArray | number): number | NDArray {
  if (typeof lr !== 'function') return lr
  if (typeof count === 'number') return lr(count)
  if (count instanceof Concrete) return lr(item(count))
  if (lr.arrayForm !== undefined) return lr.arrayForm(count)
  throw new Error(
    'learningRateAt: a learning-rate schedule written as a JS function of the step number cannot run inside jit ' +
      '(the step count is traced there, so it has no number to give the function); use a built-in schedule ' +
      '(exponentialDecay, piecewiseConstant) or give yours an arrayForm, or train with `jit: false`',
  )
}

/**
 * Options of {@link exponentialDecay} (Keras's `ExponentialDecay`).
 * @category Schedules
 * @example
 * const options: ExponentialDecayOptions = { initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }
 * exponentialDecay(options)(10) // → 0.05
 * exponentialDecay(options)(15) // → 0.1 * 0.5 ** 1.5
 * exponentialDecay({ ...options, staircase: true })(15) // → 0.05
 * exponentialDecay({ ...options, decaySteps: 0 }) // throws RangeError: decaySteps must be a finite number > 0
 */
export interface ExponentialDecayOptions {
  readonly initialLearningRate: number
  readonly decaySteps: number
  readonly decayRate: number
  /** Decay in whole steps of `decaySteps` (default false: continuously). */
  readonly staircase?: boolean
}

/**
 * ⌊p⌋ for p ≥ 0, in float64: there is no floor primitive, and truncation toward zero (the cast to int32) is
 * the floor of a non-negative number below 2³¹ — that is, for any step count below 2³¹·decaySteps.
 */
const floorNonNegative = (p: NDArray): NDArray => cast(cast(p, 'int32'), 'float64')

/**
 * lr(step) = initial · rate^(step / decaySteps) (the exponent floored with `staircase`). Its `arrayForm` computes
 * the same doubles with float64 array ops (under `jit`).
 * @category Schedules
 * @example
 * const schedule = exponentialDecay({ initialLearningRate: 1e-3, decaySteps: 469, decayRate: 0.9 })
 * schedule(0) // → 1e-3
 * schedule(469) // → 9e-4
 * schedule(938) // → 8.1e-4
 * exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true })(19) // → 0.5
 * rmsprop({ learningRate: schedule })
 */
export const exponentialDecay = ({
  initialLearningRate,
  decaySteps,
  decayRate,
  staircase = false,
}: ExponentialDecayOptions): Schedule => {
  check('exponentialDecay', 'initialLearningRate', initialLearningRate)
  check('exponentialDecay', 'decaySteps', decaySteps, 0, true)
  check('exponentialDecay', 'decayRate', decayRate, 0, true)
  return Object.assign(
    (step: number): number => {
      const p = step / decaySteps
      return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p)
    },
    {
      arrayForm: (step: NDArray): NDArray => {
        const p = div(cast(step, 'float64'), decaySteps)
        return mul(pow(decayRate, staircase ? floorNonNegative(p) : p), initialLearningRate)
      },
    },
  )
}

/**
 * Options of {@link piecewiseConstant} (Keras's `PiecewiseConstantDecay`).
 * @category Schedules
 * @example
 * const options: PiecewiseConstantOptions = { boundaries: [10, 20], values: [1, 0.5, 0.1] }
 * const schedule = piecewiseConstant(options)
 * const steps = [0, 10, 11, 20, 21]
 * steps.map((step) => schedule(step)) // → [1, 1, 0.5, 0.5, 0.1]
 * piecewiseConstant({ boundaries: [20, 10], values: [1, 0.5, 0.1] }) // throws RangeError: finite and increasing
 */
export interface PiecewiseConstantOptions {
  /** Increasing step boundaries. */
  readonly boundaries: readonly number[]
  /** One more value than boundaries: values[i] applies while step ≤ boundaries[i]. */
  readonly values: readonly number[]
}

/**
 * A rate that jumps at given steps: `values[0]` up to `boundaries[0]`, then `values[1]`, …. Its `arrayForm`
 * chooses among the same values with `where` (under `jit`).
 * @category Schedules
 * @example
 * const schedule = piecewiseConstant({ boundaries: [1000], values: [0.1, 0.01] })
 * schedule(1000) // → 0.1
 * schedule(1001) // → 0.01
 * sgd({ learningRate: schedule })
 * piecewiseConstant({ boundaries: [10], values: [0.1] }) // throws RangeError: expected 2 values for 1 boundaries
 */
export const piecewiseConstant = ({ boundaries, values }: PiecewiseConstantOptions): Schedule => {
  if (values.length !== boundaries.length + 1) {
    throw new RangeError(
      `piecewiseConstant: expected ${boundaries.length + 1} values for ${boundaries.length} boundaries, got ${values.length}`,
    )
  }
  boundaries.forEach((b, i) => {
    if (!Number.isFinite(b) || (i > 0 && b <= (boundaries[i - 1] as number))) {
      throw new RangeError(
        `piecewiseConstant: boundaries must be finite and increasing, got ${JSON.stringify(boundaries)}`,
      )
    }
  })
  for (const v of values) check('piecewiseConstant', 'each value', v)
  const bounds = [...boundaries]
  const levels = [...values]
  return Object.assign(
    (step: number): number => {
      const i = bounds.findIndex((b) => step <= b)
      return levels[i === -1 ? bounds.length : i] as number
    },
    {
      arrayForm: (step: NDArray): NDArray => {
        const s = cast(step, 'float64')
        // the first boundary the step is at or below wins: nest the choices from the last one back
        let rate = broadcastTo(full([], levels[bounds.length] as number, { dtype: 'float64' }), s.shape)
        for (let i = bounds.length - 1; i >= 0; i--) {
          rate = where(lessEqual(s, bounds[i] as number), levels[i] as number, rate)
        }
        return rate
      },
    },
  )
}
