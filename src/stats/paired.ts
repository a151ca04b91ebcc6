/**
 * Paired evidence: two versions measured in alternating runs, each run of one next to a run of
 * the other. The unit is the pair's log ratio; the tests are the Wilcoxon signed-rank test
 * (exact), with the Hodges–Lehmann estimate and interval that go with it.
 */
import { median } from 'simple-statistics'
import { assertNumberIn, assertSample } from './check.js'

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
  /** The Hodges–Lehmann estimate of the change: the median of the Walsh averages of the pairs' log ratios, as a change (+0.10 is 10% slower). */
  readonly change: number
  /**
   * The exact distribution-free interval of that estimate, from the signed-rank distribution
   * (the Walsh averages between its critical ranks), as changes; null when the pairs are too few
   * for the confidence asked.
   */
  readonly interval: { readonly lower: number; readonly upper: number; readonly confidence: number } | null
  /** One-sided signed-rank p-value in the direction of the change. */
  readonly pValue: number
}

/** How many of the 2ⁿ sign assignments of ranks 1..n give each W+ (index = W+). */
function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2
  let counts = new Float64Array(max + 1)
  counts[0] = 1
  for (let rank = 1, reach = 0; rank <= n; reach += rank, rank++) {
    const next = new Float64Array(max + 1)
    for (let s = 0; s <= reach; s++) {
      const c = counts[s] ?? 0
      next[s] = (next[s] ?? 0) + c
      next[s + rank] = (next[s + rank] ?? 0) + c
    }
    counts = next
  }
  return counts
}

/**
 * The change between paired runs: `base[i]` and `head[i]` ran next to each other. The unit is a
 * pair's log ratio (symmetric, independent of scale). The estimate and its interval are the
 * Hodges–Lehmann ones that go with the signed-rank test, so one run landing in a slow mode of
 * the machine moves neither much, where it would move a mean and widen a t interval.
 * @example pairedRatio([10, 10, 10, 10, 10], [11, 11, 11, 11, 11]).change // => 0.1
 */
export function pairedRatio(base: readonly number[], head: readonly number[], confidence = 0.95): PairedRatio {
  assertSample('base', base)
  assertSample('head', head)
  if (base.length !== head.length) throw new TypeError(`Expected \`base\` and \`head\` to have the same length, got ${base.length} and ${head.length}`)
  if ([...base, ...head].some((v) => !(v > 0))) throw new TypeError('Expected `base` and `head` to contain only positive numbers')
  assertNumberIn('confidence', confidence, 0, 1, true)
  const logs = base.map((b, i) => Math.log((head[i] as number) / b))
  const n = logs.length
  const walsh: number[] = []
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push(((logs[i] as number) + (logs[j] as number)) / 2)
  walsh.sort((a, b) => a - b)
  const center = median(walsh)
  const test = signedRankTest(logs, center >= 0 ? 'greater' : 'less')
  // The interval runs from the k-th smallest to the k-th largest Walsh average, k the largest with P(W+ < k) ≤ (1 − confidence) / 2.
  const counts = signedRankCounts(n)
  const total = 2 ** n
  let k = 0
  let below = 0
  while (k < walsh.length && below + (counts[k] ?? 0) <= ((1 - confidence) / 2) * total) below += counts[k++] ?? 0
  const interval = k === 0 ? null : { lower: Math.expm1(walsh[k - 1] as number), upper: Math.expm1(walsh[walsh.length - k] as number), confidence }
  return { n, change: Math.expm1(center), interval, pValue: test.pValue }
}
