import { measureResolved, measureOptionKeys, resolveMeasureOptions } from '../measure/latency.js'
import type { LatencyResult, MeasureOptions } from '../measure/latency.js'
import { normalQuantile, percentileSorted, percentileUpperBound } from '../stats/index.js'
import type { SampleSummary } from '../stats/index.js'
import { projectConfig, projectRoot } from '../gate/session.js'
import { resolveTarget } from '../measure/target.js'
import { PerfgateTypeError } from '../common/errors.js'
import { integerAtLeast, invalidArgument, openUnitInterval, optionsObject, positiveNumber } from '../common/validate.js'
import { testDeadline } from './context.js'
import type { MatcherContext, MatcherResult } from './context.js'
import { formatFailureReasons, formatMs, formatOutcomes, formatPercentiles, formatThroughput, stoppedAtTestTimeout } from './format.js'

/** Which statistic of the latency is held to the budget. */
export type LatencyStatistic = number | 'median' | 'mean' | 'max'

/** Options of `toRespondWithin`. */
export interface RespondWithinOptions extends MeasureOptions {
  /** A percentile in (0, 100], or `'median'`, `'mean'`, `'max'` (default 95). */
  readonly percentile?: LatencyStatistic
  /** Pass only when the upper confidence bound of the statistic is within budget, e.g. 0.95. */
  readonly confidence?: number
  /** Failed requests tolerated (default 0). */
  readonly allowFailures?: number
}

const matcherName = 'toRespondWithin'
const optionKeys = [...measureOptionKeys, 'percentile', 'confidence', 'allowFailures'] as const

function resolveStatistic(value: unknown, fallback: LatencyStatistic): LatencyStatistic {
  if (value === undefined) return fallback
  if (value === 'median' || value === 'mean' || value === 'max') return value
  if (typeof value === 'number' && value > 0 && value <= 100) return value
  return invalidArgument('options.percentile', "a number in (0, 100], 'median', 'mean' or 'max'", value)
}

function statisticLabel(statistic: LatencyStatistic): string {
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

/**
 * Passes when the chosen latency statistic of `samples` requests is within `budgetMs`
 * and no more than `allowFailures` requests failed.
 * @example await expect('http://127.0.0.1:3000/api/users').toRespondWithin(200)
 */
export async function toRespondWithin(this: MatcherContext, received: unknown, budgetMs: unknown, options?: unknown): Promise<MatcherResult> {
  // Every argument is checked before the first request is sent.
  const budget = positiveNumber('budgetMs', budgetMs)
  const raw = optionsObject('options', options, optionKeys)
  const defaults = (await projectConfig(projectRoot())).respondWithin
  const measureOptions = resolveMeasureOptions(raw, 'options', defaults)
  const statistic = resolveStatistic(raw.percentile, defaults.percentile)
  const confidence = raw.confidence === undefined ? (defaults.confidence ?? undefined) : openUnitInterval('options.confidence', raw.confidence)
  if (confidence !== undefined && statistic === 'max') {
    throw new PerfgateTypeError("`options.confidence` has no meaning with `percentile: 'max'`; use a percentile such as 99")
  }
  const allowFailures = raw.allowFailures === undefined ? defaults.allowFailures : integerAtLeast('options.allowFailures', raw.allowFailures, 0)
  const target = resolveTarget(received, 'target')

  const deadline = testDeadline(this)
  const result = await measureResolved(target, measureOptions, deadline?.signal)
  if (deadline?.stoppedRun() === true) {
    const ended = `${result.count} of ${measureOptions.samples} measured requests had ended (after ${measureOptions.warmup} warm-up requests)`
    throw stoppedAtTestTimeout(matcherName, deadline.testTimeoutMs, measureOptions.timeoutMs, ended, result)
  }
  const judged = result.summary === null ? undefined : judge(result.samples, result.summary, statistic, confidence)
  const tooManyFailures = result.failures > allowFailures
  const checked = judged === undefined ? undefined : (judged.bound ?? (judged.boundProblem === undefined ? judged.value : undefined))
  const pass = !tooManyFailures && checked !== undefined && checked <= budget

  const message = (): string => describe(this, result, { budgetMs: budget, statistic, confidence, allowFailures, judged, pass })
  return { pass, message }
}

function failureCounts(outcomes: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(outcomes).filter(([kind]) => kind !== 'ok'))
}

interface Verdict {
  readonly budgetMs: number
  readonly statistic: LatencyStatistic
  readonly confidence: number | undefined
  readonly allowFailures: number
  readonly judged: Judged | undefined
  readonly pass: boolean
}

function describe(context: MatcherContext, result: LatencyResult, verdict: Verdict): string {
  const { utils, isNot, promise } = context
  const label = statisticLabel(verdict.statistic)
  const bounded = verdict.confidence === undefined ? '' : ` (upper ${verdict.confidence * 100}% confidence bound)`
  const comparison = isNot ? '>' : '≤'
  const lines = [
    utils.matcherHint(matcherName, 'target', 'budgetMs', { isNot, promise }),
    '',
    `Target:   ${result.target}`,
    `Expected: ${label}${bounded} ${comparison} ${utils.printExpected(verdict.budgetMs)} ms` +
      (isNot ? '' : verdict.allowFailures > 0 ? `, at most ${verdict.allowFailures} failed` : ', no failed request'),
  ]
  const judged = verdict.judged
  if (judged === undefined) {
    lines.push(`Received: ${utils.RECEIVED_COLOR('no successful request')}, so there is no ${label} to compare`)
  } else {
    const boundText = judged.bound === undefined ? '' : `, upper bound ${utils.printReceived(Number(formatMs(judged.bound)))} ms`
    lines.push(`Received: ${label} ${utils.printReceived(Number(formatMs(judged.value)))} ms${boundText}`)
    if (judged.boundProblem !== undefined) lines.push(`          ${judged.boundProblem}`)
  }
  if (result.failures > 0) {
    lines.push(
      `Failures: ${utils.printReceived(result.failures)} of ${result.count} requests failed (allowed ${verdict.allowFailures}): ${formatOutcomes(failureCounts(result.outcomes))}`,
      ...formatFailureReasons(result.errors),
    )
  }
  lines.push('')
  if (result.summary !== null) {
    lines.push(`Latency of ${result.successes} successful requests (ms): ${formatPercentiles(result.summary)}`)
  }
  lines.push(
    `Outcomes:   ${formatOutcomes(result.outcomes)}`,
    `Throughput: ${formatThroughput(result.throughput, result.durationMs)} (concurrency ${result.concurrency})`,
  )
  return lines.join('\n')
}
