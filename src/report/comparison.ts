/**
 * What `perfgate compare` prints: two runs' entries side by side, in the tables and the layout
 * of the run reports (terminal or Markdown), regressions first. Baseline entries use the
 * report's own baseline table (base and head for baseline and current); latency budgets and
 * load runs get a table each with both runs' results.
 */
import { comparedEntries } from '../gate/compare-runs.js'
import type { AssertionComparison, AssertionVerdict, RunComparison } from '../gate/compare-runs.js'
import { describeDetectable, formatChange } from '../gate/compare.js'
import type { LatencyCheckRecord, LoadCheckRecord, PerfRecord } from '../gate/records.js'
import { escapeMarkdown } from './escape.js'
import { formatCount, formatDuration, formatMachine, formatThroughput, relativePath } from './format.js'
import { markdownDocument } from './markdown.js'
import type { MarkdownOptions } from './markdown.js'
import type { RunReport } from './model.js'
import type { Note } from './notes.js'
import { budgetCell, regressionsFirst, reportTables, resultCell, successRateCell } from './tables.js'
import type { Row, Table, Tone } from './tables.js'
import { terminalDocument } from './terminal.js'
import type { TerminalOptions } from './terminal.js'

/** The two runs compared, and what to call them (the files named on the command line). */
export interface ComparedRuns {
  readonly base: RunReport
  readonly head: RunReport
  readonly baseName: string
  readonly headName: string
}

const assertionTone: Readonly<Record<AssertionVerdict, Tone>> = { regressed: 'fail', failing: 'warn', fixed: 'good', passing: 'plain' }

/** The evidence of a baseline entry compared across the two runs (the report's speaks of a stored baseline). */
function baselineEvidence(record: PerfRecord): string[] {
  const comparison = record.kind === 'baseline' ? record.comparison : null
  if (comparison === null) return []
  const { baseline, current, unit } = comparison
  return [
    comparison.reason,
    `Compared ${baseline.samples} base ${unit} with ${current.samples} head ${unit}, measured side by side on one machine (no process allowance); ` +
      `alpha ${comparison.alpha}; the smallest slowdown it can catch is ${describeDetectable(comparison)}.`,
    `Machine: ${formatMachine(baseline.machine)} in the base run; ${formatMachine(current.machine)} in the head run.`,
    ...(comparison.environmentMatch ? [] : [`Environment: the base run on ${baseline.environment.id}, the head run on ${current.environment.id}.`]),
  ]
}

/** The report's baseline table over the re-decided entries, its sides named base and head. */
function baselineTable(runs: ComparedRuns, comparison: RunComparison): Table[] {
  const renamed: Readonly<Record<string, string>> = { baseline: 'base', current: 'head' }
  return reportTables({ ...runs.head, records: comparison.baselines, stale: null }).map((table) => ({
    ...table,
    columns: table.columns.map((column) => ({ ...column, header: renamed[column.header] ?? column.header })),
    rows: table.rows.map((row) => ({ ...row, details: baselineEvidence(row.record) })),
  }))
}

function assertionRow(runs: ComparedRuns, pair: AssertionComparison, cells: readonly string[], details: readonly string[]): Row {
  const { head } = pair
  const file = relativePath(runs.head.rootDir, head.testFile)
  return {
    record: head,
    cells: [...cells, pair.verdict],
    tone: assertionTone[pair.verdict],
    failed: pair.verdict === 'regressed',
    where: head.line === null ? file : `${file}:${head.line}`,
    details,
  }
}

/** The columns every assertion table starts with: the test, its target, base and head. */
const sideBySide: Table['columns'] = [
  { header: 'test', align: 'left', shrink: true },
  { header: 'target', align: 'left', shrink: true },
  { header: 'base', align: 'left', shrink: true },
  { header: 'head', align: 'left', shrink: true },
]

function assertionTable(kind: 'latency' | 'load', title: string, columns: Table['columns'], rows: Row[]): Table {
  return { kind, title, columns: [...columns, { header: 'verdict', align: 'left' }], nameColumn: 0, verdictColumn: columns.length, rows: regressionsFirst(rows) }
}

function latencySide(record: LatencyCheckRecord): string {
  const failures = record.failures > 0 ? `, ${formatCount(record.failures)} of ${formatCount(record.count)} failed` : ''
  return `${resultCell(record)}: ${budgetCell(record)}${failures}`
}

function latencyEvidence(side: string, record: LatencyCheckRecord): string {
  const summary = record.latency
  const percentiles = summary === null ? 'no request succeeded' : `p50 ${formatDuration(summary.p50)}, p95 ${formatDuration(summary.p95)}, p99 ${formatDuration(summary.p99)}`
  return `${side}: ${percentiles}; ${formatCount(record.count)} requests, ${formatCount(record.failures)} failed (${formatCount(record.allowFailures)} allowed).`
}

function failureLines(side: string, errors: Readonly<Record<string, string>>): string[] {
  return Object.entries(errors)
    .filter(([kind, message]) => message !== kind)
    .map(([kind, message]) => `${side} ${kind}: ${message}`)
}

function latencyTable(runs: ComparedRuns, pairs: readonly AssertionComparison<LatencyCheckRecord>[]): Table {
  const rows = pairs.map((pair) => {
    const { base, head } = pair
    const details = [latencyEvidence('Base', base), latencyEvidence('Head', head)]
    if (base.value !== null && head.value !== null && base.statistic === head.statistic) {
      details.push(`${head.statistic} ${formatChange(head.value / base.value - 1)} from base to head: one run each, shown but not tested; the budget decides.`)
    }
    details.push(...failureLines('Head', head.errors))
    return assertionRow(runs, pair, [head.testName, head.target, latencySide(base), latencySide(head)], details)
  })
  return assertionTable(
    'latency',
    'Latency budgets',
    sideBySide,
    rows,
  )
}

function loadEvidence(side: string, record: LoadCheckRecord): string {
  const latency = record.latency === null ? '' : `; p95 ${formatDuration(record.latency.p95)}`
  return `${side}: ${formatCount(record.successes)} of ${formatCount(record.total)} succeeded in ${formatDuration(record.durationMs)}, ${formatThroughput(record.throughput)}${latency}.`
}

function loadTable(runs: ComparedRuns, pairs: readonly AssertionComparison<LoadCheckRecord>[]): Table {
  const rows = pairs.map((pair) => {
    const { base, head } = pair
    const cells = [
      head.testName,
      head.target,
      `${resultCell(base)}: ${successRateCell(base)}`,
      `${resultCell(head)}: ${successRateCell(head)}`,
      `${formatThroughput(base.throughput)} → ${formatThroughput(head.throughput)}`,
    ]
    return assertionRow(runs, pair, cells, [loadEvidence('Base', base), loadEvidence('Head', head), ...failureLines('Head', head.errors)])
  })
  return assertionTable(
    'load',
    'Load runs',
    [
      ...sideBySide,
      { header: 'throughput', align: 'right' },
    ],
    rows,
  )
}

/** The comparison's tables that have rows: baselines, latency budgets, load runs. */
export function comparisonTables(runs: ComparedRuns, comparison: RunComparison): Table[] {
  const tables = baselineTable(runs, comparison)
  if (comparison.latency.length > 0) tables.push(latencyTable(runs, comparison.latency))
  if (comparison.load.length > 0) tables.push(loadTable(runs, comparison.load))
  return tables
}

/** What is said after the tables: assertions that stopped with an error, entries that could not be compared, entries of one run only. */
export function comparisonNotes(comparison: RunComparison): Note[] {
  const notes: Note[] = []
  const { notCompared, onlyInBase, onlyInHead, stoppedWithError } = comparison
  if (stoppedWithError.length > 0) {
    notes.push({
      text: `${stoppedWithError.length} stopped with an error, without a measurement (their tests failed in that run):`,
      items: stoppedWithError.map(({ side, entry, error, newInHead }) => `${side} run${newInHead ? ' only (counted as a regression)' : ''}: ${entry}: ${error}`),
      tone: 'warn',
    })
  }
  if (notCompared.length > 0) {
    notes.push({ text: `${notCompared.length} in both runs but not compared:`, items: notCompared.map(({ entry, why }) => `${entry}: ${why}`), tone: 'warn' })
  }
  if (onlyInBase.length > 0) notes.push({ text: `${onlyInBase.length} only in the base run:`, items: onlyInBase, tone: 'plain' })
  if (onlyInHead.length > 0) notes.push({ text: `${onlyInHead.length} only in the head run:`, items: onlyInHead, tone: 'plain' })
  return notes
}

/** One line: `4 entries compared: 1 regressed, 1 inconclusive, 2 unchanged`. */
export function comparisonSummary(comparison: RunComparison): string {
  const total = comparedEntries(comparison)
  const verdicts = [...comparison.baselines.map((record) => record.verdict), ...[...comparison.latency, ...comparison.load].map((pair) => pair.verdict)]
  const order = ['regressed', 'inconclusive', 'failing', 'improved', 'fixed', 'unchanged', 'passing'] as const
  const counts = order.map((verdict) => [verdict, verdicts.filter((shown) => shown === verdict).length] as const).filter(([, count]) => count > 0)
  const broken = comparison.stoppedWithError.filter((error) => error.newInHead).length
  return (
    `${total} ${total === 1 ? 'entry' : 'entries'} compared` +
    (counts.length === 0 ? '' : `: ${counts.map(([verdict, count]) => `${count} ${verdict}`).join(', ')}`) +
    (broken === 0 ? '' : `; ${broken} stopped with an error in the head run only`)
  )
}

function runLabel(name: string, report: RunReport): string {
  return report.git.commit === null ? name : `${name} @ ${report.git.commit.slice(0, 12)}`
}

function context(runs: ComparedRuns): string {
  const environments = runs.base.environment.id === runs.head.environment.id ? runs.head.environment.id : `${runs.base.environment.id} → ${runs.head.environment.id}`
  return `${runLabel(runs.baseName, runs.base)} → ${runLabel(runs.headName, runs.head)}, ${environments}`
}

/**
 * The comparison for a terminal: a summary line, the tables (regressions first), then the
 * entries of one run only and those that could not be compared.
 * @example process.stdout.write(renderComparisonTerminal(runs, compareRuns(runs.base, runs.head, options), { color: false }))
 */
export function renderComparisonTerminal(runs: ComparedRuns, comparison: RunComparison, options: TerminalOptions): string {
  const tone: Tone = comparison.regressions > 0 ? 'fail' : 'good'
  return terminalDocument({ title: 'perfgate compare', summary: comparisonSummary(comparison), tone, context: context(runs) }, comparisonTables(runs, comparison), comparisonNotes(comparison), options)
}

/**
 * The comparison as GitHub-flavoured Markdown (a pull-request comment, the job summary): the
 * same tables with each row's evidence in `<details>`, cut to `maxLength` as the run report is.
 */
export function renderComparisonMarkdown(runs: ComparedRuns, comparison: RunComparison, options: MarkdownOptions = {}): string {
  const heading = `**perfgate compare** · ${escapeMarkdown(comparisonSummary(comparison))}\n\n<sub>${escapeMarkdown(context(runs))}</sub>`
  return markdownDocument(heading, comparisonTables(runs, comparison), comparisonNotes(comparison), { fullReport: `${runs.baseName} and ${runs.headName}`, ...options })
}
