/** The MNIST demo as a module: its entry point and pieces, for the command line and for tests. */
export { type Inputs, loadData, type Mnist, prepareInputs, scaleImages, toInputs } from './data.js'
export { drawDigit, writeDigitGrid } from './digits.js'
export { runFunctional } from './functional.js'
export { type ChapterResult, runKeras } from './keras.js'
export { type DemoIO, main } from './main.js'
export { type DemoOptions, parseOptions, UsageError, usage } from './options.js'
export { makeOutput, type Output } from './output.js'
