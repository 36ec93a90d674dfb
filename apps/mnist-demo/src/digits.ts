/** Pictures of digits: figure 2.2 drawn in the terminal, figure 2.1 as a PNG grid. */
import { writeFileSync } from 'node:fs'
import { type NDArray, slice, toTypedArray } from '@nabla/ndarray'
import { PNG } from 'pngjs'

const ramp = ' .:-=+*#%@'

/**
 * A 28×28 digit as text, two characters per pixel, darker ink for higher values (0…255).
 * @example
 * console.log(drawDigit(slice(trainImages, 4)))
 */
export const drawDigit = (digit: NDArray): string => {
  const [h, w] = digit.shape as [number, number]
  const px = toTypedArray(digit)
  const rows: string[] = []
  for (let i = 0; i < h; i++) {
    let row = ''
    for (let j = 0; j < w; j++) {
      const c = ramp[Math.min(ramp.length - 1, Math.floor(((px[i * w + j] as number) / 256) * ramp.length))] as string
      row += c + c
    }
    rows.push(row.trimEnd())
  }
  return rows.join('\n')
}

/**
 * Writes the first `rows × cols` images as one PNG, black ink on white as in the book's figure 2.1.
 * @example
 * writeDigitGrid(trainImages, 'mnist-samples.png')
 */
export const writeDigitGrid = (images: NDArray, file: string, rows = 4, cols = 8): void => {
  const [, h, w] = images.shape as [number, number, number]
  const gap = 2
  const png = new PNG({ width: cols * (w + gap) + gap, height: rows * (h + gap) + gap })
  png.data.fill(255)
  const px = toTypedArray(slice(images, [0, Math.min(rows * cols, images.shape[0] as number)]))
  for (let k = 0; k < rows * cols && k * h * w < px.length; k++) {
    const [r, c] = [Math.floor(k / cols), k % cols]
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const v = 255 - (px[k * h * w + i * w + j] as number)
        const at = ((r * (h + gap) + gap + i) * png.width + c * (w + gap) + gap + j) * 4
        png.data[at] = v
        png.data[at + 1] = v
        png.data[at + 2] = v
      }
    }
  }
  writeFileSync(file, PNG.sync.write(png))
}
