/** Shared test helpers: allclose, naive references, fast-check arbitraries. */
export { allcloseFailure, type Tolerance } from './allclose.js'
export { broadcastPairArb, fromRef, refArb, shapeArb, valueArb } from './arbitraries.js'
export { broadcastGet, flatIndex, indices, type Ref, toNested } from './reference.js'
export { expectSame } from './sameBits.js'
