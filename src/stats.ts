/**
 * Small, pure statistical functions used by the performance gates.
 *
 * Everything here is deterministic and free of I/O. Where simple-statistics
 * offers a routine it is used; the normal tail function is written out (Cody's
 * erfc) because simple-statistics only offers a 4-digit table and a 1e-7
 * approximation, and p-values need more.
 */
import {
  binomialDistribution,
  mean,
  median,
  medianAbsoluteDeviation,
  medianSorted,
  probit,
  quantileSorted,
  sampleStandardDeviation,
  sampleWithReplacement,
} from 'simple-statistics'

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function assertSample(name: string, x: readonly number[], ascending = false): void {
  if (!Array.isArray(x) || x.length === 0) {
    throw new TypeError(`Expected \`${name}\` to be a non-empty array of numbers, got ${Array.isArray(x) ? 'an empty array' : show(x)}`)
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`Expected \`${name}\` to contain only finite numbers, got ${show(v)} at index ${i}`)
    }
    if (ascending && i > 0 && v < x[i - 1]!) {
      throw new TypeError(`Expected \`${name}\` to be sorted in ascending order, got ${x[i - 1]} before ${v} at index ${i}`)
    }
  }
}

function assertNumberIn(name: string, value: number, min: number, max: number, exclusive = false): void {
  const ok = typeof value === 'number' && (exclusive ? value > min && value < max : value >= min && value <= max)
  if (!ok) {
    const range = exclusive ? `between ${min} and ${max} (exclusive)` : `from ${min} to ${max}`
    throw new TypeError(`Expected \`${name}\` to be a number ${range}, got ${show(value)}`)
  }
}

function assertInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max !== Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''
    throw new TypeError(`Expected \`${name}\` to be an integer${range}, got ${show(value)}`)
  }
}

// ---------------------------------------------------------------------------
// Normal distribution
// ---------------------------------------------------------------------------

const SQRT_2PI = Math.sqrt(2 * Math.PI)
// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969), netlib specfun
// CALERF coefficients, written as the nearest doubles.
const ERF_A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315] as const
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171] as const
const ERF_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
] as const
const ERF_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
] as const
const ERF_P = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 0.0006587491615298378, 0.016315387137302097] as const
const ERF_Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918] as const

/** Complementary error function erfc(x), ~1e-15 relative accuracy (Cody 1969). */
function erfc(x: number): number {
  const y = Math.abs(x)
  let r: number
  if (y <= 0.46875) {
    const t = y * y
    let num = ERF_A[4] * t
    let den = t
    for (let i = 0; i < 3; i++) {
      num = (num + ERF_A[i]!) * t
      den = (den + ERF_B[i]!) * t
    }
    return 1 - (x * (num + ERF_A[3])) / (den + ERF_B[3])
  }
  if (y <= 4) {
    let num = ERF_C[8] * y
    let den = y
    for (let i = 0; i < 7; i++) {
      num = (num + ERF_C[i]!) * y
      den = (den + ERF_D[i]!) * y
    }
    r = (num + ERF_C[7]) / (den + ERF_D[7])
  } else if (y >= 26.543) {
    r = 0
  } else {
    const t = 1 / (y * y)
    let num = ERF_P[5] * t
    let den = t
    for (let i = 0; i < 4; i++) {
      num = (num + ERF_P[i]!) * t
      den = (den + ERF_Q[i]!) * t
    }
    r = (1 / Math.sqrt(Math.PI) - (t * (num + ERF_P[4])) / (den + ERF_Q[4])) / y
  }
  // exp(-y²) split as exp(-s²)·exp(-(y-s)(y+s)) with s = y rounded to 1/16, to keep the tail accurate.
  const s = Math.trunc(16 * y) / 16
  r *= Math.exp(-s * s) * Math.exp(-(y - s) * (y + s))
  return x < 0 ? 2 - r : r
}

/** Upper tail of the standard normal, P(Z > z) = erfc(z/√2)/2. */
function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2)
}

/**
 * Standard normal quantile Φ⁻¹(p) to ~1e-15: simple-statistics' `probit` (only ≈1e-3 accurate) polished by Halley steps on Cody's erfc.
 * @example normalQuantile(0.975) // => 1.959963984540054
 */
export function normalQuantile(p: number): number {
  assertNumberIn('p', p, 0, 1, true)
  return quantileOfLowerHalf(p)
}

function quantileOfLowerHalf(p: number): number {
  if (p > 0.5) return -quantileOfLowerHalf(1 - p)
  if (p === 0.5) return 0
  let x = probit(p)
  if (!Number.isFinite(x)) x = -Math.sqrt(-2 * Math.log(p))
  for (let i = 0; i < 50; i++) {
    const u = (normalSf(-x) - p) * SQRT_2PI * Math.exp((x * x) / 2)
    const step = u / (1 + (x * u) / 2)
    x -= step
    if (Math.abs(step) <= 1e-15 * Math.abs(x)) break
  }
  return x
}

// ---------------------------------------------------------------------------
// Percentiles and summaries
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Distribution-free percentile bounds
// ---------------------------------------------------------------------------

/** Distribution-free confidence bound for the p-th percentile from order statistics (binomial). */
export interface PercentileBound {
  value: number
  /** 1-based order statistic used: `value === sorted[rank - 1]`. */
  rank: number
  /** False when n is too small to reach the confidence; value is then the sample max (upper) / min (lower). */
  attained: boolean
  /** Coverage actually achieved by this order statistic (≥ the requested confidence when attained). */
  confidence: number
}

/**
 * Largest m in [-1, n-1] with P(X ≤ m) ≤ alpha for X ~ Binomial(n, q), and tail = P(X > max(m, 0)).
 * Sums simple-statistics' PMF table (it stops once 1 - 1e-4 is covered) from the end nearer the mass where the table
 * reaches alpha: directly for q ≤ 0.5, through Y = n - X ~ Binomial(n, 1-q) otherwise; beyond its 1e6 cells it uses
 * the normal approximation with continuity correction (then n·min(q, 1-q) > ~1e6, so skew is negligible).
 */
function binomialLowerTailIndex(n: number, q: number, alpha: number): { m: number; tail: number } {
  const noneTail = -Math.expm1(n * Math.log1p(-q)) // P(X > 0) = 1 - (1-q)^n
  const flip = alpha >= 1e-4 && (q > 0.5 || alpha > 1 - 1e-4)
  const r = flip ? 1 - q : q
  const cells = n * r + 5 * Math.sqrt(n * r * (1 - r)) < 999_000 ? binomialDistribution(n, r) : undefined
  if (cells && !flip) {
    let cum = 0
    let m = -1
    let tail = noneTail
    for (let k = 0; k < n && k < cells.length; k++) {
      cum += cells[k]!
      if (cum > alpha) return { m, tail }
      m = k
      tail = 1 - cum
    }
    return { m, tail }
  }
  if (cells) {
    // P(X ≤ m) ≤ alpha  ⇔  P(Y ≤ n-1-m) ≥ 1 - alpha: the smallest such j = n-1-m gives the largest m.
    let cum = 0
    for (let j = 0; j < cells.length; j++) {
      cum += cells[j]!
      if (cum >= 1 - alpha) return j >= n ? { m: -1, tail: noneTail } : { m: n - 1 - j, tail: cum }
    }
  }
  const mu = n * q
  const sd = Math.sqrt(n * q * (1 - q))
  const m = Math.min(n - 1, Math.max(-1, sd === 0 ? mu - 1 : Math.floor(mu - 0.5 + sd * normalQuantile(alpha))))
  return { m, tail: m < 0 ? noneTail : sd === 0 ? 1 : normalSf((m + 0.5 - mu) / sd) }
}

function checkBoundArgs(sorted: readonly number[], p: number, confidence: number): void {
  assertSample('sorted', sorted, true)
  assertNumberIn('p', p, 0, 100)
  assertNumberIn('confidence', confidence, 0, 1, true)
}

/**
 * Upper confidence bound for the p-th percentile: sorted[k-1] for the smallest k with P(Binomial(n, p/100) ≤ k-1) ≥ confidence.
 * @example percentileUpperBound(sorted59, 95, 0.95) // => { value: sorted59[58], rank: 59, attained: true, confidence: 0.9515… (= 1 - 0.95^59) }
 */
export function percentileUpperBound(sorted: readonly number[], p: number, confidence: number): PercentileBound {
  checkBoundArgs(sorted, p, confidence)
  const n = sorted.length
  // P(X ≤ k-1) ≥ c  ⇔  P(Y ≤ n-k) ≤ 1-c with Y = n - X ~ Binomial(n, 1 - p/100): accurate small tails.
  const { m: j, tail } = binomialLowerTailIndex(n, 1 - p / 100, 1 - confidence)
  if (j < 0) return { value: sorted[n - 1]!, rank: n, attained: false, confidence: tail }
  return { value: sorted[n - 1 - j]!, rank: n - j, attained: true, confidence: tail }
}

/** Lower confidence bound for the p-th percentile: sorted[k-1] for the largest k with P(Binomial(n, p/100) ≥ k) ≥ confidence. */
export function percentileLowerBound(sorted: readonly number[], p: number, confidence: number): PercentileBound {
  checkBoundArgs(sorted, p, confidence)
  // P(X ≥ k) ≥ c  ⇔  P(X ≤ k-1) ≤ 1-c.
  const { m, tail } = binomialLowerTailIndex(sorted.length, p / 100, 1 - confidence)
  if (m < 0) return { value: sorted[0]!, rank: 1, attained: false, confidence: tail }
  return { value: sorted[m]!, rank: m + 1, attained: true, confidence: tail }
}

// ---------------------------------------------------------------------------
// Proportions
// ---------------------------------------------------------------------------

function wilson(successes: number, total: number, z: number): { lower: number; upper: number } {
  const z2 = z * z
  const center = (successes + z2 / 2) / (total + z2)
  const half = (z / (total + z2)) * Math.sqrt((successes * (total - successes)) / total + z2 / 4)
  return { lower: Math.max(0, center - half), upper: Math.min(1, center + half) }
}

function checkProportionArgs(successes: number, total: number, confidence: number): void {
  assertInteger('total', total, 1)
  assertInteger('successes', successes, 0, total)
  assertNumberIn('confidence', confidence, 0, 1, true)
}

/**
 * Two-sided Wilson score interval: (s + z²/2)/(n + z²) ± z/(n + z²)·√(s(n-s)/n + z²/4), z = Φ⁻¹(1 - (1-confidence)/2).
 * @example wilsonInterval(95, 100, 0.95) // => { lower: 0.8882…, upper: 0.9785… }
 */
export function wilsonInterval(successes: number, total: number, confidence: number): { lower: number; upper: number } {
  checkProportionArgs(successes, total, confidence)
  return wilson(successes, total, normalQuantile(1 - (1 - confidence) / 2))
}

/** One-sided Wilson lower bound for a proportion, with z = Φ⁻¹(confidence). */
export function wilsonLowerBound(successes: number, total: number, confidence: number): number {
  checkProportionArgs(successes, total, confidence)
  return wilson(successes, total, normalQuantile(confidence)).lower
}

// ---------------------------------------------------------------------------
// Mann–Whitney U
// ---------------------------------------------------------------------------

/** One-sided Mann–Whitney U test result; n1 = baseline size, n2 = current size. */
export interface MannWhitneyResult {
  /** U statistic of `current`: number of (current, baseline) pairs with current > baseline, ties counting ½. */
  u: number
  pValue: number
  method: 'exact' | 'normal'
  n1: number
  n2: number
}

/** The exact null distribution is used when there are no ties, min(n1, n2) ≤ 50 and n1·n2 ≤ 10 000. */
const EXACT_MAX_MIN_SIZE = 50
const EXACT_MAX_PRODUCT = 10_000

/**
 * P(U ≤ u) under H0 without ties. The counts of U are the coefficients of the Gaussian binomial
 * [m+n choose m]_q = ∏ᵢ (1 - q^(n+i)) / (1 - q^i), built in O(min(m,n)·u) and truncated at degree u.
 */
function exactLowerTail(m: number, n: number, u: number): number {
  if (u < 0) return 0
  const small = Math.min(m, n)
  const large = Math.max(m, n)
  const c = new Float64Array(u + 1)
  c[0] = 1
  let total = 1
  for (let i = 1; i <= small; i++) {
    for (let k = u; k >= large + i; k--) c[k] = c[k]! - c[k - large - i]!
    for (let k = i; k <= u; k++) c[k] = c[k]! + c[k - i]!
    total = (total * (large + i)) / i
  }
  let sum = 0
  for (let k = 0; k <= u; k++) sum += c[k]!
  return sum / total
}

/**
 * One-sided Mann–Whitney U test of `current` vs `baseline`: exact null distribution without ties if min(n1, n2) ≤ 50 and n1·n2 ≤ 10 000, else normal with tie and ½ continuity correction (scipy 'asymptotic').
 * @example mannWhitney([10, 11, 12], [13, 14, 15], 'less').pValue // => 1
 */
export function mannWhitney(baseline: readonly number[], current: readonly number[], alternative: 'greater' | 'less'): MannWhitneyResult {
  assertSample('baseline', baseline)
  assertSample('current', current)
  if (alternative !== 'greater' && alternative !== 'less') {
    throw new TypeError(`Expected \`alternative\` to be 'greater' or 'less', got ${show(alternative)}`)
  }
  const n1 = baseline.length
  const n2 = current.length
  const n = n1 + n2
  const a = Float64Array.from(baseline).sort()
  const b = Float64Array.from(current).sort()
  // Merge the two sorted samples; each run of equal values shares the mid-rank.
  let i = 0
  let j = 0
  let rankSum = 0
  let tieTerm = 0
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!
    let ca = 0
    let cb = 0
    while (i < n1 && a[i] === v) {
      i++
      ca++
    }
    while (j < n2 && b[j] === v) {
      j++
      cb++
    }
    const t = ca + cb
    rankSum += cb * (i + j - (t - 1) / 2)
    tieTerm += t * t * t - t
  }
  const u = rankSum - (n2 * (n2 + 1)) / 2
  const product = n1 * n2
  if (tieTerm === 0 && Math.min(n1, n2) <= EXACT_MAX_MIN_SIZE && product <= EXACT_MAX_PRODUCT) {
    // P(U ≥ u) for 'greater', P(U ≤ u) for 'less'; U is symmetric about n1·n2/2, so only the smaller tail is summed.
    const stat = alternative === 'greater' ? product - u : u
    const pValue = stat < product / 2 ? exactLowerTail(n1, n2, stat) : 1 - exactLowerTail(n1, n2, product - stat - 1)
    return { u, pValue: Math.min(1, Math.max(0, pValue)), method: 'exact', n1, n2 }
  }
  const sd = Math.sqrt((product / 12) * (n + 1 - tieTerm / (n * (n - 1))))
  const stat = alternative === 'greater' ? u : product - u
  const pValue = sd > 0 ? normalSf((stat - product / 2 - 0.5) / sd) : 1
  return { u, pValue, method: 'normal', n1, n2 }
}

/**
 * Mann–Whitney test of H1: values of `current` tend to be LARGER than those of `baseline` (a slowdown).
 * @example mannWhitneyGreater([10, 11, 12], [13, 14, 15]) // => { u: 9, pValue: 0.05, method: 'exact', n1: 3, n2: 3 }
 */
export function mannWhitneyGreater(baseline: readonly number[], current: readonly number[]): MannWhitneyResult {
  return mannWhitney(baseline, current, 'greater')
}

/** Mann–Whitney test of H1: values of `current` tend to be SMALLER than those of `baseline` (a speed-up). */
export function mannWhitneyLess(baseline: readonly number[], current: readonly number[]): MannWhitneyResult {
  return mannWhitney(baseline, current, 'less')
}

// ---------------------------------------------------------------------------
// Resampling
// ---------------------------------------------------------------------------

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
