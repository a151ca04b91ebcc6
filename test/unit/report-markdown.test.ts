import { marked } from 'marked'
import type { Tokens } from 'marked'
import { describe, expect, it } from 'vitest'
import { escapeMarkdown } from '../../src/report/escape.js'
import { defaultMarkdownLength, renderMarkdown, stepSummaryMarkdown } from '../../src/report/markdown.js'
import type { PerfRecord } from '../../src/gate/records.js'
import {
  baselineRecord,
  erroredBaseline,
  everyRecord,
  failingLoad,
  fastEndpoint,
  inconclusive,
  machineExplained,
  regressed,
  runReport,
  slowEndpoint,
  staleBaselines,
  unchanged,
} from './report-fixtures.js'

function tables(markdown: string): Tokens.Table[] {
  return marked.lexer(markdown).filter((token): token is Tokens.Table => token.type === 'table')
}

/** The first cell's text of each row, without the file line under it. */
function firstColumn(table: Tokens.Table | undefined): string[] {
  return (table?.rows ?? []).map((row) => (row[0]?.text ?? '').split('<br>')[0] ?? '')
}

describe('renderMarkdown', () => {
  it('renders one GitHub table per record kind, failed rows first, with the file and line under each name', () => {
    const markdown = renderMarkdown(runReport(everyRecord, staleBaselines))
    const [baselines, latency, load] = tables(markdown)
    expect(baselines?.header.map((cell) => cell.text)).toEqual(['name', 'baseline', 'current', 'change \\[95% CI\\]', 'verdict', 'detects ≥'])
    expect(firstColumn(baselines)).toEqual([
      'parser &gt; parses a 1 MB payload',
      'search &gt; ranks results',
      'db &gt; runs the report query',
      'router &gt; matches 100 routes',
      'cache &gt; warm lookup',
      'serializer &gt; encodes a record',
    ])
    expect(baselines?.rows[0]?.map((cell) => cell.text)).toEqual([
      'parser &gt; parses a 1 MB payload<br><sub>test/parser.perf.ts:12</sub>',
      '1.21 ms',
      '1.84 ms',
      '+52% \\[+41%..+63%\\]',
      '❌ **regressed**',
      '25%',
    ])
    expect(baselines?.rows[1]?.[0]?.text).toContain('<sub>test/search.perf.ts</sub>')
    expect(baselines?.rows[2]?.[4]?.text).toBe('⚠️ inconclusive')
    expect(firstColumn(latency)).toEqual(['api &gt; GET /slow answers within 200 ms', 'api &gt; GET /users answers within 200 ms'])
    expect(latency?.rows[0]?.map((cell) => cell.text).slice(2)).toEqual(['167 ms', '242 ms', '248 ms', 'p95 242 ms &gt; 200 ms', '30, 2 failed: timeout 2', '❌ **fail**'])
    expect(load?.rows[0]?.map((cell) => cell.text).slice(2)).toEqual([
      'open, 200/s',
      '952 of 1 000 ok; status:503 40, timeout 6 +1 more kind',
      '95.2% &lt; 99%',
      '198 req/s',
      '❌ **fail**',
    ])
  })

  it('puts the evidence of each row in a <details> block: the reason, the machine, failure reasons', () => {
    const markdown = renderMarkdown(runReport([regressed, inconclusive, slowEndpoint, failingLoad]))
    expect(markdown).toContain('<details><summary>Baselines: evidence</summary>')
    expect(markdown).toContain('- **db &gt; runs the report query** — inconclusive · test/parser.perf.ts:12\n  - median 9.60 ms vs 8.20 ms baseline, +17% \\[95% CI +5.0%..+29%\\]')
    expect(markdown).toContain('  - Machine: 4% busy with other work, reference workload 1.20 µs when recorded; 52% busy with other work, reference workload 1.20 µs now.\n')
    expect(markdown).toContain('  - timeout: no answer within 10000 ms\n')
    expect(markdown).toContain('  - ECONNRESET: socket hang up\n')
    expect(markdown).toContain('  - Failures: status:503 40, timeout 6, ECONNRESET 2.\n')
    // The inconclusive warning repeats the reason: it is not listed twice.
    expect(markdown.match(/slower beyond the threshold, but within the noise/g)).toHaveLength(1)
    const html = marked.parse(markdown, { async: false })
    expect(html.match(/<details>/g)).toHaveLength(3)
  })

  it('counts an assertion that stopped with an error as failed, in its own table first, with the whole error in the evidence', () => {
    const markdown = renderMarkdown(runReport([unchanged, erroredBaseline]))
    expect(markdown).toContain('2 perf assertions: 1 failed (1 stopped with an error)')
    const [errors, baselines] = tables(markdown)
    expect(errors?.header.map((cell) => cell.text)).toEqual(['test', 'matcher', 'target', 'error', 'result'])
    expect(firstColumn(errors)).toEqual(['parser &gt; tokenizes a line'])
    expect(firstColumn(baselines)).toEqual(['router &gt; matches 100 routes'])
    expect(markdown).toContain('<details><summary>Stopped with an error: evidence</summary>')
    expect(markdown).toContain('  - PerfgateError PERFGATE\\_BASELINE\\_PARSE: Cannot parse the baseline file')
    expect(markdown).toContain('  - The file was not changed.')
  })

  it('says how much the machine raised the smallest detectable slowdown in this run, in the table and in the evidence', () => {
    const markdown = renderMarkdown(runReport([regressed, machineExplained]))
    const [baselines] = tables(markdown)
    expect(baselines?.rows.map((row) => row[5]?.text)).toEqual(['25%', '25% (125% now)'])
    expect(markdown).toContain('the smallest slowdown it can catch is 25% (125% with the machine as in this run).')
    expect(markdown).toContain('the smallest slowdown it can catch is 25%.')
  })

  it('escapes names for Markdown and HTML, keeping the table intact', () => {
    const hostileName = '<img src=x onerror=alert(1)> | *bold* _it_ `code` [link](http://x) ~s~ $x$ & \u001b[31m'
    const hostile = baselineRecord(hostileName, 'regressed', regressed.comparison)
    const hostileLatency = { ...slowEndpoint, testName: hostileName, target: 'GET http://h/<script>|x', errors: { timeout: '<b>late</b> | *very*' } }
    const markdown = renderMarkdown(runReport([hostile, unchanged, hostileLatency]))
    expect(markdown).not.toContain('<img')
    expect(markdown).not.toContain('<script')
    expect(markdown).not.toContain('<b>')
    expect(markdown).not.toContain('\u001b')
    const [baselines, latency] = tables(markdown)
    for (const table of [baselines, latency]) {
      for (const row of table?.rows ?? []) expect(row).toHaveLength(table?.header.length ?? 0)
    }
    expect(baselines?.rows).toHaveLength(2)
    const html = marked.parse(markdown, { async: false })
    // A bare URL may autolink (its text is the URL); no text can hide one behind other words.
    expect(html).not.toMatch(/<img|<script|<b>|<em>|<strong>bold|<code>code|>link<\/a>|<del>/)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; | *bold* _it_ `code` [link](')
  })

  it('escapes every character that means something inline', () => {
    expect(escapeMarkdown('a|b*c_d`e[f]g~h$i\\j<k>l&m')).toBe('a\\|b\\*c\\_d\\`e\\[f\\]g\\~h\\$i\\\\j&lt;k&gt;l&amp;m')
    expect(escapeMarkdown('line\nbreak')).toBe('line\\\\u000abreak')
  })

  it('lists what was recorded and what is stale after the tables', () => {
    const markdown = renderMarkdown(runReport(everyRecord, staleBaselines))
    expect(markdown).toContain('Recorded 1 baseline in:\n\n- baselines/test/serializer.perf.ts.json\n')
    expect(markdown).toContain('1 improved: run with -u to keep the faster baselines.\n')
    expect(markdown).toContain('1 obsolete baseline entry (no test asked for it; -u removes it) in:\n\n- baselines/test/parser.perf.ts.json: parser &gt; parses XML\n')
    expect(markdown).toContain('- baselines/test/removed.perf.ts.json\n')
    expect(markdown.indexOf('Recorded 1 baseline')).toBeGreaterThan(markdown.indexOf('### Load runs'))
  })

  it('starts with the run summary and where it ran', () => {
    const markdown = renderMarkdown(runReport(everyRecord))
    expect(markdown.split('\n').slice(0, 3)).toEqual([
      '**perfgate** · 10 perf assertions: 4 failed, 1 inconclusive, 1 improved, 1 new',
      '',
      '<sub>vitest 4.1.12 · linux-x64-node20-2c-3f9a1c · commit 8e05dfe1c2a3 · 2026-11-29T16:22:00.000Z</sub>',
    ])
  })

  it('fits a pull-request comment: past 65 536 characters it keeps whole rows, failures of every table first, and says how many it left out', () => {
    const many: PerfRecord[] = Array.from({ length: 600 }, (_, i) =>
      baselineRecord(`suite ${Math.floor(i / 10)} > benchmark number ${i} with a descriptive name`, 'unchanged', unchanged.comparison),
    )
    const records = [...many, regressed, fastEndpoint, slowEndpoint, failingLoad]
    const markdown = renderMarkdown(runReport(records, staleBaselines))
    expect(markdown.length).toBeLessThanOrEqual(defaultMarkdownLength)
    expect(markdown.length).toBeGreaterThan(defaultMarkdownLength - 2000)

    const note = /_… truncated: (\d+) more rows; see perfgate-report\.json or the HTML report\._\n$/.exec(markdown)
    expect(note).not.toBeNull()
    const [baselines, latency, load] = tables(markdown)
    // Regressions of every table made it, before any unchanged row.
    expect(firstColumn(baselines)[0]).toBe('parser &gt; parses a 1 MB payload')
    expect(firstColumn(latency)).toContain('api &gt; GET /slow answers within 200 ms')
    expect(firstColumn(load)).toEqual(['load &gt; /flaky keeps 99% at 200/s'])
    // Their evidence comes before other rows; the long table does not crowd out the short ones.
    expect(markdown).toContain('  - ECONNRESET: socket hang up\n')
    expect(markdown).toContain('- **parser &gt; parses a 1 MB payload** — regressed')
    expect(firstColumn(latency)).toContain('api &gt; GET /users answers within 200 ms')
    expect(markdown).not.toContain('- **suite')
    // Every row is whole: no line of a table is cut.
    for (const line of markdown.split('\n').filter((text) => text.startsWith('|'))) expect(line).toMatch(/^\| .* \|$/)
    for (const table of [baselines, latency, load]) {
      for (const row of table?.rows ?? []) expect(row).toHaveLength(table?.header.length ?? 0)
    }
    // The note counts what is missing: rows, evidence items and listed files.
    const rowsShown = (baselines?.rows.length ?? 0) + (latency?.rows.length ?? 0) + (load?.rows.length ?? 0)
    const evidenceShown = markdown.split('\n').filter((line) => line.startsWith('- **')).length
    const filesShown = markdown.split('\n').filter((line) => line.startsWith('- baselines/')).length
    const itemsInAll = records.length * 2 + 2
    expect(Number(note?.[1])).toBe(itemsInAll - rowsShown - evidenceShown - filesShown)
  })

  it('keeps a report that fits whole, without a note', () => {
    const markdown = renderMarkdown(runReport(everyRecord, staleBaselines))
    expect(markdown).not.toContain('truncated')
    expect(markdown.length).toBeLessThan(defaultMarkdownLength)
  })

  it('honours a smaller maxLength and names the full report it is given', () => {
    const markdown = renderMarkdown(runReport(everyRecord, staleBaselines), { maxLength: 2000, fullReport: '.perfgate/perfgate-report.html' })
    expect(markdown.length).toBeLessThanOrEqual(2000)
    expect(markdown).toMatch(/_… truncated: \d+ more rows; see .perfgate\/perfgate-report.html\._\n$/)
    // Every note keeps its sentence; a list that did not fit says where it is.
    expect(markdown).toContain('Recorded 1 baseline in')
    expect(markdown).toContain('1 improved: run with -u to keep the faster baselines.')
    expect(markdown).toContain('1 obsolete baseline entry (no test asked for it; -u removes it) in … (listed in the full report).\n')
    expect(markdown).toContain('1 orphaned baseline file')
    expect(() => renderMarkdown(runReport(everyRecord), { maxLength: 100 })).toThrow(TypeError)
  })

  it('says there was nothing when no perf assertion ran', () => {
    expect(renderMarkdown(runReport([]))).toBe(
      '**perfgate** · no perf assertions ran\n\n<sub>vitest 4.1.12 · linux-x64-node20-2c-3f9a1c · commit 8e05dfe1c2a3 · 2026-11-29T16:22:00.000Z</sub>\n',
    )
  })
})

describe('stepSummaryMarkdown', () => {
  it('is the Markdown report under a heading', () => {
    const summary = stepSummaryMarkdown(runReport(everyRecord))
    expect(summary.startsWith('## perfgate\n\n10 perf assertions: 4 failed')).toBe(true)
    expect(tables(summary)).toHaveLength(3)
  })

  it('is empty when the run had nothing to say', () => {
    expect(stepSummaryMarkdown(runReport([]))).toBe('')
  })
})
