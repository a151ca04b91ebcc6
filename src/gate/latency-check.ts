/**
 * The latency budget as a core check: measure a target, hold the chosen statistic (or its
 * upper confidence bound) to the budget, and return the assertion's record.
 */
import { measureResolved } from '../measure/latency.js'
import type { LatencyResult, ResolvedMeasureOptions } from '../measure/latency.js'
import type { ResolvedTarget } from '../measure/target.js'
import { compactSorted, normalQuantile, percentileSorted, percentileUpperBound } from '../stats/index.js'
import type { SampleSummary } from '../stats/index.js'
import { comparedPoints } from './compare.js'
import { siteFields } from './records.js'
import type { AssertionSite, LatencyCheckRecord, RunDeadline } from './records.js'
import { keepRecord } from './session.js'

/** Which statistic of the latency is held to the budget. */
export type LatencyStatistic = number | 'median' | 'mean' | 'max'

/** The budget a latency check holds the target to. */
export interface LatencyBudget {
  readonly budgetMs: number
  readonly statistic: LatencyStatistic
  /** Hold the upper confidence bound of the statistic to the budget, e.g. 0.95. */
  readonly confidence: number | undefined
  /** Failed requests tolerated. */
  readonly allowFailures: number
}

/** `p95`, `median`, `mean`, `max`. */
export function statisticLabel(statistic: LatencyStatistic): string {
  return typeof statistic === 'number' ? `p${statistic}` : statistic
}

interface Judged {
  readonly value: number
  /** The upper confidence bound, when `confidence` was asked for. */
  readonly bound: number | undefined
  /** Why no bound could be computed, when it could not. */
  readonly boundProblem: string | undefined
}

function judge(samples: readonly number[], summary: SampleSummary, statistic: LatencyStatistic, confidence: number | undefined): Judged {
  const percent = statistic === 'median' ? 50 : statistic
  if (percent === 'mean') {
    const { mean, sd, count } = summary
    if (confidence === undefined) return { value: mean, bound: undefined, boundProblem: undefined }
    if (count < 2) return { value: mean, bound: undefined, boundProblem: 'a confidence bound of the mean needs at least 2 samples' }
    // Normal approximation of the mean's sampling distribution (fine from ~30 samples).
    return { value: mean, bound: mean + normalQuantile(confidence) * (sd / Math.sqrt(count)), boundProblem: undefined }
  }
  if (percent === 'max') return { value: samples[samples.length - 1] ?? Number.NaN, bound: undefined, boundProblem: undefined }
  const value = percentileSorted(samples, percent)
  if (confidence === undefined) return { value, bound: undefined, boundProblem: undefined }
  const bound = percentileUpperBound(samples, percent, confidence)
  if (!bound.attained) {
    const needed = Math.ceil(Math.log(1 - confidence) / Math.log(percent / 100))
    return {
      value,
      bound: undefined,
      boundProblem: `${samples.length} successful samples cannot bound p${percent} at ${confidence * 100}% confidence; use samples: ${needed} or more`,
    }
  }
  return { value, bound: bound.value, boundProblem: undefined }
}

/** The record of a latency check, or the partial result of a run its deadline stopped. */
export type LatencyCheck =
  | { readonly stopped: false; readonly record: LatencyCheckRecord; readonly result: LatencyResult }
  | { readonly stopped: true; readonly result: LatencyResult }

/**
 * Measures `target` and holds the budget's statistic to it; passes when it is within the budget
 * and no more than `allowFailures` requests failed. A run stopped by its deadline is not
 * judged (and keeps no record): the caller reports what had ended.
 */
export async function checkLatency(
  target: ResolvedTarget,
  budget: LatencyBudget,
  options: ResolvedMeasureOptions,
  site: AssertionSite,
  negated: boolean,
  deadline?: RunDeadline,
): Promise<LatencyCheck> {
  const result = await measureResolved(target, options, deadline?.signal)
  if (deadline?.stoppedRun() === true) return { stopped: true, result }
  const judged = result.summary === null ? undefined : judge(result.samples, result.summary, budget.statistic, budget.confidence)
  const tooManyFailures = result.failures > budget.allowFailures
  const checked = judged === undefined ? undefined : (judged.bound ?? (judged.boundProblem === undefined ? judged.value : undefined))
  // A negated budget ("slower than") says nothing about a target that did not answer: with
  // failed requests it must fail, so it passes here and .not turns that into a failure.
  const unanswered = result.successes === 0 || tooManyFailures
  const record: LatencyCheckRecord = {
    kind: 'latency',
    ...siteFields(site),
    pass: negated && unanswered ? true : !tooManyFailures && checked !== undefined && checked <= budget.budgetMs,
    negated,
    target: result.target,
    budgetMs: budget.budgetMs,
    statistic: statisticLabel(budget.statistic),
    value: judged?.value ?? null,
    bound: judged?.bound ?? null,
    confidence: budget.confidence ?? null,
    boundProblem: judged?.boundProblem ?? null,
    allowFailures: budget.allowFailures,
    latency: result.summary,
    sample: result.samples.length === 0 ? [] : compactSorted(result.samples, comparedPoints),
    count: result.count,
    successes: result.successes,
    failures: result.failures,
    outcomes: result.outcomes,
    errors: result.errors,
    throughput: result.throughput,
    durationMs: result.durationMs,
    concurrency: result.concurrency,
  }
  keepRecord(record, site)
  return { stopped: false, record, result }
}
