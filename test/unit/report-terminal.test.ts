import { describe, expect, it } from 'vitest'
import { renderTerminal, terminalNameWidth } from '../../src/report/terminal.js'
import { displayWidth } from '../../src/report/text.js'
import {
  baselineRecord,
  erroredBaseline,
  everyRecord,
  failingLoad,
  fastEndpoint,
  improved,
  plain,
  recorded,
  regressed,
  runReport,
  slowEndpoint,
  staleBaselines,
  steadyLoad,
  summary,
  unchanged,
} from './report-fixtures.js'

/** The lines of one table: its title line up to the blank line after it. */
function tableLines(output: string, title: string): string[] {
  const lines = output.split('\n')
  const start = lines.findIndex((line) => line.trim() === title)
  const end = lines.indexOf('', start)
  return lines.slice(start + 1, end === -1 ? undefined : end)
}

describe('renderTerminal', () => {
  it('prints nothing for a run without perf assertions or stale baselines', () => {
    expect(renderTerminal(runReport([]), { color: false })).toBe('')
    expect(renderTerminal(runReport([], { obsoleteEntries: [], orphanedFiles: [] }), { color: true })).toBe('')
  })

  it('puts failed rows first in each table, keeping the run order otherwise', () => {
    const output = renderTerminal(runReport(everyRecord), { color: false })
    const baselines = tableLines(output, 'Baselines').slice(1).map((line) => line.trim().split('  ')[0])
    expect(baselines).toEqual([
      'parser > parses a 1 MB payload',
      'search > ranks results',
      'db > runs the report query',
      'router > matches 100 routes',
      'cache > warm lookup',
      'serializer > encodes a record',
    ])
    expect(tableLines(output, 'Latency budgets')[1]).toContain('GET /slow')
    expect(tableLines(output, 'Load runs')[1]).toContain('/flaky')
  })

  it('shows each baseline with both medians, the change and its interval, the verdict and what it can detect', () => {
    const output = renderTerminal(runReport([regressed, unchanged, recorded]), { color: false })
    const [header, regressedRow, unchangedRow, newRow] = tableLines(output, 'Baselines')
    expect(header).toMatch(/name\s+baseline\s+current\s+change \[95% CI\]\s+verdict\s+detects ≥/)
    expect(regressedRow).toMatch(/parser > parses a 1 MB payload\s+1\.21 ms\s+1\.84 ms\s+\+52% \[\+41%\.\.\+63%\]\s+regressed\s+25%$/)
    expect(unchangedRow).toMatch(/12\.3 µs\s+12\.5 µs\s+\+1\.6% \[-2\.1%\.\.\+4\.8%\]\s+unchanged\s+25%$/)
    expect(newRow).toMatch(/serializer > encodes a record\s+—\s+350 µs\s+—\s+new\s+—$/)
  })

  it('shows latency percentiles against the budget and load counts against the floor', () => {
    const output = renderTerminal(runReport([fastEndpoint, slowEndpoint, steadyLoad, failingLoad]), { color: false })
    const [latencyHeader, slow, fast] = tableLines(output, 'Latency budgets')
    expect(latencyHeader).toMatch(/test\s+target\s+p50\s+p95\s+p99\s+budget\s+requests\s+result/)
    expect(slow).toMatch(/GET http:\/\/127\.0\.0\.1:4100\/slow\s+167 ms\s+242 ms\s+248 ms\s+p95 242 ms > 200 ms\s+30, 2 failed: timeout 2\s+fail$/)
    expect(fast).toMatch(/8\.27 ms\s+12\.0 ms\s+12\.3 ms\s+p95 12\.0 ms ≤ 200 ms\s+30\s+pass$/)
    const [loadHeader, flaky, steady] = tableLines(output, 'Load runs')
    expect(loadHeader).toMatch(/test\s+target\s+model\s+requests\s+success rate\s+throughput\s+result/)
    expect(flaky).toMatch(/open, 200\/s\s+952 of 1 000 ok; status:503 40, timeout…\s+95\.2% < 99%\s+198 req\/s\s+fail$/)
    expect(steady).toMatch(/closed, 10 clients\s+3 412 of 3 412 ok\s+100% ≥ 99%\s+1 706 req\/s\s+pass$/)
  })

  it('names a record made under no test "(no test)" in the latency and load tables, not with an empty cell', () => {
    const output = renderTerminal(runReport([{ ...fastEndpoint, testName: '' }, { ...steadyLoad, testName: '' }]), { color: false })
    expect(tableLines(output, 'Latency budgets')[1]).toMatch(/^\s*\(no test\)\s+GET http:\/\/127\.0\.0\.1:4100\/users/)
    expect(tableLines(output, 'Load runs')[1]).toMatch(/^\s*\(no test\)\s+/)
  })

  it('says once what it recorded and what improved, after the tables', () => {
    const second = baselineRecord('serializer > decodes a record', 'new', null, { written: 'recorded', testFile: '/repo/test/serializer.perf.ts' })
    const other = baselineRecord('parser > tokenizes', 'new', null, { written: 'recorded' })
    const output = renderTerminal(runReport([recorded, second, other, improved]), { color: false })
    const lines = output.trimEnd().split('\n')
    expect(lines.at(-2)).toBe(' recorded 3 baselines in baselines/test/parser.perf.ts.json, baselines/test/serializer.perf.ts.json')
    expect(lines.at(-1)).toBe(' 1 improved: run with -u to keep the faster baselines')
    expect(output.match(/recorded/g)).toHaveLength(1)
  })

  it('does not suggest -u for an improvement -u already kept', () => {
    const kept = { ...improved, written: 'rewritten' as const }
    const output = renderTerminal(runReport([kept]), { color: false })
    expect(output).not.toContain('run with -u')
    expect(output).toContain('improved, rewritten')
    expect(output).toContain('rewrote 1 baseline in baselines/test/parser.perf.ts.json')
  })

  it('lists obsolete entries and orphaned files after a full run only', () => {
    const full = renderTerminal(runReport([unchanged], staleBaselines), { color: false })
    expect(full).toContain(' 1 obsolete baseline entry (no test asked for it; -u removes it) in baselines/test/parser.perf.ts.json: parser > parses XML')
    expect(full).toContain(' 1 orphaned baseline file (its test file is gone; delete it if the tests were removed): baselines/test/removed.perf.ts.json')
    const filtered = renderTerminal(runReport([unchanged], null), { color: false })
    expect(filtered).not.toContain('obsolete')
    expect(filtered).not.toContain('orphaned')
  })

  it('lists many stale files one a line, and says how many more past ten', () => {
    const orphanedFiles = Array.from({ length: 13 }, (_, i) => `baselines/test/gone-${String(i).padStart(2, '0')}.perf.ts.json`)
    const output = renderTerminal(runReport([], { obsoleteEntries: [], orphanedFiles }), { color: false })
    expect(output).toContain('13 orphaned baseline files (their test files are gone; delete them if the tests were removed):\n   baselines/test/gone-00.perf.ts.json\n')
    expect(output).toContain('   baselines/test/gone-09.perf.ts.json\n   … and 3 more\n')
    expect(output).not.toContain('gone-10')
  })

  it('writes no ANSI codes without colour, and colours the verdicts with it', () => {
    const report = runReport(everyRecord, staleBaselines)
    const withoutColor = renderTerminal(report, { color: false })
    expect(withoutColor).not.toContain('\u001b')
    const withColor = renderTerminal(report, { color: true })
    expect(withColor).toContain('\u001b[31mregressed')
    expect(withColor).toContain('\u001b[32mimproved')
    expect(plain(withColor)).toBe(withoutColor)
  })

  it('escapes control characters in names, so a name cannot drive the terminal', () => {
    const hostile = baselineRecord('title\u001b]0;pwned\u0007 > x\rerased', 'unchanged', unchanged.comparison)
    const output = renderTerminal(runReport([hostile]), { color: true })
    expect(output).toContain('title\\u001b]0;pwned\\u0007 > x\\u000derased')
    expect(output).not.toContain('\u0007')
    expect(output).not.toContain('\r')
  })

  it('cuts long names with an ellipsis and keeps columns aligned with wide characters', () => {
    const long = baselineRecord(`checkout > ${'applies every discount rule '.repeat(4)}`, 'unchanged', unchanged.comparison)
    const wide = baselineRecord('検索 > 日本語のクエリを解析する', 'unchanged', unchanged.comparison)
    const output = renderTerminal(runReport([long, wide, unchanged]), { color: false })
    const rows = tableLines(output, 'Baselines')
    const cut = rows.find((row) => row.includes('checkout'))
    expect(cut).toContain('…')
    expect(displayWidth(cut?.trim().split('  ')[0] ?? '')).toBe(terminalNameWidth)
    // Every row's verdict starts in the same terminal column.
    const verdictColumns = rows.slice(1).map((row) => displayWidth(row.slice(0, row.indexOf('unchanged'))))
    expect(new Set(verdictColumns).size).toBe(1)
    expect(verdictColumns[0]).toBe(displayWidth(rows[0]?.slice(0, rows[0].indexOf('verdict')) ?? ''))
  })

  it('cuts free-text columns further to fit a narrow terminal, names last', () => {
    const output = renderTerminal(runReport([fastEndpoint, slowEndpoint]), { color: false, width: 120 })
    const lines = tableLines(output, 'Latency budgets')
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(120)
    expect(lines[1]).toContain('api > GET /slow ans…')
    expect(lines[1]).toContain('p95 242 ms > 200 ms')
    const wide = renderTerminal(runReport([fastEndpoint, slowEndpoint]), { color: false })
    expect(tableLines(wide, 'Latency budgets')[1]).toContain('api > GET /slow answers within 200 ms')
  })

  it("shows a new record's median of round medians, the value its next comparison starts from, not its samples' median", () => {
    const rounds = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    const recordedOnly = baselineRecord('serializer > encodes a record', 'new', null, {
      written: 'recorded',
      measurement: { kind: 'benchmark', summary: summary(0.35), samples: 4000, rounds, sample: [0.3, 0.35, 0.4], samplingMs: 1000, extensions: 0 },
    })
    const row = tableLines(renderTerminal(runReport([recordedOnly]), { color: false }), 'Baselines').find((line) => line.includes('serializer')) ?? ''
    expect(row).toContain('500 µs')
    expect(row).not.toContain('350 µs')
  })

  it('keeps whole names where the terminal is wide enough for them, and cuts only free-text columns', () => {
    const name = `checkout > ${'applies every discount rule '.repeat(3).trim()}`
    const long = baselineRecord(name, 'unchanged', unchanged.comparison)
    const wide = renderTerminal(runReport([long, unchanged]), { color: false, width: 200 })
    expect(tableLines(wide, 'Baselines').find((row) => row.includes('checkout'))).toContain(name)
    for (const line of tableLines(wide, 'Baselines')) expect(displayWidth(line)).toBeLessThanOrEqual(200)
    // Unknown width (a log): names are cut at the fixed width; the figures never are.
    const log = renderTerminal(runReport([long, unchanged]), { color: false })
    const row = tableLines(log, 'Baselines').find((line) => line.includes('checkout')) ?? ''
    expect(row).not.toContain(name)
    expect(row).toContain('unchanged')
  })

  it('counts an assertion that stopped with an error as failed, in a table of its own first, with the first line of its error', () => {
    const output = plain(renderTerminal(runReport([unchanged, erroredBaseline]), { color: false }))
    expect(output).toContain('2 perf assertions: 1 failed (1 stopped with an error)')
    expect(output.indexOf('Stopped with an error')).toBeLessThan(output.indexOf('Baselines'))
    const [header, row] = tableLines(output, 'Stopped with an error')
    expect(header).toMatch(/test\s+matcher\s+target\s+error\s+result/)
    expect(row).toMatch(/parser > tokenizes a line\s+toMatchBaseline\s+tokenize\(\)\s+Cannot parse the baseline file .*\s+error$/)
  })

  it('marks a negated assertion and judges it after .not', () => {
    const negated = { ...fastEndpoint, negated: true }
    const output = renderTerminal(runReport([negated]), { color: false })
    expect(tableLines(output, 'Latency budgets')[1]).toMatch(/fail \(\.not\)$/)
    expect(output).toContain('1 perf assertion: 1 failed')
  })
})
