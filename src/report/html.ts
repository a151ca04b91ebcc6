/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched)
 * with the run's summary — counts by verdict and the tables of the terminal report, failures
 * first — and a card with charts for every perf assertion.
 */
import { formatChange } from '../gate/compare.js'
import type { BaselineCheckRecord, ErrorRecord, LatencyCheckRecord, LoadCheckRecord, PerfRecord } from '../gate/records.js'
import { baselineCard, errorCard, latencyCard, loadCard, recordBadge, recordSite } from './html-cards.js'
import { escapeHtml } from './html-escape.js'
import { formatCount, formatDuration, formatPValue, formatShare, formatThroughput } from './html-format.js'
import { firstLine, shownTestName } from './format.js'
import { htmlStyle } from './html-style.js'
import { silences } from './load-charts.js'
import { failed, recordsOfKind } from './model.js'
import type { RunReport } from './model.js'

/** Baseline verdicts in the order the page lists them: what failed or needs a look first. */
const verdictOrder = ['regressed', 'missing', 'inconclusive', 'improved', 'new', 'unchanged', 'measured'] as const

/** Failed records first, then (for baselines) by verdict; otherwise in the run's order. */
function ordered<T extends PerfRecord>(records: readonly T[]): T[] {
  // Errors first among the failures, as their table comes first.
  const rank = (record: T): number => (failed(record) ? 0 : 10) + (record.kind === 'baseline' ? verdictOrder.indexOf(record.verdict) : record.kind === 'error' ? -1 : 0)
  return records.map((record, index) => ({ record, index })).sort((a, b) => rank(a.record) - rank(b.record) || a.index - b.index).map(({ record }) => record)
}

function countBadges(groupName: string, counts: readonly (readonly [tone: string, word: string, count: number])[]): string {
  // Only what occurred: a row of zeros hides the one count that matters.
  const badges = counts
    .filter(([, , count]) => count > 0)
    .map(([tone, word, count]) => `<span class="badge ${tone}">${count} ${escapeHtml(word)}</span>`)
    .join('')
  return `<span class="group"><span class="group-name">${escapeHtml(groupName)}</span>${badges}</span>`
}

function statusBanner(report: RunReport, ids: ReadonlyMap<PerfRecord, string>): string {
  const { baselines, latency, load, errors } = recordsOfKind(report)
  const total = report.records.length
  const failures = report.records.filter(failed)
  if (total === 0) return '<div class="status pass">No perf assertions ran.</div>'
  if (failures.length === 0) return `<div class="status pass">All ${total} perf assertions passed.</div>`
  const parts = [
    [baselines.filter((record) => failed(record) && record.verdict === 'regressed').length, 'regressed baseline', 'regressed baselines'],
    [baselines.filter((record) => failed(record) && record.verdict !== 'regressed').length, 'other baseline check failed', 'other baseline checks failed'],
    [latency.filter(failed).length, 'latency budget missed', 'latency budgets missed'],
    [load.filter(failed).length, 'success rate below its floor', 'success rates below their floor'],
    [errors.length, 'assertion stopped with an error', 'assertions stopped with an error'],
  ] as const
  const detail = parts.filter(([count]) => count > 0).map(([count, one, many]) => `${count} ${count === 1 ? one : many}`)
  const lines = ordered(failures).map((record) => `<li><a href="#${escapeHtml(ids.get(record) ?? '')}">${escapeHtml(shownTestName(record))}</a> — ${escapeHtml(whyFailed(record))}</li>`)
  return `<div class="status fail">${failures.length} of ${total} perf assertions failed<span class="detail">${escapeHtml(detail.join(' · '))}</span><ul>${lines.join('')}</ul></div>`
}

/** Why a failed record failed, in one line. */
function whyFailed(record: PerfRecord): string {
  if (record.kind === 'error') return `stopped with an error: ${firstLine(record.message)}`
  if (record.kind === 'latency') {
    // A target that did not answer fails a negated budget too: say so, not that it passed.
    const underNot = record.negated ? ', which .not does not turn into a pass' : ''
    if (record.successes === 0 && record.failures <= record.allowFailures) {
      return `no request succeeded, so there is no ${record.statistic} to check (${formatCount(record.failures)} of ${formatCount(record.count)} failed)${underNot}`
    }
    if (record.successes === 0 || record.failures > record.allowFailures) {
      return `${formatCount(record.failures)} of ${formatCount(record.count)} requests failed (${record.allowFailures} allowed)${underNot}`
    }
    if (record.negated) return 'passed, but the assertion was negated with .not'
    const over = record.bound ?? record.value
    if (over !== null && over > record.budgetMs) {
      return `${record.statistic} ${formatDuration(over)}${record.bound === null ? '' : ' (upper bound)'} is over the budget of ${formatDuration(record.budgetMs)}`
    }
    return record.boundProblem ?? `${record.statistic} could not be checked against the budget of ${formatDuration(record.budgetMs)}`
  }
  if (record.negated) return 'passed, but the assertion was negated with .not'
  if (record.kind === 'baseline') {
    const comparison = record.comparison
    if (comparison === null) return record.verdict === 'missing' ? 'no baseline stored, and this update mode records none' : record.verdict
    const change = `${comparison.statistic} ${formatDuration(comparison.baseline.value)} → ${formatDuration(comparison.current.value)}, ${formatChange(comparison.change)} [${formatChange(comparison.interval.lower)}, ${formatChange(comparison.interval.upper)}]`
    return record.verdict === 'regressed' ? `slower: ${change}` : `${record.verdict}: ${change}`
  }
  if (record.total === 0) return 'no request was sent'
  const [longest] = silences(record).sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs))
  const stall = longest === undefined ? '' : `; nothing was answered for ${formatDuration(longest.toMs - longest.fromMs)} from ${formatDuration(longest.fromMs)} into the run`
  return `success rate ${formatShare(record.lowerBound ?? record.successRate)}${record.lowerBound === null ? '' : ' (lower bound)'} is below the floor of ${formatShare(record.minRate)}${stall}`
}

function counts(report: RunReport): string {
  const { baselines, latency, load, errors } = recordsOfKind(report)
  const groups: string[] = []
  if (errors.length > 0) groups.push(countBadges('errors', [['tone-fail', 'stopped', errors.length]]))
  if (baselines.length > 0) groups.push(countBadges('baselines', verdictOrder.map((verdict) => [`tone-${verdict}`, verdict, baselines.filter((record) => record.verdict === verdict).length] as const)))
  for (const [name, records] of [['latency', latency], ['load', load]] as const) {
    if (records.length === 0) continue
    const failedCount = records.filter(failed).length
    groups.push(countBadges(name, [['tone-fail', 'failed', failedCount], ['tone-pass', 'passed', records.length - failedCount]]))
  }
  return `<div class="counts">${groups.join('')}</div>`
}

function nameCell(report: RunReport, record: PerfRecord, id: string): string {
  return `<td class="name"><a href="#${escapeHtml(id)}">${escapeHtml(shownTestName(record))}</a><div class="meta">${recordSite(report, record)}</div></td>`
}

function changeCell(record: BaselineCheckRecord, change: number): string {
  const tone = record.verdict === 'regressed' ? ' up' : record.verdict === 'improved' ? ' down' : ''
  return `<td class="num${tone}">${escapeHtml(formatChange(change))}</td>`
}

function baselineTable(report: RunReport, records: readonly BaselineCheckRecord[], ids: ReadonlyMap<PerfRecord, string>): string {
  const rows = records.map((record) => {
    const comparison = record.comparison
    const current = comparison?.current.value ?? record.measurement?.summary?.median ?? null
    const cells =
      comparison === null
        ? `<td class="num">—</td><td class="num">${current === null ? '—' : escapeHtml(formatDuration(current))}</td><td class="num">—</td><td class="num">—</td><td class="num">—</td>`
        : `<td class="num">${escapeHtml(formatDuration(comparison.baseline.value))}</td><td class="num">${escapeHtml(formatDuration(comparison.current.value))}</td>${changeCell(record, comparison.change)}` +
          `<td class="num">${escapeHtml(`${formatChange(comparison.interval.lower)} … ${formatChange(comparison.interval.upper)}`)}</td><td class="num">${escapeHtml(formatPValue(comparison.pValue))}</td>`
    return `<tr${failed(record) ? ' class="failed"' : ''}><td>${recordBadge(record)}</td>${nameCell(report, record, ids.get(record) ?? '')}${cells}</tr>`
  })
  return (
    '<table><thead><tr><th>verdict</th><th>test</th><th class="num">baseline</th><th class="num">current</th><th class="num">change</th><th class="num">confidence interval</th><th class="num">rank test</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  )
}

function latencyTable(report: RunReport, records: readonly LatencyCheckRecord[], ids: ReadonlyMap<PerfRecord, string>): string {
  const rows = records.map((record) => {
    const measured = record.value === null ? '—' : `${record.statistic} ${formatDuration(record.value)}`
    return (
      `<tr${failed(record) ? ' class="failed"' : ''}><td>${recordBadge(record)}</td>${nameCell(report, record, ids.get(record) ?? '')}` +
      `<td class="num">${escapeHtml(measured)}</td><td class="num">${escapeHtml(formatDuration(record.budgetMs))}</td><td class="num">${escapeHtml(`${formatCount(record.failures)} / ${formatCount(record.count)}`)}</td></tr>`
    )
  })
  return `<table><thead><tr><th>result</th><th>test</th><th class="num">measured</th><th class="num">budget</th><th class="num">failed / requests</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function loadTable(report: RunReport, records: readonly LoadCheckRecord[], ids: ReadonlyMap<PerfRecord, string>): string {
  const rows = records.map(
    (record) =>
      `<tr${failed(record) ? ' class="failed"' : ''}><td>${recordBadge(record)}</td>${nameCell(report, record, ids.get(record) ?? '')}` +
      `<td class="num">${escapeHtml(formatShare(record.successRate))}</td><td class="num">${escapeHtml(formatShare(record.minRate))}</td><td class="num">${escapeHtml(formatCount(record.total))}</td>` +
      `<td class="num">${escapeHtml(formatThroughput(record.throughput))}</td><td class="num">${record.latency === null ? '—' : escapeHtml(formatDuration(record.latency.p95))}</td></tr>`,
  )
  return (
    '<table><thead><tr><th>result</th><th>test</th><th class="num">success rate</th><th class="num">floor</th><th class="num">requests</th><th class="num">throughput</th><th class="num">p95</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  )
}

function errorTable(report: RunReport, records: readonly ErrorRecord[], ids: ReadonlyMap<PerfRecord, string>): string {
  const rows = records.map(
    (record) =>
      `<tr class="failed"><td>${recordBadge(record)}</td>${nameCell(report, record, ids.get(record) ?? '')}` +
      `<td>${escapeHtml(record.matcher)}</td><td>${record.target === null ? '—' : `<code>${escapeHtml(record.target)}</code>`}</td><td>${escapeHtml(firstLine(record.message))}</td></tr>`,
  )
  return `<table><thead><tr><th>result</th><th>test</th><th>matcher</th><th>target</th><th>error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function staleSection(report: RunReport): string {
  const stale = report.stale
  if (stale === null || (stale.obsoleteEntries.length === 0 && stale.orphanedFiles.length === 0)) return ''
  const entries = stale.obsoleteEntries.flatMap((file) => file.keys.map((key) => `<li><code>${escapeHtml(file.file)}</code> › ${escapeHtml(key)}</li>`))
  const files = stale.orphanedFiles.map((file) => `<li><code>${escapeHtml(file)}</code> (its test file is gone)</li>`)
  return `<h2>Obsolete baselines</h2><p class="note">No test asked for these in this full run; <code>-u</code> removes them.</p><ul>${[...entries, ...files].join('')}</ul>`
}

/**
 * Renders a run report as one self-contained HTML page: inline CSS and SVG charts, no script,
 * nothing fetched (a Content-Security-Policy says so to the browser too).
 * @example writeFileSync('.perfgate/perfgate-report.html', renderHtml(report))
 */
export function renderHtml(report: RunReport): string {
  const { baselines, latency, load, errors } = recordsOfKind(report)
  const ids = new Map<PerfRecord, string>(report.records.map((record, index) => [record, `record-${index + 1}`]))
  const id = (record: PerfRecord): string => ids.get(record) ?? ''
  const sortedBaselines = ordered(baselines)
  const sortedLatency = ordered(latency)
  const sortedLoad = ordered(load)
  const environment = report.environment
  const meta = [
    `${report.runner.name}${report.runner.version === null ? '' : ` ${report.runner.version}`}`,
    report.createdAt,
    report.git.commit === null ? 'no git commit' : `commit ${report.git.commit.slice(0, 12)}`,
    `${environment.id} (${environment.cpuModel}, ${environment.cores} cores, Node ${environment.nodeMajor})`,
    `perfgate ${report.tool.version}`,
  ]
  const failedCount = report.records.filter(failed).length
  const title = failedCount === 0 ? 'perfgate report: passed' : `perfgate report: ${failedCount} failed`
  const sections: string[] = []
  if (errors.length > 0) sections.push(`<h2>Stopped with an error</h2>${errorTable(report, errors, ids)}`)
  if (sortedBaselines.length > 0) {
    sections.push(`<h2>Baselines</h2>${baselineTable(report, sortedBaselines, ids)}`)
  }
  if (sortedLatency.length > 0) sections.push(`<h2>Latency budgets</h2>${latencyTable(report, sortedLatency, ids)}`)
  if (sortedLoad.length > 0) sections.push(`<h2>Success rate under load</h2>${loadTable(report, sortedLoad, ids)}`)
  const cards = [
    ...errors.map((record) => errorCard(report, record, id(record))),
    ...sortedBaselines.map((record) => baselineCard(report, record, id(record))),
    ...sortedLatency.map((record) => latencyCard(report, record, id(record))),
    ...sortedLoad.map((record) => loadCard(report, record, id(record))),
  ]
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${htmlStyle}</style>
</head>
<body>
<main>
<h1>perfgate report</h1>
<div class="meta">${meta.map(escapeHtml).join(' · ')}</div>
${statusBanner(report, ids)}
${counts(report)}
${sections.join('\n')}
${cards.length === 0 ? '' : `<h2>Details</h2>\n${cards.join('\n')}`}
${staleSection(report)}
<footer>${escapeHtml(`${formatCount(report.records.length)} perf assertions · written by perfgate ${report.tool.version} · distributions are drawn from each side's compact sample (at most 256 points)`)}</footer>
</main>
</body>
</html>
`
}
