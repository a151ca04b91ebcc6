import { PerfgateError } from '../common/errors.js'
import type { SampleSummary } from '../stats/index.js'

/** Milliseconds with precision that suits their size: 0.0123, 1.23, 12.3, 123. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  const abs = Math.abs(ms)
  if (abs >= 100) return ms.toFixed(0)
  if (abs >= 10) return ms.toFixed(1)
  if (abs >= 0.1) return ms.toFixed(2)
  return ms.toPrecision(2)
}

export { formatPercent } from '../common/format.js'

/** `p50 1.20 · p90 2.31 · p95 3.10 · p99 4.00 · max 5.20` */
export function formatPercentiles(summary: SampleSummary): string {
  return [
    `p50 ${formatMs(summary.p50)}`,
    `p90 ${formatMs(summary.p90)}`,
    `p95 ${formatMs(summary.p95)}`,
    `p99 ${formatMs(summary.p99)}`,
    `max ${formatMs(summary.max)}`,
  ].join(' · ')
}

/** `ok 28 · timeout 2` */
export function formatOutcomes(outcomes: Readonly<Record<string, number>>): string {
  const entries = Object.entries(outcomes)
  return entries.length === 0 ? 'none' : entries.map(([kind, count]) => `${kind} ${count}`).join(' · ')
}

/** One line per failure kind whose first error says more than the kind itself. */
export function formatFailureReasons(errors: Readonly<Record<string, string>>): string[] {
  return Object.entries(errors)
    .filter(([kind, message]) => message !== kind)
    .map(([kind, message]) => `  ${kind}: ${message}`)
}

/** Throughput and wall time: `812 req/s over 36 ms`. */
export function formatThroughput(throughput: number, durationMs: number): string {
  const rate = throughput >= 100 ? throughput.toFixed(0) : throughput.toFixed(1)
  const duration = durationMs >= 1000 ? `${(durationMs / 1000).toFixed(2)} s` : `${formatMs(durationMs)} ms`
  return `${rate} req/s over ${duration}`
}

/**
 * The error a matcher throws when it had to stop before the test's own timeout: thrown, not a
 * failed result, so that `.not` cannot turn an unfinished measurement into a pass.
 */
export function stoppedAtTestTimeout(
  matcherName: string,
  deadline: { readonly testTimeoutMs: number; testEnded(): boolean },
  requestTimeoutMs: number,
  ended: string,
  result: { readonly target: string; readonly outcomes: Readonly<Record<string, number>>; readonly errors: Readonly<Record<string, string>> },
  shorter = 'a shorter `timeout`',
): PerfgateError {
  const lines = deadline.testEnded()
    ? [`${matcherName} stopped: its test ended before it finished; ${ended}.`, notAwaited(matcherName)]
    : [
        `${matcherName} stopped before the test's timeout (${deadline.testTimeoutMs} ms): ${ended}.`,
        `A request may take up to its \`timeout\` (${requestTimeoutMs} ms). Give the matcher ${shorter}, or the test more time.`,
      ]
  lines.push(`Target:   ${result.target}`)
  if (Object.keys(result.outcomes).length > 0) {
    lines.push(`Outcomes before the stop: ${formatOutcomes(result.outcomes)}`, ...formatFailureReasons(result.errors))
  }
  return new PerfgateError('PERFGATE_TEST_TIMEOUT', lines.join('\n'))
}

/** What to check when a matcher's test ended while it ran: most often a missing `await`. */
export function notAwaited(matcherName: string): string {
  return `Is it awaited? Without \`await expect(…).${matcherName}(…)\` the test ends at once and cuts the run short (or another failure ended the test first).`
}

/**
 * The error a matcher throws, before sending anything, when its run is planned to last longer
 * than the time left before the test's timeout: it could only end stopped.
 */
export function runLongerThanTest(
  matcherName: string,
  testTimeoutMs: number,
  planned: { readonly ms: number; readonly from: string },
  msLeft: number,
  target: string,
): PerfgateError {
  // Room for the run and for the requests still in flight at its end.
  const suggested = Math.ceil((planned.ms + 5000) / 1000) * 1000
  const lines = [
    `${matcherName} cannot finish before the test's timeout (${testTimeoutMs} ms): it is planned to run for ${formatMs(planned.ms)} ms (${planned.from}), ` +
      `and ${formatMs(Math.max(0, msLeft))} ms are left before perfgate has to stop it. Nothing was sent.`,
    `Give the test more time (the third argument of \`test\`/\`it\`, e.g. \`test(name, fn, ${suggested.toLocaleString('en').replaceAll(',', '_')})\`, or \`testTimeout\`), or a shorter ${planned.from}.`,
    `Target:   ${target}`,
  ]
  return new PerfgateError('PERFGATE_TEST_TIMEOUT', lines.join('\n'))
}
