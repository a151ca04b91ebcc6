/**
 * The baseline gate as one flow: measure (or take a measurement), compare adaptively, confirm,
 * record or not, decide, and return the assertion's record. `toMatchBaseline` is argument
 * checking plus a message over this; the reporters and the CLI read the same record.
 */
import { relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { baselineFilePath, baselineKey, legacyBaselineKey } from '../baselines/path.js'
import type { BaselineFile } from '../baselines/store.js'
import type { BaselineRecord, UpdateMode } from '../baselines/types.js'
import type { RecordMode } from '../baselines/update-mode.js'
import { PerfgateError } from '../common/errors.js'
import { invalidArgument, positiveNumber, printableName } from '../common/validate.js'
import type { PerfgateConfig } from '../config/config.js'
import { currentEnvironment } from '../machine/environment.js'
import { BenchmarkStoppedError, benchmarkOptionKeys, resolveBenchmarkOptions, runBenchmark } from '../measure/benchmark.js'
import type { BenchmarkOptions, BenchmarkResult } from '../measure/benchmark.js'
import { compactSorted } from '../stats/index.js'
import { compareAdaptively } from './adaptive.js'
import { recordFrom, roundsOf, runsOf, withAddedRun } from './baseline-record.js'
import type { Measured } from './baseline-record.js'
import { allowanceSource, compareResolved, comparedPoints, formatChange, recordAllowance, resolveCompareOptions } from './compare.js'
import type { Comparison, CompareOptions, MeasurementKind, ResolvedCompareOptions } from './compare.js'
import { siteFields } from './records.js'
import type { AssertionSite, BaselineCheckRecord, MeasurementSummary, RecordedCompareOptions, RunDeadline, StoredBaselineSummary } from './records.js'
import { baselineFile, firstTime, keepRecord, namesakeTest, nextOccurrence, warn } from './session.js'

export type { Measured } from './baseline-record.js'
export { recordFrom } from './baseline-record.js'

/** Options of `toMatchBaseline`. */
export interface MatchBaselineOptions extends Omit<CompareOptions, 'minSamples' | 'seed'>, BenchmarkOptions {
  /** Names a second baseline in one test: the key becomes `test name > name`. */
  readonly name?: string
  /** `warn` (default): an inconclusive verdict passes with a warning; `fail` makes it fail. */
  readonly onInconclusive?: 'warn' | 'fail'
  /** Milliseconds that sampling may go on for when the verdict is borderline (default 3000). */
  readonly maxTime?: number
}

/** The option names of `toMatchBaseline`. */
export const baselineOptionKeys = ['name', 'threshold', 'alpha', 'statistic', 'environment', 'onInconclusive', 'maxTime', ...benchmarkOptionKeys] as const

/** `toMatchBaseline` options after validation and the configuration's defaults. */
export interface ResolvedBaselineOptions {
  readonly name: string | undefined
  readonly compare: ResolvedCompareOptions
  readonly onInconclusive: 'warn' | 'fail'
  readonly maxTime: number
  readonly benchmark: ReturnType<typeof resolveBenchmarkOptions>
}

/** Validates `toMatchBaseline` options once; throws a TypeError naming the bad option. */
export function resolveBaselineOptions(raw: Partial<Record<(typeof baselineOptionKeys)[number], unknown>>, config: PerfgateConfig): ResolvedBaselineOptions {
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

/** True for a `benchmark()` or `measure()` result. */
export function isMeasured(value: unknown): value is Measured {
  if (typeof value !== 'object' || value === null) return false
  const kind = (value as { kind?: unknown }).kind
  return (kind === 'benchmark' || kind === 'latency') && Array.isArray((value as { samples?: unknown }).samples)
}

/** Everything a baseline check needs to know about where it runs and what it may write. */
export interface BaselineCheckContext {
  readonly site: AssertionSite
  readonly key: string
  /** The baseline file of the test file, opened in `updateMode`. */
  readonly file: BaselineFile
  /** The baseline file's path relative to the project root, as messages show it. */
  readonly shownPath: string
  readonly rootDir: string
  readonly updateMode: UpdateMode
  /** `add`: a run that may write adds its measurement to the entry as one more run. */
  readonly recordMode: RecordMode
  /** What a missing baseline does when none may be recorded. */
  readonly missingBaseline: 'fail' | 'warn'
}

/** The key of the test's next baseline check named `name` (counting anonymous ones within the test). */
function nextKey(site: AssertionSite, name: string | undefined, rootDir: string, measureOnly = false): { key: string; occurrence: number } {
  // Without the runner's titles, the full name is split where the runner joined it.
  const titles = site.test?.titles ?? site.testName.split(' > ')
  const keyBase = baselineKey(titles, name, 1)
  // Measure-only mode stores nothing, and perfgate ab runs a base that may still have such tests.
  if (!measureOnly && site.test !== undefined && namesakeTest(site.testFile, keyBase, site.test.token) !== undefined) {
    throw new PerfgateError(
      'PERFGATE_DUPLICATE_TEST',
      `Another test in ${printableName(relative(rootDir, site.testFile))} is also named "${printableName(site.testName)}"${name === undefined ? '' : ` and compares a baseline named "${printableName(name)}"`}: ` +
        "their baselines would share one entry, and each would be compared with the other's. " +
        'Give each test a name of its own (in test.each, put a placeholder such as %s, %i or $name in the title), or each baseline a `name` of its own.',
    )
  }
  const occurrence = nextOccurrence(site, keyBase)
  return { key: baselineKey(titles, name, occurrence), occurrence }
}

/**
 * The context of one baseline check: its key (counting anonymous comparisons within the test)
 * and its baseline file, opened once per process. `until`: the test's deadline, for the save
 * that moves a perfgate 0.1 key (it waits no longer for another writer's lock).
 */
export async function openBaselineCheck(
  site: AssertionSite,
  name: string | undefined,
  updateMode: UpdateMode,
  rootDir: string,
  config: PerfgateConfig,
  recordMode: RecordMode = 'replace',
  until?: number,
): Promise<BaselineCheckContext> {
  const { key, occurrence } = nextKey(site, name, rootDir)
  const legacyKey = legacyBaselineKey(site.testName, name, occurrence)
  const path = baselineFilePath({ rootDir, baselineDir: config.baselineDir, testFile: site.testFile })
  const file = await baselineFile(path, updateMode)
  // A file from perfgate 0.1 keeps its entries: each is read under its exact key, and moved there on disk where the run may write.
  if (legacyKey !== key && file.migrateKey(legacyKey, key)) {
    const saved = await file.save(until)
    if (firstTime(`migrated keys in ${path}`)) {
      warn(
        `perfgate: ${printableName(relative(rootDir, path))} has baseline keys in perfgate 0.1's form ("${printableName(legacyKey)}" and perhaps others): ` +
          `each is read under its exact key ("${printableName(key)}")${saved ? ', and the file was updated' : '; a local run or -u moves them in the file'}.`,
      )
    }
  }
  return { site, key, file, shownPath: relative(rootDir, path), rootDir, updateMode, recordMode, missingBaseline: config.ci.missingBaseline }
}

function summaryOf(measured: Measured, samplingMs: number | null, extensions: number): MeasurementSummary {
  return {
    kind: measured.kind,
    summary: measured.summary,
    samples: measured.samples.length,
    rounds: roundsOf(measured),
    sample: measured.samples.length === 0 ? [] : compactSorted(measured.samples, comparedPoints),
    samplingMs,
    extensions,
    machine: measured.machine,
  }
}

function recordedOptions(options: ResolvedCompareOptions): RecordedCompareOptions {
  return { threshold: options.threshold, alpha: options.alpha, statistic: options.statistic, environment: options.environment }
}

/**
 * The smallest slowdown a stored record lets the gate call a regression: the threshold, the
 * spread of its rounds, or what one process can differ from another, whichever is largest.
 */
export function minimumDetectableOf(record: BaselineRecord, options: ResolvedCompareOptions, kind: MeasurementKind): number {
  return Math.max(options.threshold, record.noise, recordAllowance(record, options.processAllowance, kind))
}

/** Said once per process: a baseline that cannot catch a slowdown at the threshold, and what to do. */
function detectableWarning(record: BaselineRecord, key: string, options: ResolvedCompareOptions, kind: MeasurementKind): string[] {
  const detectable = minimumDetectableOf(record, options, kind)
  if (detectable <= options.threshold || !firstTime('minimum-detectable')) return []
  const runs = runsOf(record).length
  const source = record.noise >= detectable ? 'rounds' : allowanceSource(runs, recordAllowance(record, options.processAllowance, kind), options.processAllowance, kind)
  const ab = 'To catch smaller ones, compare base and head on one machine with perfgate ab.'
  const reasons: Record<typeof source, readonly [because: string, todo: string]> = {
    rounds: ['its rounds disagreed, often because other work was running', 'To catch smaller ones, record it with a longer `time`, on a quieter machine.'],
    configured: [
      `it was recorded from ${runs === 1 ? 'one process' : 'two processes'}, and processes of unchanged code differ by up to that`,
      'To catch smaller ones, record it from several fresh processes (run the suite a few times with PERFGATE_RECORD=add), on a quieter machine, or use perfgate ab.',
    ],
    runs: [`its ${runs} runs spread that far`, 'To catch smaller ones, record its runs on a quieter machine, or use perfgate ab.'],
    least: [`processes of unchanged code run minutes apart differ by up to that, however closely its ${runs} runs agree`, ab],
    latency: ['an endpoint answers at its server process\'s speed, and fresh server processes of unchanged code land up to that far apart', ab],
  }
  const [because, todo] = reasons[source]
  return [
    `perfgate: the baseline for "${printableName(key)}" can only catch slowdowns beyond ${formatChange(detectable).slice(1)} ` +
      `(threshold ${formatChange(options.threshold).slice(1)}): ${because}. ${todo} Other baselines may be alike; this is said once per run.`,
  ]
}

/**
 * Checks a function (benchmarked now) or a `benchmark()` / `measure()` result against the
 * baseline stored under the context's key: records it when missing and allowed, rewrites it in
 * update mode `all`, and decides. The record is kept in the session and returned.
 */
export async function checkBaseline(
  received: (() => unknown) | Measured,
  context: BaselineCheckContext,
  options: ResolvedBaselineOptions,
  deadline?: RunDeadline,
): Promise<BaselineCheckRecord> {
  const checkStart = performance.now()
  const { file, key } = context
  const environment = currentEnvironment()
  const storedRecord = file.get(key, environment.id)
  const base = {
    kind: 'baseline' as const,
    ...siteFields(context.site),
    negated: false,
    key,
    baselineFile: context.shownPath,
    environmentId: environment.id,
    updateMode: context.updateMode,
    compareOptions: recordedOptions(options.compare),
  }
  const done = (record: BaselineCheckRecord): BaselineCheckRecord => {
    keepRecord(record, context.site)
    return record
  }

  const others = storedRecord === undefined ? Object.values(file.recordsOf(key)) : []
  // Nothing to compare with and nothing may be written: say so without measuring first.
  if (storedRecord === undefined && others.length === 0 && !file.canWrite(key, environment.id)) {
    const pass = context.missingBaseline === 'warn'
    const warnings = pass
      ? [`perfgate: no baseline for "${printableName(key)}" in ${printableName(context.shownPath)} (${environment.id}); not recorded in update mode '${context.updateMode}'`]
      : []
    return done({ ...base, verdict: 'missing', pass, comparison: null, baseline: null, measurement: null, written: null, warnings })
  }

  const measure = (time: number): Promise<BenchmarkResult> => runBenchmark(key, received as () => unknown, { ...options.benchmark, time }, deadline)
  // Nothing is written once the test's deadline passed or the test ended: the runner may already have failed it.
  const mayWrite = (): void => {
    if (deadline?.signal.aborted === true) throw new BenchmarkStoppedError({ phase: 'sampling', roundsDone: current.kind === 'benchmark' ? current.rounds.length : 0, roundsPlanned: options.benchmark.rounds, median: current.summary?.median ?? null, elapsedMs: performance.now() - checkStart })
  }
  const benchmarked = typeof received === 'function'
  let current: Measured = benchmarked ? await measure(options.benchmark.time) : received
  const firstSampling = benchmarked ? options.benchmark.time : null

  if (storedRecord === undefined) {
    if (file.canWrite(key, environment.id)) {
      mayWrite()
      const record = recordFrom(current, context.rootDir)
      const warnings = detectableWarning(record, key, options.compare, current.kind)
      // Only under -u does an unreadable record get this far (otherwise the file fails to open).
      const unreadable = file.unreadableRecord(key, environment.id)
      if (unreadable !== undefined) {
        warnings.unshift(`perfgate: the baseline for "${printableName(key)}" in ${printableName(context.shownPath)} could not be read (${printableName(unreadable)}); -u recorded it again`)
      }
      await file.store(key, environment.id, record, { until: deadline?.endsAt })
      return done({ ...base, verdict: 'new', pass: true, comparison: null, baseline: null, measurement: summaryOf(current, firstSampling, 0), written: 'recorded', warnings })
    }
    // Only another environment's record exists and this run may not write: compare across.
    const other = others[0] as BaselineRecord
    const comparison = compareResolved(other, current, options.compare)
    return done(decide(base, comparison, other, options, summaryOf(current, firstSampling, 0), null, []))
  }

  let comparison: Comparison
  let measurement: MeasurementSummary
  if (current.kind === 'benchmark' && benchmarked) {
    const adaptive = await compareAdaptively(storedRecord, current, measure, options.compare, {
      time: options.benchmark.time,
      maxTime: options.maxTime,
      endsAt: deadline?.endsAt,
      warmupTime: options.benchmark.warmupTime,
    })
    comparison = adaptive.comparison
    current = adaptive.current
    measurement = summaryOf(current, adaptive.samplingMs, adaptive.extensions)
  } else {
    comparison = compareResolved(storedRecord, current, options.compare)
    measurement = summaryOf(current, firstSampling, 0)
  }

  let written: 'rewritten' | 'added' | null = null
  const warnings: string[] = []
  if (context.recordMode === 'add' && file.canWrite(key, environment.id, true)) {
    mayWrite()
    const record = withAddedRun(storedRecord, current, context.rootDir)
    // A run being added is not judged; one that its record would call regressed widens the
    // entry's allowance for good, so it is said (a slower checkout, a busy machine).
    if (comparison.verdict === 'regressed') {
      warnings.push(
        `perfgate: the run added to "${printableName(key)}" was ${formatChange(comparison.change)} off the ones before (it would be \`regressed\` against them): ` +
          'if the code was slower or the machine busy in this run, delete the entry and record it again',
      )
    }
    warnings.push(...detectableWarning(record, key, options.compare, current.kind))
    if (await file.store(key, environment.id, record, { addRun: (saved) => withAddedRun(saved, current, context.rootDir), until: deadline?.endsAt })) written = 'added'
  } else if (context.updateMode === 'all' && changedMeaningfully(comparison, options)) {
    mayWrite()
    const record = recordFrom(current, context.rootDir)
    warnings.push(...detectableWarning(record, key, options.compare, current.kind))
    if (await file.store(key, environment.id, record, { until: deadline?.endsAt })) {
      written = 'rewritten'
      // Said, since the new record may come from a slow phase of the machine.
      if (comparison.verdict === 'inconclusive') warnings.push(`perfgate: -u rewrote "${printableName(key)}", whose verdict was inconclusive: ${comparison.reason}`)
    }
  }
  return done(decide(base, comparison, storedRecord, options, measurement, written, warnings))
}

/**
 * Measure-only mode (`PERFGATE_MODE=measure`, how `perfgate ab` runs a suite): measures as the
 * check would, under the key it would have, and keeps the record (verdict `measured`). No
 * baseline file is read or written, so nothing stored decides, and nothing is left behind.
 */
export async function measureOnly(
  received: (() => unknown) | Measured,
  site: AssertionSite,
  name: string | undefined,
  rootDir: string,
  config: PerfgateConfig,
  options: ResolvedBaselineOptions,
  deadline?: RunDeadline,
): Promise<BaselineCheckRecord> {
  const { key } = nextKey(site, name, rootDir, true)
  const path = baselineFilePath({ rootDir, baselineDir: config.baselineDir, testFile: site.testFile })
  const benchmarked = typeof received === 'function'
  const current = benchmarked ? await runBenchmark(key, received, options.benchmark, deadline) : received
  const record: BaselineCheckRecord = {
    kind: 'baseline',
    ...siteFields(site),
    negated: false,
    key,
    baselineFile: relative(rootDir, path),
    environmentId: currentEnvironment().id,
    updateMode: 'none',
    compareOptions: recordedOptions(options.compare),
    verdict: 'measured',
    pass: true,
    comparison: null,
    baseline: null,
    measurement: summaryOf(current, benchmarked ? options.benchmark.time : null, 0),
    written: null,
    warnings: [],
  }
  keepRecord(record, site)
  return record
}

/**
 * Whether `-u` rewrites a compared entry: as Vitest's `-u` leaves a matching snapshot alone, an
 * `unchanged` entry is not touched (rewriting it would only replace its numbers with another
 * run's noise), nor an `inconclusive` one that passes while its change could be noise. A
 * regression, an improvement, a record from another environment, an inconclusive verdict that
 * fails (`onInconclusive: 'fail'`), and an inconclusive one whose whole interval lies beyond
 * what would count, either way (a slowdown the machine's state could explain or one not yet
 * confirmed; a speed-up measured on a faster machine) are rewritten, so that `-u` accepts a
 * change it measured and leaves a passing suite behind; the inconclusive reason is then said.
 */
export function changedMeaningfully(comparison: Comparison, options: ResolvedBaselineOptions): boolean {
  switch (comparison.verdict) {
    case 'regressed':
    case 'improved':
      return true
    case 'inconclusive':
      return !comparison.environmentMatch || options.onInconclusive === 'fail' || clearlyBeyondCounting(comparison, options.compare.minSamples)
    default:
      return !comparison.environmentMatch
  }
}

/**
 * Whether the interval of the change lies wholly beyond the smallest change that counts, either
 * way, on enough samples (a verdict of too few is no measurement to keep).
 */
function clearlyBeyondCounting({ interval, minimumDetectable, baseline, current }: Comparison, minSamples: number): boolean {
  if (baseline.samples < minSamples || current.samples < minSamples) return false
  // A speed-up of the same ratio: 1 / (1 + d) − 1.
  return interval.lower > minimumDetectable || interval.upper < 1 / (1 + minimumDetectable) - 1
}

/** The stored record a comparison was made against, as the record keeps it (for charts). */
function storedSummary(record: BaselineRecord): StoredBaselineSummary {
  return {
    summary: record.summary,
    sample: record.sample,
    sampleCount: record.sampleCount,
    environmentId: record.environment.id,
    recordedAt: record.recordedAt,
    runs: record.runs?.length ?? 1,
  }
}

type RecordHead = Pick<BaselineCheckRecord, 'kind' | 'testFile' | 'testName' | 'line' | 'negated' | 'key' | 'baselineFile' | 'environmentId' | 'updateMode' | 'compareOptions'>

/** The verdict's effect: a regression fails unless rewritten; an inconclusive one as configured. */
function decide(
  base: RecordHead,
  comparison: Comparison,
  compared: BaselineRecord,
  options: ResolvedBaselineOptions,
  measurement: MeasurementSummary,
  written: 'rewritten' | 'added' | null,
  warnings: string[],
): BaselineCheckRecord {
  let pass: boolean
  switch (comparison.verdict) {
    case 'regressed':
      pass = written !== null
      break
    case 'inconclusive':
      pass = written !== null || options.onInconclusive === 'warn'
      if (pass && written === null) warnings.push(`perfgate: inconclusive for "${printableName(base.key)}": ${comparison.reason}`)
      break
    default:
      pass = true
  }
  return { ...base, verdict: comparison.verdict, pass, comparison, baseline: storedSummary(compared), measurement, written, warnings }
}
