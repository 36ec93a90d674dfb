/** summary: Keras's model table (layer, output shape, parameter count) as a string. */
import { type Key, key, type Shape, sizeOf, split, type Tree, treeLeaves } from '@nabla/ndarray'
import type { CompiledModel } from './compile.js'
import { inputShapeOf, isSequential, type Sequential } from './model.js'

const lineLength = 65
// Keras's column ends for sequential models: 0.45, 0.85 and 1.0 of the line
const positions = [29, 55, 65] as const

/**
 * One table row as Keras's print_row lays it out: a leading space, each field cut to its
 * column (less two spaces of gutter) and padded to the column's end; long fields continue
 * on the next line, breaking after "),".
 */
const row = (fields: readonly string[]): string[] => {
  const left = [...fields]
  const lines: string[] = []
  while (left.some((f) => f.length > 0)) {
    let line = ''
    left.forEach((field, col) => {
      const start = col === 0 ? 0 : (positions[col - 1] as number)
      const space = col === positions.length - 1 ? 0 : 2
      let cutoff = (positions[col] as number) - start - space
      let fit = field.slice(0, cutoff)
      const breaks = ['),', '},', '],', "',"].map((b) => fit.indexOf(b)).filter((i) => i >= 0)
      if (breaks.length > 0) {
        cutoff = Math.min(...breaks) + 2
        fit = fit.slice(0, cutoff)
      }
      if (col === 0) line += ' '
      line += fit + ' '.repeat(space)
      left[col] = field.slice(cutoff)
      line += ' '.repeat(Math.max(0, (positions[col] as number) - line.length))
    })
    lines.push(line.trimEnd())
  }
  return lines
}

const pyShape = (shape: Shape): string => `(None, ${shape.join(', ')})`

/** Thousands with commas, as Python's `{:,}`. */
const commas = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/** Each layer's output shape and parameter count: from the model's parameters, or from a build with throwaway weights. */
const layerStats = (model: Sequential): { shape: Shape; count: number }[] => {
  const compiled = (model as Partial<CompiledModel>).compiled === true ? (model as CompiledModel) : undefined
  let shape = inputShapeOf('summary', model)
  const keys = split(key(0), model.layers.length)
  return model.layers.map((layer, i) => {
    const [out, fresh] = layer.build().init(keys[i] as Key, shape)
    shape = out
    const params = compiled === undefined ? fresh : (compiled.params[i] as Tree)
    return { shape: out, count: treeLeaves(params).reduce((s, leaf) => s + sizeOf(leaf.shape), 0) }
  })
}

/**
 * The Keras 2 summary table of a model (compiled or not; its first layer needs
 * `inputShape`). Keras pads each row to 65 columns; trailing spaces are trimmed here.
 * @category Models
 * @example
 * import { pipe } from 'fp-ts/function'
 * const network = pipe(
 *   kerasModelSequential(),
 *   layerDense({ units: 512, activation: 'relu', inputShape: [28 * 28] }),
 *   layerDense({ units: 10, activation: 'softmax' }),
 * )
 * console.log(summary(network))
 * // prints:
 * //   Model: "sequential"
 * //   _________________________________________________________________
 * //    Layer (type)                Output Shape              Param #
 * //   =================================================================
 * //    dense (Dense)               (None, 512)               401920
 * //
 * //    dense_1 (Dense)             (None, 10)                5130
 * //
 * //   =================================================================
 * //   Total params: 407,050
 * //   Trainable params: 407,050
 * //   Non-trainable params: 0
 * //   _________________________________________________________________
 */
export const summary = (model: Sequential): string => {
  if (!isSequential(model)) throw new TypeError('summary: expected a model made by kerasModelSequential()')
  const stats = layerStats(model)
  const total = stats.reduce((s, l) => s + l.count, 0)
  const lines = [
    `Model: "${model.name}"`,
    '_'.repeat(lineLength),
    ...row(['Layer (type)', 'Output Shape', 'Param #']),
    '='.repeat(lineLength),
    ...model.layers.flatMap((layer, i) => {
      const s = stats[i] as { shape: Shape; count: number }
      return [...row([`${layer.name} (${layer.kind})`, pyShape(s.shape), String(s.count)]), '']
    }),
    '='.repeat(lineLength),
    `Total params: ${commas(total)}`,
    `Trainable params: ${commas(total)}`,
    'Non-trainable params: 0',
    '_'.repeat(lineLength),
  ]
  return lines.join('\n')
}
