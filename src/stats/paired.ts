/**
 * Paired evidence: two versions measured in alternating runs, each run of one next to a run of
 * the other. The unit is the pair's log ratio; the tests are the Wilcoxon signed-rank test
 * (exact) and Student's t interval of the mean log ratio.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics'
import { assertNumberIn, assertSample } from './check.js'
import { studentTQuantile } from './student-t.js'

/** One-sided Wilcoxon signed-rank test result. */
export interface SignedRankResult {
  /** Sum of the ranks of the positive differences (mid-ranks for ties); zeros are dropped. */
  readonly wPlus: number
  /** P(W+ ≥ observed) for `greater`, P(W+ ≤ observed) for `less`, under random signs. */
  readonly pValue: number
  /** Non-zero differences the test used. */
  readonly n: number
}

/**
 * The exact one-sided Wilcoxon signed-rank test of `differences` against 0: the distribution of
 * W+ over all 2ⁿ sign assignments of the observed (mid-)ranks, counted by dynamic programming on
 * doubled ranks, so ties are exact too. simple-statistics has the rank-sum statistic only.
 * @example signedRankTest([0.1, 0.12, 0.08, 0.11, 0.09], 'greater').pValue // => 0.03125 (1/32)
 */
export function signedRankTest(differences: readonly number[], alternative: 'greater' | 'less'): SignedRankResult {
  assertSample('differences', differences)
  const nonZero = differences.filter((d) => d !== 0)
  const n = nonZero.length
  if (n === 0) return { wPlus: 0, pValue: 1, n: 0 }
  const order = nonZero.map((d, i) => [Math.abs(d), i] as const).sort((a, b) => a[0] - b[0])
  // Doubled mid-ranks are integers: ranks i..j tied get (i + j) each (1-based, doubled).
  const doubled = new Array<number>(n)
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && order[j + 1]?.[0] === order[i]?.[0]) j++
    for (let k = i; k <= j; k++) doubled[order[k]?.[1] ?? 0] = i + 1 + (j + 1)
    i = j + 1
  }
  const total = doubled.reduce((sum, r) => sum + r, 0)
  const observed = nonZero.reduce((sum, d, i) => (d > 0 ? sum + (doubled[i] ?? 0) : sum), 0)
  // counts[s] = sign assignments whose positive doubled ranks sum to s.
  let counts = new Float64Array(total + 1)
  counts[0] = 1
  let reach = 0
  for (const rank of doubled) {
    const next = new Float64Array(total + 1)
    for (let s = 0; s <= reach; s++) {
      const c = counts[s] ?? 0
      if (c === 0) continue
      next[s] = (next[s] ?? 0) + c
      next[s + rank] = (next[s + rank] ?? 0) + c
    }
    counts = next
    reach += rank
  }
  let tail = 0
  for (let s = 0; s <= total; s++) if (alternative === 'greater' ? s >= observed : s <= observed) tail += counts[s] ?? 0
  return { wPlus: observed / 2, pValue: Math.min(1, tail / 2 ** n), n }
}

/** The paired comparison of two versions over runs side by side. */
export interface PairedRatio {
  /** Pairs compared. */
  readonly n: number
  /** Geometric mean of head / base, minus 1: +0.10 is 10% slower. */
  readonly change: number
  /** Student's t interval of the mean log ratio, as a change (null with fewer than 3 pairs). */
  readonly interval: { readonly lower: number; readonly upper: number; readonly confidence: number } | null
  /** One-sided signed-rank p-value in the direction of the change. */
  readonly pValue: number
}

/**
 * The change between paired runs: `base[i]` and `head[i]` ran next to each other. Log ratios make
 * the pairs' changes symmetric and independent of scale.
 * @example pairedRatio([10, 11, 10], [11, 12.1, 11]).change // => 0.1
 */
export function pairedRatio(base: readonly number[], head: readonly number[], confidence = 0.95): PairedRatio {
  assertSample('base', base)
  assertSample('head', head)
  if (base.length !== head.length) throw new TypeError(`Expected \`base\` and \`head\` to have the same length, got ${base.length} and ${head.length}`)
  if ([...base, ...head].some((v) => !(v > 0))) throw new TypeError('Expected `base` and `head` to contain only positive numbers')
  assertNumberIn('confidence', confidence, 0, 1, true)
  const logs = base.map((b, i) => Math.log((head[i] as number) / b))
  const n = logs.length
  const center = mean(logs)
  const change = Math.expm1(center)
  const test = signedRankTest(logs, center >= 0 ? 'greater' : 'less')
  // Two pairs (df = 1) are outside the t quantile's range, and too few to say anything.
  if (n < 3) return { n, change, interval: null, pValue: test.pValue }
  const sd = sampleStandardDeviation(logs)
  const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * (sd / Math.sqrt(n))
  return { n, change, interval: { lower: Math.expm1(center - half), upper: Math.expm1(center + half), confidence }, pValue: test.pValue }
}
