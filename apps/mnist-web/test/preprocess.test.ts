// The drawing's preprocessing against hand-computed values: bounding box, centre of mass, area-averaged scaling,
// the sub-pixel centring, the whole pipeline on a canvas-sized image; and the confusion matrix.
import { describe, expect, it } from 'vitest'
import { boundingBox, centreByMass, centreOfMass, type Grey, inkOf, preprocess, scaleBox } from '../src/preprocess.js'
import { confusionMatrix } from '../src/testset.js'

const grey = (width: number, height: number, rows: readonly number[]): Grey => ({
  width,
  height,
  data: Float32Array.from(rows),
})

/** A width × height image with ink 1 in the rectangle [x0, x1) × [y0, y1). */
const rect = (width: number, height: number, x0: number, y0: number, x1: number, y1: number): Grey => {
  const data = new Float32Array(width * height)
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 1
  return { width, height, data }
}

const close = (actual: ArrayLike<number>, expected: readonly number[], digits = 6) => {
  expect(actual.length).toBe(expected.length)
  expected.forEach((e, i) => {
    expect(actual[i]).toBeCloseTo(e, digits)
  })
}

describe('boundingBox', () => {
  it('spans the inked pixels, end-exclusive', () => {
    // ink at (1, 1) and (3, 2) of a 5 × 4 image
    const image = grey(5, 4, [0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0])
    expect(boundingBox(image)).toEqual({ x0: 1, y0: 1, x1: 4, y1: 3 })
  })
  it('ignores ink at or below the threshold', () => {
    const image = grey(5, 4, [0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0.2, 0, 0, 0, 0, 0, 0])
    expect(boundingBox(image, 0.25)).toEqual({ x0: 1, y0: 1, x1: 2, y1: 2 })
  })
  it('is null for an empty drawing', () => {
    expect(boundingBox(grey(3, 2, [0, 0, 0, 0, 0, 0]))).toBeNull()
    expect(preprocess(grey(3, 2, [0, 0, 0, 0, 0, 0]))).toBeNull()
  })
})

describe('centreOfMass', () => {
  it('weights pixel centres (x + ½, y + ½) by ink', () => {
    // x: (1·0.5 + 3·1.5) / 4 = 1.25
    expect(centreOfMass(grey(2, 1, [1, 3]))).toEqual({ x: 1.25, y: 0.5 })
    // 2 × 2 with ink 1, 0 / 0, 3: x = (1·0.5 + 3·1.5) / 4 = 1.25, y = (1·0.5 + 3·1.5) / 4 = 1.25
    expect(centreOfMass(grey(2, 2, [1, 0, 0, 3]))).toEqual({ x: 1.25, y: 1.25 })
    // 3 × 1 with ink 2, 0, 1: x = (2·0.5 + 1·2.5) / 3 = 7/6
    expect(centreOfMass(grey(3, 1, [2, 0, 1]))?.x).toBeCloseTo(7 / 6, 12)
  })
  it('is null without ink', () => {
    expect(centreOfMass(grey(2, 1, [0, 0]))).toBeNull()
  })
})

describe('scaleBox', () => {
  it('scales the longer side to 20 and keeps the aspect ratio', () => {
    const scaled = scaleBox(rect(60, 50, 10, 5, 50, 25), { x0: 10, y0: 5, x1: 50, y1: 25 })
    expect([scaled.width, scaled.height]).toEqual([20, 10])
    expect([...scaled.data].every((v) => Math.abs(v - 1) < 1e-6)).toBe(true)
  })
  it('averages the covered area (anti-aliasing), fractional overlaps included', () => {
    // 4 × 2 → 2 × 1: each output pixel averages a 2 × 2 block
    close(scaleBox(grey(4, 2, [1, 1, 0, 0, 1, 0, 0, 1]), { x0: 0, y0: 0, x1: 4, y1: 2 }, 2).data, [0.75, 0.25])
    // 3 × 1 → 2 × 1 (ratio 1.5): [0, 1.5) holds 1 and half of 0 → 1/1.5; [1.5, 3) holds half of 0 and 0.6 → 0.6/1.5
    close(scaleBox(grey(3, 1, [1, 0, 0.6]), { x0: 0, y0: 0, x1: 3, y1: 1 }, 2).data, [2 / 3, 0.4])
    // 1 × 3 → 1 × 2 works the same down a column (the long side is vertical)
    const column = scaleBox(grey(1, 3, [1, 0, 0.6]), { x0: 0, y0: 0, x1: 1, y1: 3 }, 2)
    expect([column.width, column.height]).toEqual([1, 2])
    close(column.data, [2 / 3, 0.4])
  })
  it('scales up a small drawing (a 2 × 1 dot becomes 20 × 10, ink 1)', () => {
    const scaled = scaleBox(grey(2, 1, [1, 1]), { x0: 0, y0: 0, x1: 2, y1: 1 })
    expect([scaled.width, scaled.height]).toEqual([20, 10])
    expect(Math.min(...scaled.data)).toBeCloseTo(1, 6)
  })
})

describe('centreByMass', () => {
  it('splits a pixel bilinearly when the shift is fractional', () => {
    // one pixel, centre (0.5, 0.5) → (14, 14): shifted by 13.5, a quarter in each of (13..14, 13..14)
    const out = centreByMass(grey(1, 1, [1]))
    const inked = [...out.data].flatMap((v, i) => (v > 0 ? [[i % 28, Math.floor(i / 28), v]] : []))
    expect(inked).toEqual([
      [13, 13, 0.25],
      [14, 13, 0.25],
      [13, 14, 0.25],
      [14, 14, 0.25],
    ])
  })
  it('puts the centre of mass at (14, 14) and keeps the mass', () => {
    const image = grey(3, 2, [0.2, 0, 1, 0.5, 0.7, 0])
    const out = centreByMass(image)
    const c = centreOfMass(out)
    expect(c?.x).toBeCloseTo(14, 5)
    expect(c?.y).toBeCloseTo(14, 5)
    expect(out.data.reduce((a, b) => a + b, 0)).toBeCloseTo(2.4, 5)
  })
})

describe('preprocess', () => {
  it('a 100 × 200 block on a 280 × 280 canvas becomes a 10 × 20 block in rows 4–23, columns 9–18', () => {
    // box 100 × 200 → 10 × 20; its centre (5, 10) moves to (14, 14): a whole-pixel shift by (9, 4)
    const p = preprocess(rect(280, 280, 50, 30, 150, 230))
    expect(p?.box).toEqual({ x0: 50, y0: 30, x1: 150, y1: 230 })
    expect(p?.scaled).toEqual({ width: 10, height: 20 })
    const expected = Array.from({ length: 784 }, (_, i) => {
      const [x, y] = [i % 28, Math.floor(i / 28)]
      return x >= 9 && x < 19 && y >= 4 && y < 24 ? 1 : 0
    })
    close(p?.pixels ?? [], expected)
  })
  it("reads a canvas's alpha channel as ink", () => {
    const rgba = Uint8ClampedArray.of(17, 17, 17, 255, 0, 0, 0, 0, 17, 17, 17, 51, 0, 0, 0, 0)
    close(inkOf({ width: 2, height: 2, data: rgba }).data, [1, 0, 0.2, 0])
  })
})

describe('confusionMatrix', () => {
  it('counts true (rows) against predicted (columns)', () => {
    expect(confusionMatrix(Uint8Array.of(0, 1, 1, 2, 2, 2), Uint8Array.of(0, 1, 0, 2, 2, 1), 3)).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 2],
    ])
  })
  it('rejects labels and predictions of different lengths', () => {
    expect(() => confusionMatrix([1, 2], [1])).toThrow('2 labels but 1 predictions')
  })
})
