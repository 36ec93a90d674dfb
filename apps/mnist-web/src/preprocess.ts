/**
 * A drawing made the way MNIST's digits were (LeCun, Cortes & Burges): the ink's bounding box scaled, aspect kept,
 * so its longer side is 20 pixels (area-averaged: anti-aliased grey levels), then placed in a 28×28 field so that
 * its centre of mass lies at the field's centre. Pure functions on row-major grey images with ink in [0, 1];
 * coordinates are continuous, pixel (x, y) covering [x, x+1) × [y, y+1), so its centre is (x + ½, y + ½).
 */

/** A grey image, row-major, ink in [0, 1] (0: paper). */
export interface Grey {
  readonly width: number
  readonly height: number
  readonly data: Float32Array
}

/** A box of whole pixels: columns x0 … x1 − 1, rows y0 … y1 − 1. */
export interface Box {
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
}

/** MNIST's geometry: the box the digit is scaled into and the field it is centred in. */
export const mnistBox = 20
export const mnistField = 28

/**
 * The smallest box holding every pixel with more ink than `threshold`; null when there is none (an empty drawing).
 * @example
 * boundingBox({ width: 3, height: 3, data: Float32Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0) }) // { x0: 1, y0: 1, x1: 2, y1: 2 }
 */
export const boundingBox = ({ width, height, data }: Grey, threshold = 0): Box | null => {
  let [x0, y0, x1, y1] = [width, height, 0, 0]
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((data[y * width + x] as number) > threshold) {
        if (x < x0) x0 = x
        if (x >= x1) x1 = x + 1
        if (y < y0) y0 = y
        if (y >= y1) y1 = y + 1
      }
    }
  }
  return x1 === 0 ? null : { x0, y0, x1, y1 }
}

/**
 * The ink's centre of mass, in continuous coordinates (pixel centres at x + ½); null when there is no ink.
 * @example
 * centreOfMass({ width: 2, height: 1, data: Float32Array.of(1, 3) }) // { x: 1.25, y: 0.5 }
 */
export const centreOfMass = ({ width, height, data }: Grey): { x: number; y: number } | null => {
  let [mass, mx, my] = [0, 0, 0]
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x] as number
      mass += v
      mx += v * (x + 0.5)
      my += v * (y + 0.5)
    }
  }
  return mass > 0 ? { x: mx / mass, y: my / mass } : null
}

/** Area-averages `length` samples into `out` samples: out[i] is the mean of the source over [i·r, (i+1)·r), r = length/out. */
const resample1d = (
  src: ArrayLike<number>,
  offset: number,
  stride: number,
  length: number,
  out: number,
): Float64Array => {
  const result = new Float64Array(out)
  const r = length / out
  for (let i = 0; i < out; i++) {
    const [a, b] = [i * r, (i + 1) * r]
    let sum = 0
    for (let j = Math.floor(a); j < Math.min(length, Math.ceil(b)); j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j)
      if (overlap > 0) sum += overlap * (src[offset + j * stride] as number)
    }
    result[i] = sum / r
  }
  return result
}

/**
 * The `box` of `image`, scaled so that its longer side is `size` pixels and the other keeps the aspect ratio
 * (rounded, at least 1): each output pixel is the mean ink of the source area it covers, so edges come out grey.
 * @example
 * scaleBox(grey, { x0: 0, y0: 0, x1: 40, y1: 20 }, 20) // 20 × 10
 */
export const scaleBox = (image: Grey, box: Box, size = mnistBox): Grey => {
  const [bw, bh] = [box.x1 - box.x0, box.y1 - box.y0]
  const s = size / Math.max(bw, bh)
  const [ow, oh] = [Math.max(1, Math.round(bw * s)), Math.max(1, Math.round(bh * s))]
  // rows first: each of the box's rows to ow columns, then each column to oh rows
  const rows = new Float64Array(bh * ow)
  for (let y = 0; y < bh; y++) {
    rows.set(resample1d(image.data, (box.y0 + y) * image.width + box.x0, 1, bw, ow), y * ow)
  }
  const data = new Float32Array(ow * oh)
  for (let x = 0; x < ow; x++) {
    const column = resample1d(rows, x, ow, bh, oh)
    for (let y = 0; y < oh; y++) data[y * ow + x] = column[y] as number
  }
  return { width: ow, height: oh, data }
}

/**
 * `image` placed in a `field` × `field` grid so that its centre of mass lands on the grid's centre (field / 2,
 * field / 2): a sub-pixel shift, each pixel's ink split bilinearly between the four pixels it then overlaps (mass and
 * centre kept exactly; ink pushed past the border is dropped).
 * @example
 * centreByMass({ width: 1, height: 1, data: Float32Array.of(1) }, 2) // ink ¼ in each of the 4 pixels
 */
export const centreByMass = (image: Grey, field = mnistField): Grey => {
  const out = new Float32Array(field * field)
  const c = centreOfMass(image)
  if (c === null) return { width: field, height: field, data: out }
  const [dx, dy] = [field / 2 - c.x, field / 2 - c.y]
  const [ix, iy] = [Math.floor(dx), Math.floor(dy)]
  const [fx, fy] = [dx - ix, dy - iy]
  const weights = [
    [0, 0, (1 - fx) * (1 - fy)],
    [1, 0, fx * (1 - fy)],
    [0, 1, (1 - fx) * fy],
    [1, 1, fx * fy],
  ] as const
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x] as number
      if (v === 0) continue
      for (const [ox, oy, w] of weights) {
        const [tx, ty] = [x + ix + ox, y + iy + oy]
        if (w > 0 && tx >= 0 && tx < field && ty >= 0 && ty < field)
          out[ty * field + tx] = (out[ty * field + tx] as number) + v * w
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, out[i] as number)
  return { width: field, height: field, data: out }
}

/** What the network is shown, and how it was made (for the page's preview). */
export interface Preprocessed {
  /** 28 × 28 ink in [0, 1], row-major: the network's input (MNIST's 0…255 divided by 255). */
  readonly pixels: Float32Array
  readonly box: Box
  /** The scaled digit's size (its longer side 20). */
  readonly scaled: { readonly width: number; readonly height: number }
}

/**
 * A drawing as an MNIST digit: bounding box → 20 × 20 (aspect kept, anti-aliased) → centred by mass in 28 × 28.
 * Null for an empty drawing (no pixel above `threshold`).
 * @example
 * const p = preprocess(inkOfCanvas(canvas)) // p?.pixels: Float32Array(784)
 */
export const preprocess = (image: Grey, threshold = 0): Preprocessed | null => {
  const box = boundingBox(image, threshold)
  if (box === null) return null
  const scaled = scaleBox(image, box)
  return { pixels: centreByMass(scaled).data, box, scaled: { width: scaled.width, height: scaled.height } }
}

/**
 * A canvas's ink: its alpha channel (strokes are painted on a transparent canvas) in [0, 1].
 * @example
 * inkOf(ctx.getImageData(0, 0, 280, 280)) // { width: 280, height: 280, data }
 */
export const inkOf = ({ width, height, data }: { width: number; height: number; data: ArrayLike<number> }): Grey => {
  const ink = new Float32Array(width * height)
  for (let i = 0; i < ink.length; i++) ink[i] = (data[i * 4 + 3] as number) / 255
  return { width, height, data: ink }
}
