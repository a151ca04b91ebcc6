/**
 * `perfgate ab`'s evidence: the run reports of base and head, run alternately in fresh
 * processes, paired run by run; each entry decided on its paired values (gate/paired.ts), and
 * laid out as the reporters' tables.
 */
import { median } from 'simple-statistics'
import { decidePaired } from '../gate/paired.js'
import type { PairedComparison } from '../gate/paired.js'
import { formatChange } from '../gate/compare.js'
import { siteTarget } from '../gate/compare-runs.js'
import type { PerfRecord } from '../gate/records.js'
import { formatDuration, formatPercent, relativePath } from './format.js'
import type { RunReport } from './model.js'
import { regressionsFirst, where } from './tables.js'
import type { Row, Table, Tone } from './tables.js'

/** Two runs that ran next to each other, one of each side. */
export interface AbPair {
  readonly base: RunReport
  readonly head: RunReport
}

/** One perf assertion across the pairs. */
export interface AbEntry {
  /** What identifies it in every run: the baseline file and key, or the test and its n-th assertion of the kind. */
  readonly id: string
  /** The baseline key, or the test's name. */
  readonly name: string
  readonly kind: PerfRecord['kind']
  /** What was compared: `median` of round medians, or a latency statistic (`p95`…). */
  readonly statistic: string
  /** The compared value (ms) of each pair where both sides measured it. */
  readonly base: readonly number[]
  readonly head: readonly number[]
  /** Load runs: the success rate of each side in the same pairs. */
  readonly successRates: { readonly base: readonly number[]; readonly head: readonly number[] } | null
  readonly comparison: PairedComparison
  /** Head's record of the last pair (where it ran, for the table). */
  readonly record: PerfRecord
  readonly report: RunReport
}

/** The paired comparison of every entry that both sides measured. */
export interface AbResult {
  readonly pairs: number
  readonly entries: readonly AbEntry[]
  /** Entries only one side ever measured (added or removed tests), by id. */
  readonly baseOnly: readonly string[]
  readonly headOnly: readonly string[]
}

interface Value {
  readonly record: PerfRecord
  readonly name: string
  readonly statistic: string
  readonly value: number | null
  readonly successRate: number | null
}

/** The compared value of each record of a run, by entry id. */
function valuesOf(report: RunReport): Map<string, Value> {
  const values = new Map<string, Value>()
  const seen = new Map<string, number>()
  for (const record of report.records) {
    // An assertion that stopped with an error measured nothing (and its run failed, which stops ab).
    if (record.kind === 'error') continue
    let id: string
    if (record.kind === 'baseline') {
      id = `baseline\u0000${record.baselineFile}\u0000${record.key}`
    } else {
      // A target's URL carries a port that may change from run to run: its path, the test and the assertion's place in it identify it.
      const test = `${record.kind}\u0000${relativePath(report.rootDir, record.testFile)}\u0000${record.testName}\u0000${siteTarget(record.target)}`
      const occurrence = (seen.get(test) ?? 0) + 1
      seen.set(test, occurrence)
      id = `${test}\u0000${occurrence}`
    }
    if (record.kind === 'baseline') {
      const rounds = record.measurement?.rounds ?? []
      const value = rounds.length > 0 ? median([...rounds]) : (record.measurement?.summary?.median ?? null)
      values.set(id, { record, name: record.key, statistic: 'median', value, successRate: null })
    } else if (record.kind === 'latency') {
      values.set(id, { record, name: record.testName, statistic: record.statistic, value: record.value, successRate: null })
    } else {
      values.set(id, { record, name: record.testName, statistic: 'p95', value: record.latency?.p95 ?? null, successRate: record.successRate })
    }
  }
  return values
}

/**
 * Pairs the runs' records by entry and decides each entry on its paired values.
 * @example analyzeAb(pairs, { threshold: 0.05, alpha: 0.05 }).entries.filter((entry) => entry.comparison.verdict === 'regressed')
 */
export function analyzeAb(pairs: readonly AbPair[], options: { threshold: number; alpha: number }): AbResult {
  const sides = pairs.map((pair) => ({ base: valuesOf(pair.base), head: valuesOf(pair.head), headReport: pair.head }))
  const ids = new Set<string>()
  const inBase = new Set<string>()
  const inHead = new Set<string>()
  for (const side of sides) {
    for (const id of side.base.keys()) {
      ids.add(id)
      inBase.add(id)
    }
    for (const id of side.head.keys()) {
      ids.add(id)
      inHead.add(id)
    }
  }
  const entries: AbEntry[] = []
  for (const id of ids) {
    if (!inBase.has(id) || !inHead.has(id)) continue
    const base: number[] = []
    const head: number[] = []
    const rates = { base: [] as number[], head: [] as number[] }
    let last: { value: Value; report: RunReport } | undefined
    for (const side of sides) {
      const b = side.base.get(id)
      const h = side.head.get(id)
      if (h !== undefined) last = { value: h, report: side.headReport }
      if (b === undefined || h === undefined || b.value === null || h.value === null || !(b.value > 0) || !(h.value > 0)) continue
      base.push(b.value)
      head.push(h.value)
      if (b.successRate !== null && h.successRate !== null) {
        rates.base.push(b.successRate)
        rates.head.push(h.successRate)
      }
    }
    if (last === undefined) continue
    const comparison: PairedComparison =
      base.length === 0
        ? { n: 0, change: Number.NaN, interval: null, pValue: 1, verdict: 'inconclusive', reason: 'no pair in which both sides measured it (a failing or skipped test?)', ...options }
        : decidePaired(base, head, options)
    entries.push({
      id,
      name: last.value.name,
      kind: last.value.record.kind,
      statistic: last.value.statistic,
      base,
      head,
      successRates: last.value.record.kind === 'load' ? rates : null,
      comparison,
      record: last.value.record,
      report: last.report,
    })
  }
  const label = (id: string): string => id.split('\u0000').slice(1).join(' › ')
  return {
    pairs: pairs.length,
    entries,
    baseOnly: [...inBase].filter((id) => !inHead.has(id)).map(label),
    headOnly: [...inHead].filter((id) => !inBase.has(id)).map(label),
  }
}

const toneOf: Readonly<Record<PairedComparison['verdict'], Tone>> = { regressed: 'fail', inconclusive: 'warn', improved: 'good', unchanged: 'plain' }

function sideCell(values: readonly number[], rates: readonly number[] | undefined): string {
  if (values.length === 0) return '—'
  const value = formatDuration(median([...values]))
  return rates === undefined || rates.length === 0 ? value : `${value}, ${formatPercent(median([...rates]))} ok`
}

/** The A/B table: one row per entry, regressions first, in the reporters' Table shape. */
export function abTable(result: AbResult, confidence: number): Table {
  const rows = result.entries.map((entry): Row => {
    const { comparison } = entry
    const interval = comparison.interval
    const details = [
      comparison.reason,
      `base ${entry.base.map(formatDuration).join(', ')}; head ${entry.head.map(formatDuration).join(', ')} (in pair order).`,
    ]
    if (entry.successRates !== null && entry.successRates.base.length > 0) {
      details.push(`success rate: base ${entry.successRates.base.map(formatPercent).join(', ')}; head ${entry.successRates.head.map(formatPercent).join(', ')}.`)
    }
    return {
      record: entry.record,
      cells: [
        entry.name,
        entry.statistic,
        sideCell(entry.base, entry.successRates?.base),
        sideCell(entry.head, entry.successRates?.head),
        comparison.n === 0 ? '—' : interval === null ? formatChange(comparison.change) : `${formatChange(comparison.change)} [${formatChange(interval.lower)}..${formatChange(interval.upper)}]`,
        String(comparison.n),
        comparison.verdict,
      ],
      tone: toneOf[comparison.verdict],
      failed: comparison.verdict === 'regressed',
      where: where(entry.report, entry.record),
      details,
    }
  })
  return {
    kind: 'baseline',
    title: `Base vs head, ${result.pairs} paired ${result.pairs === 1 ? 'run' : 'runs'}`,
    columns: [
      { header: 'name', align: 'left', shrink: true },
      { header: 'statistic', align: 'left' },
      { header: 'base', align: 'right' },
      { header: 'head', align: 'right' },
      { header: `change [${Math.round(confidence * 100)}% CI]`, align: 'right' },
      { header: 'pairs', align: 'right' },
      { header: 'verdict', align: 'left' },
    ],
    nameColumn: 0,
    verdictColumn: 6,
    rows: regressionsFirst(rows),
  }
}
