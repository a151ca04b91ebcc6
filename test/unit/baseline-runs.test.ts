/**
 * A baseline that knows the spread between processes: records of several runs
 * (PERFGATE_RECORD=add), the machine's state stored with them, and their file format.
 */
import { describe, expect, it } from 'vitest'
import { parseBaselineFile, serializeBaselineFile } from '../../src/baselines/format.js'
import { BaselineFile, memoryBaselineFileSystem } from '../../src/baselines/store.js'
import type { BaselineRecord } from '../../src/baselines/types.js'
import { resolveRecordMode } from '../../src/baselines/update-mode.js'
import { maxRuns, recordFrom, runsOf, withAddedRun } from '../../src/gate/baseline-record.js'
import { compare, leastRunAllowance, resolveCompareOptions } from '../../src/gate/compare.js'
import { minimumDetectableOf } from '../../src/gate/check-baseline.js'
import type { BenchmarkResult } from '../../src/measure/benchmark.js'
import type { Environment } from '../../src/machine/environment.js'
import { benchmarkResultOf } from './benchmark-result.js'

const environment: Environment = { id: 'linux-x64-node20-2c-aaaaaa', os: 'linux', arch: 'x64', cpuModel: 'A', cores: 2, nodeMajor: 20 }

function result(center: number, probe = 0.02): BenchmarkResult {
  const rounds = Array.from({ length: 10 }, (_, i) => center * (1 + (i - 4.5) * 0.002))
  const samples = Array.from({ length: 100 }, (_, i) => center * (1 + (i - 49.5) * 0.0004))
  return benchmarkResultOf(samples, rounds, environment, { busy: 0.04, probe })
}

describe('records of several runs', () => {
  it('keeps one run per added measurement, pools their rounds, and stores the machine of each', () => {
    const first = recordFrom(result(1), '/nowhere')
    expect(first.runs).toBeUndefined()
    expect(first.machine).toEqual({ busy: 0.04, probe: 0.02 })
    expect(runsOf(first)).toHaveLength(1)

    const second = withAddedRun(first, result(1.1, 0.03), '/nowhere')
    const third = withAddedRun(second, result(0.9), '/nowhere')
    expect(third.runs?.map((run) => run.median)).toEqual([expect.closeTo(1, 5), expect.closeTo(1.1, 5), expect.closeTo(0.9, 5)])
    expect(third.runs?.[1]?.machine.probe).toBe(0.03)
    expect(third.rounds).toHaveLength(30)
    expect(third.sampleCount).toBe(300)
    expect(third.sample.length).toBeLessThanOrEqual(256)
    expect([...third.sample].sort((a, b) => a - b)).toEqual(third.sample)
  })

  it(`keeps the newest ${maxRuns} runs and drops the rounds of older ones`, () => {
    let record = recordFrom(result(1), '/nowhere')
    for (let i = 1; i <= maxRuns + 2; i++) record = withAddedRun(record, result(1 + i / 100), '/nowhere')
    expect(record.runs).toHaveLength(maxRuns)
    expect(record.rounds).toHaveLength(maxRuns * 10)
    expect(record.runs?.[0]?.median).toBeCloseTo(1.03, 5)
    expect(Math.min(...record.rounds)).toBeGreaterThan(1.02)
  })

  it('says what a record can catch: the process allowance for one run, the runs’ own spread from three', () => {
    const options = resolveCompareOptions({}, 'options', { processAllowance: { benchmark: 0.5, latency: 1 } })
    const one = recordFrom(result(1), '/nowhere')
    expect(minimumDetectableOf(one, options, 'benchmark')).toBe(0.5)
    expect(minimumDetectableOf(one, options, 'latency')).toBe(1)
    let several = one
    for (const center of [1.01, 0.99, 1.005, 0.995]) several = withAddedRun(several, result(center), '/nowhere')
    // Five runs within 2% of each other: the least allowance runs can claim.
    expect(minimumDetectableOf(several, options, 'benchmark')).toBe(leastRunAllowance)
    let spread = one
    for (const center of [1.15, 0.87, 1.1, 0.9]) spread = withAddedRun(spread, result(center), '/nowhere')
    const detectable = minimumDetectableOf(spread, options, 'benchmark')
    expect(detectable).toBeGreaterThan(leastRunAllowance)
    expect(detectable).toBeLessThan(0.9)
  })

  it('follows its own advice: a record whose runs were all recorded in a slow phase is decided again after ten runs are added', () => {
    // Ten runs recorded while the reference workload took 1.5 times as long, the code 1.3 times.
    let slow = recordFrom(result(1.3, 0.03), '/nowhere')
    for (let i = 1; i < maxRuns; i++) slow = withAddedRun(slow, result(1.3, 0.03), '/nowhere')
    const before = compare(slow, result(1, 0.02))
    expect(before.verdict).toBe('inconclusive')
    expect(before.reason).toContain('the machine ran faster than when the baseline was recorded')
    expect(before.reason).toContain('ten runs with `PERFGATE_RECORD=add`, which replace the stored ones')
    let again = slow
    for (let i = 0; i < maxRuns; i++) again = withAddedRun(again, result(1, 0.02), '/nowhere')
    const after = compare(again, result(1, 0.02))
    expect(after.verdict).toBe('unchanged')
    expect(compare(again, result(1.5, 0.02)).verdict).toBe('regressed')
  })

  it('writes runs and machine state to the file and reads them back the same', () => {
    const record = withAddedRun(recordFrom(result(1), '/nowhere'), result(1.05), '/nowhere')
    const text = serializeBaselineFile({ version: 1, entries: { k: { [environment.id]: record } } })
    const back = parseBaselineFile(text, 'b.json').entries['k']?.[environment.id] as BaselineRecord
    expect(back).toEqual(record)
    expect(serializeBaselineFile({ version: 1, entries: { k: { [environment.id]: back } } })).toBe(text)
  })

  it('reads a record without runs or machine (written by perfgate 0.1) as one run', () => {
    const { machine: _machine, ...old } = recordFrom(result(1), '/nowhere')
    const text = serializeBaselineFile({ version: 1, entries: { k: { [environment.id]: old } } })
    const back = parseBaselineFile(text, 'b.json').entries['k']?.[environment.id] as BaselineRecord
    expect(back.machine).toBeUndefined()
    expect(runsOf(back)).toEqual([{ median: expect.any(Number), rounds: 10, machine: { busy: null, probe: null }, recordedAt: back.recordedAt }])
  })

  it.each([
    ['a single run listed', (r: BaselineRecord) => ({ ...r, runs: r.runs?.slice(0, 1) }), /runs must be an array of at least two runs/],
    ['a run with a zero median', (r: BaselineRecord) => ({ ...r, runs: [{ ...r.runs![0]!, median: 0 }, r.runs![1]!] }), /runs\[0\]\.median must be positive/],
    ['a busy share above 1', (r: BaselineRecord) => ({ ...r, machine: { busy: 1.5, probe: null } }), /machine\.busy must be null or a number from 0 to 1/],
    ['a negative round', (r: BaselineRecord) => ({ ...r, rounds: [-1, ...r.rounds.slice(1)] }), /times must be positive/],
    // Edited by hand: a walkthrough's -1 median passed as inconclusive.
    ['a negative median in the summary', (r: BaselineRecord) => ({ ...r, summary: { ...r.summary, median: -1 } }), /summary\.median must be a positive number of ms \(found -1\)/],
    ['a negative spread in the summary', (r: BaselineRecord) => ({ ...r, summary: { ...r.summary, sd: -0.5 } }), /summary\.sd must not be negative \(found -0\.5\)/],
    ['an unknown field in a run', (r: BaselineRecord) => ({ ...r, runs: [{ ...r.runs![0]!, extra: 1 }, r.runs![1]!] }), /runs\[0\]\.extra is not a known field/],
    // A zero probe made every slowdown look explained by a slower machine: inconclusive forever.
    ['a probe of 0 ms', (r: BaselineRecord) => ({ ...r, machine: { busy: 0.1, probe: 0 } }), /machine\.probe must be null or a positive number of ms \(found 0\)/],
    ['a run with a negative probe', (r: BaselineRecord) => ({ ...r, runs: [{ ...r.runs![0]!, machine: { busy: 0, probe: -1 } }, r.runs![1]!] }), /runs\[0\]\.machine\.probe must be null or a positive/],
    // Adding a run drops the oldest run's rounds by its count: counts that disagree would drop the wrong rounds.
    ['runs whose round counts do not add up to the rounds', (r: BaselineRecord) => ({ ...r, runs: [{ ...r.runs![0]!, rounds: 3 }, r.runs![1]!] }), /runs count 13 rounds in all, but rounds holds 20: they must agree/],
  ])('rejects %s, naming the file and the key', (_label, broken, pattern) => {
    const record = withAddedRun(recordFrom(result(1), '/nowhere'), result(1.05), '/nowhere')
    const text = serializeBaselineFile({ version: 1, entries: { 'suite > t': { [environment.id]: broken(record) as BaselineRecord } } })
    expect(() => parseBaselineFile(text, 'baselines/x.json')).toThrow(pattern)
    expect(() => parseBaselineFile(text, 'baselines/x.json')).toThrow(/baselines\/x\.json.*suite > t/)
  })
})

describe('PERFGATE_RECORD', () => {
  it("reads 'add' and 'replace' (the default), and rejects anything else", () => {
    expect(resolveRecordMode({})).toBe('replace')
    expect(resolveRecordMode({ PERFGATE_RECORD: 'add' })).toBe('add')
    expect(() => resolveRecordMode({ PERFGATE_RECORD: 'append' })).toThrow(/PERFGATE_RECORD must be 'add' or 'replace', got "append"/)
  })

  it("lets a local run (update mode 'new') add a run to an existing entry, but never CI", async () => {
    const record = recordFrom(result(1), '/nowhere')
    const local = await BaselineFile.open(memoryBaselineFileSystem(), '/p/baselines/a.json', 'new')
    local.set('k', environment.id, record)
    expect(local.canWrite('k', environment.id)).toBe(false)
    const addRun = (saved: BaselineRecord): BaselineRecord => withAddedRun(saved, result(1.1), '/nowhere')
    expect(local.set('k', environment.id, addRun(record), addRun)).toBe(true)
    expect(local.get('k', environment.id)?.runs).toHaveLength(2)
    const ci = await BaselineFile.open(memoryBaselineFileSystem(), '/p/baselines/a.json', 'none')
    expect(ci.canWrite('k', environment.id, true)).toBe(false)
  })

  it('keeps both runs when two processes add to one entry at once (each read it before the other saved)', async () => {
    const fs = memoryBaselineFileSystem()
    const file = '/p/baselines/a.json'
    const first = await BaselineFile.open(fs, file, 'new')
    first.set('k', environment.id, recordFrom(result(1), '/nowhere'))
    first.set('other', environment.id, recordFrom(result(1), '/nowhere'))
    await first.save()
    // Both open the one-run entry, then each adds its run and saves, one after the other.
    const [left, right] = await Promise.all([BaselineFile.open(fs, file, 'new'), BaselineFile.open(fs, file, 'new')])
    for (const [writer, scale] of [[left, 1.1], [right, 1.2]] as const) {
      const addRun = (saved: BaselineRecord): BaselineRecord => withAddedRun(saved, result(scale), '/nowhere')
      writer.set('k', environment.id, addRun(writer.get('k', environment.id) as BaselineRecord), addRun)
      await writer.save()
    }
    const after = await BaselineFile.open(fs, file, 'new')
    expect(after.get('k', environment.id)?.runs).toHaveLength(3)
    // A later save of the same process adds nothing twice, and keeps what another process added since.
    const third = await BaselineFile.open(fs, file, 'new')
    const addRun = (saved: BaselineRecord): BaselineRecord => withAddedRun(saved, result(1.3), '/nowhere')
    third.set('k', environment.id, addRun(third.get('k', environment.id) as BaselineRecord), addRun)
    left.set('other', environment.id, withAddedRun(left.get('other', environment.id) as BaselineRecord, result(1.1), '/nowhere'), (saved) => withAddedRun(saved, result(1.1), '/nowhere'))
    await third.save()
    await left.save()
    const last = await BaselineFile.open(fs, file, 'new')
    expect(last.get('k', environment.id)?.runs).toHaveLength(4)
    expect(last.get('other', environment.id)?.runs).toHaveLength(2)
  })
})
