// The printed faces: Keras's progress lines, R's history and list printing, and the live logger.
import { describe, expect, it } from 'vitest'
import { formatEvaluate, formatHistory, rFormat } from '../src/index.js'
import {
  formatEpochLine,
  formatLogs,
  formatLogValue,
  formatProgressLine,
  formatTimePerUnit,
  progressBar,
} from '../src/progress.js'
import { progressLogger } from '../src/progressLogger.js'
import { collector } from './kerasFixtures.js'

describe('Keras progress formatting', () => {
  it('the bar: count right-aligned, = for done, > at the head, . for the rest', () => {
    expect(progressBar(469, 469)).toBe('469/469 [==============================]')
    expect(progressBar(100, 469)).toBe('100/469 [=====>........................]')
    expect(progressBar(468, 469)).toBe('468/469 [============================>.]')
    expect(progressBar(12, 469)).toBe(' 12/469 [..............................]')
    expect(progressBar(1, 2, 10)).toBe('1/2 [====>.....]')
  })
  it("the book's epoch line, exactly", () => {
    const line = formatProgressLine({ step: 469, steps: 469, seconds: 2.1, logs: { loss: 0.25749, accuracy: 0.92551 } })
    expect(line).toBe('469/469 [==============================] - 2s 4ms/step - loss: 0.2575 - accuracy: 0.9255')
  })
  it('while running: an ETA instead of the time (s, m:ss, h:mm:ss)', () => {
    expect(formatProgressLine({ step: 100, steps: 469, seconds: 0.5, logs: { loss: 0.5 } })).toBe(
      '100/469 [=====>........................] - ETA: 1s - loss: 0.5000',
    )
    expect(formatProgressLine({ step: 1, steps: 101, seconds: 1, logs: {} })).toBe(
      '  1/101 [..............................] - ETA: 1:40',
    )
    expect(formatProgressLine({ step: 1, steps: 4000, seconds: 1, logs: {} })).toMatch(/ - ETA: 1:06:39$/)
  })
  it('validation values follow the training ones', () => {
    expect(
      formatProgressLine({
        step: 3,
        steps: 3,
        seconds: 0.01,
        logs: { loss: 1, accuracy: 0.5, val_loss: 2, val_accuracy: 0.25 },
      }),
    ).toBe(
      '3/3 [==============================] - 0s 3ms/step - loss: 1.0000 - accuracy: 0.5000 - val_loss: 2.0000 - val_accuracy: 0.2500',
    )
  })
  it('verbose 2 lines, as TensorFlow 2 prints them', () => {
    expect(formatEpochLine({ step: 128, steps: 128, seconds: 5.4, logs: { loss: 3.1494, accuracy: 0.1463 } })).toBe(
      '128/128 - 5s - loss: 3.1494 - accuracy: 0.1463 - 5s/epoch - 42ms/step',
    )
    expect(formatEpochLine({ step: 128, steps: 128, seconds: 0.358, logs: { loss: 2.9102 } })).toBe(
      '128/128 - 0s - loss: 2.9102 - 358ms/epoch - 3ms/step',
    )
  })
  it('values: 4 decimals, scientific below 1e-3 as Python prints %.4e, nan and inf', () => {
    expect(formatLogValue(0.0372)).toBe('0.0372')
    expect(formatLogValue(1.5e-5)).toBe('1.5000e-05')
    expect(formatLogValue(-2e-4)).toBe('-2.0000e-04')
    expect(formatLogValue(0)).toBe('0.0000e+00')
    expect(formatLogValue(Number.NaN)).toBe('nan')
    expect(formatLogValue(Number.POSITIVE_INFINITY)).toBe('inf')
    expect(formatLogs({ loss: 0.1, acc: 0.9 })).toBe(' - loss: 0.1000 - acc: 0.9000')
  })
  it('times per unit: s, ms, us', () => {
    expect(formatTimePerUnit(2.4, 'epoch')).toBe('2s/epoch')
    expect(formatTimePerUnit(0.0043, 'step')).toBe('4ms/step')
    expect(formatTimePerUnit(0.00025, 'step')).toBe('250us/step')
    expect(formatTimePerUnit(0, 'step')).toBe('0s/step')
  })
})

describe('progressLogger', () => {
  const clock = (times: number[]) => {
    let i = 0
    return () => times[Math.min(i++, times.length - 1)] as number
  }
  it('on a terminal redraws in place, throttled, blanking leftovers, and ends the epoch with a newline', () => {
    const out = collector(true)
    // begin at 0; batches at 0.01 (drawn), 0.03 (too soon), 0.2 (drawn); end at 0.4
    const log = progressLogger({ verbose: 1, output: out, epochs: 1, steps: 4, now: clock([0, 0.01, 0.03, 0.2, 0.4]) })
    log.epochBegin(0)
    log.batchEnd(1, { loss: 12.5 })
    log.batchEnd(2, { loss: 1 })
    log.batchEnd(3, { loss: 0.5 })
    log.epochEnd({ loss: 0.25 })
    expect(out.chunks).toEqual([
      'Epoch 1/1\n',
      '\r1/4 [======>.......................] - ETA: 0s - loss: 12.5000',
      '\r3/4 [=====================>........] - ETA: 0s - loss: 0.5000 ',
      '\r4/4 [==============================] - 0s 100ms/step - loss: 0.2500\n',
    ])
  })
  it('to a file, one final line per epoch; verbose 2 the short line; verbose 0 nothing', () => {
    for (const [verbose, expected] of [
      [1, ['Epoch 1/2\n', '2/2 [==============================] - 1s 500ms/step - loss: 0.2500\n']],
      [2, ['Epoch 1/2\n', '2/2 - 1s - loss: 0.2500 - 1s/epoch - 500ms/step\n']],
      [0, []],
    ] as const) {
      const out = collector(false)
      const log = progressLogger({ verbose, output: out, epochs: 2, steps: 2, now: clock([0, 1]) })
      log.epochBegin(0)
      log.batchEnd(1, { loss: 1 })
      log.epochEnd({ loss: 0.25 })
      expect(out.chunks).toEqual(expected)
    }
  })
})

describe('R printing', () => {
  it('rFormat: significant digits, trailing zeros dropped, scientific only when shorter', () => {
    expect(rFormat(0.07519608341)).toBe('0.07519608')
    expect(rFormat(0.9785)).toBe('0.9785')
    expect(rFormat(123456.789)).toBe('123456.8')
    expect(rFormat(1234567890123)).toBe('1.234568e+12')
    expect(rFormat(0.0001234)).toBe('0.0001234')
    expect(rFormat(0.00001234)).toBe('1.234e-05')
    expect(rFormat(1e-10)).toBe('1e-10')
    expect(rFormat(0)).toBe('0')
    expect(rFormat(-0.5)).toBe('-0.5')
    expect(rFormat(Number.NaN)).toBe('NaN')
    expect(rFormat(0.0371712, { digits: 4, scientific: false })).toBe('0.03717')
    expect(rFormat(123456.789, { digits: 4, scientific: false, bigMark: ',' })).toBe('123,457')
    expect(() => rFormat(1, { digits: 0 })).toThrow(/rFormat: digits must be an integer in 1…22, got 0/)
  })
  it('formatEvaluate prints like the book', () => {
    expect(formatEvaluate({ loss: 0.07519608341, accuracy: 0.9785 })).toBe('$loss\n[1] 0.07519608\n\n$acc\n[1] 0.9785')
    expect(formatEvaluate({ loss: 0.5, accuracy: 0.75 }, { accuracyName: 'accuracy' })).toBe(
      '$loss\n[1] 0.5\n\n$accuracy\n[1] 0.75',
    )
  })
  it("formatHistory prints like R's print of a keras history, names right-aligned", () => {
    const params = { epochs: 5, steps: 469, batchSize: 128, samples: 60000 }
    const history = { params, metrics: { loss: [0.2575, 0.0371712], accuracy: [0.9255, 0.98880001] } }
    expect(formatHistory(history)).toBe(
      'Trained on 60,000 samples (batch_size=128, epochs=5)\nFinal epoch (plot to see history):\n    loss: 0.03717\naccuracy: 0.9888',
    )
    const validated = {
      params: { ...params, samples: 48000, validationSamples: 12000 },
      metrics: { loss: [0.1], acc: [0.9], val_loss: [0.2], val_acc: [0.85] },
    }
    expect(formatHistory(validated)).toBe(
      'Trained on 48,000 samples, validated on 12,000 samples (batch_size=128, epochs=5)\n' +
        'Final epoch (plot to see history):\n    loss: 0.1\n     acc: 0.9\nval_loss: 0.2\n val_acc: 0.85',
    )
  })
})
