/** Seeded resampling: the percentile-bootstrap interval of a ratio of medians or means. */
import { mean, median, quantileSorted, sampleWithReplacement } from 'simple-statistics'
import { assertSample, assertNumberIn, assertInteger } from './check.js'

/**
 * Deterministic PRNG (mulberry32, 32-bit state = seed >>> 0) returning numbers in [0, 1).
 * @example const rnd = seededRandom(42); rnd() // => 0.6011037519201636, same every run
 */
export function seededRandom(seed: number): () => number {
  assertInteger('seed', seed, Number.MIN_SAFE_INTEGER)
  let state = seed >>> 0
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Percentile-bootstrap confidence interval for median(current) / median(baseline). */
export interface RatioInterval {
  estimate: number
  lower: number
  upper: number
  confidence: number
  resamples: number
}

/**
 * Percentile bootstrap of median(current)/median(baseline): per resample both samples are redrawn (baseline first, one mulberry32 stream); bounds are the (1∓confidence)/2 type-7 quantiles of the ratios.
 * @throws {TypeError} for empty samples, a baseline value ≤ 0, a current value < 0, or bad options.
 * @example bootstrapMedianRatio(before, after) // => { estimate: 1.495, lower: 1.420, upper: 1.577, confidence: 0.95, resamples: 2000 } for 300 points with a 1.5× shift
 */
export function bootstrapMedianRatio(
  baseline: readonly number[],
  current: readonly number[],
  options: { confidence?: number; resamples?: number; seed?: number } = {},
): RatioInterval {
  return bootstrapRatio(baseline, current, 'median', options)
}

/**
 * Percentile bootstrap of statistic(current)/statistic(baseline) for the median or the mean;
 * resampled as bootstrapMedianRatio does.
 * @example bootstrapRatio(before, after, 'mean', { seed: 7 })
 */
export function bootstrapRatio(
  baseline: readonly number[],
  current: readonly number[],
  statistic: 'median' | 'mean',
  options: { confidence?: number; resamples?: number; seed?: number } = {},
): RatioInterval {
  const center = statistic === 'median' ? median : mean
  const { confidence = 0.95, resamples = 2000, seed = 1 } = options
  assertSample('baseline', baseline)
  assertSample('current', current)
  if (baseline.some((v) => v <= 0)) throw new TypeError('Expected `baseline` to contain only positive numbers')
  if (current.some((v) => v < 0)) throw new TypeError('Expected `current` to contain only non-negative numbers')
  assertNumberIn('confidence', confidence, 0, 1, true)
  assertInteger('resamples', resamples, 1)
  const random = seededRandom(seed)
  const base = [...baseline]
  const cur = [...current]
  const ratios = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) {
    const mb = center(sampleWithReplacement(base, base.length, random))
    ratios[r] = center(sampleWithReplacement(cur, cur.length, random)) / mb
  }
  const sorted = Array.from(ratios.sort())
  const alpha = (1 - confidence) / 2
  return {
    estimate: center(cur) / center(base),
    lower: quantileSorted(sorted, alpha),
    upper: quantileSorted(sorted, 1 - alpha),
    confidence,
    resamples,
  }
}
