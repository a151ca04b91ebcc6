/**
 * Two runs of one suite on one machine, compared entry by entry (`perfgate compare`): each
 * baseline entry's head measurement against its base measurement by `toMatchBaseline`'s rule,
 * taken as measured side by side (no process allowance); each latency budget and load run by
 * its assertion's result in the two runs.
 */
import { relative } from 'node:path'
import { firstLine } from '../common/format.js'
import type { Environment } from '../machine/environment.js'
import type { MachineState } from '../machine/state.js'
import { compareResolved, resolveCompareOptions } from './compare.js'
import type { FreshMeasurement } from './compare.js'
import { failed } from './records.js'
import type { BaselineCheckRecord, LatencyCheckRecord, LoadCheckRecord, PerfRecord, RecordedCompareOptions } from './records.js'

/** What `compareRuns` reads of a run; a run report (`perfgate-report.json`) has all of it. */
export interface RecordedRun {
  /** The project root: entries are matched by paths relative to it, so two checkouts compare. */
  readonly rootDir: string
  /** When the run ended (ISO 8601). */
  readonly createdAt: string
  readonly environment: Environment
  readonly records: readonly PerfRecord[]
}

/** Options of `compareRuns`. */
export interface CompareRunsOptions {
  /** The threshold for every entry, instead of the one each assertion decided with. */
  readonly threshold?: number | undefined
  /** The significance level for every entry, instead of each assertion's own. */
  readonly alpha?: number | undefined
  /** For records that do not say what they decided with (reports of perfgate 0.1): the configuration's. */
  readonly defaults: RecordedCompareOptions
}

/**
 * A latency budget or load run in both runs. One run of each says nothing about a change in
 * latency that a test could stand on, so the assertion's result decides: `regressed` when it
 * passed on the base and fails on the head, `fixed` the other way, else `passing` or `failing`
 * on both.
 */
export type AssertionVerdict = 'regressed' | 'fixed' | 'passing' | 'failing'

/** A latency budget or load run of both runs, with its verdict. */
export interface AssertionComparison<R extends LatencyCheckRecord | LoadCheckRecord = LatencyCheckRecord | LoadCheckRecord> {
  /** The entry as the CLI names it: `test/api.perf.ts: api > GET /users (GET http://…)`. */
  readonly entry: string
  readonly verdict: AssertionVerdict
  readonly base: R
  readonly head: R
}

/** Two runs compared. */
export interface RunComparison {
  /**
   * The head's baseline entries, each decided anew against the base's measurement of it: the
   * record's `comparison` is head against base, its `baseline` the base's measurement, `pass`
   * false only for `regressed`; nothing was written.
   */
  readonly baselines: readonly BaselineCheckRecord[]
  readonly latency: readonly AssertionComparison<LatencyCheckRecord>[]
  readonly load: readonly AssertionComparison<LoadCheckRecord>[]
  /** Entries of both runs that could not be compared, and why (no measurement on a side…). */
  readonly notCompared: readonly { readonly entry: string; readonly why: string }[]
  /** Entries of one run only. */
  readonly onlyInBase: readonly string[]
  readonly onlyInHead: readonly string[]
  /**
   * Assertions that stopped with an error in a run (its tests failed there), with the first line
   * of the error: nothing to compare. One in the head run only (`newInHead`) counts as a
   * regression: the pull request broke a perf check that worked on the base.
   */
  readonly stoppedWithError: readonly { readonly side: 'base' | 'head'; readonly entry: string; readonly error: string; readonly newInHead: boolean }[]
  /** Entries that regressed: baseline entries `regressed`, assertions that passed on the base and fail on the head. */
  readonly regressions: number
}

const unknownMachine: MachineState = { busy: null, probe: null }

/** A path relative to `rootDir`, with `/` separators. */
function fromRoot(rootDir: string, path: string): string {
  return relative(rootDir, path).split(/[\\/]/).join('/')
}

interface Entry {
  /** What matches it with the other run's entry. */
  readonly id: string
  /** How the CLI names it. */
  readonly name: string
  readonly record: PerfRecord
}

/**
 * A target as it identifies an assertion across runs: without the scheme, host and port of its
 * URLs (`GET /api/users` for `GET http://127.0.0.1:39999/api/users`), which change from run to
 * run when the test's server listens on port 0. Its path, method and query stay: two endpoints
 * of one test are still told apart when a pull request adds one or reorders them.
 */
export function siteTarget(target: string): string {
  return target.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+/gi, '')
}

/**
 * The run's entries by id. A baseline entry is its baseline file and key; a repeated one
 * (a retried test) is its last record. A latency budget or load run is its test file, test
 * name and target without its origin (`siteTarget`), and which of those it is in the test (`#2`
 * from the second).
 */
function entriesOf(run: RecordedRun): Map<string, Entry> {
  const entries = new Map<string, Entry>()
  const seen = new Map<string, number>()
  for (const record of run.records) {
    // An assertion that stopped with an error measured nothing to compare (its run failed).
    if (record.kind === 'error') continue
    const testFile = fromRoot(run.rootDir, record.testFile)
    if (record.kind === 'baseline') {
      const id = JSON.stringify(['baseline', record.baselineFile.split(/[\\/]/).join('/'), record.key])
      entries.set(id, { id, name: `${testFile}: ${record.key}`, record })
      continue
    }
    const site = JSON.stringify([record.kind, testFile, record.testName, siteTarget(record.target)])
    const occurrence = (seen.get(site) ?? 0) + 1
    seen.set(site, occurrence)
    const what = record.kind === 'latency' ? 'latency budget' : 'load run'
    entries.set(`${site}#${occurrence}`, {
      id: `${site}#${occurrence}`,
      name: `${testFile}: ${record.testName}${occurrence > 1 ? ` #${occurrence}` : ''} (${what}, ${record.target})`,
      record,
    })
  }
  return entries
}

/** The environment a record was measured in: its run's, unless the record names another. */
function environmentOf(run: RecordedRun, id: string): Environment {
  return run.environment.id === id ? run.environment : { id, os: 'unknown', arch: 'unknown', cpuModel: 'unknown', cores: 0, nodeMajor: 0 }
}

/** Why a baseline entry's record holds no measurement to compare, or null when it does. */
function unmeasured(record: BaselineCheckRecord, side: 'base' | 'head'): string | null {
  const measurement = record.measurement
  if (measurement === null) {
    return (
      `not measured in the ${side} run: no baseline to compare with, and update mode '${record.updateMode}' recorded none ` +
      '(run both in measure-only mode, PERFGATE_MODE=measure, which measures every toMatchBaseline and touches no baseline file)'
    )
  }
  if (measurement.summary === null || measurement.sample.length === 0) return `nothing succeeded in the ${side} run's measurement`
  return null
}

/** A record's measurement as a fresh result: what `compare` reads of one measured beside the other. */
function freshMeasurement(record: BaselineCheckRecord, environment: Environment): FreshMeasurement {
  const measurement = record.measurement as NonNullable<BaselineCheckRecord['measurement']>
  return {
    kind: measurement.kind,
    samples: measurement.sample,
    rounds: measurement.rounds,
    environment,
    // Reports of perfgate 0.1 kept the machine only in a comparison's evidence.
    machine: measurement.machine ?? record.comparison?.current.machine ?? unknownMachine,
  }
}

/** The head's entry decided anew against the base's, or why it cannot be. */
function compareBaselineEntry(
  base: BaselineCheckRecord,
  head: BaselineCheckRecord,
  baseRun: RecordedRun,
  headRun: RecordedRun,
  options: CompareRunsOptions,
): BaselineCheckRecord | string {
  const problem = unmeasured(base, 'base') ?? unmeasured(head, 'head')
  if (problem !== null) return problem
  const baseMeasurement = base.measurement as NonNullable<BaselineCheckRecord['measurement']>
  if (baseMeasurement.kind !== head.measurement?.kind) return `a ${baseMeasurement.kind} in the base run, a ${head.measurement?.kind} in the head run`
  const own = head.compareOptions ?? base.compareOptions ?? options.defaults
  const used: RecordedCompareOptions = {
    threshold: options.threshold ?? own.threshold,
    alpha: options.alpha ?? own.alpha,
    statistic: own.statistic,
    environment: own.environment,
  }
  // Both sides are fresh results measured on one machine: compare gives them no process allowance.
  const comparison = compareResolved(
    freshMeasurement(base, environmentOf(baseRun, base.environmentId)),
    freshMeasurement(head, environmentOf(headRun, head.environmentId)),
    resolveCompareOptions(used, 'compareOptions'),
  )
  return {
    ...head,
    negated: false,
    verdict: comparison.verdict,
    pass: comparison.verdict !== 'regressed',
    comparison,
    compareOptions: used,
    baseline: {
      summary: baseMeasurement.summary as NonNullable<typeof baseMeasurement.summary>,
      sample: baseMeasurement.sample,
      sampleCount: baseMeasurement.samples,
      environmentId: base.environmentId,
      recordedAt: baseRun.createdAt,
      runs: 1,
    },
    written: null,
    warnings: [],
  }
}

function assertionVerdict(base: PerfRecord, head: PerfRecord): AssertionVerdict {
  if (failed(head)) return failed(base) ? 'failing' : 'regressed'
  return failed(base) ? 'fixed' : 'passing'
}

/**
 * Compares the head run with the base run entry by entry. Entries are matched by where they
 * are, relative to each run's root, so two checkouts of one project compare.
 * @example
 * const result = compareRuns(baseReport, headReport, { defaults: config })
 * result.regressions // 1
 */
export function compareRuns(base: RecordedRun, head: RecordedRun, options: CompareRunsOptions): RunComparison {
  const baseEntries = entriesOf(base)
  const headEntries = entriesOf(head)
  const baselines: BaselineCheckRecord[] = []
  const latency: AssertionComparison<LatencyCheckRecord>[] = []
  const load: AssertionComparison<LoadCheckRecord>[] = []
  const notCompared: { entry: string; why: string }[] = []
  const onlyInHead: string[] = []
  for (const entry of headEntries.values()) {
    const other = baseEntries.get(entry.id)?.record
    const record = entry.record
    if (other === undefined) onlyInHead.push(entry.name)
    else if (record.kind === 'baseline' && other.kind === 'baseline') {
      const compared = compareBaselineEntry(other, record, base, head, options)
      if (typeof compared === 'string') notCompared.push({ entry: entry.name, why: compared })
      else baselines.push(compared)
    } else if (record.kind === 'latency' && other.kind === 'latency') {
      latency.push({ entry: entry.name, verdict: assertionVerdict(other, record), base: other, head: record })
    } else if (record.kind === 'load' && other.kind === 'load') {
      load.push({ entry: entry.name, verdict: assertionVerdict(other, record), base: other, head: record })
    }
  }
  const onlyInBase = [...baseEntries.values()].filter((entry) => !headEntries.has(entry.id)).map((entry) => entry.name)
  const errorsOf = (side: 'base' | 'head'): { side: 'base' | 'head'; entry: string; error: string; site: string }[] => {
    const run = side === 'base' ? base : head
    return run.records.flatMap((record) => {
      if (record.kind !== 'error') return []
      const testFile = fromRoot(run.rootDir, record.testFile)
      const entry = `${testFile}: ${record.testName} (${record.matcher}${record.target === null ? '' : `, ${record.target}`})`
      // The target's origin changes with a server on port 0: the site is its test and matcher.
      const site = JSON.stringify([testFile, record.testName, record.matcher, record.target === null ? null : siteTarget(record.target)])
      return [{ side, entry, error: firstLine(record.message), site }]
    })
  }
  const baseErrors = errorsOf('base')
  const baseErrorSites = new Set(baseErrors.map((error) => error.site))
  const stoppedWithError = [...baseErrors, ...errorsOf('head')].map(({ side, entry, error, site }) => ({
    side,
    entry,
    error,
    newInHead: side === 'head' && !baseErrorSites.has(site),
  }))
  const regressions =
    baselines.filter((record) => record.verdict === 'regressed').length +
    [...latency, ...load].filter((pair) => pair.verdict === 'regressed').length +
    stoppedWithError.filter((error) => error.newInHead).length
  return { baselines, latency, load, notCompared, onlyInBase, onlyInHead, stoppedWithError, regressions }
}

/** How many entries were compared (not counting those that could not be). */
export function comparedEntries(comparison: RunComparison): number {
  return comparison.baselines.length + comparison.latency.length + comparison.load.length
}

/**
 * What a run holds, in a sentence: counts per kind and the first few entries of each, e.g.
 * `2 baseline entries (test/a.perf.ts: sum, test/a.perf.ts: sort), no latency budget, no load run`.
 */
export function describeRun(run: RecordedRun, shown = 3): string {
  if (run.records.length === 0) return 'no perf assertion'
  const entries = [...entriesOf(run).values()]
  const kinds = [
    ['baseline', 'baseline entry', 'baseline entries'],
    ['latency', 'latency budget', 'latency budgets'],
    ['load', 'load run', 'load runs'],
  ] as const
  return kinds
    .map(([kind, one, many]) => {
      const names = entries.filter((entry) => entry.record.kind === kind).map((entry) => entry.name)
      if (names.length === 0) return `no ${one}`
      const listed = names.slice(0, shown).join(', ') + (names.length > shown ? `, … ${names.length - shown} more` : '')
      return `${names.length} ${names.length === 1 ? one : many} (${listed})`
    })
    .join(', ')
}
