import { relative } from 'node:path'
import { baselineFilePath, baselineKey } from '../baselines/path.js'
import type { BaselineRecord, UpdateMode } from '../baselines/types.js'
import { benchmarkOptionKeys, resolveBenchmarkOptions, runBenchmark } from '../measure/benchmark.js'
import type { BenchmarkOptions, BenchmarkResult } from '../measure/benchmark.js'
import { compareResolved, comparedPoints, formatChange, resolveCompareOptions, roundNoise } from '../gate/compare.js'
import type { Comparison, CompareOptions, ResolvedCompareOptions } from '../gate/compare.js'
import type { PerfgateConfig } from '../config/config.js'
import { currentEnvironment } from '../machine/environment.js'
import { PerfgateError, PerfgateTypeError } from '../common/errors.js'
import type { LatencyResult } from '../measure/latency.js'
import { perfgateVersion } from '../baselines/provenance.js'
import { baselineFile, nextOccurrence, projectCommit, projectConfig, projectRoot, recordOutcome } from '../gate/session.js'
import { compactSorted, summarizeSorted } from '../stats/index.js'
import { resolveUpdateMode } from '../baselines/update-mode.js'
import { invalidArgument, optionsObject, positiveNumber } from '../common/validate.js'
import type { MatcherContext, MatcherResult } from './context.js'

/** Options of `toMatchBaseline`. */
export interface MatchBaselineOptions extends Omit<CompareOptions, 'minSamples' | 'seed'>, BenchmarkOptions {
  /** Names a second baseline in one test: the key becomes `test name > name`. */
  readonly name?: string
  /** `warn` (default): an inconclusive verdict passes with a warning; `fail` makes it fail. */
  readonly onInconclusive?: 'warn' | 'fail'
  /** Milliseconds that sampling may go on for when the verdict is borderline (default 3000). */
  readonly maxTime?: number
}

const matcherName = 'toMatchBaseline'
const optionKeys = ['name', 'threshold', 'alpha', 'statistic', 'environment', 'onInconclusive', 'maxTime', ...benchmarkOptionKeys] as const

type Measured = BenchmarkResult | LatencyResult

function isMeasured(value: unknown): value is Measured {
  if (typeof value !== 'object' || value === null) return false
  const kind = (value as { kind?: unknown }).kind
  return (kind === 'benchmark' || kind === 'latency') && Array.isArray((value as { samples?: unknown }).samples)
}

// Six significant digits: far below any noise, and a baseline diff stays readable.
const stored = (value: number): number => Number(value.toPrecision(6))

function storedSummary(summary: ReturnType<typeof summarizeSorted>): ReturnType<typeof summarizeSorted> {
  return Object.fromEntries(Object.entries(summary).map(([field, value]) => [field, field === 'count' ? value : stored(value)])) as ReturnType<
    typeof summarizeSorted
  >
}

/** A record to store from a measurement: a compact sample, its summary and its noise. */
export function recordFrom(measured: Measured, rootDir: string): BaselineRecord {
  const rounds = measured.kind === 'benchmark' ? measured.rounds : [measured.summary?.median ?? 0]
  if (measured.samples.length === 0) throw new PerfgateTypeError('Cannot record a baseline from a result without successful samples')
  return {
    unit: 'ms',
    summary: storedSummary(summarizeSorted(measured.samples)),
    sample: compactSorted(measured.samples, comparedPoints).map(stored),
    sampleCount: measured.samples.length,
    rounds: rounds.map(stored),
    noise: stored(roundNoise(rounds)),
    environment: measured.environment,
    recordedAt: new Date().toISOString(),
    perfgateVersion,
    gitCommit: projectCommit(rootDir),
  }
}

/** Joins two measurements of the same function, for adaptive sampling. */
export function merged(a: BenchmarkResult, b: BenchmarkResult): BenchmarkResult {
  const samples = Array.from(Float64Array.from([...a.samples, ...b.samples]).sort())
  return {
    ...a,
    samples,
    summary: summarizeSorted(samples),
    count: samples.length,
    iterations: a.iterations + b.iterations,
    rounds: [...a.rounds, ...b.rounds],
    durationMs: a.durationMs + b.durationMs,
  }
}

/** What adaptive sampling ended with. */
export interface AdaptiveComparison {
  readonly comparison: Comparison
  /** Every sample and round the verdict rests on. */
  readonly current: BenchmarkResult
  /** ms of sampling asked for in all. */
  readonly samplingMs: number
  /** How many times sampling was extended. */
  readonly extensions: number
}

/**
 * Compares, and while the verdict is inconclusive (in the same environment) measures another
 * `time` of rounds and compares again, up to `maxTime` of sampling in all. A first `regressed`
 * is confirmed the same way before it stands: a slow period of the machine can cover one
 * measurement, rarely two in a row, and the fastest-round rule then sees both.
 */
export async function compareAdaptively(
  stored: BaselineRecord,
  first: BenchmarkResult,
  measureMore: (time: number) => Promise<BenchmarkResult>,
  options: ResolvedCompareOptions,
  budget: { readonly time: number; readonly maxTime: number },
): Promise<AdaptiveComparison> {
  let current = first
  let comparison = compareResolved(stored, current, options)
  let spent = budget.time
  let extensions = 0
  let confirmed = false
  while (comparison.environmentMatch && (comparison.verdict === 'inconclusive' || (comparison.verdict === 'regressed' && !confirmed))) {
    if (comparison.verdict === 'regressed') confirmed = true
    const more = Math.min(budget.time, budget.maxTime - spent)
    if (more < budget.time / 4) break
    current = merged(current, await measureMore(more))
    spent += more
    extensions++
    comparison = compareResolved(stored, current, options)
  }
  return { comparison, current, samplingMs: spent, extensions }
}

interface Resolved {
  readonly name: string | undefined
  readonly compare: ResolvedCompareOptions
  readonly onInconclusive: 'warn' | 'fail'
  readonly maxTime: number
  readonly benchmark: ReturnType<typeof resolveBenchmarkOptions>
}

function resolveOptions(raw: Partial<Record<(typeof optionKeys)[number], unknown>>, config: PerfgateConfig): Resolved {
  const name = raw.name
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) invalidArgument('options.name', 'a non-empty string', name)
  const onInconclusive = raw.onInconclusive ?? config.onInconclusive
  if (onInconclusive !== 'warn' && onInconclusive !== 'fail') invalidArgument('options.onInconclusive', "'warn' or 'fail'", onInconclusive)
  const benchmark = resolveBenchmarkOptions(raw, 'options', config.benchmark)
  const maxTime = raw.maxTime === undefined ? Math.max(config.benchmark.maxTime, benchmark.time) : positiveNumber('options.maxTime', raw.maxTime)
  if (maxTime < benchmark.time) invalidArgument('options.maxTime', `at least \`time\` (${benchmark.time})`, maxTime)
  return {
    name: name as string | undefined,
    compare: resolveCompareOptions(raw, 'options', config),
    onInconclusive,
    maxTime,
    benchmark,
  }
}

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
  const raw = optionsObject('options', options, optionKeys)
  const testName = this.currentTestName
  const testFile = this.testPath
  if (testName === undefined || testName === '' || testFile === undefined) {
    throw new PerfgateError('PERFGATE_WRONG_RUNNER', 'toMatchBaseline must run inside a test: it keys the baseline on the test name and file')
  }
  const rootDir = projectRoot()
  const config = await projectConfig(rootDir)
  const resolved = resolveOptions(raw, config)
  const updateMode = resolveUpdateMode(this.snapshotState)

  const keyBase = resolved.name === undefined ? testName : `${testName} > ${resolved.name}`
  const key = baselineKey(testName, resolved.name, nextOccurrence(testFile, testName, keyBase))
  const path = baselineFilePath({ rootDir, baselineDir: config.baselineDir, testFile })
  const shownPath = relative(rootDir, path)
  const file = await baselineFile(path, updateMode)
  const environment = currentEnvironment()
  const stored = file.get(key, environment.id)

  const context: MessageContext = { matcher: this, key, shownPath, environmentId: environment.id, updateMode }
  const others = stored === undefined ? Object.values(file.recordsOf(key)) : []
  // Nothing to compare with and nothing may be written: say so without measuring first.
  if (stored === undefined && others.length === 0 && !file.canWrite(key, environment.id)) {
    recordOutcome({ testFile, key, verdict: 'missing', comparison: null, written: false })
    const pass = config.ci.missingBaseline === 'warn'
    if (pass) console.warn(`perfgate: no baseline for "${key}" in ${shownPath} (${environment.id}); not recorded in update mode '${updateMode}'`)
    return { pass, message: () => describeMissing(context) }
  }

  const measure = (time: number): Promise<BenchmarkResult> =>
    runBenchmark(key, received as () => unknown, { ...resolved.benchmark, time })
  let current: Measured = typeof received === 'function' ? await measure(resolved.benchmark.time) : received

  if (stored === undefined) {
    if (file.canWrite(key, environment.id)) {
      const record = recordFrom(current, rootDir)
      warnIfNoisy(record, key, resolved.compare.threshold)
      file.set(key, environment.id, record)
      await file.save()
      recordOutcome({ testFile, key, verdict: 'new', comparison: null, written: true })
      return { pass: true, message: () => describeRecorded(context, current) }
    }
    // Only another environment's record exists and this run may not write: compare across.
    const other = others[0] as BaselineRecord
    return judge(context, compareResolved(other, current, resolved.compare), resolved, testFile, false)
  }

  let comparison: Comparison
  if (current.kind === 'benchmark' && typeof received === 'function') {
    const adaptive = await compareAdaptively(stored, current, measure, resolved.compare, { time: resolved.benchmark.time, maxTime: resolved.maxTime })
    comparison = adaptive.comparison
    current = adaptive.current
  } else {
    comparison = compareResolved(stored, current, resolved.compare)
  }

  let written = false
  if (updateMode === 'all') {
    const record = recordFrom(current, rootDir)
    warnIfNoisy(record, key, resolved.compare.threshold)
    written = file.set(key, environment.id, record)
    if (written) await file.save()
  }
  return judge(context, comparison, resolved, testFile, written)
}

/** A baseline whose rounds disagreed beyond the threshold can only catch larger changes: say so. */
function warnIfNoisy(record: BaselineRecord, key: string, threshold: number): void {
  if (record.noise <= threshold) return
  console.warn(
    `perfgate: the baseline for "${key}" was recorded with a noise floor of ${formatChange(record.noise).slice(1)} ` +
      `(its rounds disagreed, often because other work was running), so it only catches changes beyond that. ` +
      'Record it again on a quieter machine with -u for a sharper gate.',
  )
}

interface MessageContext {
  readonly matcher: MatcherContext
  readonly key: string
  readonly shownPath: string
  readonly environmentId: string
  readonly updateMode: UpdateMode
}

function judge(context: MessageContext, comparison: Comparison, resolved: Resolved, testFile: string, written: boolean): MatcherResult {
  recordOutcome({ testFile, key: context.key, verdict: comparison.verdict, comparison, written })
  let pass: boolean
  switch (comparison.verdict) {
    case 'regressed':
      pass = written
      break
    case 'inconclusive':
      pass = written || resolved.onInconclusive === 'warn'
      if (pass && !written) console.warn(`perfgate: inconclusive for "${context.key}": ${comparison.reason}`)
      break
    default:
      pass = true
  }
  return { pass, message: () => describeComparison(context, comparison, written) }
}

function header(context: MessageContext): string[] {
  const { utils, promise } = context.matcher
  return [
    utils.matcherHint(matcherName, 'received', '', { isNot: false, promise }),
    '',
    `Baseline: ${utils.printExpected(context.key)} in ${context.shownPath} (${context.environmentId})`,
  ]
}

function describeComparison(context: MessageContext, comparison: Comparison, written: boolean): string {
  const { utils } = context.matcher
  const lines = [
    ...header(context),
    `Verdict:  ${utils.RECEIVED_COLOR(comparison.verdict)}${written ? ' (baseline rewritten in update mode all)' : ''}`,
    `          ${comparison.reason}`,
    '',
    `Compared: ${comparison.baseline.samples} baseline ${comparison.unit}, ${comparison.current.samples} current; alpha ${comparison.alpha}`,
  ]
  if (comparison.verdict === 'regressed') {
    lines.push('If the slowdown is intended, update the baseline: run with -u (vitest -u, jest -u) or PERFGATE_UPDATE=all.')
  } else if (comparison.verdict === 'inconclusive') {
    lines.push("An inconclusive verdict fails because onInconclusive is 'fail'; measure longer (time, maxTime) or raise the threshold.")
  }
  return lines.join('\n')
}

function describeRecorded(context: MessageContext, measured: Measured): string {
  const median = measured.summary?.median ?? Number.NaN
  return [...header(context), `Verdict:  new — recorded (median ${median.toPrecision(3)} ms over ${measured.samples.length} samples)`].join('\n')
}

function describeMissing(context: MessageContext): string {
  return [
    ...header(context),
    `Verdict:  ${context.matcher.utils.RECEIVED_COLOR('missing')} — no baseline for this test in this environment, and update mode '${context.updateMode}' does not record one.`,
    '',
    'Record it with a local run (update mode new) or with -u, and commit the baseline file;',
    "or set ci.missingBaseline to 'warn' in perfgate.config.json5 to let CI pass without one.",
  ].join('\n')
}
