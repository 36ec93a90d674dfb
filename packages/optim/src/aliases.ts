/** The optimizers users ask for by name: one-line compositions of the transforms, with Keras's defaults and formulas. */
import { chain } from './chain.js'
import { trace } from './momentum.js'
import { scaleByAdagrad } from './scaleByAdagrad.js'
import { type ScaleByAdamOptions, scaleByAdam } from './scaleByAdam.js'
import { scaleByLearningRate } from './scaleByLearningRate.js'
import { type ScaleByRmsOptions, scaleByRms } from './scaleByRms.js'
import type { LearningRate } from './schedule.js'
import type { GradientTransformation } from './transformation.js'

// biome-ignore lint/suspicious/noExplicitAny: an optimizer's state type is its own business
type AnyTransformation = GradientTransformation<any>

/** `t` tagged with the optimizer name and the options it was made with (for saving a model). */
const named = (name: string, options: object, t: AnyTransformation): AnyTransformation => ({
  ...t,
  config: Object.freeze({ name, options: Object.freeze({ ...options }) }),
})

/**
 * Options of {@link sgd}.
 * @category Optimizers
 * @example
 * const options: SgdOptions = { learningRate: 0.1, momentum: 0.5, nesterov: true }
 * const opt = sgd(options)
 * const grads = { w: array([1]) }
 * const [updates] = opt.update(grads, opt.init(grads))
 * // v = −0.1·g; Nesterov steps by m·v − lr·g = −0.05 − 0.1
 * toArray(updates.w) // → [-0.15]
 */
export interface SgdOptions {
  readonly learningRate?: LearningRate
  readonly momentum?: number
  readonly nesterov?: boolean
}

/**
 * Stochastic gradient descent, as Keras: `w ← w − lr·g`; with momentum
 * `v ← m·v − lr·g; w ← w + v`; Nesterov `w ← w + m·v − lr·g` (with the new v). Defaults lr 0.01.
 * The book's section 2.4.3 pseudo-code keeps `velocity = m·velocity + lr·g` (the opposite
 * sign of Keras's v) and then adds `m·velocity`, which would step uphill; Keras's signs are
 * the ones implemented here.
 * @category Optimizers
 * @example
 * const opt = sgd({ learningRate: 0.1, momentum: 0.9 })
 * const grads = { w: array([1, -1]) }
 * const [u1, s1] = opt.update(grads, opt.init(grads))
 * toArray(u1.w) // → [-0.1, 0.1]
 * // the second step adds 0.9 of the first: v = 0.9·v − 0.1·g
 * const [u2] = opt.update(grads, s1)
 * toArray(u2.w) // → [-0.19, 0.19]
 */
export const sgd = (options: SgdOptions = {}): AnyTransformation => {
  const { learningRate = 0.01, momentum = 0, nesterov = false } = options
  return named(
    'sgd',
    options,
    momentum === 0 && !nesterov
      ? chain(scaleByLearningRate(learningRate))
      : chain(scaleByLearningRate(learningRate), trace({ decay: momentum, nesterov })),
  )
}

/**
 * Options of {@link rmsprop}.
 * @category Optimizers
 * @example
 * const options: RmspropOptions = { learningRate: 0.01, rho: 0.5 }
 * const opt = rmsprop(options)
 * const [updates] = opt.update({ w: array([2]) }, opt.init({ w: zeros([1]) }))
 * // ν = 0.5·g² = 2, update = −0.01·g/√(ν + 1e-7)
 * toArray(updates.w) // → [(-0.01 * 2) / Math.sqrt(2 + 1e-7)]
 * opt.config // → { name: 'rmsprop', options: { learningRate: 0.01, rho: 0.5 } }
 */
export interface RmspropOptions extends ScaleByRmsOptions {
  readonly learningRate?: LearningRate
  readonly momentum?: number
}

/**
 * RMSprop, as Keras: `ν ← ρν + (1−ρ)g²; w ← w − lr·g/√(ν + ε)`, defaults lr 0.001, ρ 0.9,
 * ε 1e-7 (inside the root); `momentum` adds a velocity on the scaled step; `centered`
 * divides by the variance instead of the second moment. The book's chapter 2 optimizer.
 * @category Optimizers
 * @example
 * const opt = rmsprop() // what compile(..., { optimizer: 'rmsprop' }) uses
 * const [updates] = opt.update({ w: array([2]) }, opt.init({ w: zeros([1]) }))
 * // ν = 0.1·g² = 0.4, update = −0.001·g/√(ν + 1e-7)
 * toArray(updates.w) // → [(-0.001 * 2) / Math.sqrt(0.4 + 1e-7)]
 */
export const rmsprop = (options: RmspropOptions = {}): AnyTransformation => {
  const { learningRate = 0.001, momentum = 0, ...rms } = options
  return named(
    'rmsprop',
    options,
    momentum === 0
      ? chain(scaleByRms(rms), scaleByLearningRate(learningRate))
      : chain(scaleByRms(rms), scaleByLearningRate(learningRate), trace({ decay: momentum })),
  )
}

/**
 * Adagrad, as Keras: `s ← s + g²; w ← w − lr·g/√(s + ε)`, defaults lr 0.001, initial accumulator 0.1, ε 1e-7.
 * @category Optimizers
 * @example
 * const opt = adagrad({ learningRate: 0.01 })
 * const [updates] = opt.update({ w: array([3]) }, opt.init({ w: zeros([1]) }))
 * // s = 0.1 + g² = 9.1, update = −0.01·g/√(s + 1e-7)
 * toArray(updates.w) // → [(-0.01 * 3) / Math.sqrt(9.1 + 1e-7)]
 */
export const adagrad = (
  options: {
    readonly learningRate?: LearningRate
    readonly initialAccumulatorValue?: number
    readonly epsilon?: number
  } = {},
): AnyTransformation => {
  const { learningRate = 0.001, initialAccumulatorValue = 0.1, epsilon = 1e-7 } = options
  return named(
    'adagrad',
    options,
    chain(scaleByAdagrad({ initialAccumulatorValue, epsilon }), scaleByLearningRate(learningRate)),
  )
}

/**
 * Adam, as Keras: defaults lr 0.001, β₁ 0.9, β₂ 0.999, ε 1e-7.
 * @category Optimizers
 * @example
 * const opt = adam({ learningRate: 3e-4 })
 * const [updates] = opt.update({ w: array([2, -0.5]) }, opt.init({ w: zeros([2]) }))
 * // Adam's first step is about −lr·sign(g), whatever the gradient's size
 * toArray(updates.w) // → [-3e-4, 3e-4]
 */
export const adam = (
  options: ScaleByAdamOptions & { readonly learningRate?: LearningRate } = {},
): AnyTransformation => {
  const { learningRate = 0.001, ...moments } = options
  return named('adam', options, chain(scaleByAdam(moments), scaleByLearningRate(learningRate)))
}

const byName = { sgd, rmsprop, adagrad, adam } as const

/** Each named optimizer's default learning rate (Keras's). */
export const defaultLearningRates: Readonly<Record<OptimizerName, number>> = Object.freeze({
  sgd: 0.01,
  rmsprop: 0.001,
  adagrad: 0.001,
  adam: 0.001,
})

/**
 * The constant learning rate of an optimizer made by name (`sgd`, `rmsprop`, `adagrad`, `adam` or `optimizer()`),
 * or undefined for one with a schedule or built from transformations.
 * @category Optimizers
 * @example
 * learningRateOf(rmsprop()) // → 0.001
 * learningRateOf(sgd({ learningRate: 0.1 })) // → 0.1
 * learningRateOf(chain(scaleByRms(), scaleByLearningRate(0.001))) // → undefined
 */
export const learningRateOf = (t: AnyTransformation): number | undefined => {
  const cfg = t.config
  if (cfg === undefined || !(cfg.name in byName)) return undefined
  const lr = (cfg.options as { learningRate?: unknown }).learningRate ?? defaultLearningRates[cfg.name as OptimizerName]
  return typeof lr === 'number' ? lr : undefined
}

/**
 * The same named optimizer with another constant learning rate, its state unchanged in structure (what Keras's
 * `ReduceLROnPlateau` does to `optimizer.learning_rate`); throws for one {@link learningRateOf} cannot read.
 * @category Optimizers
 * @example
 * withLearningRate(rmsprop(), 1e-4).config // → { name: 'rmsprop', options: { learningRate: 0.0001 } }
 * withLearningRate(chain(scaleByLearningRate(0.1)), 0.01) // throws TypeError: expected an optimizer made by name
 */
export const withLearningRate = (t: AnyTransformation, learningRate: number): AnyTransformation => {
  if (learningRateOf(t) === undefined) {
    throw new TypeError(
      'withLearningRate: expected an optimizer made by name (sgd, rmsprop, adagrad, adam) with a constant learning rate, ' +
        `got ${t.config === undefined ? 'a chain of transformations' : `${t.config.name} with a schedule`}`,
    )
  }
  if (typeof learningRate !== 'number' || !(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new RangeError(`withLearningRate: learningRate must be a positive number, got ${String(learningRate)}`)
  }
  const cfg = t.config as { name: OptimizerName; options: object }
  return optimizer(cfg.name, { ...cfg.options, learningRate })
}

/**
 * The optimizer names `optimizer()` knows.
 * @category Optimizers
 * @example
 * const names: OptimizerName[] = ['sgd', 'rmsprop', 'adagrad', 'adam']
 * names.map((name) => learningRateOf(optimizer(name))) // → [0.01, 0.001, 0.001, 0.001]
 */
export type OptimizerName = keyof typeof byName

/**
 * An optimizer by its Keras name, with Keras's defaults (or the given options).
 * @category Optimizers
 * @example
 * optimizer('rmsprop').config // → { name: 'rmsprop', options: {} }
 * learningRateOf(optimizer('adam', { learningRate: 0.01 })) // → 0.01
 * optimizer('nadam' as never) // throws RangeError: unknown optimizer "nadam"
 */
export const optimizer = (name: OptimizerName, options: Record<string, unknown> = {}): AnyTransformation => {
  const make = (byName as Record<string, (o: object) => AnyTransformation>)[name]
  if (make === undefined) {
    throw new RangeError(
      `optimizer: unknown optimizer ${JSON.stringify(name)}; expected one of ${Object.keys(byName).join(', ')}`,
    )
  }
  return make(options)
}
