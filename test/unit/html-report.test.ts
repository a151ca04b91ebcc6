import { describe, expect, it } from 'vitest'
import { hostileTestName, sampleRunReport } from '../../fixtures/run-report.js'
import type { LatencyCheckRecord, LoadCheckRecord, PerfRecord } from '../../src/gate/records.js'
import { escapeHtml } from '../../src/report/html-escape.js'
import { distributionChart } from '../../src/report/charts.js'
import { renderHtml } from '../../src/report/html.js'
import type { RunReport } from '../../src/report/model.js'
import { baselineRecord, erroredBaseline, fastEndpoint, machineExplained, regressed, runReport, syntheticMeasurement, unchanged } from './report-fixtures.js'

function withRecords(records: PerfRecord[]): RunReport {
  return { ...sampleRunReport(), records, stale: null }
}

describe('escapeHtml', () => {
  it('escapes markup characters and shows control characters as escapes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')
    expect(escapeHtml('a\u001b[31mb\rc')).toBe('a\\u001b[31mb\\u000dc')
  })
})

describe('renderHtml', () => {
  const html = renderHtml(sampleRunReport())

  it('writes one self-contained page: no script, nothing to fetch', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/<(img|link|iframe|object|embed)\b(?![^>]*href="data:)/i)
    // Links only to anchors on the page (the icon is an empty data: URL, so the browser asks for none).
    expect([...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((match) => match[1]).filter((url) => !url?.startsWith('#'))).toEqual(['data:,'])
    expect(html).toContain(`default-src 'none'`)
  })

  it('escapes a hostile test name wherever it appears', () => {
    expect(html).not.toContain('<img')
    expect(html).not.toContain('\u001b')
    expect(html).toContain(escapeHtml(hostileTestName))
  })

  it('draws a chart per comparison, latency budget and load run, and no NaN anywhere', () => {
    expect(html.match(/<svg class="chart"/g)).toHaveLength(15)
    expect(html).not.toMatch(/NaN|undefined|Infinity/)
  })

  it('lists the regression before everything else', () => {
    const table = html.slice(html.indexOf('<h2>Baselines</h2>'))
    expect(table.indexOf('api &gt; serializes a large order')).toBeLessThan(table.indexOf('parser &gt; tokenizes'))
    expect(html.indexOf('3 of 9 perf assertions failed')).toBeLessThan(html.indexOf('<h2>Baselines</h2>'))
  })

  it('shows the smallest detectable slowdown in this run and the reference workload when the machine ran slower', () => {
    const html = renderHtml(runReport([regressed, machineExplained]))
    expect(html).toContain('smallest detectable <b>+25% · +125% in this run</b>')
    expect(html).toContain('machine <b>4% busy → 4% busy · reference workload +50%</b>')
    // The regression beside it: the machine as at recording, nothing added.
    expect(html).toContain('smallest detectable <b>+25%</b>')
    expect(html).toContain('machine <b>4% busy → 4% busy</b>')
    // The change chart marks what the machine explained, past the noise floor, for that card only.
    expect(html.match(/class="machine"/g)).toHaveLength(1)
    expect(html).toContain('machine in this run +125%')
    expect(html).toContain('the machine in this run explains up to +125%')
  })

  it('names what the machine explains at the edge when it is far off the change\'s scale, instead of squeezing the interval to a dot', () => {
    const farOff = { ...machineExplained, comparison: { ...(machineExplained.comparison as NonNullable<typeof machineExplained.comparison>), machineExplains: 63 } }
    const html = renderHtml(runReport([farOff]))
    expect(html).not.toContain('class="machine"')
    expect(html).toContain('machine in this run +6300% →')
    expect(html).toContain('the machine in this run explains up to +6300%')
    // The axis keeps the change's scale: its ticks stop well short of +6300%.
    const change = html.slice(html.indexOf('data-chart="change"'))
    expect(change.slice(0, change.indexOf('</svg>'))).not.toMatch(/>\+[1-9]\d{3,}%</)
  })

  it('counts an assertion that stopped with an error as failed: in the banner, its own table first, and a card with the whole error', () => {
    const html = renderHtml(runReport([unchanged, erroredBaseline]))
    expect(html).toContain('<title>perfgate report: 1 failed</title>')
    expect(html).toContain('1 of 2 perf assertions failed<span class="detail">1 assertion stopped with an error</span>')
    expect(html).toContain('parser &gt; tokenizes a line</a> — stopped with an error: Cannot parse the baseline file /repo/baselines/test/parser.perf.ts.json at line 3, column 1: invalid end of input</li>')
    expect(html.indexOf('<h2>Stopped with an error</h2>')).toBeLessThan(html.indexOf('<h2>Baselines</h2>'))
    expect(html).toContain('<pre class="error-message">Cannot parse the baseline file /repo/baselines/test/parser.perf.ts.json at line 3, column 1: invalid end of input\nThe file was not changed.</pre>')
    expect(html).toContain('<span class="badge tone-fail">error</span>')
  })

  it('says why a failed latency budget failed: a target that did not answer under .not, a bound that could not be computed', () => {
    const refused: LatencyCheckRecord = { ...fastEndpoint, testName: 'api > not on refused', negated: true, pass: true, value: null, latency: null, sample: [], successes: 0, failures: 40, count: 40, outcomes: { ECONNREFUSED: 40 } }
    const unbounded: LatencyCheckRecord = { ...fastEndpoint, testName: 'api > p99 with confidence', pass: false, statistic: 'p99', confidence: 0.95, bound: null, boundProblem: '30 successful samples cannot bound p99 at 95% confidence: use samples: 299 or more' }
    const html = renderHtml(runReport([refused, unbounded]))
    expect(html).toContain('api &gt; not on refused</a> — 40 of 40 requests failed (0 allowed), which .not does not turn into a pass</li>')
    expect(html).toContain('api &gt; p99 with confidence</a> — 30 successful samples cannot bound p99 at 95% confidence: use samples: 299 or more</li>')
    expect(html).not.toContain('passed, but the assertion was negated with .not')
    // Failures allowed, but none succeeded: no statistic to check.
    const silent: LatencyCheckRecord = { ...refused, testName: 'api > allowed failures, none answered', negated: false, pass: false, allowFailures: 100 }
    expect(renderHtml(runReport([silent]))).toContain('api &gt; allowed failures, none answered</a> — no request succeeded, so there is no p95 to check (40 of 40 failed)</li>')
  })

  it('lists an assertion that stopped with an error first among the failures in the banner, as its table comes first, and names one made outside a test', () => {
    const outside = { ...erroredBaseline, testName: '' }
    const html = renderHtml(runReport([regressed, outside]))
    const banner = html.slice(html.indexOf('<div class="status fail">'), html.indexOf('</ul></div>'))
    expect(banner.indexOf('(no test: a hook, the file, or concurrent tests on the global expect)')).toBeGreaterThan(-1)
    expect(banner.indexOf('(no test: a hook, the file, or concurrent tests on the global expect)')).toBeLessThan(banner.indexOf('parser &gt; parses a 1 MB payload'))
  })

  it('says so when no perf assertion ran', () => {
    const empty = renderHtml(withRecords([]))
    expect(empty).toContain('No perf assertions ran.')
    expect(empty).not.toContain('<svg')
  })

  it('draws degenerate data without NaN: identical samples, no success, a run with nothing answered', () => {
    const report = sampleRunReport()
    const latency = report.records.find((record): record is LatencyCheckRecord => record.kind === 'latency')
    const load = report.records.find((record): record is LoadCheckRecord => record.kind === 'load')
    if (latency === undefined || load === undefined) throw new Error('fixture changed')
    const flat: LatencyCheckRecord = { ...latency, sample: Array.from({ length: 30 }, () => 5), value: 5, budgetMs: 5 }
    const failing: LatencyCheckRecord = { ...latency, sample: [], value: null, latency: null, successes: 0, failures: 30, outcomes: { ECONNREFUSED: 30 }, errors: { ECONNREFUSED: 'connect ECONNREFUSED 127.0.0.1:1' } }
    const silent: LoadCheckRecord = {
      ...load,
      successes: 0,
      failures: 10,
      successRate: 0,
      latency: null,
      timeline: { bucketMs: 10, buckets: Array.from({ length: 10 }, (_, index) => ({ startMs: index * 10, completed: index === 9 ? 10 : 0, failures: index === 9 ? 10 : 0, latency: null })) },
    }
    const nothing: LoadCheckRecord = { ...load, total: 0, successes: 0, failures: 0, durationMs: 0, latency: null, timeline: { bucketMs: 10, buckets: [] } }
    const page = renderHtml(withRecords([flat, failing, silent, nothing]))
    expect(page).not.toMatch(/NaN|undefined|Infinity/)
    expect(page).toContain('No successful request to chart.')
    expect(page).toContain('no request was sent')
  })
})

describe('distributionChart', () => {
  it('keeps a few slow outliers from squeezing the bars: the axis spans the middle 98%, and says how many lie beyond', () => {
    // 200 points around 0.1 ms and two at 24 ms (a GC): before, the axis ran to 24 ms.
    const sample = [...Array.from({ length: 200 }, (_, i) => 0.09 + (i % 20) * 0.001), 24, 24.5]
    const svg = distributionChart([{ name: 'current', sample, statistic: 0.1, tone: 'current' }], 'median', 'current')
    const ticks = [...svg.matchAll(/<text[^>]*class="tick-label"[^>]*>([^<]+)</g)].map((match) => Number(match[1]))
    expect(ticks.length).toBeGreaterThan(2)
    // The axis (in µs below 1 ms) ends near the bulk (about 110 µs), far below the outliers.
    expect(svg).toMatch(/class="axis-title"[^>]*>µs</)
    expect(Math.max(...ticks)).toBeLessThan(1000)
    expect(svg).toContain('2 beyond the axis, in the edge bars')
  })

  it('labels an axis in the unit its values read best in: ns for a function of half a nanosecond, not 0.00000055 ms', () => {
    const sample = Array.from({ length: 50 }, (_, i) => 0.00000050 + (i % 10) * 0.00000001)
    const svg = distributionChart([{ name: 'current', sample, statistic: 0.00000055, tone: 'current' }], 'median', 'current')
    const ticks = [...svg.matchAll(/<text[^>]*class="tick-label"[^>]*>([^<]+)</g)].map((match) => match[1] ?? '')
    expect(svg).toMatch(/class="axis-title"[^>]*>ns</)
    for (const tick of ticks) expect(tick).toMatch(/^0?\.?\d{1,4}$|^\d\.\d{1,2}$/)
    expect(ticks.join(' ')).not.toContain('0.0000')
  })
})

describe('a run in measure-only mode', () => {
  it('says each toMatchBaseline was measured only, with its distribution, and never that a baseline is missing', () => {
    const measured = baselineRecord('parser > parses a 1 MB payload', 'measured', null, { updateMode: 'none', measurement: syntheticMeasurement(1.21) })
    const html = renderHtml(runReport([measured]))
    expect(html).toContain('Measured only (measure-only mode, PERFGATE_MODE=measure): compared with no baseline.')
    expect(html).toContain('<span class="badge tone-measured">1 measured</span>')
    expect(html).toContain('data-chart="distribution"')
    expect(html).not.toContain('No baseline stored')
  })
})
