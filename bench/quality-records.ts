/**
 * Reads what `npm run bench:quality` leaves in its OUT_DIR: records.jsonl, one line per
 * `toMatchBaseline` record with its run. For the scripts that look at past runs again.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BaselineCheckRecord } from '../src/index.js'
import type { Comparison } from '../src/gate/compare.js'

/** A judged function verdict of a bench:quality run, with its run's settings. */
export interface JudgedFunction {
  readonly scale: number
  readonly baselines: string
  readonly record: BaselineCheckRecord & { readonly comparison: Comparison; readonly measurement: NonNullable<BaselineCheckRecord['measurement']> }
}

/** One line of records.jsonl: a `toMatchBaseline` record with the run it came from. */
export interface RecordLine {
  readonly trial: number
  readonly phase: 'record' | 'record-add' | 'judge'
  readonly scenario: string
  readonly baselines: string
  readonly scale: number
  readonly run: number
  readonly record: BaselineCheckRecord
}

/** Every line of `dir`'s records.jsonl (an OUT_DIR), in order. */
export function recordLines(dir: string): RecordLine[] {
  return readFileSync(join(dir, 'records.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordLine)
}

/** The compared function verdicts of the judging runs in `dir` (an OUT_DIR). */
export function judgedFunctions(dir: string): JudgedFunction[] {
  return recordLines(dir).filter(
    (line): line is RecordLine & JudgedFunction => line.phase === 'judge' && line.record.comparison !== null && line.record.measurement?.kind === 'benchmark',
  )
}

export type EntryKind = 'function' | 'http'

/** A function baseline or an HTTP (`measure()`) one. */
export function entryKind(record: BaselineCheckRecord): EntryKind {
  if (record.measurement !== null) return record.measurement.kind === 'latency' ? 'http' : 'function'
  return record.key.includes('GET /') ? 'http' : 'function'
}

/** Entries QUALITY_SCALE does not slow down (the bundled fixture server's `/fast`). */
export function isUnscaled(record: BaselineCheckRecord): boolean {
  return record.key.includes('GET /fast')
}

/** The scenarios (quality-suite.ts) in which no second process competes for the CPU. */
export const quietScenarios: ReadonlySet<string> = new Set(['whole', 'one-file', 'shuffle', 'one-at-a-time'])

/**
 * s: how many times longer perfgate's reference workload took for the compared measurement
 * than for the baseline's; null when either side did not read it (older records).
 */
export function workloadSlowdown(comparison: Comparison): number | null {
  const then = comparison.baseline.machine?.probe ?? null
  const now = comparison.current.machine?.probe ?? null
  return then === null || now === null ? null : now / then
}

/** The OUT_DIRs given as arguments; a TypeError when none is. */
export function outDirArguments(): string[] {
  const dirs = process.argv.slice(2)
  if (dirs.length === 0) throw new TypeError('Expected the output folders of bench:quality runs as arguments (OUT_DIR, holding records.jsonl)')
  return dirs
}
