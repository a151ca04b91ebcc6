/**
 * One card per perf assertion on the HTML page: what was asserted, the verdict, the evidence in
 * a sentence and a few figures, and its charts. Every text from a record is escaped here.
 */
import { relative } from 'node:path'
import { detectableTexts, formatChange, probeSlowerBy } from '../gate/compare.js'
import type { Comparison } from '../gate/compare.js'
import type { BaselineCheckRecord, ErrorRecord, LatencyCheckRecord, LoadCheckRecord, PerfRecord } from '../gate/records.js'
import { changeChart, distributionChart, latencyHistogram } from './charts.js'
import { shownTestName } from './format.js'
import { escapeHtml } from './html-escape.js'
import { formatCount, formatDuration, formatPValue, formatShare, formatThroughput } from './html-format.js'
import { latencyTimelineChart, throughputChart } from './load-charts.js'
import { failed } from './model.js'
import type { RunReport } from './model.js'

/** The CSS class that colours a record: its verdict for a baseline, pass or fail for the others. */
export function recordTone(record: PerfRecord): string {
  if (record.kind === 'baseline') return `tone-${record.verdict}`
  return failed(record) ? 'tone-fail' : 'tone-pass'
}

/** The word on a record's badge. */
export function recordBadge(record: PerfRecord): string {
  const word = record.kind === 'baseline' ? record.verdict : record.kind === 'error' ? 'error' : failed(record) ? 'fail' : 'pass'
  return `<span class="badge ${recordTone(record)}">${escapeHtml(word)}${record.negated ? ' (.not)' : ''}</span>`
}

/** Where a record's test is: its file relative to the root, and its line. */
export function recordSite(report: RunReport, record: PerfRecord): string {
  const file = relative(report.rootDir, record.testFile) || record.testFile
  return escapeHtml(record.line === null ? file : `${file}:${record.line}`)
}

function fact(name: string, value: string): string {
  return `<span>${escapeHtml(name)} <b>${escapeHtml(value)}</b></span>`
}

function card(report: RunReport, record: PerfRecord, id: string, subtitle: string, content: string): string {
  return (
    `<section class="card${failed(record) ? ' failed' : ''}" id="${escapeHtml(id)}">` +
    `<header>${recordBadge(record)}<h3>${escapeHtml(shownTestName(record))}</h3></header>` +
    `<div class="meta">${recordSite(report, record)}${subtitle === '' ? '' : ` · ${subtitle}`}</div>${content}</section>`
  )
}

function machineBusy(busy: number | null): string {
  return busy === null ? 'unknown' : `${Math.round(busy * 100)}% busy`
}

/** `+25%`, or `+25% · +125% in this run` when the machine's state raised it. */
function detectableFact(comparison: Comparison): string {
  const { least, now } = detectableTexts(comparison)
  return now === null ? `+${least}` : `+${least} · +${now} in this run`
}

/**
 * `5% busy → 2% busy`, and how much longer or shorter the reference workload took when that
 * is 10% or more (where perfgate takes the machine as slower or faster).
 */
function machineFact(comparison: Comparison): string {
  const { baseline, current } = comparison
  const busy = `${machineBusy(baseline.machine.busy)} → ${machineBusy(current.machine.busy)}`
  if (baseline.machine.probe === null || current.machine.probe === null) return busy
  const ratio = current.machine.probe / baseline.machine.probe
  const by = 1 + probeSlowerBy
  return ratio >= by || ratio <= 1 / by ? `${busy} · reference workload ${formatChange(ratio - 1)}` : busy
}

/** A `toMatchBaseline` assertion: both distributions on one axis, and the change against the threshold. */
export function baselineCard(report: RunReport, record: BaselineCheckRecord, id: string): string {
  const subtitle = [record.key === record.testName ? '' : `key ${record.key}`, `baselines in ${record.baselineFile}`].filter((part) => part !== '').map(escapeHtml).join(' · ')
  const comparison = record.comparison
  const warnings = record.warnings.length === 0 ? '' : `<ul class="warnings">${record.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`
  const sample = record.measurement?.sample ?? []
  if (comparison === null || record.baseline === null) {
    const what =
      record.verdict === 'measured'
        ? 'Measured only (measure-only mode, PERFGATE_MODE=measure): compared with no baseline.'
        : record.verdict === 'new'
          ? `No baseline yet: ${record.written === null ? 'not recorded (update mode none)' : 'recorded now'}.`
          : 'No baseline stored, and none could be written in this update mode.'
    const chart = sample.length === 0 ? '' : `<div class="charts">${distributionChart([{ name: 'current', sample, statistic: record.measurement?.summary?.median ?? null, tone: recordTone(record) }], 'median', `distribution of ${record.key}`)}</div>`
    return card(report, record, id, subtitle, `<p class="reason">${escapeHtml(what)}</p>${warnings}${chart}`)
  }
  const statistic = comparison.statistic
  const charts =
    `<div class="charts">` +
    distributionChart(
      [
        { name: 'baseline', sample: record.baseline.sample, statistic: comparison.baseline.value, tone: 'tone-baseline' },
        { name: 'current', sample, statistic: comparison.current.value, tone: recordTone(record) },
      ],
      statistic,
      `baseline and current distribution of ${record.key}`,
    ) +
    changeChart(comparison, recordTone(record)) +
    `</div>`
  const facts = [
    fact('baseline', `${statistic} ${formatDuration(comparison.baseline.value)} · ${formatCount(record.baseline.sampleCount)} samples · ${record.baseline.runs} run${record.baseline.runs === 1 ? '' : 's'} · ${record.baseline.recordedAt.slice(0, 10)}`),
    fact('current', `${statistic} ${formatDuration(comparison.current.value)} · ${formatCount(record.measurement?.samples ?? 0)} samples`),
    fact('change', `${formatChange(comparison.change)} [${formatChange(comparison.interval.lower)}, ${formatChange(comparison.interval.upper)}]`),
    fact('test', `${formatPValue(comparison.pValue)} (α ${comparison.alpha})`),
    fact('threshold', `${Math.round(comparison.threshold * 100)}%`),
    fact('smallest detectable', detectableFact(comparison)),
    fact('machine', machineFact(comparison)),
    ...(comparison.environmentMatch ? [] : [fact('environment', `${comparison.baseline.environment.id} → ${comparison.current.environment.id}`)]),
  ]
  return card(report, record, id, subtitle, `<p class="reason">${escapeHtml(comparison.reason)}</p>${warnings}${charts}<div class="facts">${facts.join('')}</div>`)
}

function outcomesText(outcomes: Readonly<Record<string, number>>, errors: Readonly<Record<string, string>>): string {
  const failures = Object.entries(outcomes).filter(([kind]) => kind !== 'ok')
  if (failures.length === 0) return ''
  const items = failures.map(([kind, count]) => `<li><code>${escapeHtml(kind)}</code> × ${formatCount(count)}${errors[kind] === undefined || errors[kind] === kind ? '' : ` — ${escapeHtml(errors[kind])}`}</li>`)
  return `<ul class="warnings">${items.join('')}</ul>`
}

/** A `toRespondWithin` assertion: the latency histogram with the budget line. */
export function latencyCard(report: RunReport, record: LatencyCheckRecord, id: string): string {
  const measured = record.value === null ? 'no request succeeded' : `${record.statistic} ${formatDuration(record.value)}`
  const bound = record.bound === null || record.confidence === null ? '' : ` (${Math.round(record.confidence * 100)}% upper bound ${formatDuration(record.bound)})`
  const reason = `${measured}${bound} against a budget of ${formatDuration(record.budgetMs)}; ${formatCount(record.failures)} of ${formatCount(record.count)} requests failed${record.allowFailures > 0 ? ` (${record.allowFailures} allowed)` : ''}.`
  const chart = record.sample.length === 0 ? '<p class="note">No successful request to chart.</p>' : `<div class="charts">${latencyHistogram(record, recordTone(record))}</div>`
  const summary = record.latency
  const facts = summary === null ? [] : [fact('p50', formatDuration(summary.p50)), fact('p90', formatDuration(summary.p90)), fact('p95', formatDuration(summary.p95)), fact('p99', formatDuration(summary.p99)), fact('max', formatDuration(summary.max))]
  facts.push(fact('concurrency', String(record.concurrency)), fact('throughput', formatThroughput(record.throughput)))
  const boundNote = record.boundProblem === null ? '' : `<p class="note">${escapeHtml(record.boundProblem)}</p>`
  return card(report, record, id, `<code>${escapeHtml(record.target)}</code>`, `<p class="reason">${escapeHtml(reason)}</p>${boundNote}${outcomesText(record.outcomes, record.errors)}${chart}<div class="facts">${facts.join('')}</div>`)
}

/** A `toSustainSuccessRate` assertion: answers per second and latency over the run's time. */
export function loadCard(report: RunReport, record: LoadCheckRecord, id: string): string {
  const model = record.model === 'open' ? `open model, ${record.rate ?? '?'} arrivals/s, at most ${record.concurrency} in flight` : `closed model, ${record.concurrency} clients`
  const bound = record.lowerBound === null || record.confidence === null ? '' : ` (${Math.round(record.confidence * 100)}% lower bound ${formatShare(record.lowerBound)})`
  const reason = `Success rate ${formatShare(record.successRate)}${bound} against a floor of ${formatShare(record.minRate)}: ${formatCount(record.successes)} of ${formatCount(record.total)} requests succeeded in ${formatDuration(record.durationMs)}, ${model}.`
  const hasLatency = record.timeline.buckets.some((bucket) => bucket.latency !== null)
  const charts =
    record.timeline.buckets.length === 0
      ? '<p class="note">Nothing ended during the run.</p>'
      : `<div class="charts">${throughputChart(record)}${hasLatency ? latencyTimelineChart(record) : '<p class="note">No successful request: no latency to chart.</p>'}</div>`
  const summary = record.latency
  const facts = [fact('throughput', formatThroughput(record.throughput))]
  if (summary !== null) facts.push(fact('p50', formatDuration(summary.p50)), fact('p95', formatDuration(summary.p95)), fact('p99', formatDuration(summary.p99)), fact('max', formatDuration(summary.max)))
  facts.push(fact('timeline', `${record.timeline.buckets.length} buckets of ${formatDuration(record.timeline.bucketMs)}`))
  return card(report, record, id, `<code>${escapeHtml(record.target)}</code>`, `<p class="reason">${escapeHtml(reason)}</p>${outcomesText(record.outcomes, record.errors)}${charts}<div class="facts">${facts.join('')}</div>`)
}

/** An assertion that stopped with an error: its matcher and target, and the error as the test's failure shows it. */
export function errorCard(report: RunReport, record: ErrorRecord, id: string): string {
  const subtitle = `${escapeHtml(record.matcher)}${record.target === null ? '' : ` · <code>${escapeHtml(record.target)}</code>`}`
  return card(report, record, id, subtitle, `<p class="reason">${escapeHtml(`Stopped with an error (${record.error}), without a verdict:`)}</p><pre class="error-message">${record.message.split('\n').map(escapeHtml).join('\n')}</pre>`)
}
