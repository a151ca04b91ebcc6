import { resolveLoadOptions, runResolvedLoad } from '../measure/load.js'
import type { LoadOptions, LoadResult } from '../measure/load.js'
import { wilsonLowerBound } from '../stats/index.js'
import { projectConfig, projectRoot } from '../gate/session.js'
import { resolveTarget } from '../measure/target.js'
import { closedUnitInterval, openUnitInterval } from '../common/validate.js'
import { testDeadline } from './context.js'
import type { MatcherContext, MatcherResult } from './context.js'
import { formatFailureReasons, formatOutcomes, formatPercent, formatPercentiles, formatThroughput, stoppedAtTestTimeout } from './format.js'

/** Options of `toSustainSuccessRate`. */
export interface SustainSuccessRateOptions extends LoadOptions {
  /** Pass only when the lower Wilson bound of the success rate is ≥ `minRate`, e.g. 0.95. */
  readonly confidence?: number
}

const matcherName = 'toSustainSuccessRate'

/**
 * Runs a bounded load and passes when successes / total ≥ `minRate`.
 * @example await expect(api).toSustainSuccessRate(0.99, { requests: 500, concurrency: 20 })
 */
export async function toSustainSuccessRate(
  this: MatcherContext,
  received: unknown,
  minRate: unknown,
  options?: unknown,
): Promise<MatcherResult> {
  const rateFloor = closedUnitInterval('minRate', minRate)
  const defaults = (await projectConfig(projectRoot())).successRate
  const loadOptions = resolveLoadOptions(options, 'options', ['confidence'], defaults)
  const rawConfidence = (options as { confidence?: unknown } | undefined)?.confidence
  const confidence = rawConfidence === undefined ? (defaults.confidence ?? undefined) : openUnitInterval('options.confidence', rawConfidence)
  const target = resolveTarget(received, 'target')

  const deadline = testDeadline(this)
  const result = await runResolvedLoad(target, loadOptions, deadline?.signal)
  if (deadline?.stoppedRun() === true) {
    const planned = loadOptions.requests === undefined ? '' : ` of ${loadOptions.requests}`
    const ended = `${result.total}${planned} requests had ended`
    throw stoppedAtTestTimeout(matcherName, deadline.testTimeoutMs, loadOptions.timeoutMs, ended, result)
  }
  const lowerBound = confidence === undefined ? undefined : wilsonLowerBound(result.successes, result.total, confidence)
  const checked = lowerBound ?? result.successRate
  const pass = result.total > 0 && checked >= rateFloor

  const message = (): string => describe(this, result, rateFloor, confidence, lowerBound)
  return { pass, message }
}

function describe(
  context: MatcherContext,
  result: LoadResult,
  minRate: number,
  confidence: number | undefined,
  lowerBound: number | undefined,
): string {
  const { utils, isNot, promise } = context
  const bounded = confidence === undefined ? '' : ` (lower ${confidence * 100}% Wilson bound)`
  const model =
    result.model === 'open'
      ? `open model, ${result.rate} arrivals/s, at most ${result.concurrency} in flight`
      : `closed model, concurrency ${result.concurrency}`
  const lines = [
    utils.matcherHint(matcherName, 'target', 'minRate', { isNot, promise }),
    '',
    `Target:   ${result.target}`,
    `Expected: success rate${bounded} ${isNot ? '<' : '≥'} ${utils.EXPECTED_COLOR(formatPercent(minRate))}`,
    result.total === 0
      ? `Received: ${utils.printReceived('no request was sent')}`
      : `Received: ${utils.RECEIVED_COLOR(formatPercent(result.successRate))} (${result.successes} of ${result.total})` +
        (lowerBound === undefined ? '' : `, lower bound ${utils.RECEIVED_COLOR(formatPercent(lowerBound))}`),
    '',
    `Outcomes:   ${formatOutcomes(result.outcomes)}`,
  ]
  const reasons = formatFailureReasons(result.errors)
  if (reasons.length > 0) lines.push('Failure reasons:', ...reasons)
  if (result.latency !== null) lines.push(`Latency of successful requests (ms): ${formatPercentiles(result.latency)}`)
  lines.push(`Throughput: ${formatThroughput(result.throughput, result.durationMs)} (${model})`)
  return lines.join('\n')
}
