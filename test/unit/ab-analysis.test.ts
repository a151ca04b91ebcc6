/**
 * perfgate ab's analysis: the runs' records paired by entry (baseline file and key; test and
 * place for latency and load, whatever port the target had), each kind's compared value, and
 * success rates side by side.
 */
import { describe, expect, it } from 'vitest'
import type { PerfRecord } from '../../src/gate/records.js'
import { abTable, analyzeAb } from '../../src/report/ab.js'
import type { AbPair } from '../../src/report/ab.js'
import { baselineRecord, fastEndpoint, runReport, steadyLoad, syntheticMeasurement } from './report-fixtures.js'

const options = { threshold: 0.05, alpha: 0.01 }

/** One run's records with every value scaled by `factor` (and the target on another port). */
function run(factor: number, port: number, successRate = 1): PerfRecord[] {
  const function_ = baselineRecord('parser > parses', 'measured', null, { measurement: syntheticMeasurement(2 * factor) })
  const latency = { ...fastEndpoint, value: 12 * factor, target: `GET http://127.0.0.1:${port}/users` }
  const load = { ...steadyLoad, successRate, target: `http://127.0.0.1:${port}/users`, latency: steadyLoad.latency === null ? null : { ...steadyLoad.latency, p95: 40 * factor } }
  return [function_, latency, load]
}

function pairs(headFactor: number, n: number, headRate = 1): AbPair[] {
  return Array.from({ length: n }, (_, i) => ({
    base: runReport(run(1 + (i % 3) * 0.002, 4100 + i)),
    head: runReport(run(headFactor * (1 + ((i + 1) % 3) * 0.002), 5100 + i, headRate)),
  }))
}

describe('analyzeAb', () => {
  it('pairs every kind across runs whose targets had other ports, and decides each on its paired values', () => {
    const result = analyzeAb(pairs(1.2, 8, 0.98), options)
    expect(result.entries.map((entry) => [entry.kind, entry.statistic, entry.comparison.n, entry.comparison.verdict])).toEqual([
      ['baseline', 'median', 8, 'regressed'],
      ['latency', fastEndpoint.statistic, 8, 'regressed'],
      ['load', 'p95', 8, 'regressed'],
    ])
    expect(result.entries[0]?.comparison.change).toBeCloseTo(0.2, 2)
    expect(result.entries[2]?.successRates).toEqual({ base: Array(8).fill(1), head: Array(8).fill(0.98) })
    expect(result.headOnly).toEqual([])
    const table = abTable(result, 0.98)
    expect(table.columns.map((column) => column.header)).toContain('change [98% CI]')
    // The median run of each side (the runs differ by up to 0.4%), and its success rate.
    expect(table.rows[2]?.cells.slice(2, 4)).toEqual(['40.1 ms, 100% ok', '48.1 ms, 98% ok'])
  })

  it('calls identical runs unchanged, and lists an entry of one side only without comparing it', () => {
    const same = pairs(1, 8)
    const withNew = same.map((pair) => ({ ...pair, head: runReport([...pair.head.records, baselineRecord('parser > new test', 'measured', null, { measurement: syntheticMeasurement(1) })]) }))
    const result = analyzeAb(withNew, options)
    expect(result.entries.map((entry) => entry.comparison.verdict)).toEqual(['unchanged', 'unchanged', 'unchanged'])
    expect(result.headOnly).toHaveLength(1)
    expect(result.headOnly[0]).toContain('parser > new test')
    expect(result.baseOnly).toEqual([])
  })
})
