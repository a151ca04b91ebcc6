/**
 * The run report: every perf assertion of one test run, with where and when it ran. The
 * reporters build it at the end of a run, write it as `perfgate-report.json`, and render the
 * terminal table, the Markdown and the HTML page from it; the CLI reads it back.
 */
import type { Environment } from '../machine/environment.js'
import type { BaselineCheckRecord, ErrorRecord, LatencyCheckRecord, LoadCheckRecord, PerfRecord } from '../gate/records.js'

/** The version of the report format; a reader refuses another one. */
export const reportVersion = 1

/** Baseline entries and files that no test asked for. */
export interface StaleBaselines {
  /** Per baseline file (relative to the root): its entries that no test asked for in a full run of its test file (every test ran and passed). */
  readonly obsoleteEntries: readonly { readonly file: string; readonly keys: readonly string[] }[]
  /** Baseline files (relative to the root) whose test file no longer exists. */
  readonly orphanedFiles: readonly string[]
}

/** One test run's perf results. */
export interface RunReport {
  readonly version: typeof reportVersion
  readonly tool: { readonly name: 'perfgate'; readonly version: string }
  /** The runner that ran the suite. */
  readonly runner: { readonly name: 'vitest' | 'jest'; readonly version: string | null }
  /** When the run ended (ISO 8601). */
  readonly createdAt: string
  /** The project root the paths are relative to. */
  readonly rootDir: string
  /** The git commit of the project root, where known. */
  readonly git: { readonly commit: string | null }
  /** Where the run was measured. */
  readonly environment: Environment
  /** Every perf assertion of the run, in the order they finished per test file, files in path order. */
  readonly records: readonly PerfRecord[]
  /**
   * What no test asked for: obsolete entries of the test files that ran in full (decided per
   * file, so a shard reports those of its own files), and orphaned baseline files. The reporters
   * always set it; null where unknown.
   */
  readonly stale: StaleBaselines | null
  /** Only in one shard's report (`--shard=index/count`); `perfgate merge` joins the shards into a report without it. */
  readonly shard?: ShardOf
}

/** Which shard of a sharded run a report is: `index` of `count`, from 1. */
export interface ShardOf {
  readonly index: number
  readonly count: number
}

/** The records of one kind, for renderers. */
export function recordsOfKind(report: RunReport): {
  baselines: BaselineCheckRecord[]
  latency: LatencyCheckRecord[]
  load: LoadCheckRecord[]
  errors: ErrorRecord[]
} {
  const baselines: BaselineCheckRecord[] = []
  const latency: LatencyCheckRecord[] = []
  const load: LoadCheckRecord[] = []
  const errors: ErrorRecord[] = []
  for (const record of report.records) {
    if (record.kind === 'baseline') baselines.push(record)
    else if (record.kind === 'latency') latency.push(record)
    else if (record.kind === 'load') load.push(record)
    else errors.push(record)
  }
  return { baselines, latency, load, errors }
}

// Whether an assertion failed after `.not` is the gate's to say; the renderers read it from here.
export { failed } from '../gate/records.js'
