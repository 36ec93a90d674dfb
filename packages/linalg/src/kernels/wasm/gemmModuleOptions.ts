/** `GemmModuleOptions`: the blocking parameters and instruction choices a generated GEMM module is built with. */

/** Blocking parameters and instruction choices of a generated GEMM module. */
export interface GemmModuleOptions {
  /** Rows of the micro-kernel tile. */
  readonly mr: number
  /** Columns of the micro-kernel tile (a multiple of 4); narrower kernels of 4, 8, … serve the last B panel. */
  readonly nr: number
  /** k steps per micro-kernel loop iteration. */
  readonly unroll: number
  /** Longest k block (cache blocking over k): C is stored and reloaded between blocks. */
  readonly kc: number
  /** Row panels per block over m (keeps an mc×kc block of packed A in L2). */
  readonly mcPanels: number
  /** Dot form (see dotModule.ts): rows and columns of its tile, and its longest k block. */
  readonly dotMr: number
  readonly dotNj: number
  readonly dotKc: number
  /** Products with plain A and n ≤ dotMaxN use the dot form. */
  readonly dotMaxN: number
  /** The sparse-rows form takes products whose op(A) has at most this share of nonzeros (0: never; see gemmPlan.ts). */
  readonly rowsMaxDensity: number
  /** Whether a transposed op(A) may take the sparse-rows form too (see gemmPlan.ts). */
  readonly rowsTransA: boolean
  /** Multiply-add with `f32x4.relaxed_madd` (needs a runtime with relaxed SIMD). */
  readonly relaxed: boolean
  /** Import a shared memory (for worker threads) rather than a plain one. */
  readonly shared: boolean
  /**
   * Skip the k steps where a packed A panel is all ±0, against finite B (see compactPanel.ts): the same bits as
   * the dense product, with less work for sparse A. Off, packA writes no compact copies and every tile is dense.
   */
  readonly skipZeros: boolean
}
