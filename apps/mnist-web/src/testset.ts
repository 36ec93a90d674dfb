/** The test set after training: a grid of digits with their predicted labels (mistakes marked), a confusion matrix. */

/**
 * counts[t][p]: how many test images of true class t were predicted as p.
 * @example
 * confusionMatrix(Uint8Array.of(1, 1, 0), Uint8Array.of(1, 0, 0), 2) // [[1, 0], [1, 1]]
 */
export const confusionMatrix = (labels: ArrayLike<number>, predicted: ArrayLike<number>, classes = 10): number[][] => {
  if (labels.length !== predicted.length) {
    throw new RangeError(`confusionMatrix: ${labels.length} labels but ${predicted.length} predictions`)
  }
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
  for (let i = 0; i < labels.length; i++) {
    const row = counts[labels[i] as number]
    if (row !== undefined) row[predicted[i] as number] = (row[predicted[i] as number] ?? 0) + 1
  }
  return counts
}

/** Draws a 28 × 28 digit (0…255) dark on light into a small canvas. */
export const digitCanvas = (pixels: ArrayLike<number>, offset = 0): HTMLCanvasElement => {
  const canvas = document.createElement('canvas')
  canvas.width = canvas.height = 28
  const ctx = canvas.getContext('2d')
  if (ctx !== null) {
    const image = ctx.createImageData(28, 28)
    for (let i = 0; i < 784; i++) {
      const v = 255 - (pixels[offset + i] as number)
      image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = v
      image.data[i * 4 + 3] = 255
    }
    ctx.putImageData(image, 0, 0)
  }
  return canvas
}

/** The confusion matrix as a table: rows the true digit, columns the predicted one, shaded by share of the row. */
export const renderConfusion = (table: HTMLTableElement, counts: readonly (readonly number[])[]): void => {
  table.replaceChildren()
  const caption = table.createCaption()
  caption.textContent = 'Confusion matrix: rows are the true digit, columns the predicted one'
  const head = table.createTHead().insertRow()
  const corner = document.createElement('th')
  corner.textContent = 'true \\ predicted'
  corner.scope = 'col'
  head.append(corner)
  counts.forEach((_, p) => {
    const th = document.createElement('th')
    th.scope = 'col'
    th.textContent = String(p)
    head.append(th)
  })
  const body = table.createTBody()
  counts.forEach((row, t) => {
    const tr = body.insertRow()
    const th = document.createElement('th')
    th.scope = 'row'
    th.textContent = String(t)
    tr.append(th)
    const total = row.reduce((a, b) => a + b, 0) || 1
    row.forEach((n, p) => {
      const td = tr.insertCell()
      td.textContent = String(n)
      const share = n / total
      td.className = p === t ? 'hit' : n > 0 ? 'miss' : ''
      td.style.setProperty('--share', share.toFixed(3))
      td.title = `true ${t}, predicted ${p}: ${n}`
    })
  })
}
