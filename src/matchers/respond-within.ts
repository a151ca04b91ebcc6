import { PerfgateTypeError } from '../common/errors.js'
import { integerAtLeast, invalidArgument, openUnitInterval, optionsObject, positiveNumber } from '../common/validate.js'
import { checkLatency } from '../gate/latency-check.js'
import type { LatencyStatistic } from '../gate/latency-check.js'
import type { LatencyCheckRecord } from '../gate/records.js'
import { projectConfig, projectRoot, warn } from '../gate/session.js'
import { measureOptionKeys, resolveMeasureOptions } from '../measure/latency.js'
import type { LatencyResult, MeasureOptions, ResolvedMeasureOptions } from '../measure/latency.js'
import { resolveTarget } from '../measure/target.js'
import { assertionSite, testDeadline } from './context.js'
import type { MatcherContext, MatcherResult, TestDeadline } from './context.js'
import { formatFailureReasons, formatMs, formatOutcomes, formatPercentiles, formatThroughput, stoppedAtTestTimeout } from './format.js'

export type { LatencyStatistic } from '../gate/latency-check.js'

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
  if (typeof value === 'number' && value > 0 && value <= 100) {
    if (value < 1) {
      warn(`perfgate: percentile ${value} means p${value}, almost the fastest request; for the ${Math.round(value * 100)}th percentile write percentile: ${Math.round(value * 100)}`)
    }
    return value
  }
  return invalidArgument('options.percentile', "a number in (0, 100], 'median', 'mean' or 'max'", value)
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
  const site = assertionSite(this, { keepsVerdict: true }) ?? { testFile: this.testPath ?? '', testName: this.currentTestName ?? '' }
  const check = await checkLatency(target, { budgetMs: budget, statistic, confidence, allowFailures }, measureOptions, site, this.isNot === true, deadline)
  if (check.stopped) {
    throw stoppedAtTestTimeout(matcherName, deadline as TestDeadline, measureOptions.timeoutMs, endedBeforeStop(check.result, measureOptions), check.result)
  }
  const { record } = check
  return { pass: record.pass, message: () => describe(this, record) }
}

/** What had ended when the test's deadline stopped the run: the warm-up, or the measured requests. */
function endedBeforeStop(result: LatencyResult, options: ResolvedMeasureOptions): string {
  const ended = result.warmupRequests
  if (!result.stoppedDuringWarmup) {
    return `${result.count} of ${options.samples} measured requests had ended (after ${ended} warm-up requests)`
  }
  const nothingMeasured = 'so no measured request was sent'
  // One at a time, the first one hung; with several in flight, say how many of how many ended.
  if (ended === 0 && options.concurrency === 1) return `the first warm-up request never ended, ${nothingMeasured}`
  const which = options.warmup === 'auto' ? `${ended} requests of the adaptive warm-up` : `${ended} of ${options.warmup} warm-up requests`
  return `${which} had ended, ${nothingMeasured}`
}

function failureCounts(outcomes: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(outcomes).filter(([kind]) => kind !== 'ok'))
}

function describe(context: MatcherContext, record: LatencyCheckRecord): string {
  const { utils, isNot, promise } = context
  const label = record.statistic
  const bounded = record.confidence === null ? '' : ` (upper ${record.confidence * 100}% confidence bound)`
  const comparison = isNot ? '>' : '≤'
  const lines = [
    utils.matcherHint(matcherName, 'target', 'budgetMs', { isNot, promise }),
    '',
    `Target:   ${record.target}`,
    `Expected: ${label}${bounded} ${comparison} ${utils.printExpected(record.budgetMs)} ms` +
      (isNot ? '' : record.allowFailures > 0 ? `, at most ${record.allowFailures} failed` : ', no failed request'),
  ]
  const didNotAnswer = isNot && (record.value === null || record.failures > record.allowFailures)
  if (didNotAnswer) {
    lines.push(
      `Received: ${utils.RECEIVED_COLOR('the target did not answer')}: ${record.failures} of ${record.count} requests failed, ` +
        'and a negated budget (.not) is only met by answers slower than it',
    )
  }
  // One "Received:" line; what follows the negated case's continues it.
  const received = didNotAnswer ? '          ' : 'Received: '
  if (record.value === null) {
    lines.push(`${received}${utils.RECEIVED_COLOR('no successful request')}, so there is no ${label} to compare`)
  } else {
    const boundText = record.bound === null ? '' : `, upper bound ${utils.printReceived(Number(formatMs(record.bound)))} ms`
    lines.push(`${received}${label} ${utils.printReceived(Number(formatMs(record.value)))} ms${boundText}`)
    if (record.boundProblem !== null) lines.push(`          ${record.boundProblem}`)
  }
  if (record.failures > 0) {
    lines.push(
      `Failures: ${utils.printReceived(record.failures)} of ${record.count} requests failed (allowed ${record.allowFailures}): ${formatOutcomes(failureCounts(record.outcomes))}`,
      ...formatFailureReasons(record.errors),
    )
  }
  lines.push('')
  if (record.latency !== null) {
    lines.push(`Latency of ${record.successes} successful requests (ms): ${formatPercentiles(record.latency)}`)
  }
  lines.push(`Outcomes:   ${formatOutcomes(record.outcomes)}`)
  // Throughput of requests that all failed says nothing about the target.
  if (record.successes > 0) lines.push(`Throughput: ${formatThroughput(record.throughput, record.durationMs)} (concurrency ${record.concurrency})`)
  return lines.join('\n')
}
