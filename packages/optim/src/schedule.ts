/** Learning-rate schedules: functions of the step count, accepted wherever a learning rate is. */

/** A learning rate as a function of the number of updates applied so far (0 for the first). */
export type Schedule = (step: number) => number

/** A fixed learning rate or a schedule. */
export type LearningRate = number | Schedule

const check = (op: string, name: string, v: number, min = 0, strict = false): void => {
  if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? v <= min : v < min)) {
    throw new RangeError(`${op}: ${name} must be a finite number ${strict ? '>' : '≥'} ${min}, got ${String(v)}`)
  }
}

/**
 * Throws unless `lr` is a non-negative number or a function.
 * @example
 * checkLearningRate('sgd', 0.01) // fine
 * checkLearningRate('sgd', -1)   // RangeError: sgd: learningRate must be a finite number ≥ 0, got -1
 */
export const checkLearningRate = (op: string, lr: LearningRate): void => {
  if (typeof lr !== 'function') check(op, 'learningRate', lr)
}

/**
 * The learning rate at `step`.
 * @example
 * learningRateAt(0.001, 10)                      // 0.001
 * learningRateAt((step) => 0.1 / (1 + step), 9) // 0.01
 */
export const learningRateAt = (lr: LearningRate, step: number): number => (typeof lr === 'function' ? lr(step) : lr)

/** Options of {@link exponentialDecay} (Keras's `ExponentialDecay`). */
export interface ExponentialDecayOptions {
  readonly initialLearningRate: number
  readonly decaySteps: number
  readonly decayRate: number
  /** Decay in whole steps of `decaySteps` (default false: continuously). */
  readonly staircase?: boolean
}

/**
 * lr(step) = initial · rate^(step / decaySteps) (the exponent floored with `staircase`).
 * @example
 * rmsprop({ learningRate: exponentialDecay({ initialLearningRate: 1e-3, decaySteps: 469, decayRate: 0.9 }) })
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
  return (step) => {
    const p = step / decaySteps
    return initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p)
  }
}

/** Options of {@link piecewiseConstant} (Keras's `PiecewiseConstantDecay`). */
export interface PiecewiseConstantOptions {
  /** Increasing step boundaries. */
  readonly boundaries: readonly number[]
  /** One more value than boundaries: values[i] applies while step ≤ boundaries[i]. */
  readonly values: readonly number[]
}

/**
 * A rate that jumps at given steps: `values[0]` up to `boundaries[0]`, then `values[1]`, ….
 * @example
 * sgd({ learningRate: piecewiseConstant({ boundaries: [1000], values: [0.1, 0.01] }) })
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
  return (step) => {
    const i = boundaries.findIndex((b) => step <= b)
    return values[i === -1 ? boundaries.length : i] as number
  }
}
