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

/** The compared function verdicts of the judging runs in `dir` (an OUT_DIR). */
export function judgedFunctions(dir: string): JudgedFunction[] {
  return readFileSync(join(dir, 'records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JudgedFunction & { readonly phase: string })
    .filter(({ phase, record }) => phase === 'judge' && record.comparison !== null && record.measurement?.kind === 'benchmark')
}

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
