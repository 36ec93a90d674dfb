/**
 * The drawing pad: strokes from a mouse, a pen or a finger (pointer events, coalesced points for smooth lines),
 * ink in the canvas's alpha channel. Calls `onInk` after each change with the event's time stamp, so the page can
 * measure drawing-to-prediction latency.
 */
import { type Grey, inkOf } from './preprocess.js'

export interface Pad {
  /** The ink drawn so far. */
  ink(): Grey
  clear(): void
  /** Paints a 28 × 28 image (0…255, row-major) over the whole pad, scaled up smoothly, as if drawn. */
  paint(pixels: ArrayLike<number>): void
}

/**
 * Wires `canvas` as a drawing pad. The stroke is 1/14 of the pad wide, about MNIST's pen once scaled to 20 pixels.
 * @example
 * const pad = drawingPad(canvas, (at) => classify(pad.ink(), at))
 */
export const drawingPad = (canvas: HTMLCanvasElement, onInk: (at: number) => void): Pad => {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })
  if (ctx === null) throw new Error('this browser cannot draw on a canvas (no 2d context)')
  const style = () => {
    ctx.strokeStyle = '#111'
    ctx.fillStyle = '#111'
    ctx.lineWidth = canvas.width / 14
    ctx.lineCap = 'round'
    ctx.lineJoin = 'round'
  }
  style()
  let last: { x: number; y: number } | null = null
  let pointer: number | null = null
  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect()
    return { x: ((e.clientX - r.left) / r.width) * canvas.width, y: ((e.clientY - r.top) / r.height) * canvas.height }
  }
  const dot = (p: { x: number; y: number }) => {
    ctx.beginPath()
    ctx.arc(p.x, p.y, ctx.lineWidth / 2, 0, 2 * Math.PI)
    ctx.fill()
  }
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || pointer !== null) return
    e.preventDefault()
    pointer = e.pointerId
    canvas.setPointerCapture(e.pointerId)
    last = at(e)
    dot(last)
    onInk(e.timeStamp)
  })
  canvas.addEventListener('pointermove', (e) => {
    if (e.pointerId !== pointer || last === null) return
    e.preventDefault()
    const points = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : []
    ctx.beginPath()
    ctx.moveTo(last.x, last.y)
    for (const p of points.length > 0 ? points : [e]) {
      last = at(p)
      ctx.lineTo(last.x, last.y)
    }
    ctx.stroke()
    onInk(e.timeStamp)
  })
  const end = (e: PointerEvent) => {
    if (e.pointerId !== pointer) return
    pointer = null
    last = null
  }
  canvas.addEventListener('pointerup', end)
  canvas.addEventListener('pointercancel', end)
  return {
    ink: () => inkOf(ctx.getImageData(0, 0, canvas.width, canvas.height)),
    clear: () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height)
      onInk(performance.now())
    },
    paint: (pixels) => {
      const small = new OffscreenCanvas(28, 28)
      const sctx = small.getContext('2d')
      if (sctx === null) throw new Error('this browser cannot draw on a canvas (no 2d context)')
      const image = sctx.createImageData(28, 28)
      for (let i = 0; i < 784; i++) {
        image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = 17
        image.data[i * 4 + 3] = pixels[i] as number
      }
      sctx.putImageData(image, 0, 0)
      ctx.clearRect(0, 0, canvas.width, canvas.height)
      ctx.imageSmoothingEnabled = true
      ctx.imageSmoothingQuality = 'high'
      ctx.drawImage(small, 0, 0, canvas.width, canvas.height)
      style()
      onInk(performance.now())
    },
  }
}
