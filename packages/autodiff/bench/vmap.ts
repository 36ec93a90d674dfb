// vmap: per-example gradients of the MNIST network (784→128→10, batch 128) three ways, and the Hessian of a
// 200-dimensional log-sum-exp built on vmap against the old one-pass-per-basis-vector construction.
// jit is imported from its sources: @nabla/jit depends on @nabla/autodiff for its tests, so a dependency back
// would be a cycle in the workspace graph.
import { dot } from '@nabla/linalg'
import {
  add,
  exp,
  key,
  log,
  max,
  maximum,
  type NDArray,
  neg,
  normal,
  reshape,
  slice,
  split,
  sub,
  sum,
  type Tree,
  toArray,
  toTypedArray,
  treeLeaves,
  uniform,
} from '@nabla/ndarray'
import { jit } from '../../jit/src/index.js'
import { grad, hessian, vmap } from '../src/index.js'
import { type MlpParams, mlpLoss } from '../test/mlpLoss.js'
import { hessianPerBasis } from '../test/perBasis.js'

const time = (f: () => void, reps: number, warm = 3): number => {
  for (let i = 0; i < warm; i++) f()
  const ts: number[] = []
  for (let i = 0; i < reps; i++) {
    const t = performance.now()
    f()
    ts.push(performance.now() - t)
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)] as number
}

const [k1, k2, k3, k4] = split(key(0), 4)
const params: MlpParams = {
  w1: normal(k1!, [784, 128], { stddev: 0.05 }),
  b1: normal(k2!, [128], { stddev: 0.01 }),
  w2: normal(k3!, [128, 10], { stddev: 0.05 }),
  b2: normal(k4!, [10], { stddev: 0.01 }),
}
const x = uniform(key(1), [128, 784])
const y = uniform(key(2), [128, 10])

/** The loss of one example (x: [784], y: [10]), as the batch loss of a batch of one. */
const single = (p: MlpParams, xi: NDArray, yi: NDArray): NDArray =>
  mlpLoss(p, reshape(xi, [1, 784]), reshape(yi, [1, 10]))
const gradOne = grad(single)
const rows = Array.from({ length: 128 }, (_, i) => [slice(x, i), slice(y, i)] as const)
const loop = time(
  () => {
    for (const [xi, yi] of rows) gradOne(params, xi, yi)
  },
  5,
  1,
)
const perExampleGrad = vmap(grad(single), { inAxes: [null, 0, 0] })
const perExample = jit(perExampleGrad)
const vmapped = time(() => perExample(params, x, y), 20)
// The plain loop's dead results go back to the heap once the event loop turns (their collection has run by now).
await new Promise((resolve) => setTimeout(resolve, 20))
// In a loop, each call's 51 MB of gradients is a fresh array: garbage collection frees the last one's heap block
// only after the loop yields, so the program writes into scratch and copies out. Donating the previous result (as
// JAX's donate_argnums) hands its storage back at once, and the program writes the new gradients there.
const reusing = jit((p: MlpParams, xb: NDArray, yb: NDArray, _previous: Tree) => perExampleGrad(p, xb, yb), {
  donateArgnums: [3],
})
let previous = perExample(params, x, y) as Tree
const donating = time(() => {
  previous = reusing(params, x, y, previous) as Tree
}, 20)
const fresh = treeLeaves(perExample(params, x, y) as Tree)
const same = treeLeaves(previous).every((leaf, i) => {
  const want = toTypedArray(fresh[i] as NDArray)
  return toTypedArray(leaf as NDArray).every((v, j) => v === want[j])
})
const eagerVmap = time(() => vmap(grad(single), { inAxes: [null, 0, 0] })(params, x, y), 10)
const batchGrad = grad(mlpLoss)
const batch = time(() => batchGrad(params, x, y), 20)
const jitBatch = jit(grad(mlpLoss))
const batchJit = time(() => jitBatch(params, x, y), 20)

console.log('per-example gradients, 784→128→10 network, batch 128 (median ms)')
console.log(`  128 grad calls in a JS loop:        ${loop.toFixed(2)} ms`)
console.log(`  vmap(grad(loss)), eager:            ${eagerVmap.toFixed(2)} ms`)
console.log(
  `  jit(vmap(grad(loss))):              ${vmapped.toFixed(2)} ms  (${(loop / vmapped).toFixed(1)}× faster than the loop; target ≥ 10×)`,
)
console.log(
  `  jit, donating the previous result:  ${donating.toFixed(2)} ms  (${(loop / donating).toFixed(1)}× faster than the loop; ${same ? 'same values' : 'VALUES DIFFER'})`,
)
console.log(
  `  one batch gradient, eager:          ${batch.toFixed(2)} ms  (per-example / batch: ${(vmapped / batch).toFixed(2)}×, donating ${(donating / batch).toFixed(2)}×; target ≤ 4×)`,
)
console.log(
  `  one batch gradient, jit(grad):      ${batchJit.toFixed(2)} ms  (per-example / batch: ${(vmapped / batchJit).toFixed(2)}×)`,
)

// Hessian of log Σ exp(W·z) for z of 200 dimensions, in float64
const n = 200
const W = normal(key(3), [n, n], { stddev: 0.1, dtype: 'float64' })
const z = normal(key(4), [n], { dtype: 'float64' })
const lse = (v: NDArray): NDArray => {
  const a = dot(W, v)
  const m = max(a)
  return add(log(sum(exp(sub(a, m)))), m)
}
let hNew: NDArray | null = null
const tNew = time(
  () => {
    hNew = hessian(lse)(z)
  },
  5,
  1,
)
let hOld: NDArray | null = null
const t0 = performance.now()
hOld = hessianPerBasis(lse)(z)
const tOld = performance.now() - t0
const diff = sub(hNew as unknown as NDArray, hOld)
const maxAbs = Math.max(...(toArray(maximum(diff, neg(diff))) as number[][]).flat())
console.log(`hessian of a ${n}-dimensional log-sum-exp of a linear map (float64)`)
console.log(`  one pass per basis vector (before): ${tOld.toFixed(0)} ms (one run)`)
console.log(
  `  on vmap:                            ${tNew.toFixed(1)} ms  (${(tOld / tNew).toFixed(0)}× faster; target ≥ 10×)`,
)
console.log(`  largest difference between the two: ${maxAbs.toExponential(2)}`)
