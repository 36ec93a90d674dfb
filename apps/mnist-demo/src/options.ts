/** Command-line options of the demo, parsed and checked: a bad option is a UsageError naming it, never a stack trace. */
import { parseArgs } from 'node:util'
import { checkPlotPath, PlotError } from '@nabla/plot/node'

/** Everything the demo can be told. */
export interface DemoOptions {
  readonly epochs: number
  readonly batchSize: number
  readonly optimizer: 'rmsprop' | 'sgd' | 'adam' | 'adagrad'
  readonly seed: number
  readonly threads: number | undefined
  readonly data: string | undefined
  readonly quiet: boolean
  readonly mode: 'keras' | 'functional'
  /** dense (chapter 2's network) or convnet (chapter 5's). */
  readonly model: 'dense' | 'convnet'
  readonly png: string | undefined
  readonly trainSamples: number | undefined
  readonly jit: boolean
  /** Write the trained model here (one safetensors file). */
  readonly save: string | undefined
  /** Skip training: evaluate and predict with the model saved here. */
  readonly load: string | undefined
  /** After training, write the plot of the training history here (.svg or .png). */
  readonly plot: string | undefined
  readonly help: boolean
}

/**
 * A mistake in how the demo was called (exit code 2, message only).
 * @example
 * throw new UsageError('--epochs expects a positive integer, got "0"')
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/**
 * The `--help` text, also appended to the message of an unknown option.
 * @example
 * console.log(usage)
 */
export const usage = `Usage: mnist-demo [options]

The first network of "Deep Learning with R", chapter 2, with nabla: MNIST,
Dense 512 relu → Dense 10 softmax, rmsprop, 5 epochs of batch 128.

Options:
  --epochs N          training epochs (default 5)
  --batch-size N      samples per gradient step (default 128)
  --optimizer NAME    rmsprop | sgd | adam | adagrad (default rmsprop)
  --seed N            seed for weights and shuffling (default 42)
  --threads N         worker threads for matrix products (default: automatic)
  --data DIR          an IDX dataset in MNIST's layout (train-images-idx3-ubyte, …,
                      plain or .gz) instead of the bundled MNIST
  --mode MODE         keras (default): the book's listings; functional: the same
                      training as grad + optimizer + a hand-written loop (section 2.4)
  --model NAME        dense (default): chapter 2's network; convnet: chapter 5's
                      (conv 32/64/64 3×3 relu with 2×2 max pooling, dense 64, dense 10;
                      batch 64 by default; keras mode; minutes per epoch)
  --png FILE          where to write the grid of sample digits (default mnist-samples.png;
                      "none" to skip)
  --train-samples N   train on the first N images only (quick runs)
  --no-jit            run each training step op by op instead of compiled with jit
  --save FILE         after training, save the model (weights, optimizer state and
                      configuration, one .safetensors file): save_model_hdf5
  --load FILE         skip training: load a model saved with --save (load_model_hdf5)
                      and evaluate and predict with it (keras mode)
  --plot FILE         after training, write the plot of the training history (loss and
                      accuracy per epoch, as plot(history)) to FILE.svg or FILE.png
  --quiet             only the results: no listings, no progress bar
  --help              this text`

const positiveInt = (name: string, raw: string | undefined, fallback: number | undefined): number | undefined => {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) <= 0 || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--${name} expects a positive integer, got ${JSON.stringify(raw)}`)
  }
  return Number(raw)
}

/**
 * Parses the demo's arguments.
 * @example
 * parseOptions(['--epochs', '1', '--quiet'])
 */
export const parseOptions = (argv: readonly string[]): DemoOptions => {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      // `pnpm start -- --epochs 1` passes the `--` through: it separates nothing here
      args: argv.filter((a) => a !== '--'),
      options: {
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        optimizer: { type: 'string' },
        seed: { type: 'string' },
        threads: { type: 'string' },
        data: { type: 'string' },
        mode: { type: 'string' },
        model: { type: 'string' },
        png: { type: 'string' },
        'train-samples': { type: 'string' },
        save: { type: 'string' },
        load: { type: 'string' },
        plot: { type: 'string' },
        quiet: { type: 'boolean' },
        'no-jit': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`)
  }
  const str = (k: string) => values[k] as string | undefined
  const optimizer = str('optimizer') ?? 'rmsprop'
  if (!['rmsprop', 'sgd', 'adam', 'adagrad'].includes(optimizer)) {
    throw new UsageError(`--optimizer expects rmsprop, sgd, adam or adagrad, got ${JSON.stringify(optimizer)}`)
  }
  const mode = str('mode') ?? 'keras'
  if (mode !== 'keras' && mode !== 'functional')
    throw new UsageError(`--mode expects keras or functional, got ${JSON.stringify(mode)}`)
  const model = str('model') ?? 'dense'
  if (model !== 'dense' && model !== 'convnet')
    throw new UsageError(`--model expects dense or convnet, got ${JSON.stringify(model)}`)
  if (model === 'convnet' && mode !== 'keras')
    throw new UsageError(`--model convnet works with --mode keras, got --mode ${mode}`)
  for (const flag of ['save', 'load']) {
    const v = str(flag)
    if (v === '') throw new UsageError(`--${flag} expects a file name, got ""`)
    if (v !== undefined && mode !== 'keras') {
      throw new UsageError(
        `--${flag} works with --mode keras (the functional mode has no model to save), got --mode ${mode}`,
      )
    }
  }
  const plot = str('plot')
  if (plot !== undefined) {
    if (mode !== 'keras') {
      throw new UsageError(
        `--plot works with --mode keras (the functional mode's loop records no fit history), got --mode ${mode}`,
      )
    }
    if (str('load') !== undefined) {
      throw new UsageError('--plot draws the training history, so it needs training: got --load, which skips training')
    }
    try {
      checkPlotPath(plot) // before any training: a bad name or directory is a usage error now, not after an hour
    } catch (e) {
      if (e instanceof PlotError) throw new UsageError(`--plot: ${e.message}`)
      throw e
    }
  }
  const seedRaw = str('seed')
  if (seedRaw !== undefined && !/^-?\d+$/.test(seedRaw))
    throw new UsageError(`--seed expects an integer, got ${JSON.stringify(seedRaw)}`)
  return {
    epochs: positiveInt('epochs', str('epochs'), 5) as number,
    batchSize: positiveInt('batch-size', str('batch-size'), model === 'convnet' ? 64 : 128) as number,
    optimizer: optimizer as DemoOptions['optimizer'],
    seed: seedRaw === undefined ? 42 : Number(seedRaw),
    threads: positiveInt('threads', str('threads'), undefined),
    data: str('data'),
    quiet: values.quiet === true,
    mode,
    model,
    png: str('png') === 'none' ? undefined : (str('png') ?? 'mnist-samples.png'),
    trainSamples: positiveInt('train-samples', str('train-samples'), undefined),
    jit: values['no-jit'] !== true,
    save: str('save'),
    load: str('load'),
    plot,
    help: values.help === true,
  }
}
