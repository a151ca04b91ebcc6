/**
 * Two runs compared entry by entry (`perfgate compare`): baseline entries by toMatchBaseline's
 * rule on the rounds, with no process allowance; latency budgets and load runs by their
 * results in the two runs. Synthetic measurements with fixed spreads: the verdicts here never
 * depend on the machine the test runs on.
 */
import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../src/config/config.js'
import { compareRuns, describeRun } from '../../src/gate/compare-runs.js'
import type { CompareRunsOptions } from '../../src/gate/compare-runs.js'
import type { BaselineCheckRecord, LatencyCheckRecord, LoadCheckRecord } from '../../src/gate/records.js'
import type { MachineState } from '../../src/machine/state.js'
import { renderComparisonMarkdown, renderComparisonTerminal } from '../../src/report/comparison.js'
import type { RunReport } from '../../src/report/model.js'
import { baselineRecord, erroredBaseline, failingLoad, fastEndpoint, runReport, slowEndpoint, steadyLoad, syntheticMeasurement } from './report-fixtures.js'

const options: CompareRunsOptions = { defaults: defaultConfig }
const idle: MachineState = { busy: 0.04, probe: 0.0012 }

/** A baseline entry measured at `center` ms: 10 rounds within ±3%, as one run's record keeps it. */
function measured(key: string, center: number, fields: Partial<BaselineCheckRecord> & { machine?: MachineState } = {}): BaselineCheckRecord {
  const { machine = idle, ...rest } = fields
  return baselineRecord(key, 'new', null, {
    written: 'recorded',
    compareOptions: { threshold: 0.1, alpha: 0.01, statistic: 'median', environment: 'strict' },
    measurement: syntheticMeasurement(center, machine),
    ...rest,
  })
}

/** The entry as a run in CI mode leaves it when no baseline was stored: not measured. */
function notMeasured(key: string): BaselineCheckRecord {
  return { ...measured(key, 1), verdict: 'missing', pass: false, measurement: null, written: null }
}

function inRoot(report: RunReport, rootDir: string): RunReport {
  return { ...report, rootDir, records: report.records.map((record) => ({ ...record, testFile: record.testFile.replace(report.rootDir, rootDir) })) }
}

describe('compareRuns: baseline entries', () => {
  it('calls the same measurement unchanged and a planted 1.5× slowdown regressed, round against round', () => {
    const base = runReport([measured('parse', 1), measured('sort', 2)])
    const head = runReport([measured('parse', 1), measured('sort', 3)])
    const result = compareRuns(base, head, options)
    expect(result.baselines.map((record) => [record.key, record.verdict])).toEqual([
      ['parse', 'unchanged'],
      ['sort', 'regressed'],
    ])
    expect(result.regressions).toBe(1)
    const sort = result.baselines[1]
    expect(sort?.pass).toBe(false)
    expect(sort?.comparison).toMatchObject({ unit: 'rounds', baseline: { samples: 10 }, current: { samples: 10 } })
    expect(sort?.comparison?.change).toBeCloseTo(0.5, 6)
    // The base's measurement stands where a stored baseline would, for the renderers.
    expect(sort?.baseline).toMatchObject({ sampleCount: 4000, recordedAt: base.createdAt, runs: 1 })
    expect(sort?.written).toBeNull()
  })

  it('takes the two runs as measured side by side: no process allowance, so +30% is a regression', () => {
    const result = compareRuns(runReport([measured('parse', 1)]), runReport([measured('parse', 1.3)]), options)
    expect(result.baselines[0]?.comparison).toMatchObject({ verdict: 'regressed', processAllowance: 0, noiseFloor: expect.any(Number) })
    expect(result.baselines[0]?.comparison?.noiseFloor).toBeLessThan(0.1)
  })

  it("reads each side's machine state: a slowdown measured while the machine was much busier is inconclusive", () => {
    const result = compareRuns(runReport([measured('parse', 1)]), runReport([measured('parse', 1.5, { machine: { busy: 0.6, probe: 0.0012 } })]), options)
    expect(result.baselines[0]?.verdict).toBe('inconclusive')
    expect(result.baselines[0]?.comparison?.reason).toContain('the machine was busier')
    expect(result.regressions).toBe(0)
  })

  it("decides with each assertion's own threshold, which --threshold overrides; older records take the defaults", () => {
    const loose = { threshold: 0.6, alpha: 0.01, statistic: 'median', environment: 'strict' } as const
    const base = runReport([measured('parse', 1, { compareOptions: loose })])
    const head = runReport([measured('parse', 1.5, { compareOptions: loose })])
    expect(compareRuns(base, head, options).baselines[0]?.verdict).not.toBe('regressed')
    expect(compareRuns(base, head, { ...options, threshold: 0.1 }).baselines[0]).toMatchObject({ verdict: 'regressed', compareOptions: { threshold: 0.1 } })

    const old = (report: RunReport): RunReport => ({ ...report, records: report.records.map((record) => ({ ...record, compareOptions: undefined })) })
    expect(compareRuns(old(base), old(head), { defaults: { ...defaultConfig, threshold: 0.6 } }).baselines[0]?.verdict).not.toBe('regressed')
    expect(compareRuns(old(base), old(head), options).baselines[0]?.verdict).toBe('regressed')
  })

  it('matches entries by baseline file and key, whatever the two checkouts are called', () => {
    const base = inRoot(runReport([measured('parse', 1)]), '/tmp/base-checkout')
    const result = compareRuns(base, runReport([measured('parse', 1)]), options)
    expect(result.baselines).toHaveLength(1)
    expect(result.onlyInBase).toEqual([])
  })

  it('says why an entry in both runs could not be compared, and does not count it', () => {
    const result = compareRuns(runReport([measured('parse', 1)]), runReport([notMeasured('parse')]), options)
    expect(result.baselines).toEqual([])
    expect(result.notCompared).toEqual([{ entry: 'test/parser.perf.ts: parse', why: expect.stringContaining('not measured in the head run') }])
    expect(result.notCompared[0]?.why).toContain('run both in measure-only mode, PERFGATE_MODE=measure')
    expect(result.regressions).toBe(0)
  })

  it('lists the entries of one run only', () => {
    const result = compareRuns(runReport([measured('parse', 1), measured('gone', 1)]), runReport([measured('parse', 1), measured('added', 1)]), options)
    expect(result.onlyInBase).toEqual(['test/parser.perf.ts: gone'])
    expect(result.onlyInHead).toEqual(['test/parser.perf.ts: added'])
  })

  it('says which assertions stopped with an error in a run, and with what, and counts one broken by the head only as a regression', () => {
    const base = runReport([measured('parse', 1)])
    const head = runReport([erroredBaseline])
    const result = compareRuns(base, head, options)
    expect(result.stoppedWithError).toEqual([
      {
        side: 'head',
        entry: 'test/parser.perf.ts: parser > tokenizes a line (toMatchBaseline, tokenize())',
        error: 'Cannot parse the baseline file /repo/baselines/test/parser.perf.ts.json at line 3, column 1: invalid end of input',
        newInHead: true,
      },
    ])
    // Broken by the head only: a regression (exit 1), said in the summary line too.
    expect(result.regressions).toBe(1)
    const text = renderComparisonTerminal({ base, head, baseName: 'base.json', headName: 'head.json' }, result, { color: false })
    expect(text).toContain('; 1 stopped with an error in the head run only')
    expect(text).toContain('1 stopped with an error, without a measurement (their tests failed in that run):')
    expect(text).toContain('head run only (counted as a regression): test/parser.perf.ts: parser > tokenizes a line (toMatchBaseline')
    // Broken on both sides: said, not a regression of the head.
    const both = compareRuns(runReport([erroredBaseline]), runReport([erroredBaseline]), options)
    expect(both.stoppedWithError.map((error) => [error.side, error.newInHead])).toEqual([
      ['base', false],
      ['head', false],
    ])
    expect(both.regressions).toBe(0)
  })
})

describe('compareRuns: latency budgets and load runs', () => {
  const failing = (record: LatencyCheckRecord): LatencyCheckRecord => ({ ...record, pass: false })
  const loadFailing = (record: LoadCheckRecord): LoadCheckRecord => ({ ...record, pass: false })

  it('calls an assertion that passed on the base and fails on the head regressed, and only that', () => {
    const base = runReport([fastEndpoint, failing({ ...fastEndpoint, target: 'GET /b' }), failing({ ...fastEndpoint, target: 'GET /c' }), steadyLoad])
    const head = runReport([failing(fastEndpoint), { ...fastEndpoint, target: 'GET /b' }, failing({ ...fastEndpoint, target: 'GET /c' }), loadFailing(steadyLoad)])
    const result = compareRuns(base, head, options)
    expect(result.latency.map((pair) => [pair.head.target, pair.verdict])).toEqual([
      [fastEndpoint.target, 'regressed'],
      ['GET /b', 'fixed'],
      ['GET /c', 'failing'],
    ])
    expect(result.load.map((pair) => pair.verdict)).toEqual(['regressed'])
    expect(result.regressions).toBe(2)
  })

  it('pairs a check whose server listened on another port in each run (port 0): the test and its place in it identify it', () => {
    const on = (port: number): LatencyCheckRecord => ({ ...fastEndpoint, target: `http://127.0.0.1:${port}/api/users` })
    const result = compareRuns(runReport([on(41234)]), runReport([failing(on(39999))]), options)
    expect(result.onlyInBase).toEqual([])
    expect(result.onlyInHead).toEqual([])
    expect(result.latency.map((pair) => [pair.head.target, pair.verdict])).toEqual([['http://127.0.0.1:39999/api/users', 'regressed']])
    // Two endpoints of one test, reordered by the pull request: each still meets its own.
    const at = (port: number, path: string): LatencyCheckRecord => ({ ...fastEndpoint, target: `GET http://127.0.0.1:${port}${path}` })
    const reordered = compareRuns(runReport([at(41234, '/users'), at(41234, '/orders')]), runReport([failing(at(39999, '/orders')), at(39999, '/users')]), options)
    expect(reordered.latency.map((pair) => [pair.base.target, pair.head.target, pair.verdict]).sort()).toEqual([
      ['GET http://127.0.0.1:41234/orders', 'GET http://127.0.0.1:39999/orders', 'regressed'],
      ['GET http://127.0.0.1:41234/users', 'GET http://127.0.0.1:39999/users', 'passing'],
    ])
  })

  it('reads results after .not, and tells apart two checks of one target in one test', () => {
    const negated = { ...fastEndpoint, negated: true, pass: false }
    const result = compareRuns(runReport([negated, fastEndpoint]), runReport([negated, failing(fastEndpoint)]), options)
    expect(result.latency.map((pair) => pair.verdict)).toEqual(['passing', 'regressed'])
    expect(result.latency[1]?.entry).toMatch(/#2 \(latency budget, /)
  })
})

describe('describeRun', () => {
  it('counts each kind and names the first entries', () => {
    const run = runReport([measured('a', 1), measured('b', 1), measured('c', 1), measured('d', 1), fastEndpoint])
    expect(describeRun(run)).toBe(
      '4 baseline entries (test/parser.perf.ts: a, test/parser.perf.ts: b, test/parser.perf.ts: c, … 1 more), ' +
        `1 latency budget (test/api.perf.ts: ${fastEndpoint.testName} (latency budget, ${fastEndpoint.target})), no load run`,
    )
    expect(describeRun(runReport([]))).toBe('no perf assertion')
  })
})

describe('rendering a comparison', () => {
  const base = runReport([measured('parse', 1), measured('sort', 2), fastEndpoint, slowEndpoint, steadyLoad, failingLoad])
  const head = runReport([measured('parse', 1), measured('sort', 3), failing(fastEndpoint), slowEndpoint, steadyLoad, failingLoad])
  const runs = { base, head, baseName: 'base.json', headName: 'head.json' }
  const result = compareRuns(base, head, options)

  function failing(record: LatencyCheckRecord): LatencyCheckRecord {
    return { ...record, pass: false }
  }

  it('prints the tables with base and head side by side, regressions first', () => {
    const text = renderComparisonTerminal(runs, result, { color: false })
    expect(text).toContain('perfgate compare  6 entries compared: 2 regressed, 2 failing, 1 unchanged, 1 passing')
    expect(text).toMatch(/name\s+base\s+head\s+change/)
    const baselines = text.slice(text.indexOf('Baselines'), text.indexOf('Latency budgets'))
    expect(baselines.indexOf('sort')).toBeLessThan(baselines.indexOf('parse'))
    expect(text).toMatch(/GET \/users.*pass: p95 .* ≤ 200 ms.*fail: p95 .*regressed/)
    expect(text).toContain('Load runs')
  })

  it('writes Markdown tables with the evidence in details', () => {
    const md = renderComparisonMarkdown(runs, result)
    expect(md).toMatch(/^\*\*perfgate compare\*\* · 6 entries compared/)
    expect(md).toMatch(/^\| name \| base \| head \| change \\\[95% CI\\\] \| verdict \| detects ≥ \|$/m)
    expect(md).toContain('Machine: 4% busy with other work, reference workload 1.20 µs in the base run')
    expect(md).toContain('❌ **regressed**')
    expect(md).toContain('<details><summary>Latency budgets: evidence</summary>')
    expect(md).toContain('one run each, shown but not tested')
  })

  it('lists what could not be compared and what only one run holds after the tables', () => {
    const partial = compareRuns(runReport([measured('parse', 1), measured('gone', 1)]), runReport([measured('parse', 1), notMeasured('gone'), measured('new', 1)]), options)
    const text = renderComparisonTerminal(runs, partial, { color: false })
    expect(text).toContain('1 in both runs but not compared:')
    expect(text).toContain('test/parser.perf.ts: gone: not measured in the head run')
    expect(text).toContain('1 only in the head run: test/parser.perf.ts: new')
  })
})
