/**
 * Buffer planning by liveness: every planned slot lives from the step that writes it to the last step that
 * reads it; slots are placed largest first at the lowest offset that no slot alive at the same time uses
 * (best fit of a greedy interval packing), so one region, sized once at compile time, holds a whole step.
 */

/** A slot to place: its size in bytes and the steps it is alive for (inclusive). */
export interface SlotDemand {
  readonly bytes: number
  readonly from: number
  readonly to: number
}

/** Where each slot goes, and the region's size. */
export interface Placement {
  readonly offsets: readonly number[]
  readonly bytes: number
}

const align = 64

/**
 * Offsets for slots so that no two alive at one step overlap.
 * @example
 * // internal (not exported); planSlots([{ bytes: 100, from: 0, to: 1 }, { bytes: 100, from: 2, to: 3 }]) puts
 * // both slots at 0: { offsets: [0, 0], bytes: 128 }. Through compileJaxpr: five 4×4 float32 intermediates
 * // (64 bytes each), at most three alive at once, share 192 bytes
 * const f = (a) => matmul(tanh(matmul(a, a)), tanh(matmul(a, mul(a, 2))))
 * compileJaxpr(makeJaxpr(f)(ones([4, 4]))).regionBytes // → 192
 */
export const planSlots = (slots: readonly SlotDemand[]): Placement => {
  const order = slots.map((_, i) => i).sort((a, b) => (slots[b] as SlotDemand).bytes - (slots[a] as SlotDemand).bytes)
  const offsets: number[] = new Array(slots.length).fill(0)
  const placed: number[] = []
  let total = 0
  for (const i of order) {
    const s = slots[i] as SlotDemand
    const size = Math.ceil(s.bytes / align) * align
    // the ranges taken by slots whose lifetimes meet this one's, by start
    const taken = placed
      .filter((j) => {
        const t = slots[j] as SlotDemand
        return t.from <= s.to && s.from <= t.to
      })
      .map((j) => [
        offsets[j] as number,
        (offsets[j] as number) + Math.ceil((slots[j] as SlotDemand).bytes / align) * align,
      ])
      .sort((a, b) => (a[0] as number) - (b[0] as number))
    // the smallest gap that fits, else after the last range
    let best = -1
    let bestGap = Number.POSITIVE_INFINITY
    let cursor = 0
    for (const [start, end] of taken as [number, number][]) {
      const gap = start - cursor
      if (gap >= size && gap < bestGap) {
        best = cursor
        bestGap = gap
      }
      cursor = Math.max(cursor, end)
    }
    const at = best >= 0 ? best : cursor
    offsets[i] = at
    placed.push(i)
    total = Math.max(total, at + size)
  }
  return { offsets, bytes: total }
}
