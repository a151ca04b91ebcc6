/**
 * Building the run report from the records the runners collected, and reading and writing it as
 * `perfgate-report.json`.
 */
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { perfgateVersion } from '../baselines/provenance.js'
import { PerfgateError } from '../common/errors.js'
import type { PerfRecord } from '../gate/records.js'
import { projectCommit } from '../gate/session.js'
import { currentEnvironment } from '../machine/environment.js'
import { reportVersion } from './model.js'
import type { RunReport, ShardOf, StaleBaselines } from './model.js'

/** What the runners hand over at the end of a run. */
export interface RunInput {
  readonly runner: RunReport['runner']
  readonly rootDir: string
  readonly records: readonly PerfRecord[]
  /** Per baseline file (absolute or relative to the root): entries found obsolete by a full run of its test file. */
  readonly obsolete?: readonly { readonly file: string; readonly keys: readonly string[] }[]
  /** Baseline files whose test file no longer exists (see `orphanedBaselineFiles`). */
  readonly orphanedFiles?: readonly string[]
  /** The shard this run was (`--shard=index/count`), when it was one. */
  readonly shard?: ShardOf | undefined
  readonly createdAt?: Date
}

/** The run report of `input`: records by test file (in path order), each file's in the order they finished. */
export function buildRunReport(input: RunInput): RunReport {
  const rootDir = resolve(input.rootDir)
  const shown = (file: string): string => relative(rootDir, resolve(rootDir, file))
  const stale = staleInOrder({
    obsoleteEntries: (input.obsolete ?? []).map((entry) => ({ file: shown(entry.file), keys: entry.keys })),
    orphanedFiles: (input.orphanedFiles ?? []).map(shown),
  })
  return {
    version: reportVersion,
    tool: { name: 'perfgate', version: perfgateVersion },
    runner: input.runner,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    rootDir,
    git: { commit: projectCommit(rootDir) },
    environment: currentEnvironment(),
    records: recordsInFileOrder(input.records),
    stale,
    ...(input.shard === undefined ? {} : { shard: { index: input.shard.index, count: input.shard.count } }),
  }
}

/** Records grouped by test file, files in path order, each file's records in the order given. */
export function recordsInFileOrder(records: readonly PerfRecord[]): PerfRecord[] {
  const byFile = new Map<string, PerfRecord[]>()
  for (const record of records) {
    const list = byFile.get(record.testFile)
    if (list === undefined) byFile.set(record.testFile, [record])
    else list.push(record)
  }
  return [...byFile.keys()].sort().flatMap((file) => byFile.get(file) ?? [])
}

/** Stale baselines as a report holds them: files without obsolete keys left out, files and keys sorted. */
export function staleInOrder(stale: StaleBaselines): StaleBaselines {
  return {
    obsoleteEntries: stale.obsoleteEntries
      .filter((entry) => entry.keys.length > 0)
      .map((entry) => ({ file: entry.file, keys: [...entry.keys].sort() }))
      .sort((a, b) => a.file.localeCompare(b.file)),
    orphanedFiles: [...stale.orphanedFiles].sort(),
  }
}

/**
 * Baseline files under `baselineDir` whose test file is gone: `<baselineDir>/<path>.json` belongs
 * to `<rootDir>/<path>`. Files of test files outside the root (`__external__/`) cannot be traced
 * back, and are left out. A missing folder has none.
 */
export async function orphanedBaselineFiles(rootDir: string, baselineDir: string): Promise<string[]> {
  const base = resolve(rootDir, baselineDir)
  if (!existsSync(base)) return []
  const entries = await readdir(base, { recursive: true, withFileTypes: true })
  const orphaned: string[] = []
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue
    const file = join(entry.parentPath, entry.name)
    const inside = relative(base, file)
    if (inside.startsWith(`__external__${sep}`)) continue
    const testFile = resolve(rootDir, inside.slice(0, -'.json'.length))
    if (!existsSync(testFile)) orphaned.push(file)
  }
  return orphaned.sort()
}

/** The report as `perfgate-report.json` holds it: two-space indent, a trailing newline (NaN and ±Infinity become null). */
export function serializeRunReport(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}

/**
 * Reads a `perfgate-report.json` text. Throws `PERFGATE_REPORT_INVALID` naming the file and what
 * is wrong: empty, not JSON, not a report, another version, or a malformed `shard`.
 */
export function parseRunReport(text: string, file: string): RunReport {
  const fail = (problem: string): never => {
    throw new PerfgateError('PERFGATE_REPORT_INVALID', `${file}: ${problem}`)
  }
  if (text.trim() === '') fail('the file is empty')
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    fail(`not JSON (${(error as Error).message})`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('not a perfgate run report (expected a JSON object)')
  const object = data as Record<string, unknown>
  if (object['version'] !== reportVersion) {
    fail(
      typeof object['version'] === 'number'
        ? `a run report of format version ${String(object['version'])}; this perfgate reads version ${reportVersion}`
        : 'not a perfgate run report (no "version")',
    )
  }
  if (!Array.isArray(object['records'])) fail('not a perfgate run report ("records" is not an array)')
  if (object['shard'] !== undefined && !isShard(object['shard'])) fail('"shard" must be { "index", "count" }: whole numbers with 1 ≤ index ≤ count')
  return data as RunReport
}

function isShard(value: unknown): value is ShardOf {
  if (typeof value !== 'object' || value === null) return false
  const { index, count } = value as Record<string, unknown>
  return Number.isInteger(index) && Number.isInteger(count) && (index as number) >= 1 && (index as number) <= (count as number)
}
