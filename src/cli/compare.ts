/**
 * `perfgate compare <base.json> <head.json>`: two runs of one suite made on the same machine,
 * decided entry by entry with `toMatchBaseline`'s rule; exits 1 on a regression.
 */
import { resolve } from 'node:path'
import { loadConfig } from '../config/config.js'
import { comparedEntries, compareRuns, describeRun } from '../gate/compare-runs.js'
import type { RunComparison } from '../gate/compare-runs.js'
import { renderComparisonMarkdown, renderComparisonTerminal } from '../report/comparison.js'
import type { ComparedRuns } from '../report/comparison.js'
import { numberOption, parseCommandArgs, readRunReports, sameFile, UsageError, writeOutFile } from './common.js'
import type { CliIo } from './common.js'

/** `perfgate compare --help`. */
export const compareUsage = `Usage: perfgate compare <base.json> <head.json> [--format text|md] [--out file] [--threshold r] [--alpha p]

Compares two runs of one suite made on the same machine (the base branch and the pull request,
one after the other in one CI job), entry by entry, and exits 1 on a regression:

  baseline entries   the head's measurement against the base's by toMatchBaseline's rule (rank
                     test on the rounds, 95% interval, threshold, the machine's state), both
                     taken as measured side by side: no process allowance
  latency budgets    the assertion's result in each run: one that passed on the base and fails
  and load runs      on the head is a regression (one run each: latencies are shown, not tested)

Entries are matched by baseline file and key, or by test file, test name and target, relative
to each run's project root. Both runs must have measured: run both in measure-only mode
(PERFGATE_MODE=measure), which measures every toMatchBaseline and reads or writes no baseline
file, and keep each run's .perfgate/perfgate-report.json.

Options:
  --format <format>    text (default) or md
  --out <file>         write to a file instead of standard output
  --threshold <ratio>  smallest change that counts for every entry, e.g. 0.1 for 10% (default:
                       each assertion's own as its run recorded it, else perfgate.config.json5
                       of the current directory, else 0.1)
  --alpha <p>          significance level of the rank test for every entry (default: likewise,
                       else 0.01)
  -h, --help           show this help

Exit codes: 0 no regression, 1 a regression, 2 bad usage or an unreadable input (a file missing,
empty, truncated or of another version, or two runs with no entry in common).
`


/** Why nothing was compared, with what each run holds. */
function nothingCompared(runs: ComparedRuns, comparison: RunComparison): string {
  const { baseName, headName } = runs
  if (comparison.notCompared.length > 0) {
    const shown = comparison.notCompared.slice(0, 5).map(({ entry, why }) => `  ${entry}: ${why}\n`)
    const more = comparison.notCompared.length - shown.length
    const common = comparison.notCompared.length === 1 ? '1 entry' : `${comparison.notCompared.length} entries`
    return (
      `perfgate: ${baseName} and ${headName} have ${common} in common, and none could be compared:\n` +
      shown.join('') +
      (more > 0 ? `  … ${more} more\n` : '')
    )
  }
  return (
    `perfgate: ${baseName} and ${headName} have no entry in common, so there is nothing to compare.\n` +
    `  ${baseName} holds ${describeRun(runs.base)}.\n` +
    `  ${headName} holds ${describeRun(runs.head)}.\n` +
    'Compare the perfgate-report.json files of two runs of the same suite.\n'
  )
}

/** Runs `perfgate compare`; resolves to the exit code. */
export async function compareCommand(args: readonly string[], io: CliIo, cwd: string = process.cwd()): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    format: { type: 'string', default: 'text' },
    out: { type: 'string' },
    threshold: { type: 'string' },
    alpha: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help === true) {
    io.stdout.write(compareUsage)
    return 0
  }
  const format = values.format
  if (format !== 'text' && format !== 'md') throw new UsageError(`--format must be text or md, not "${format}"`)
  if (positionals.length !== 2) throw new UsageError(`compare needs two run files, the base and the head (got ${positionals.length})`)
  const threshold = numberOption('threshold', values.threshold, (x) => x > 0 && x < 10, 'a number above 0 and below 10 (0.1 is 10%)')
  const alpha = numberOption('alpha', values.alpha, (x) => x > 0 && x < 0.5, 'a number between 0 and 0.5')
  const [baseName, headName] = positionals as [string, string]
  // Allowed (a check of the tool), but most often a typo in a script: said.
  if (sameFile(resolve(cwd, baseName), resolve(cwd, headName))) io.stderr.write(`perfgate: base and head are the same file (${baseName}): every entry compares with itself\n`)
  const [base, head] = (await readRunReports([baseName, headName])) as [ComparedRuns['base'], ComparedRuns['head']]
  const config = await loadConfig(cwd)
  const runs: ComparedRuns = { base, head, baseName, headName }
  const comparison = compareRuns(base, head, { threshold, alpha, defaults: config })
  // Nothing measured on both sides is bad input, unless the head broke a check (a regression to show).
  if (comparedEntries(comparison) === 0 && !comparison.stoppedWithError.some((error) => error.newInHead)) {
    io.stderr.write(nothingCompared(runs, comparison))
    return 2
  }
  const color = values.out === undefined && typeof io.stdout.hasColors === 'function' && io.stdout.hasColors()
  const text =
    format === 'md'
      ? renderComparisonMarkdown(runs, comparison)
      : renderComparisonTerminal(runs, comparison, { color, ...(io.stdout.columns === undefined ? {} : { width: io.stdout.columns }) })
  if (values.out === undefined) io.stdout.write(text)
  else await writeOutFile(values.out, text)
  return comparison.regressions > 0 ? 1 : 0
}
