/**
 * `@nabla/linalg/internal` — unstable: what nabla's own compiler (`@nabla/jit`) needs from the product's kernels.
 * Not part of the public surface; it may change in any release.
 * @module @nabla/linalg/internal
 */
import './kernels/dotGeneral.js'

export { dotGeneralInto } from './kernels/dotGeneral.js'
