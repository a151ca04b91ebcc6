/**
 * Baseline records built from measurements: one run when recorded, more when runs are added
 * (`PERFGATE_RECORD=add`), so that a record learns how far processes land from each other.
 */
import { median } from 'simple-statistics'
import { perfgateVersion } from '../baselines/provenance.js'
import type { BaselineRecord, BaselineRun } from '../baselines/types.js'
import { PerfgateTypeError } from '../common/errors.js'
import type { MachineState } from '../machine/state.js'
import type { BenchmarkResult } from '../measure/benchmark.js'
import type { LatencyResult } from '../measure/latency.js'
import { compactSorted, summarizeSorted } from '../stats/index.js'
import { comparedPoints, roundNoise } from './compare.js'
import { projectCommit } from './session.js'
import { wallClockNow } from '../common/timers.js'

/** What can be stored as a baseline: a `benchmark()` or a `measure()` result. */
export type Measured = BenchmarkResult | LatencyResult

/** The most runs a record keeps; adding one more drops the oldest. */
export const maxRuns = 10

// Six significant digits: far below any noise, and a baseline diff stays readable.
const stored = (value: number): number => Number(value.toPrecision(6))

function storedSummary(summary: ReturnType<typeof summarizeSorted>): ReturnType<typeof summarizeSorted> {
  return Object.fromEntries(Object.entries(summary).map(([field, value]) => [field, field === 'count' ? value : stored(value)])) as ReturnType<
    typeof summarizeSorted
  >
}

function storedMachine(machine: MachineState | undefined): MachineState {
  const storedOrNull = (value: number | null | undefined): number | null => (value === null || value === undefined ? null : stored(value))
  // A probe too quick for the timer says nothing about the machine's speed (and would not read back).
  const probe = machine?.probe !== undefined && machine.probe !== null && machine.probe > 0 ? machine.probe : null
  return { busy: storedOrNull(machine?.busy), probe: storedOrNull(probe) }
}

/** The round medians of a measurement (a latency result of one round: its median). */
export function roundsOf(measured: Measured): readonly number[] {
  if (measured.rounds !== undefined && measured.rounds.length > 0) return measured.rounds
  return [measured.summary?.median ?? 0]
}

/** A record to store from a measurement: a compact sample, its summary, its noise and the machine's state. */
export function recordFrom(measured: Measured, rootDir: string): BaselineRecord {
  const rounds = roundsOf(measured)
  if (measured.samples.length === 0) throw new PerfgateTypeError('Cannot record a baseline from a result without successful samples')
  return {
    unit: 'ms',
    summary: storedSummary(summarizeSorted(measured.samples)),
    sample: compactSorted(measured.samples, comparedPoints).map(stored),
    sampleCount: measured.samples.length,
    rounds: rounds.map(stored),
    noise: stored(roundNoise(rounds)),
    environment: measured.environment,
    recordedAt: new Date(wallClockNow()).toISOString(),
    perfgateVersion,
    gitCommit: projectCommit(rootDir),
    machine: storedMachine(measured.machine),
  }
}

/** The runs of a record: its own list, or the record itself as its one run. */
export function runsOf(record: BaselineRecord): readonly BaselineRun[] {
  if (record.runs !== undefined) return record.runs
  return [{ median: stored(median(record.rounds as number[])), rounds: record.rounds.length, machine: storedMachine(record.machine), recordedAt: record.recordedAt }]
}

/**
 * The record with one more run: the measurement's rounds are appended to the pooled rounds,
 * its sample pooled with the stored one, and the run listed; past `maxRuns` the oldest run
 * and its rounds are dropped. The pooled sample and summary weigh the old runs and the new one
 * by their compact samples, which is what comparisons and charts read.
 */
export function withAddedRun(record: BaselineRecord, measured: Measured, rootDir: string): BaselineRecord {
  const added = recordFrom(measured, rootDir)
  const addedRun = runsOf(added)[0] as BaselineRun
  let runs = [...runsOf(record), addedRun]
  let rounds = [...record.rounds, ...added.rounds]
  while (runs.length > maxRuns) {
    rounds = rounds.slice((runs[0] as BaselineRun).rounds)
    runs = runs.slice(1)
  }
  const pooled = Array.from(Float64Array.from([...record.sample, ...added.sample]).sort())
  const sample = compactSorted(pooled, comparedPoints).map(stored)
  return {
    ...added,
    summary: storedSummary(summarizeSorted(sample)),
    sample,
    sampleCount: record.sampleCount + added.sampleCount,
    rounds,
    noise: stored(roundNoise(rounds)),
    machine: addedRun.machine,
    runs,
  }
}
