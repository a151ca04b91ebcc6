/**
 * The decision of `perfgate ab`: base and head measured in alternating fresh processes on one
 * machine, each entry decided on its paired runs. Pairs cancel what the machine did to both
 * (a busy phase, a slow mode of the CPU), so no process allowance or machine guard is needed,
 * and a threshold well under the stored-baseline gate's can be resolved.
 */
import { pairedRatio } from '../stats/index.js'
import type { PairedRatio } from '../stats/index.js'
import type { Verdict } from './compare.js'
import { formatChange, formatP } from './compare.js'

/**
 * Defaults of `perfgate ab`: a same-machine comparison resolves a 5% change; alpha 0.01, since a
 * pull request's entries are many and each may land in a slow mode of the machine by chance.
 */
export const defaultPairedThreshold = 0.05
export const defaultPairedAlpha = 0.01

/** The confidence of the paired interval: two-sided 1 − 2·alpha, so that each end is a one-sided test at alpha. */
export function pairedConfidence(alpha: number): number {
  return 1 - 2 * alpha
}

/** Fewest pairs with which the exact signed-rank test can reach p < alpha: all of one sign, 2⁻ⁿ < alpha. */
export function pairsNeeded(alpha: number): number {
  return Math.max(3, Math.floor(Math.log2(1 / alpha)) + 1)
}

/** One entry's paired verdict and its evidence. */
export interface PairedComparison extends PairedRatio {
  readonly verdict: Verdict
  /** One line: "+10.4% [98% CI +8.1%..+12.8%] over 8 pairs, signed-rank p = 0.004, threshold 5%". */
  readonly reason: string
  readonly threshold: number
  readonly alpha: number
}

/**
 * Decides head against base over runs that ran side by side (`base[i]` next to `head[i]`):
 * `regressed` needs the signed-rank test at `alpha`, the Hodges–Lehmann interval of the change
 * (1 − 2·alpha, two-sided) above zero, and the change beyond `threshold`; `improved` the same the other way;
 * `unchanged` needs the interval's upper end within the threshold. Anything else, or too few
 * pairs for the test to reach `alpha`, is `inconclusive`.
 * @example decidePaired([10, 10, 10, 10, 10, 10, 10], [11, 11.1, 10.9, 11, 11.2, 11, 11], { threshold: 0.05, alpha: 0.01 }).verdict // => 'regressed'
 */
export function decidePaired(base: readonly number[], head: readonly number[], options: { threshold: number; alpha: number }): PairedComparison {
  const { threshold, alpha } = options
  // The two-sided (1 − 2·alpha) interval: its lower end above zero is the one-sided test at alpha.
  const paired = pairedRatio(base, head, pairedConfidence(alpha))
  const { change, interval, pValue, n } = paired
  const ci = interval === null ? 'no interval' : `${Math.round(pairedConfidence(alpha) * 100)}% CI ${formatChange(interval.lower)}..${formatChange(interval.upper)}`
  const evidence = `${formatChange(change)} [${ci}] over ${n} ${n === 1 ? 'pair' : 'pairs'}, signed-rank ${formatP(pValue)}, threshold ${formatChange(threshold).slice(1)}`
  let verdict: Verdict = 'inconclusive'
  let why = ''
  if (n < pairsNeeded(alpha) || interval === null) {
    why = `: ${n} ${n === 1 ? 'pair' : 'pairs'} cannot reach p < ${alpha} (needs ${pairsNeeded(alpha)})`
  } else if (change > threshold && pValue < alpha && interval.lower > 0) {
    verdict = 'regressed'
  } else if (change < -threshold && pValue < alpha && interval.upper < 0) {
    verdict = 'improved'
  } else if (interval.upper <= threshold) {
    verdict = 'unchanged'
  } else {
    why = change > threshold ? ': slower beyond the threshold, but not shown to be more than noise' : ': the interval does not rule out a slowdown beyond the threshold'
  }
  return { ...paired, verdict, reason: evidence + why, threshold, alpha }
}
