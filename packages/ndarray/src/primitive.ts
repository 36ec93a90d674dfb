/** The closed set of primitive operations and their parameters: what `bind` dispatches and transforms intercept. */
import type { DType } from './dtype.js'
import type { Shape } from './shape.js'

/** Comparison carried by the `compare` primitive. */
export type Comparison = 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual'

/**
 * Parameters of each primitive, by name. Other packages add primitives by augmenting this
 * interface (`declare module '@nabla/ndarray/core'`), so a rule table typed
 * `{ [P in PrimitiveName]: Rule<P> }` fails to compile when a rule is missing.
 *
 * Element-wise binary primitives broadcast their operands (NumPy rule); a transform's
 * rule undoes that in cotangents.
 */
export interface PrimitiveParams {
  add: Record<string, never>
  sub: Record<string, never>
  mul: Record<string, never>
  div: Record<string, never>
  pow: Record<string, never>
  maximum: Record<string, never>
  minimum: Record<string, never>
  neg: Record<string, never>
  sign: Record<string, never>
  exp: Record<string, never>
  log: Record<string, never>
  sqrt: Record<string, never>
  tanh: Record<string, never>
  sin: Record<string, never>
  cos: Record<string, never>
  compare: { readonly op: Comparison }
  where: Record<string, never>
  cast: { readonly dtype: DType }
  reduceSum: { readonly axes: readonly number[] }
  reduceMax: { readonly axes: readonly number[] }
  argmax: { readonly axis: number }
  reshape: { readonly shape: Shape }
  broadcastTo: { readonly shape: Shape }
  transpose: { readonly perm: readonly number[] }
  slice: { readonly starts: readonly number[]; readonly stops: readonly number[]; readonly steps: readonly number[] }
  pad: { readonly lo: readonly number[]; readonly hi: readonly number[]; readonly interior: readonly number[] }
  concat: { readonly axis: number }
  take: { readonly axis: number }
  /** Inputs [updates, indices]: zeros of extent `size` along `axis`, with updates summed in at the indices (take's transpose). */
  scatterAdd: { readonly axis: number; readonly size: number }
}

/** Name of a primitive. */
export type PrimitiveName = keyof PrimitiveParams

/** Parameters of primitive `P`. */
export type Params<P extends PrimitiveName> = PrimitiveParams[P]
