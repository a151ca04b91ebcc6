/** Distribution-free confidence bounds for percentiles, from order statistics. */
import { binomialDistribution } from 'simple-statistics'
import { assertSample, assertNumberIn } from './check.js'
import { normalSf, normalQuantile } from './normal.js'

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
