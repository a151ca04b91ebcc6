/**
 * Merging the run reports of a sharded suite (`vitest run --shard=i/n`, `jest --shard=i/n`) into
 * the report one unsharded run would have written, timings apart. Each test file runs in one
 * shard, and what a report says is decided per test file (its records; its baseline file's
 * obsolete entries, after every test of the file ran and passed), so the union of the shards is
 * the whole run: records regrouped in test-file order, obsolete entries joined, orphaned baseline
 * files (the same in every shard) joined.
 */
import { isAbsolute, relative } from 'node:path'
import { PerfgateError } from '../common/errors.js'
import { printableName } from '../common/validate.js'
import { recordsInFileOrder, staleInOrder } from './build.js'
import type { RunReport, StaleBaselines } from './model.js'

/** A run report and the file it was read from, which every complaint names. */
export interface NamedRunReport {
  readonly file: string
  readonly report: RunReport
}

/** The merged report, and what the caller should say without failing. */
export interface MergedRunReport {
  readonly report: RunReport
  /** One line each: shards missing from the inputs, environments that differ. */
  readonly warnings: readonly string[]
}

/**
 * Merges the reports of the shards of one run. Throws `PERFGATE_REPORT_MERGE` naming the file
 * when they cannot be one run: another runner, runner or perfgate version, root or commit;
 * shards of different splits or the same shard twice; a test file (or its baseline file) in two
 * of them. The merged report has the first report's environment, the latest `createdAt`, no
 * `shard`, and `stale` null when any input's is unknown.
 *
 * @example
 * const { report, warnings } = mergeRunReports([{ file: 'shard-1.json', report: one }, { file: 'shard-2.json', report: two }])
 */
export function mergeRunReports(runs: readonly NamedRunReport[]): MergedRunReport {
  const [first, ...others] = runs
  if (first === undefined) throw new PerfgateError('PERFGATE_REPORT_MERGE', 'no run reports to merge')
  for (const run of runs) checkShape(run)
  for (const run of others) checkSameRun(first, run)
  checkCommits(runs)
  const warnings = [...shardProblems(runs), ...environmentProblems(first, others)]
  checkNoOverlap(runs)

  const reports = runs.map((run) => run.report)
  const stales = reports.map((report) => report.stale ?? null)
  const stale: StaleBaselines | null = stales.some((one) => one === null)
    ? null
    : staleInOrder({
        obsoleteEntries: stales.flatMap((one) => one?.obsoleteEntries ?? []),
        orphanedFiles: [...new Set(stales.flatMap((one) => one?.orphanedFiles ?? []))],
      })
  const { shard: _shard, ...whole } = first.report
  return {
    report: {
      ...whole,
      createdAt: reports.map((report) => report.createdAt).reduce((latest, at) => (Date.parse(at) > Date.parse(latest) ? at : latest)),
      git: { commit: reports.find((report) => report.git.commit !== null)?.git.commit ?? null },
      records: recordsInFileOrder(reports.flatMap((report) => report.records)),
      stale,
    },
    warnings,
  }
}

function refuse(message: string): never {
  throw new PerfgateError('PERFGATE_REPORT_MERGE', message)
}

/** The fields merging reads, which `parseRunReport` does not check. */
function checkShape({ file, report }: NamedRunReport): void {
  const ok =
    typeof report.rootDir === 'string' &&
    typeof report.runner === 'object' &&
    report.runner !== null &&
    typeof report.tool === 'object' &&
    report.tool !== null &&
    typeof report.git === 'object' &&
    report.git !== null &&
    typeof report.environment === 'object' &&
    report.environment !== null &&
    typeof report.createdAt === 'string'
  if (!ok) throw new PerfgateError('PERFGATE_REPORT_INVALID', `${file}: not a perfgate run report (no "rootDir", "runner", "tool", "git", "environment" or "createdAt")`)
}

function checkSameRun(first: NamedRunReport, run: NamedRunReport): void {
  const a = first.report
  const b = run.report
  const name = (report: RunReport): string => `${report.runner.name} ${report.runner.version ?? '(version unknown)'}`
  if (a.runner.name !== b.runner.name || a.runner.version !== b.runner.version) {
    refuse(`${run.file}: a run of ${name(b)}, but ${first.file} is one of ${name(a)}; only the shards of one run merge`)
  }
  if (a.tool.version !== b.tool.version) {
    refuse(`${run.file}: written by perfgate ${b.tool.version}, but ${first.file} by perfgate ${a.tool.version}; only the shards of one run merge`)
  }
  if (a.rootDir !== b.rootDir) {
    refuse(
      `${run.file}: project root ${b.rootDir}, but ${first.file} has ${a.rootDir}; the shards of one run share their root (check the project out at the same path in every job)`,
    )
  }
}

/** A report without a commit (git not found) merges with any; two commits must be the same. */
function checkCommits(runs: readonly NamedRunReport[]): void {
  const known = runs.filter((run) => run.report.git.commit !== null)
  const [first] = known
  for (const run of known) {
    if (first !== undefined && run.report.git.commit !== first.report.git.commit) {
      refuse(`${run.file}: made at commit ${run.report.git.commit}, but ${first.file} at ${first.report.git.commit}; only the shards of one run merge`)
    }
  }
}

/** Shards of different splits or the same shard twice are refused; shards missing from the inputs are warned about. */
function shardProblems(runs: readonly NamedRunReport[]): string[] {
  const shards = runs.filter((run) => run.report.shard !== undefined)
  const [firstShard] = shards
  if (firstShard?.report.shard === undefined) return []
  const count = firstShard.report.shard.count
  const byIndex = new Map<number, string>()
  for (const { file, report } of shards) {
    const shard = report.shard
    if (shard === undefined) continue
    if (shard.count !== count) refuse(`${file}: shard ${shard.index}/${shard.count}, but ${firstShard.file} is a shard of ${count}; only the shards of one split merge`)
    const other = byIndex.get(shard.index)
    if (other !== undefined) refuse(`${file}: shard ${shard.index}/${count} again (${other} is that shard too)`)
    byIndex.set(shard.index, file)
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index))
  if (missing.length === 0) return []
  return [
    `no report of shard ${missing.map((index) => `${index}/${count}`).join(', ')} among the inputs; merged the others (a shard without perf assertions writes no report)`,
  ]
}

function environmentProblems(first: NamedRunReport, others: readonly NamedRunReport[]): string[] {
  const differ = others.filter((run) => run.report.environment.id !== first.report.environment.id)
  if (differ.length === 0) return []
  return [
    `the shards ran in different environments (${first.file}: ${first.report.environment.id}; ${differ.map((run) => `${run.file}: ${run.report.environment.id}`).join('; ')}); the merged report names the first one's`,
  ]
}

/** A test file, or its baseline file, in two reports means they are not the shards of one run. */
function checkNoOverlap(runs: readonly NamedRunReport[]): void {
  const testFiles = new Map<string, string>()
  const baselineFiles = new Map<string, string>()
  for (const { file, report } of runs) {
    const shown = (path: string): string => {
      const inside = relative(report.rootDir, path)
      return printableName(inside === '' || inside.startsWith('..') || isAbsolute(inside) ? path : inside)
    }
    const ownTests = new Set(report.records.map((record) => record.testFile))
    const ownBaselines = new Set([
      ...report.records.flatMap((record) => (record.kind === 'baseline' ? [record.baselineFile] : [])),
      ...(report.stale?.obsoleteEntries ?? []).map((entry) => entry.file),
    ])
    for (const testFile of ownTests) {
      const other = testFiles.get(testFile)
      if (other !== undefined) refuse(`${file}: ${shown(testFile)} is in ${other} too; a test file runs in one shard only`)
      testFiles.set(testFile, file)
    }
    for (const baselineFile of ownBaselines) {
      const other = baselineFiles.get(baselineFile)
      if (other !== undefined) refuse(`${file}: the test file of ${printableName(baselineFile)} ran in ${other} too; a test file runs in one shard only`)
      baselineFiles.set(baselineFile, file)
    }
  }
}
