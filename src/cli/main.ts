/**
 * The `perfgate` command: `report`, `compare`, `merge`, `baselines` and `ab`, each in its own
 * file beside this one. Exit codes: 0 ok, 1 a problem found (a regression; what `baselines
 * check` lists), 2 bad usage or an unreadable input, with a message naming the file and what is
 * wrong.
 */
import { extname } from 'node:path'
import { perfgateVersion } from '../baselines/provenance.js'
import { PerfgateError } from '../common/errors.js'
import { serializeRunReport } from '../report/build.js'
import { renderHtml } from '../report/html.js'
import { renderMarkdown } from '../report/markdown.js'
import type { RunReport } from '../report/model.js'
import { renderTerminal } from '../report/terminal.js'
import { abCommand, abUsage } from './ab.js'
import { baselinesCommand } from './baselines.js'
import { parseCommandArgs, readRunReports, refuseOutAmongInputs, UsageError, writeOutFile } from './common.js'
import { compareCommand, compareUsage } from './compare.js'
import type { CliIo } from './common.js'
import { mergeCommand, mergeUsage } from './merge.js'

export type { CliIo } from './common.js'

const usage = `Usage: perfgate <command> [options]

Commands:
  report <run.json…>             render stored runs (perfgate-report.json) as text, Markdown, HTML or JSON
  compare <base.json> <head.json>
                                 compare two runs made on one machine; exit 1 on a regression
  merge <run.json…> --out <file> merge the runs of a sharded suite into one
  baselines check|prune|merge    list, prune or bring in baseline entries (perfgate baselines --help)
  ab --base <ref> -- <command…>  gate a pull request: base and head run alternately on this machine,
                                 decided on paired runs; exit 1 on a regression

Options:
  -h, --help                     show help (also after a command: perfgate ab --help)
  -v, --version                  show perfgate's version

Exit codes: 0 ok, 1 a problem found (a regression; what baselines check lists), 2 bad usage or an
unreadable input.
`

const reportUsage = `Usage: perfgate report <run.json…> [--format text|md|html|json] [--out file]

Renders one or more perfgate-report.json files with the same renderers as the reporters. Several
files (the shards of one suite, say) are shown as one run: their records together, the first
file's details.

Options:
  --format <format>   text, md, html or json (default: from --out's extension, .md, .html or
                      .json, else text)
  --out <file>        write to a file instead of standard output
  -h, --help          show this help
`

/** Runs the command line `args` (without `node` and the script); resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = args
    if (command === undefined) {
      io.stderr.write(usage)
      return 2
    }
    if (command === '-h' || command === '--help') {
      io.stdout.write(usage)
      return 0
    }
    if (command === '-v' || command === '--version') {
      io.stdout.write(`${perfgateVersion}\n`)
      return 0
    }
    if (command === 'report') return await reportCommand(rest, io)
    if (command === 'ab') return await abCommand(rest, io)
    if (command === 'baselines') return await baselinesCommand(rest, io)
    if (command === 'compare') return await compareCommand(rest, io)
    if (command === 'merge') return await mergeCommand(rest, io)
    throw new UsageError(`unknown command "${command}"`)
  } catch (error) {
    if (error instanceof UsageError) {
      // The help of the command that was misused, not the list of commands.
      const commandUsage: Readonly<Record<string, string>> = { report: reportUsage, ab: abUsage, compare: compareUsage, merge: mergeUsage }
      const command = args[0] ?? ''
      io.stderr.write(`perfgate: ${error.message}\n\n${Object.hasOwn(commandUsage, command) ? commandUsage[command] : usage}`)
      return 2
    }
    if (error instanceof PerfgateError) {
      io.stderr.write(`perfgate: ${error.message}\n`)
      return 2
    }
    throw error
  }
}

async function reportCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } })
  if (values.help === true) {
    io.stdout.write(reportUsage)
    return 0
  }
  const format = values.format ?? formatOfFile(values.out)
  if (format !== 'text' && format !== 'md' && format !== 'html' && format !== 'json') throw new UsageError(`--format must be text, md, html or json, not "${format}"`)
  if (positionals.length === 0) throw new UsageError('report needs at least one run file (perfgate-report.json)')
  const out = values.out
  refuseOutAmongInputs(out, positionals, 'rendered')
  const report = combined(await readRunReports(positionals))
  const color = out === undefined && typeof io.stdout.hasColors === 'function' && io.stdout.hasColors()
  const text =
    format === 'json'
      ? serializeRunReport(report)
      : format === 'md'
        ? renderMarkdown(report)
        : format === 'html'
          ? renderHtml(report)
          : renderTerminal(report, { color, ...(io.stdout.columns === undefined || out !== undefined ? {} : { width: io.stdout.columns }) })
  if (out === undefined) io.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  else await writeOutFile(out, text)
  return 0
}

/** The format a file's extension names (`.md`, `.html`, `.json`), else text: `--out report.html` wants the page. */
function formatOfFile(file: string | undefined): string {
  const extension = file === undefined ? '' : extname(file).toLowerCase()
  return extension === '.md' ? 'md' : extension === '.html' || extension === '.htm' ? 'html' : extension === '.json' ? 'json' : 'text'
}

/** Several runs shown as one: the records together, the first run's details. */
function combined(reports: readonly RunReport[]): RunReport {
  const [first, ...others] = reports as [RunReport, ...RunReport[]]
  if (others.length === 0) return first
  return { ...first, records: reports.flatMap((report) => report.records) }
}
