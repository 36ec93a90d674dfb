/** The demo's entry point: options, listing 2.1 and the figures, then the chapter's network (Keras face or functional). */
import { IdxFileError } from '@nabla/datasets'
import { setKernel } from '@nabla/linalg'
import { slice, str } from '@nabla/ndarray'
import { ModelFileError } from '@nabla/nn'
import { PlotError } from '@nabla/plot'
import { type Inputs, loadData, prepareInputs } from './data.js'
import { drawDigit, writeDigitGrid } from './digits.js'
import { runFunctional } from './functional.js'
import { runKeras } from './keras.js'
import { type DemoOptions, parseOptions, UsageError, usage } from './options.js'
import { makeOutput, type Output } from './output.js'

/** Where the demo writes. */
export interface DemoIO {
  readonly stdout: Output['stream']
  readonly stderr: { write(text: string): unknown }
}

/**
 * Runs the demo with `argv`; resolves to the process exit code (0 ok, 2 for a user error
 * such as a bad option or a malformed data file, 1 for anything else).
 * @example
 * process.exitCode = await main(process.argv.slice(2))
 */
export const main = async (
  argv: readonly string[],
  io: DemoIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> => {
  try {
    const options = parseOptions(argv)
    if (options.help) {
      io.stdout.write(`${usage}\n`)
      return 0
    }
    if (options.threads !== undefined) setKernel({ threads: options.threads })
    const out = makeOutput(io.stdout, options.quiet)

    const inputs = showData(options, out)
    await (options.mode === 'keras' ? runKeras : runFunctional)(inputs, options, out)
    return 0
  } catch (e) {
    if (e instanceof UsageError || e instanceof IdxFileError || e instanceof ModelFileError || e instanceof PlotError) {
      io.stderr.write(`mnist-demo: ${e.message}\n`)
      return 2
    }
    io.stderr.write(`mnist-demo: internal error: ${(e as Error).stack ?? String(e)}\n`)
    return 1
  }
}

/**
 * Listing 2.1 and figure 2.2: loads the data and shows it, then returns it shaped as the networks take it (the
 * images still bytes: training, evaluation and prediction scale each batch as it is used).
 */
const showData = (options: DemoOptions, out: Output): Inputs => {
  out.listing('Listing 2.1 Loading the MNIST dataset')
  const data = loadData({ dir: options.data, trainSamples: options.trainSamples })
  out.command('str(train_images)')
  out.result(str(data.trainImages))
  out.command('str(train_labels)')
  out.result(str(data.trainLabels))
  out.command('str(test_images)')
  out.result(str(data.testImages))
  out.command('str(test_labels)')
  out.result(str(data.testLabels))

  out.listing('Figure 2.2 The fifth sample in our dataset')
  out.command('digit <- train_images[5,,]; plot(as.raster(digit, max = 255))')
  out.detail(drawDigit(slice(data.trainImages, 4)))
  if (options.png !== undefined) {
    writeDigitGrid(data.trainImages, options.png)
    out.detail(`(figure 2.1, MNIST sample digits: written to ${options.png})`)
  }
  return prepareInputs(data)
}
