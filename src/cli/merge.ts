/**
 * `perfgate merge <run.json…> --out merged.json`: the run reports of a sharded suite's shards
 * merged into the report of the whole run (see `mergeRunReports`).
 */
import { serializeRunReport } from '../report/build.js'
import { mergeRunReports } from '../report/merge.js'
import { parseCommandArgs, readRunReports, refuseOutAmongInputs, UsageError, writeOutFile } from './common.js'
import type { CliIo } from './common.js'

export const mergeUsage = `Usage: perfgate merge <run.json…> --out <merged.json>

Merges the perfgate-report.json files of a sharded suite's shards (vitest run --shard=i/n,
jest --shard=i/n) into the report one unsharded run would have written: the records in test-file
order, obsolete baseline entries and orphaned baseline files of all shards. Render it with
perfgate report.

Refused (exit 2): runs of another runner, perfgate version, project root or commit; shards of
different splits or the same shard twice; a test file in two runs. A shard missing from the
inputs is only said (a shard without perf assertions writes no report).

Options:
  --out <file>   where the merged report goes (JSON)
  -h, --help     show this help
`

/** Runs `perfgate merge` with its arguments; resolves to the exit code. */
export async function mergeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } })
  if (values.help === true) {
    io.stdout.write(mergeUsage)
    return 0
  }
  if (positionals.length === 0) throw new UsageError('merge needs the run files of the shards (perfgate-report.json)')
  const out = values.out
  if (out === undefined || out === '') throw new UsageError('merge needs --out <file> for the merged report')
  // A shard's report is all there is of that shard: writing the merge over it would lose it.
  refuseOutAmongInputs(out, positionals, 'merged')
  const reports = await readRunReports(positionals)
  const { report, warnings } = mergeRunReports(reports.map((one, i) => ({ file: positionals[i] ?? '', report: one })))
  for (const warning of warnings) io.stderr.write(`perfgate: ${warning}\n`)
  await writeOutFile(out, serializeRunReport(report))
  io.stdout.write(`perfgate: merged ${reports.length} ${reports.length === 1 ? 'run' : 'runs'} (${report.records.length} ${report.records.length === 1 ? 'record' : 'records'}) into ${out}\n`)
  return 0
}
