/** Relative spreads of repeated measurements (round medians, runs). */
import { median, quantileSorted } from 'simple-statistics'
import { assertSample } from './check.js'

/**
 * Relative spread (max - min) / median of a set of values, e.g. the medians of independent rounds; 0 when all are equal.
 * @example relativeSpread([100, 102, 98]) // => 0.04
 */
export function relativeSpread(values: readonly number[]): number {
  assertSample('values', values)
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  if (max === min) return 0
  const m = median(values)
  if (!(m > 0)) throw new TypeError(`Expected \`values\` to have a positive median, got ${m}`)
  return (max - min) / m
}

/**
 * Interquartile range relative to the median, (q75 − q25) / q50, of a set of values such as the
 * medians of independent rounds: a spread that one or two disturbed rounds cannot inflate.
 * @example relativeInterquartileRange([100, 101, 99, 100, 160]) // => 0.01
 */
export function relativeInterquartileRange(values: readonly number[]): number {
  assertSample('values', values)
  const sorted = [...values].sort((a, b) => a - b)
  const middle = quantileSorted(sorted, 0.5)
  if (!(middle > 0)) throw new TypeError(`Expected \`values\` to have a positive median, got ${middle}`)
  return (quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)) / middle
}
