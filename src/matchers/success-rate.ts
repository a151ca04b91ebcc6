import { closedUnitInterval, openUnitInterval } from '../common/validate.js'
import { checkLoad } from '../gate/load-check.js'
import type { LoadCheckRecord } from '../gate/records.js'
import { projectConfig, projectRoot } from '../gate/session.js'
import { plannedRun, resolveLoadOptions } from '../measure/load.js'
import { wilsonTotalNeeded } from '../stats/index.js'
import type { LoadOptions } from '../measure/load.js'
import { resolveTarget } from '../measure/target.js'
import { assertionSite, testDeadline } from './context.js'
import type { MatcherContext, MatcherResult, TestDeadline } from './context.js'
import { formatFailureReasons, formatOutcomes, formatPercent, formatPercentiles, formatThroughput, runLongerThanTest, stoppedAtTestTimeout } from './format.js'

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
  // A run planned to outlast the test could only be stopped: say so before sending anything.
  const plan = plannedRun(loadOptions)
  if (deadline !== undefined && plan !== undefined && plan.ms > deadline.msLeft()) {
    throw runLongerThanTest(matcherName, deadline.testTimeoutMs, plan, deadline.msLeft(), target.label)
  }
  const site = assertionSite(this, { keepsVerdict: true }) ?? { testFile: this.testPath ?? '', testName: this.currentTestName ?? '' }
  const check = await checkLoad(target, { minRate: rateFloor, confidence }, loadOptions, site, this.isNot === true, deadline)
  if (check.stopped) {
    const planned = loadOptions.requests === undefined ? '' : ` of ${loadOptions.requests}`
    const ended = `${check.result.total}${planned} requests had ended`
    const shorter = loadOptions.requests === undefined ? 'a shorter `timeout`' : 'fewer `requests` or a shorter `timeout`'
    throw stoppedAtTestTimeout(matcherName, deadline as TestDeadline, loadOptions.timeoutMs, ended, check.result, shorter)
  }
  const { record } = check
  return { pass: record.pass, message: () => describe(this, record) }
}

function describe(context: MatcherContext, record: LoadCheckRecord): string {
  const { utils, isNot, promise } = context
  const bounded = record.confidence === null ? '' : ` (lower ${record.confidence * 100}% Wilson bound)`
  const model =
    record.model === 'open'
      ? `open model, ${record.rate} arrivals/s, at most ${record.concurrency} in flight`
      : `closed model, concurrency ${record.concurrency}`
  const lines = [
    utils.matcherHint(matcherName, 'target', 'minRate', { isNot, promise }),
    '',
    `Target:   ${record.target}`,
    `Expected: success rate${bounded} ${isNot ? '<' : '≥'} ${utils.EXPECTED_COLOR(formatPercent(record.minRate))}`,
    record.total === 0
      ? `Received: ${utils.printReceived('no request was sent')}`
      : `Received: ${utils.RECEIVED_COLOR(formatPercent(record.successRate))} (${record.successes} of ${record.total})` +
        (record.lowerBound === null ? '' : `, lower bound ${utils.RECEIVED_COLOR(formatPercent(record.lowerBound))}`),
    '',
    `Outcomes:   ${formatOutcomes(record.outcomes)}`,
  ]
  const reasons = formatFailureReasons(record.errors)
  if (reasons.length > 0) lines.push('Failure reasons:', ...reasons)
  // The rate met the floor but its bound did not: too few requests to show it, however many succeed.
  if (record.confidence !== null && record.lowerBound !== null && record.lowerBound < record.minRate && record.failures === 0) {
    const needed = wilsonTotalNeeded(record.minRate, record.confidence)
    lines.push(
      needed === null
        ? `No lower bound reaches a floor of 100%: lower \`minRate\`, or drop \`confidence\`.`
        : `Even with every request succeeding, the lower bound reaches ${formatPercent(record.minRate)} only from ${needed} requests: use \`requests: ${needed}\` or more.`,
    )
  }
  if (record.latency !== null) lines.push(`Latency of successful requests (ms): ${formatPercentiles(record.latency)}`)
  lines.push(`Throughput: ${formatThroughput(record.throughput, record.durationMs)} (${model})`)
  return lines.join('\n')
}
