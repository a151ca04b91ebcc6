/**
 * The result records of perf assertions: what the gate decided and the evidence for it. One
 * record per assertion, of one of three kinds, or an error record for one that stopped with an
 * error; the per-process session keeps them, and the
 * matchers' messages, the reporters and the CLI all render these same records.
 */
import type { UpdateMode } from '../baselines/types.js'
import type { MachineState } from '../machine/state.js'
import type { LoadTimeline } from '../measure/timeline.js'
import type { SampleSummary } from '../stats/index.js'
import type { Comparison, ResolvedCompareOptions, Verdict } from './compare.js'

/** Where an assertion ran, as the runner tells it. */
export interface AssertionSite {
  /** Absolute path of the test file. */
  readonly testFile: string
  /** The full test name, `describe > test`. */
  readonly testName: string
  /** Line of the test in its file, where the runner gives it (Vitest with `includeTaskLocation`). */
  readonly line?: number | undefined
  /** The running test as the runner identifies it; not part of the record. */
  readonly test?: TestIdentity | undefined
}

/** The running test, told apart from every other test of the file even when they run at once. */
export interface TestIdentity {
  /** Its titles: the describe blocks, then the test. */
  readonly titles: readonly string[]
  /** The runner's object for this test: the same for every assertion of it, another for each other test. */
  readonly token: object
  /** Which run of the test (retries and repeats run it again): counters start over for each. */
  readonly attempt: number
}

/** A run's way to stop early (the test's deadline), and to tell afterwards whether it did. */
export interface RunDeadline {
  readonly signal: AbortSignal
  /** When the signal fires at the latest, as a `performance.now()` time, where known. */
  readonly endsAt?: number | undefined
  /** Call once the run has returned: true when the signal had stopped it before it finished. */
  stoppedRun(): boolean
}

/** Fields every record has. */
interface RecordBase {
  readonly testFile: string
  readonly testName: string
  readonly line: number | null
  /** The assertion's own result, before `.not` is applied. */
  readonly pass: boolean
  /** The assertion was negated with `.not` (then it passed when `pass` is false). */
  readonly negated: boolean
}

/** What a baseline check measured, summarized (the samples themselves are not kept). */
export interface MeasurementSummary {
  /** `benchmark`: a function sampled in rounds; `latency`: a `measure()` result. */
  readonly kind: 'benchmark' | 'latency'
  /** Summary of every sample, in ms (null when nothing succeeded). */
  readonly summary: SampleSummary | null
  /** How many samples the summary is over. */
  readonly samples: number
  /** The median of each round, in ms (one value for a latency measurement). */
  readonly rounds: readonly number[]
  /** A compact sorted stand-in for the samples, at most 256 points, for charts. */
  readonly sample: readonly number[]
  /** ms of sampling asked for, with adaptive extensions (null for a result passed in). */
  readonly samplingMs: number | null
  /** How many times adaptive sampling added rounds. */
  readonly extensions: number
  /**
   * How busy and how fast the machine was while measuring (the guards of a comparison read it;
   * `perfgate compare` compares two runs' measurements with it). Absent in reports of perfgate 0.1.
   */
  readonly machine?: MachineState
}

/** The options a baseline check decided with, so that `perfgate compare` decides with the same. */
export type RecordedCompareOptions = Pick<ResolvedCompareOptions, 'threshold' | 'alpha' | 'statistic' | 'environment'>

/** A stored baseline record as a check record keeps it: enough to draw it beside the current one. */
export interface StoredBaselineSummary {
  readonly summary: SampleSummary
  /** Its compact sorted sample (at most 256 points), in ms. */
  readonly sample: readonly number[]
  /** How many samples it summarizes. */
  readonly sampleCount: number
  readonly environmentId: string
  readonly recordedAt: string
  /** How many runs (processes) it was recorded from. */
  readonly runs: number
}

/** A `toMatchBaseline` assertion. */
export interface BaselineCheckRecord extends RecordBase {
  readonly kind: 'baseline'
  /** The baseline key, `describe > test[ >> name][ #n]`. */
  readonly key: string
  /** The baseline file, relative to the project root. */
  readonly baselineFile: string
  /** The environment the measurement was made in (a record per environment is kept). */
  readonly environmentId: string
  readonly updateMode: UpdateMode
  /**
   * `new`: recorded now; `missing`: none stored and none could be written; `measured`: measured
   * in measure-only mode (`PERFGATE_MODE=measure`), compared with nothing.
   */
  readonly verdict: Verdict | 'new' | 'missing' | 'measured'
  /** The comparison and its evidence (null for `new` and `missing`). */
  readonly comparison: Comparison | null
  /** The threshold, alpha, statistic and environment policy of this assertion (absent in reports of perfgate 0.1). */
  readonly compareOptions?: RecordedCompareOptions
  /** The stored record it was compared with (null for `new` and `missing`). */
  readonly baseline: StoredBaselineSummary | null
  /** What was measured (null when nothing was: a missing baseline fails before measuring). */
  readonly measurement: MeasurementSummary | null
  /** What was written to the baseline file: a new record, a replaced one, or one more run added to it. */
  readonly written: 'recorded' | 'rewritten' | 'added' | null
  /** What the user should hear even when the assertion passes. */
  readonly warnings: readonly string[]
}

/** A `toRespondWithin` assertion: a latency statistic against a budget. */
export interface LatencyCheckRecord extends RecordBase {
  readonly kind: 'latency'
  /** What was measured, e.g. the URL. */
  readonly target: string
  readonly budgetMs: number
  /** `p95`, `median`, `mean`, `max`… */
  readonly statistic: string
  /** The statistic's value in ms (null when no request succeeded). */
  readonly value: number | null
  /** The upper confidence bound when `confidence` was asked for, and could be computed. */
  readonly bound: number | null
  readonly confidence: number | null
  /** Why no bound could be computed, when it could not. */
  readonly boundProblem: string | null
  readonly allowFailures: number
  /** Percentiles of the successful requests (null when none succeeded). */
  readonly latency: SampleSummary | null
  /** A compact sorted stand-in for the latencies, at most 256 points, for charts. */
  readonly sample: readonly number[]
  /** Measured requests (warm-up excluded), and how they ended. */
  readonly count: number
  readonly successes: number
  readonly failures: number
  readonly outcomes: Readonly<Record<string, number>>
  /** The first error message of each failure kind. */
  readonly errors: Readonly<Record<string, string>>
  readonly throughput: number
  readonly durationMs: number
  readonly concurrency: number
}

/** A `toSustainSuccessRate` assertion: a load run's success rate against a floor. */
export interface LoadCheckRecord extends RecordBase {
  readonly kind: 'load'
  readonly target: string
  readonly model: 'closed' | 'open'
  /** Arrivals per second (open model). */
  readonly rate: number | null
  readonly concurrency: number
  readonly minRate: number
  readonly successRate: number
  /** The lower Wilson bound when `confidence` was asked for. */
  readonly lowerBound: number | null
  readonly confidence: number | null
  readonly total: number
  readonly successes: number
  readonly failures: number
  readonly outcomes: Readonly<Record<string, number>>
  readonly errors: Readonly<Record<string, string>>
  readonly latency: SampleSummary | null
  readonly throughput: number
  readonly durationMs: number
  /** Outcomes over the run's time, in at most 120 buckets (bucketed by when each request ended). */
  readonly timeline: LoadTimeline
}

/**
 * A perf assertion that stopped with an error instead of reaching a verdict: a baseline file it
 * could not read or write, a run stopped before the test's timeout, an endpoint with no answer
 * to compare, a wrong argument. It failed its test, so it fails in the reports too.
 */
export interface ErrorRecord extends RecordBase {
  readonly kind: 'error'
  /** `toMatchBaseline`, `toRespondWithin` or `toSustainSuccessRate`. */
  readonly matcher: string
  /** What it was asked about (the URL, or the function's name), where that could be told. */
  readonly target: string | null
  /** The error's name and code, e.g. `PerfgateError PERFGATE_BASELINE_PARSE` or `TypeError`. */
  readonly error: string
  /** The error's message, as the test's failure shows it. */
  readonly message: string
}

/** Any perf assertion's record; branch on `kind`. */
export type PerfRecord = BaselineCheckRecord | LatencyCheckRecord | LoadCheckRecord | ErrorRecord

/** The assertion failed, after `.not` (a record keeps its own result, before `.not`); one that stopped with an error always did. */
export function failed(record: PerfRecord): boolean {
  if (record.kind === 'error') return true
  return record.negated ? record.pass : !record.pass
}

/** The record fields that say where an assertion ran. */
export function siteFields(site: AssertionSite): Pick<RecordBase, 'testFile' | 'testName' | 'line'> {
  return { testFile: site.testFile, testName: site.testName, line: site.line ?? null }
}

/**
 * A test's records without its error records when the test passed: the test caught what the
 * matcher threw (`await expect(…).rejects.toThrow()`), so no assertion failed. The runners'
 * reporters apply it, knowing which tests passed.
 */
export function withoutCaughtErrors(records: readonly PerfRecord[], testPassed: boolean): PerfRecord[] {
  return testPassed ? records.filter((record) => record.kind !== 'error') : [...records]
}
