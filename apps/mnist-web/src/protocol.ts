/** The messages between the page and its training worker (plain data and transferable buffers only). */

/** The MNIST files the build copies into the site (gzipped, with these names under `mnist/`). */
export const mnistAssets = {
  trainImages: { file: 'train-images-idx3-ubyte', bytes: 47_040_016 },
  trainLabels: { file: 'train-labels-idx1-ubyte', bytes: 60_008 },
  testImages: { file: 't10k-images-idx3-ubyte', bytes: 7_840_016 },
  testLabels: { file: 't10k-labels-idx1-ubyte', bytes: 10_008 },
} as const

export type MnistRole = keyof typeof mnistAssets

/** Settings of a training run (the chapter's: rmsprop, batch 128). */
export interface TrainSettings {
  readonly samples: number
  readonly epochs: number
  readonly batchSize: number
  readonly seed: number
}

/** What the worker's matrix products run on. */
export interface ThreadMode {
  readonly threads: number
  readonly workers: number
  readonly available: boolean
  readonly missing: readonly string[]
  readonly cores: number
  readonly kernel: string
}

export type ToWorker =
  | { readonly type: 'init'; readonly base: string; readonly threads: number | 'auto' }
  | { readonly type: 'train'; readonly settings: TrainSettings }
  | { readonly type: 'stop' }
  | { readonly type: 'evaluate'; readonly bytes: ArrayBuffer; readonly name: string }

/** Predictions on the whole test set. */
export interface TestResult {
  readonly accuracy: number
  readonly loss: number
  /** The predicted class of each of the 10,000 test images. */
  readonly predicted: Uint8Array
}

export type FromWorker =
  | { readonly type: 'mode'; readonly mode: ThreadMode }
  | { readonly type: 'loading'; readonly loaded: number; readonly total: number }
  | {
      readonly type: 'data'
      readonly testImages: Uint8Array
      readonly testLabels: Uint8Array
      readonly trainSamples: number
      readonly seconds: number
    }
  | { readonly type: 'epochBegin'; readonly epoch: number; readonly epochs: number; readonly steps: number }
  | {
      readonly type: 'batch'
      readonly epoch: number
      readonly batch: number
      readonly steps: number
      /** The epoch's running means so far (what Keras's progress bar shows). */
      readonly logs: Readonly<Record<string, number>>
      /** This batch's own loss and accuracy. */
      readonly values: Readonly<Record<string, number>>
    }
  | {
      readonly type: 'epochEnd'
      readonly epoch: number
      readonly logs: Readonly<Record<string, number>>
      readonly seconds: number
      /** The model as trained so far (no optimizer state): the page classifies drawings with it. */
      readonly model: ArrayBuffer
    }
  | {
      readonly type: 'trained'
      readonly history: {
        readonly params: Readonly<Record<string, number>>
        readonly metrics: Record<string, number[]>
      }
      readonly secondsPerEpoch: readonly number[]
      readonly test: TestResult
      /** The trained model with its optimizer state, as `saveModel` writes it. */
      readonly model: ArrayBuffer
      readonly threads: number
    }
  | { readonly type: 'stopped'; readonly epochs: number }
  | { readonly type: 'evaluated'; readonly name: string; readonly test: TestResult; readonly epochsTrained: number }
  | { readonly type: 'error'; readonly during: 'init' | 'train' | 'evaluate'; readonly message: string }
