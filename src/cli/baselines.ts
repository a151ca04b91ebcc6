/**
 * `perfgate baselines check | prune | merge`: look after the baseline files of a project — list
 * what is unreadable, orphaned, obsolete or missing; remove what is stale; bring in another
 * environment's records.
 */
import { openProject } from './baseline-files.js'
import { checkBaselines } from './baselines-check.js'
import { mergeBaselines } from './baselines-merge.js'
import { pruneBaselines } from './baselines-prune.js'
import { parseCommandArgs, UsageError } from './common.js'
import type { CliIo } from './common.js'

const baselinesUsage = `Usage: perfgate baselines <check|prune|merge> [options]

Commands:
  check                 list unreadable, orphaned, obsolete and missing baselines; exits 1 when it finds any
  prune                 remove orphaned baseline files and the obsolete entries of a full run
  merge <dir|file…>     bring another environment's records (a CI runner's, say) into the baseline files

Options:
  --root <dir>          the project root (default: the working directory); its perfgate.config.json5 gives baselineDir
  -h, --help            show help (also after a command: perfgate baselines check --help)

Exit codes: 0 ok, 1 a problem found (see each command), 2 bad usage or an unreadable input.
`

const checkUsage = `Usage: perfgate baselines check [--root dir] [--report file]

Lists, per baseline file: files and records perfgate cannot read (with the file and the line and
column, or the key), files whose test file no longer exists, and — from the run report of a full
run — entries no test asked for (obsolete) and entries a test found missing. Without a report
(none at <report.dir>/perfgate-report.json, nor --report), it says what it could not check.

Exits 1 when it found any of these (a CI step fails on them), 0 when it found none.

Options:
  --root <dir>          the project root (default: the working directory)
  --report <file>       the run report (default: <report.dir>/perfgate-report.json, when it exists)
  -h, --help            show this help
`

const pruneUsage = `Usage: perfgate baselines prune [--root dir] [--report file] [--dry-run]

Removes baseline files whose test file no longer exists, and the entries that the report of a
full run found obsolete (no test asked for them), through perfgate's baseline store: under its
lock, written atomically, never a read-only file. A file perfgate cannot read (a merge conflict,
say) is never touched. Without a report it removes orphaned files only and says so; a report
that is not from a full run, or from another project root, is refused (exit 2). A file changed
after the report was made is left for the next full run.

Exits 0 when everything stale is gone, 1 when it left something (and says what and why).

Options:
  --root <dir>          the project root (default: the working directory)
  --report <file>       the run report (default: <report.dir>/perfgate-report.json, when it exists)
  --dry-run             say what would be removed; write nothing
  -h, --help            show this help
`

const mergeUsage = `Usage: perfgate baselines merge <dir|file…> [--root dir] [--dry-run]

Brings the records of other environments into the project's baseline files: for each entry and
environment id, an incoming record is added when the project has none, and replaces the
project's when it was recorded later (its recordedAt); the project's own newer record is kept.
Entries and files only on the incoming side are added; the project's other records stay as they
are. A folder is read as laid out like baselineDir (test/a.test.ts.json for test/a.test.ts), as a
CI artifact of the baseline folder is; a single file goes into the project's file of the same
name. Files for test files the project does not have are skipped, and said.

Every input and every file to be written is read first: one that cannot be read stops the merge
(exit 2, naming the file and the line and column or key) and nothing is written. Each file is
then written through perfgate's baseline store (its lock, an atomic write, never a read-only
file); one that cannot be written is said and makes the exit code 1, the others are merged.

Options:
  --root <dir>          the project root (default: the working directory)
  --dry-run             say what would change; write nothing
  -h, --help            show this help
`

/** Runs `perfgate baselines …` (`args` after `baselines`); resolves to the exit code. */
export async function baselinesCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === undefined) {
    io.stderr.write(baselinesUsage)
    return 2
  }
  if (subcommand === '-h' || subcommand === '--help') {
    io.stdout.write(baselinesUsage)
    return 0
  }
  const usage = subcommand === 'check' ? checkUsage : subcommand === 'prune' ? pruneUsage : subcommand === 'merge' ? mergeUsage : baselinesUsage
  try {
    if (usage === baselinesUsage) throw new UsageError(`unknown baselines command "${subcommand}"`)
    const { values, positionals } = parseCommandArgs(rest, {
      root: { type: 'string' },
      report: { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    })
    if (values.help === true) {
      io.stdout.write(usage)
      return 0
    }
    if (subcommand !== 'merge' && positionals.length > 0) throw new UsageError(`baselines ${subcommand} takes no file arguments (got ${positionals.join(' ')})`)
    if (subcommand === 'check' && values['dry-run'] === true) throw new UsageError('--dry-run is for prune and merge')
    if (subcommand === 'merge' && values.report !== undefined) throw new UsageError('--report is for check and prune')
    const project = await openProject(values.root)
    if (subcommand === 'check') return await checkBaselines(project, values.report, io)
    if (subcommand === 'prune') return await pruneBaselines(project, values.report, values['dry-run'] === true, io)
    return await mergeBaselines(project, positionals, values['dry-run'] === true, io)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr.write(`perfgate: ${error.message}\n\n${usage}`)
    return 2
  }
}
