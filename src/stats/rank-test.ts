/** The one-sided Mann–Whitney U (Wilcoxon rank-sum) test. */
import { show, assertSample } from './check.js'
import { normalSf } from './normal.js'

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
