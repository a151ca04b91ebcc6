/**
 * What the end-of-run tables say, before any layout: one table per record kind, rows as plain
 * (unescaped) text, failed rows first. The terminal and the Markdown renderers lay out these
 * same rows, so the two always say the same thing.
 */
import { median } from 'simple-statistics'
import { describeDetectable, detectableTexts, formatChange, minRoundsForRoundTest } from '../gate/compare.js'
import type { Comparison } from '../gate/compare.js'
import type { BaselineCheckRecord, ErrorRecord, LatencyCheckRecord, LoadCheckRecord, PerfRecord } from '../gate/records.js'
import { failureKinds, firstLine, formatCount, formatDuration, formatMachine, formatPercent, formatThroughput, relativePath, shownTestName } from './format.js'
import { failed, recordsOfKind } from './model.js'
import type { RunReport } from './model.js'

/** How a row's verdict should stand out: failed, a warning, good news, new, or nothing special. */
export type Tone = 'fail' | 'warn' | 'good' | 'new' | 'plain'

/** A column: its header, which side its cells align to, and whether a narrow terminal may cut it. */
export interface Column {
  readonly header: string
  readonly align: 'left' | 'right'
  /** Free text (names, targets, failure kinds): cut with `…` before the table wraps. */
  readonly shrink?: boolean
}

/** One record as a table row, with the evidence that does not fit in a cell. */
export interface Row {
  readonly record: PerfRecord
  /** One plain-text cell per column; escaping is the renderer's job. */
  readonly cells: readonly string[]
  readonly tone: Tone
  readonly failed: boolean
  /** The test file (relative to the root) and line, e.g. `test/api.test.ts:12`. */
  readonly where: string
  /** Evidence lines: the comparison's reason, the machine, failure messages… */
  readonly details: readonly string[]
}

/** A table of one record kind. */
export interface Table {
  readonly kind: PerfRecord['kind']
  readonly title: string
  readonly columns: readonly Column[]
  /** Which column holds the name (cut to a width in a terminal) and which the verdict (coloured). */
  readonly nameColumn: number
  readonly verdictColumn: number
  /** Failed rows first, then warnings, then the rest, each in the report's order. */
  readonly rows: readonly Row[]
}

const none = '—'

/** Failed first, then warnings, then the rest; stable within each. */
export function regressionsFirst(rows: Row[]): Row[] {
  const rank = (row: Row): number => (row.failed ? 0 : row.tone === 'warn' ? 1 : 2)
  return rows.map((row, index) => ({ row, index })).sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index).map(({ row }) => row)
}

/** Where a record's assertion ran: its test file relative to the root, and line. */
export function where(report: RunReport, record: PerfRecord): string {
  const file = relativePath(report.rootDir, record.testFile)
  return record.line === null ? file : `${file}:${record.line}`
}

/** A table row of `record`: its cells and details, and what every table derives the same way. */
function rowOf(report: RunReport, record: PerfRecord, cells: readonly string[], details: readonly string[], tone: Tone = failed(record) ? 'fail' : 'plain'): Row {
  return { record, cells, tone, failed: failed(record), where: where(report, record), details }
}

/** `pass` or `fail`, after `.not`, marked `(.not)` when negated. */
export function resultCell(record: PerfRecord): string {
  return (failed(record) ? 'fail' : 'pass') + (record.negated ? ' (.not)' : '')
}

function baselineTone(record: BaselineCheckRecord): Tone {
  if (failed(record)) return 'fail'
  switch (record.verdict) {
    case 'regressed':
    case 'inconclusive':
    case 'missing':
      // A regression rewritten under -u passes; it is still worth a look.
      return 'warn'
    case 'improved':
      return 'good'
    case 'new':
      return 'new'
    default:
      return 'plain'
  }
}

function verdictCell(record: BaselineCheckRecord): string {
  if (record.written === 'rewritten') return `${record.verdict}, rewritten`
  if (record.written === 'added') return `${record.verdict}, run added`
  return record.verdict
}

function baselineDetails(record: BaselineCheckRecord): string[] {
  const comparison = record.comparison
  const lines: string[] = []
  if (record.verdict === 'missing') {
    lines.push(
      `No baseline in ${record.baselineFile} for environment ${record.environmentId}, and update mode '${record.updateMode}' does not record one: ` +
        'record it with a local run or with -u, and commit the baseline file.',
    )
  } else if (record.verdict === 'measured') {
    const median = record.measurement?.summary?.median
    lines.push(
      'Measured only (measure-only mode, PERFGATE_MODE=measure): compared with no baseline' +
        (median === undefined ? '.' : `; median ${formatDuration(median)} over ${formatCount(record.measurement?.samples ?? 0)} samples.`),
    )
  } else if (comparison === null) {
    const median = record.measurement?.summary?.median
    lines.push(
      `Recorded in ${record.baselineFile} (${record.environmentId})` +
        (median === undefined ? '.' : `: median ${formatDuration(median)} over ${formatCount(record.measurement?.samples ?? 0)} samples.`),
    )
  } else {
    const { baseline, current } = comparison
    lines.push(
      comparison.reason,
      `Compared ${baseline.samples} baseline ${comparison.unit}${baseline.runs > 1 ? ` from ${baseline.runs} runs` : ''} with ${current.samples} current; ` +
        `alpha ${comparison.alpha}; the smallest slowdown it can catch is ${describeDetectable(comparison)}.`,
      `Machine: ${formatMachine(baseline.machine)} when recorded; ${formatMachine(current.machine)} now.`,
      comparison.environmentMatch
        ? `Environment: ${current.environment.id} on both sides; baseline in ${record.baselineFile}.`
        : `Environment: baseline from ${baseline.environment.id}, measured on ${current.environment.id}; baseline in ${record.baselineFile}.`,
    )
  }
  // The inconclusive warning repeats the reason shown above.
  lines.push(...record.warnings.filter((warning) => comparison === null || !warning.includes(comparison.reason)))
  return lines
}

/** The "detects ≥" cell: `25%`, or `25% (125% now)` when the machine's state raised it in this run. */
function detectsCell(comparison: Comparison): string {
  const { least, now } = detectableTexts(comparison)
  return now === null ? least : `${least} (${now} now)`
}

/**
 * What a comparison reads of a measurement nothing was compared with (a `new` or `measured`
 * record): the median of its round medians, when it has enough rounds, as the next run's
 * comparison will show it; else the median of its samples.
 */
function comparedMedian(measurement: BaselineCheckRecord['measurement']): number | undefined {
  if (measurement === null || measurement === undefined) return undefined
  return measurement.rounds.length >= minRoundsForRoundTest ? median(measurement.rounds) : measurement.summary?.median
}

function baselineTable(report: RunReport, records: readonly BaselineCheckRecord[]): Table {
  const mean = (record: BaselineCheckRecord): string => (record.comparison?.statistic === 'mean' ? ' (mean)' : '')
  const rows = records.map((record): Row => {
    const comparison = record.comparison
    const current = comparison?.current.value ?? comparedMedian(record.measurement)
    return rowOf(
      report,
      record,
      [
        record.key,
        comparison === null ? none : formatDuration(comparison.baseline.value) + mean(record),
        current === undefined ? none : formatDuration(current) + mean(record),
        comparison === null
          ? none
          : `${formatChange(comparison.change)} [${formatChange(comparison.interval.lower)}..${formatChange(comparison.interval.upper)}]`,
        verdictCell(record),
        comparison === null ? none : detectsCell(comparison),
      ],
      baselineDetails(record),
      baselineTone(record),
    )
  })
  return {
    kind: 'baseline',
    title: 'Baselines',
    columns: [
      { header: 'name', align: 'left', shrink: true },
      { header: 'baseline', align: 'right' },
      { header: 'current', align: 'right' },
      { header: 'change [95% CI]', align: 'right' },
      { header: 'verdict', align: 'left' },
      { header: 'detects ≥', align: 'right' },
    ],
    nameColumn: 0,
    verdictColumn: 4,
    rows: regressionsFirst(rows),
  }
}

/** The statistic against its budget: `p95 242 ms > 200 ms`, with the confidence bound when one was asked for. */
export function budgetCell(record: LatencyCheckRecord): string {
  const budget = formatDuration(record.budgetMs)
  if (record.value === null) return `${record.statistic}: no answer, budget ${budget}`
  const value = `${record.statistic} ${formatDuration(record.value)}`
  if (record.boundProblem !== null) return `${value} (no bound), budget ${budget}`
  const checked = record.bound ?? record.value
  const bound = record.bound === null ? '' : ` (${formatPercent(record.confidence ?? 0)} bound ${formatDuration(record.bound)})`
  return `${value}${bound} ${checked <= record.budgetMs ? '≤' : '>'} ${budget}`
}

function requestsCell(count: number, failures: number, outcomes: Readonly<Record<string, number>>): string {
  return failures === 0 ? formatCount(count) : `${formatCount(count)}, ${formatCount(failures)} failed: ${failureKinds(outcomes)}`
}

function errorLines(errors: Readonly<Record<string, string>>): string[] {
  return Object.entries(errors)
    .filter(([kind, message]) => message !== kind)
    .map(([kind, message]) => `${kind}: ${message}`)
}

function latencyDetails(record: LatencyCheckRecord): string[] {
  const lines: string[] = []
  const summary = record.latency
  if (summary !== null) {
    lines.push(`p50 ${formatDuration(summary.p50)}, p90 ${formatDuration(summary.p90)}, p95 ${formatDuration(summary.p95)}, p99 ${formatDuration(summary.p99)}, max ${formatDuration(summary.max)}, mean ${formatDuration(summary.mean)}.`)
  }
  lines.push(
    `${formatCount(record.count)} requests at concurrency ${record.concurrency} in ${formatDuration(record.durationMs)} (${formatThroughput(record.throughput)}); ` +
      `${formatCount(record.failures)} failed, ${formatCount(record.allowFailures)} allowed.`,
  )
  if (record.boundProblem !== null) lines.push(`No upper bound: ${record.boundProblem}.`)
  lines.push(...errorLines(record.errors))
  return lines
}

function latencyTable(report: RunReport, records: readonly LatencyCheckRecord[]): Table {
  const percentile = (record: LatencyCheckRecord, key: 'p50' | 'p95' | 'p99'): string => (record.latency === null ? none : formatDuration(record.latency[key]))
  const rows = records.map(
    (record): Row =>
      rowOf(
        report,
        record,
        [
          shownTestName(record, 'short'),
          record.target,
          percentile(record, 'p50'),
          percentile(record, 'p95'),
          percentile(record, 'p99'),
          budgetCell(record),
          requestsCell(record.count, record.failures, record.outcomes),
          resultCell(record),
        ],
        latencyDetails(record),
      ),
  )
  return {
    kind: 'latency',
    title: 'Latency budgets',
    columns: [
      { header: 'test', align: 'left', shrink: true },
      { header: 'target', align: 'left', shrink: true },
      { header: 'p50', align: 'right' },
      { header: 'p95', align: 'right' },
      { header: 'p99', align: 'right' },
      { header: 'budget', align: 'left' },
      { header: 'requests', align: 'left', shrink: true },
      { header: 'result', align: 'left' },
    ],
    nameColumn: 0,
    verdictColumn: 7,
    rows: regressionsFirst(rows),
  }
}

/** The success rate against its floor: `95.2% < 99%`, with the Wilson bound when one was asked for. */
export function successRateCell(record: LoadCheckRecord): string {
  if (record.total === 0) return `nothing sent, floor ${formatPercent(record.minRate)}`
  const checked = record.lowerBound ?? record.successRate
  const bound = record.lowerBound === null ? '' : ` (${formatPercent(record.confidence ?? 0)} lower bound ${formatPercent(record.lowerBound)})`
  return `${formatPercent(record.successRate)}${bound} ${checked >= record.minRate ? '≥' : '<'} ${formatPercent(record.minRate)}`
}

function loadDetails(record: LoadCheckRecord): string[] {
  const lines = [
    `${formatCount(record.total)} requests (${record.model === 'open' ? `open model, ${formatCount(record.rate ?? 0)}/s, at most ${record.concurrency} in flight` : `closed model, ${record.concurrency} clients`}) ` +
      `in ${formatDuration(record.durationMs)}: ${formatCount(record.successes)} succeeded, ${formatCount(record.failures)} failed.`,
  ]
  const summary = record.latency
  if (summary !== null) {
    lines.push(`Latency: p50 ${formatDuration(summary.p50)}, p95 ${formatDuration(summary.p95)}, p99 ${formatDuration(summary.p99)}, max ${formatDuration(summary.max)}.`)
  }
  if (record.failures > 0) lines.push(`Failures: ${failureKinds(record.outcomes, Number.POSITIVE_INFINITY)}.`)
  lines.push(...errorLines(record.errors))
  return lines
}

function loadTable(report: RunReport, records: readonly LoadCheckRecord[]): Table {
  const rows = records.map(
    (record): Row =>
      rowOf(
        report,
        record,
        [
          shownTestName(record, 'short'),
          record.target,
          record.model === 'open' ? `open, ${formatCount(record.rate ?? 0)}/s` : `closed, ${record.concurrency} clients`,
          record.total === 0
            ? 'none sent'
            : `${formatCount(record.successes)} of ${formatCount(record.total)} ok` + (record.failures > 0 ? `; ${failureKinds(record.outcomes)}` : ''),
          successRateCell(record),
          formatThroughput(record.throughput),
          resultCell(record),
        ],
        loadDetails(record),
      ),
  )
  return {
    kind: 'load',
    title: 'Load runs',
    columns: [
      { header: 'test', align: 'left', shrink: true },
      { header: 'target', align: 'left', shrink: true },
      { header: 'model', align: 'left' },
      { header: 'requests', align: 'left', shrink: true },
      { header: 'success rate', align: 'left' },
      { header: 'throughput', align: 'right' },
      { header: 'result', align: 'left' },
    ],
    nameColumn: 0,
    verdictColumn: 6,
    rows: regressionsFirst(rows),
  }
}

function errorTable(report: RunReport, records: readonly ErrorRecord[]): Table {
  const rows = records.map((record): Row => {
    const headline = firstLine(record.message)
    const rest = record.message.split('\n').slice(1)
    return rowOf(report, record, [shownTestName(record), record.matcher, record.target ?? none, headline, 'error'], [`${record.error}: ${headline}`, ...rest.filter((line) => line.trim() !== '')])
  })
  return {
    kind: 'error',
    title: 'Stopped with an error',
    columns: [
      { header: 'test', align: 'left', shrink: true },
      { header: 'matcher', align: 'left' },
      { header: 'target', align: 'left', shrink: true },
      { header: 'error', align: 'left', shrink: true },
      { header: 'result', align: 'left' },
    ],
    nameColumn: 0,
    verdictColumn: 4,
    rows,
  }
}

/** The report's tables that have rows: assertions stopped with an error, baselines, latency budgets, load runs, in that order. */
export function reportTables(report: RunReport): Table[] {
  const { baselines, latency, load, errors } = recordsOfKind(report)
  const tables: Table[] = []
  if (errors.length > 0) tables.push(errorTable(report, errors))
  if (baselines.length > 0) tables.push(baselineTable(report, baselines))
  if (latency.length > 0) tables.push(latencyTable(report, latency))
  if (load.length > 0) tables.push(loadTable(report, load))
  return tables
}
