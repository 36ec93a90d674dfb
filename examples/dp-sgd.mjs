// DP-SGD on MNIST with the chapter's network (784→512 relu→10 softmax): per-example gradients by vmap(grad),
// each clipped to norm C, summed, Gaussian noise σ·C added, then an RMSprop step. Prints per epoch the test
// accuracy and statistics of the per-example gradient norms (before clipping).
// Run after a build: node examples/dp-sgd.mjs   (quick: node examples/dp-sgd.mjs --quick)
// @nabla/ndarray is linked at the root; the other packages are imported from their builds.
import {
  add,
  argmax,
  cast,
  div,
  equal,
  exp,
  flatten,
  key,
  log,
  max,
  maximum,
  mean,
  mul,
  normal,
  reshape,
  split,
  sqrt,
  sub,
  sum,
  take,
  toArray,
  treeMap,
  zeros,
} from '@nabla/ndarray'
import { grad, vmap } from '../packages/autodiff/dist/index.js'
import { datasetMnist, toCategorical } from '../packages/datasets/dist/index.js'
import { jit } from '../packages/jit/dist/index.js'
import { dot } from '../packages/linalg/dist/index.js'
import { applyUpdates, rmsprop } from '../packages/optim/dist/index.js'

const quick = process.argv.includes('--quick')
const [trainSize, epochs, batch, clip, sigma] = [quick ? 4096 : 60000, quick ? 1 : 2, 128, 1, 1.1]

const mnist = datasetMnist()
const images = (x, n) => div(cast(flatten(take(x, [...Array(n).keys()])), 'float32'), 255)
const [trainX, trainY] = [
  images(mnist.train.x, trainSize),
  toCategorical(take(mnist.train.y, [...Array(trainSize).keys()]), 10),
]
const [testX, testY] = [
  images(mnist.test.x, quick ? 2000 : 10000),
  take(mnist.test.y, [...Array(quick ? 2000 : 10000).keys()]),
]

const [k1, k2, k3] = split(key(0), 3)
let params = {
  w1: normal(k1, [784, 512], { stddev: Math.sqrt(2 / 784) }),
  b1: zeros([512]),
  w2: normal(k2, [512, 10], { stddev: Math.sqrt(1 / 512) }),
  b2: zeros([10]),
}
const logits = (p, x) => add(dot(maximum(add(dot(x, p.w1), p.b1), 0), p.w2), p.b2)
// one example's crossentropy: x [784], y one-hot [10]
const loss = (p, x, y) => {
  const z = logits(p, x)
  const shifted = sub(z, max(z))
  return mul(sum(mul(y, sub(shifted, log(sum(exp(shifted)))))), -1)
}

// the private gradient of a batch: clip each example's gradient to norm ≤ C, sum, add N(0, σ²C²), average
const privateGrad = jit((p, x, y, noise) => {
  const g = vmap(grad(loss), { inAxes: [null, 0, 0] })(p, x, y) // every leaf [B, ...]
  const sq = Object.values(g).map((l) => sum(mul(l, l), { axis: [...Array(l.rank).keys()].slice(1) }))
  const norms = sqrt(sq.reduce(add)) // [B]
  const scale = div(clip, maximum(norms, clip)) // min(1, C/‖g‖)
  const clipped = treeMap((l) => sum(mul(l, reshape(scale, [-1, ...Array(l.rank - 1).fill(1)])), { axis: 0 }), g)
  return [treeMap((l, n) => div(add(l, mul(n, sigma * clip)), x.shape[0]), clipped, noise), norms]
})

const opt = rmsprop({ learningRate: 3e-3 })
let state = opt.init(params)
let noiseKey = k3
const accuracy = () => mean(cast(equal(argmax(logits(params, testX), { axis: 1 }), cast(testY, 'int32')), 'float32'))
for (let epoch = 1; epoch <= epochs; epoch++) {
  const t0 = performance.now()
  const norms = []
  for (let start = 0; start + batch <= trainSize; start += batch) {
    const rows = [...Array(batch).keys()].map((i) => start + i)
    const [kNext, kNoise] = split(noiseKey)
    noiseKey = kNext
    const noiseKeys = split(kNoise, 4)
    const noise = Object.fromEntries(
      Object.entries(params).map(([name, l], i) => [name, normal(noiseKeys[i], l.shape)]),
    )
    const [g, n] = privateGrad(params, take(trainX, rows), take(trainY, rows), noise)
    const [updates, next] = opt.update(g, state, params)
    ;[params, state] = [applyUpdates(params, updates), next]
    norms.push(...toArray(n))
  }
  norms.sort((a, b) => a - b)
  const q = (f) => norms[Math.floor(f * (norms.length - 1))].toFixed(3)
  console.log(
    `epoch ${epoch}: test accuracy ${(100 * toArray(accuracy())).toFixed(2)}%, per-example gradient norm median ${q(0.5)} (p10 ${q(0.1)}, p90 ${q(0.9)}, max ${q(1)}), ${((100 * norms.filter((v) => v > clip).length) / norms.length).toFixed(1)}% clipped at C = ${clip}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  )
}
