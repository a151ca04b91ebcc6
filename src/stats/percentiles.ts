/** Percentiles, summaries and compact stand-ins of sorted samples. */
import { mean, medianAbsoluteDeviation, medianSorted, quantileSorted, sampleStandardDeviation } from 'simple-statistics'
import { assertSample, assertNumberIn, assertInteger } from './check.js'

/**
 * p-th percentile (0..100) of an ascending-sorted sample: simple-statistics' `quantileSorted`, interpolating at h = (n-1)·p/100 (R type 7, numpy 'linear').
 * @example percentileSorted([1, 2, 3, 4], 50) // => 2.5
 */
export function percentileSorted(sorted: readonly number[], p: number): number {
  assertSample('sorted', sorted, true)
  assertNumberIn('p', p, 0, 100)
  return quantileSorted(sorted, p / 100)
}

/** Summary of an ascending-sorted sample. */
export interface SampleSummary {
  count: number
  mean: number
  median: number
  /** Sample standard deviation (n-1 denominator); 0 when n = 1. */
  sd: number
  /** Median absolute deviation from the median, unscaled. */
  mad: number
  min: number
  max: number
  p50: number
  p75: number
  p90: number
  p95: number
  p99: number
}

/**
 * Count, mean, median, sample sd (n-1), unscaled MAD = median(|xᵢ - median|), extremes and percentiles (type 7) of an ascending-sorted sample.
 * @example summarizeSorted([1, 2, 3, 4]).p50 // => 2.5
 */
export function summarizeSorted(sorted: readonly number[]): SampleSummary {
  assertSample('sorted', sorted, true)
  const pct = (p: number): number => quantileSorted(sorted, p / 100)
  return {
    count: sorted.length,
    mean: mean(sorted),
    median: medianSorted(sorted),
    sd: sorted.length > 1 ? sampleStandardDeviation(sorted) : 0,
    mad: medianAbsoluteDeviation(sorted),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p50: pct(50),
    p75: pct(75),
    p90: pct(90),
    p95: pct(95),
    p99: pct(99),
  }
}

/**
 * A compact stand-in for a large sorted sample: `points` values at evenly spaced quantiles
 * ((i + 0.5) / points), so the stored sample keeps the distribution's shape at a fixed size.
 * Samples with at most `points` values are returned as they are.
 * @example compactSorted(tenThousandSortedTimes, 256).length // => 256
 */
export function compactSorted(sorted: readonly number[], points: number): number[] {
  assertSample('sorted', sorted)
  assertInteger('points', points, 1)
  if (sorted.length <= points) return [...sorted]
  const compact: number[] = []
  for (let i = 0; i < points; i++) compact.push(quantileSorted(sorted as number[], (i + 0.5) / points))
  return compact
}
