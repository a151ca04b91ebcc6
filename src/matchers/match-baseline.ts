import { ciWriteWarning, resolveMeasureOnly, resolveRecordMode, resolveUpdateMode, updateModeSource } from '../baselines/update-mode.js'
import { PerfgateError, PerfgateTypeError } from '../common/errors.js'
import { invalidArgument, optionsObject, printableName } from '../common/validate.js'
import { baselineOptionKeys, checkBaseline, isMeasured, measureOnly, openBaselineCheck, resolveBaselineOptions } from '../gate/check-baseline.js'
import type { BaselineCheckContext, Measured } from '../gate/check-baseline.js'
import { describeDetectable, formatChange } from '../gate/compare.js'
import { BenchmarkStoppedError } from '../measure/benchmark.js'
import type { BaselineCheckRecord } from '../gate/records.js'
import type { MachineState } from '../machine/state.js'
import { firstTime, projectConfig, projectRoot, warn } from '../gate/session.js'
import { assertionSite, runningTest, testDeadline } from './context.js'
import { formatFailureReasons, formatOutcomes, notAwaited } from './format.js'
import type { MatcherContext, MatcherResult } from './context.js'

export type { MatchBaselineOptions } from '../gate/check-baseline.js'

const matcherName = 'toMatchBaseline'

/**
 * Compares a function (benchmarked now) or a `benchmark()` / `measure()` result with the
 * baseline stored for this test, records it when missing, and fails on a regression.
 * @example await expect(() => parse(doc)).toMatchBaseline()
 */
export async function toMatchBaseline(this: MatcherContext, received: unknown, options?: unknown): Promise<MatcherResult> {
  if (this.isNot === true) {
    throw new PerfgateTypeError('toMatchBaseline cannot be negated with .not; to check for a slowdown, use compare() and look at its verdict')
  }
  if (typeof received !== 'function' && !isMeasured(received)) {
    invalidArgument('received', 'a function, or a result of benchmark() or measure()', received)
  }
  const raw = optionsObject('options', options, baselineOptionKeys)
  // An endpoint that did not answer has nothing to compare or record: say why, before any baseline decides.
  if (isMeasured(received) && received.samples.length === 0) throw nothingMeasured(received)
  const site = assertionSite(this)
  // Concurrent tests with the global `expect` name the test started last, or none once another test ended.
  if (runningTest(this) === 'ambiguous' || (site === undefined && this.testPath !== undefined)) {
    throw new PerfgateError(
      'PERFGATE_UNKNOWN_TEST',
      'toMatchBaseline cannot tell which test is asking, so it cannot key the baseline. Call it inside a test (not in a hook), ' +
        "and in concurrent tests use the test context's expect: test.concurrent('parses', async ({ expect }) => { await expect(fn).toMatchBaseline() })",
    )
  }
  if (site === undefined) {
    throw new PerfgateError('PERFGATE_WRONG_RUNNER', 'toMatchBaseline must run inside a test: it keys the baseline on the test name and file')
  }
  const rootDir = projectRoot()
  const config = await projectConfig(rootDir)
  const resolved = resolveBaselineOptions(raw, config)
  const target = received as (() => unknown) | Measured
  // Measure-only mode (perfgate ab): no baseline file is opened, read or written.
  let context: BaselineCheckContext | null = null
  const deadline = testDeadline(this)
  let record: BaselineCheckRecord
  try {
    if (!resolveMeasureOnly()) {
      const updateMode = resolveUpdateMode(this.snapshotState)
      const inCi = ciWriteWarning(updateMode)
      if (inCi !== null && firstTime('writes-in-ci')) warn(inCi)
      context = await openBaselineCheck(site, resolved.name, updateMode, rootDir, config, resolveRecordMode(), deadline?.endsAt)
    }
    record = context === null ? await measureOnly(target, site, resolved.name, rootDir, config, resolved, deadline) : await checkBaseline(target, context, resolved, deadline)
  } catch (error) {
    deadline?.stoppedRun()
    if (!(error instanceof BenchmarkStoppedError) || deadline === undefined) throw error
    const why = deadline.testEnded()
      ? [`toMatchBaseline stopped: its test ended before it finished; ${error.message}. The baseline file was not touched.`, notAwaited(matcherName)]
      : [
          `toMatchBaseline stopped before the test's timeout (${deadline.testTimeoutMs} ms): ${error.message}. The baseline file was not touched.`,
          `It warms up (\`warmupTime\`, ${resolved.benchmark.warmupTime} ms), samples for \`time\` (${resolved.benchmark.time} ms, at least \`minSamples\` ${resolved.benchmark.minSamples}), ` +
            `and up to \`maxTime\` (${resolved.maxTime} ms) when the verdict is borderline (two more \`time\`s to confirm a slowdown). Give the test more time, or lower those.`,
        ]
    const baseline = context === null ? [] : [`Baseline: ${printableName(context.key)} in ${printableName(context.shownPath)}`]
    throw new PerfgateError('PERFGATE_TEST_TIMEOUT', [...why, ...baseline].join('\n'))
  }
  deadline?.stoppedRun()
  for (const warning of record.warnings) warn(warning)
  return { pass: record.pass, message: () => describe(this, record) }
}

/** The error for a `measure()` (or `benchmark()`) result without one successful sample. */
function nothingMeasured(received: Measured): PerfgateError {
  const lines = [`toMatchBaseline: the ${received.kind === 'latency' ? 'measure()' : 'benchmark()'} result has no successful ${received.kind === 'latency' ? 'request' : 'sample'} to compare with its baseline.`]
  if (received.kind === 'latency') {
    lines.push(`Target:   ${received.target}`, `Outcomes: ${formatOutcomes(received.outcomes)}`)
    const reasons = formatFailureReasons(received.errors)
    if (reasons.length > 0) lines.push('Failure reasons:', ...reasons)
  }
  lines.push('The baseline file was not touched.')
  return new PerfgateError('PERFGATE_BENCHMARK_FAILED', lines.join('\n'))
}

function describe(matcher: MatcherContext, record: BaselineCheckRecord): string {
  const { utils, promise } = matcher
  const lines = [
    utils.matcherHint(matcherName, 'received', '', { isNot: false, promise }),
    '',
    `Baseline: ${utils.printExpected(printableName(record.key))} in ${printableName(record.baselineFile)} (${record.environmentId})`,
  ]
  const comparison = record.comparison
  if (record.verdict === 'missing') {
    lines.push(
      `Verdict:  ${utils.RECEIVED_COLOR('missing')} — no baseline for this test in this environment, and update mode '${record.updateMode}' does not record one.`,
      '',
      `The update mode came from ${updateModeSource(matcher.snapshotState)}.`,
      'Record it with a local run (update mode new) or with -u, and commit the baseline file;',
      "or set ci.missingBaseline to 'warn' in perfgate.config.json5 to let CI pass without one.",
    )
  } else if (record.verdict === 'measured') {
    const median = record.measurement?.summary?.median ?? Number.NaN
    lines.push(`Verdict:  measured (median ${median.toPrecision(3)} ms over ${record.measurement?.samples ?? 0} samples) — measure-only mode (PERFGATE_MODE=measure) compares with no baseline`)
  } else if (record.verdict === 'new' || comparison === null) {
    const median = record.measurement?.summary?.median ?? Number.NaN
    lines.push(`Verdict:  new — recorded (median ${median.toPrecision(3)} ms over ${record.measurement?.samples ?? 0} samples)`)
  } else {
    lines.push(
      `Verdict:  ${utils.RECEIVED_COLOR(comparison.verdict)}${writtenNote(record.written)}`,
      `          ${comparison.reason}`,
      '',
      `Compared: ${comparison.baseline.samples} baseline ${comparison.unit}` +
        `${comparison.baseline.runs > 1 ? ` from ${comparison.baseline.runs} runs` : ''}, ${comparison.current.samples} current; alpha ${comparison.alpha}; ` +
        `smallest slowdown this baseline can catch: ${describeDetectable(comparison)}`,
      `Machine:  ${describeMachine(comparison.baseline.machine)} when recorded, ${describeMachine(comparison.current.machine)} now`,
    )
    if (comparison.verdict === 'regressed') {
      lines.push('If the slowdown is intended, update the baseline: run with -u (vitest -u, jest -u) or PERFGATE_UPDATE=all.')
    } else if (comparison.verdict === 'inconclusive') {
      lines.push(
        "An inconclusive verdict fails because onInconclusive is 'fail'. Left open by noise, measuring longer (time, maxTime) may decide it; " +
          "left open by the machine's state, the reason above says what to do.",
      )
    }
  }
  return lines.join('\n')
}

function writtenNote(written: BaselineCheckRecord['written']): string {
  if (written === 'rewritten') return ' (baseline rewritten in update mode all)'
  if (written === 'added') return ' (this run added to the baseline: PERFGATE_RECORD=add)'
  return ''
}

function describeMachine(machine: MachineState): string {
  const busy = machine.busy === null ? 'busy unknown' : `${formatChange(machine.busy).slice(1)} busy with other work`
  const probe = machine.probe === null ? '' : `, reference workload ${(machine.probe * 1000).toPrecision(3)} µs`
  return busy + probe
}
