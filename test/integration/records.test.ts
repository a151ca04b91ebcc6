/**
 * Every perf assertion leaves one result record in the per-process session, whichever matcher
 * made it and whether it passed; the gate's core functions produce the same records without a
 * matcher. These records are what the reports and the CLI render.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { BaselineFile, memoryBaselineFileSystem } from '../../src/baselines/store.js'
import { checkBaseline, resolveBaselineOptions } from '../../src/gate/check-baseline.js'
import type { BaselineCheckContext } from '../../src/gate/check-baseline.js'
import { checkLatency } from '../../src/gate/latency-check.js'
import { checkLoad } from '../../src/gate/load-check.js'
import { keptRecords } from '../../src/gate/session.js'
import { defaultConfig } from '../../src/config/config.js'
import { benchmark } from '../../src/measure/benchmark.js'
import { resolveMeasureOptions } from '../../src/measure/latency.js'
import { resolveLoadOptions } from '../../src/measure/load.js'
import { resolveTarget } from '../../src/measure/target.js'
import type { PerfRecord } from '../../src/gate/records.js'
import '../../src/runners/vitest.js'
import { useScratchRoot } from './scratch-root.js'

const root = useScratchRoot('perfgate-records-')
let server: FixtureServer

beforeAll(async () => {
  server = await startFixtureServer()
})

afterAll(async () => {
  await server.close()
})

/** The records an action added to the session. */
async function recordsOf(action: () => Promise<unknown>): Promise<PerfRecord[]> {
  const before = keptRecords().length
  await action().catch(() => undefined)
  return keptRecords().slice(before)
}

const site = { testFile: join(root, 'test', 'core.test.ts'), testName: 'core > check', line: 7 }

describe('the matchers keep one record per assertion', () => {
  it('toRespondWithin keeps a latency record, pass or fail', async () => {
    const [passed] = await recordsOf(() => expect(`${server.url}/fast`).toRespondWithin(5000, { samples: 5 }))
    expect(passed).toMatchObject({
      kind: 'latency',
      testName: 'the matchers keep one record per assertion > toRespondWithin keeps a latency record, pass or fail',
      pass: true,
      negated: false,
      budgetMs: 5000,
      statistic: 'p95',
      count: 5,
      successes: 5,
      outcomes: { ok: 5 },
    })
    expect(passed?.kind === 'latency' && passed.value).toBeGreaterThan(0)
    expect(passed?.kind === 'latency' && passed.sample).toHaveLength(5)

    const failed = await recordsOf(() => expect(`${server.url}/status/503`).toRespondWithin(5000, { samples: 3, warmup: 0 }))
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ kind: 'latency', pass: false, failures: 3, outcomes: { 'status:503': 3 }, value: null })
  })

  it('toSustainSuccessRate keeps a load record, also under .not', async () => {
    const [record] = await recordsOf(() => expect(`${server.url}/fast`).not.toSustainSuccessRate(1, { requests: 10, concurrency: 2 }))
    expect(record).toMatchObject({ kind: 'load', model: 'closed', pass: true, negated: true, minRate: 1, total: 10, successes: 10, successRate: 1 })
  })

  it('toMatchBaseline keeps a baseline record: new, then compared', async () => {
    const work = (): number => Math.sqrt(2)
    const [first] = await recordsOf(() => expect(work).toMatchBaseline({ time: 50, warmupTime: 0 }))
    expect(first).toMatchObject({ kind: 'baseline', verdict: 'new', pass: true, written: 'recorded', comparison: null })
    expect(first?.kind === 'baseline' && first.key).toBe('the matchers keep one record per assertion > toMatchBaseline keeps a baseline record: new, then compared')
    expect(first?.kind === 'baseline' && first.baselineFile).toMatch(/^baselines[/\\]/)
    expect(first?.kind === 'baseline' && first.measurement?.kind).toBe('benchmark')
  })
})

describe('the gate as core functions, without a matcher', () => {
  it('checkBaseline records, then compares, in a file it is given', async () => {
    const file = await BaselineFile.open(memoryBaselineFileSystem(), join(root, 'baselines', 'core.json'), 'new')
    const context: BaselineCheckContext = {
      site,
      key: 'core > check',
      file,
      shownPath: 'baselines/core.json',
      rootDir: root,
      updateMode: 'new',
      recordMode: 'replace',
      missingBaseline: 'fail',
    }
    const options = resolveBaselineOptions({}, defaultConfig)
    const result = await benchmark('sum', () => Math.sqrt(3), { time: 60, warmupTime: 0 })
    const recorded = await checkBaseline(result, context, options)
    expect(recorded).toMatchObject({ kind: 'baseline', verdict: 'new', written: 'recorded', line: 7, testFile: site.testFile, measurement: { kind: 'benchmark', samplingMs: null } })
    expect(file.get('core > check', result.environment.id)).toBeDefined()

    const compared = await checkBaseline(result, context, options)
    // The very same measurement against its own record: no change (the record keeps 6 digits).
    expect(compared.comparison).not.toBeNull()
    expect(compared.verdict).toBe(compared.comparison?.verdict)
    expect(Math.abs(compared.comparison?.change ?? 1)).toBeLessThan(1e-4)
    expect(compared.written).toBeNull()
    expect(keptRecords().slice(-2)).toEqual([recorded, compared])
  })

  it("checkBaseline adds a run to the entry under recordMode 'add', and passes whatever the verdict", async () => {
    const fileSystem = memoryBaselineFileSystem()
    const file = await BaselineFile.open(fileSystem, join(root, 'baselines', 'add.json'), 'new')
    const context: BaselineCheckContext = {
      site,
      key: 'k',
      file,
      shownPath: 'baselines/add.json',
      rootDir: root,
      updateMode: 'new',
      recordMode: 'add',
      missingBaseline: 'fail',
    }
    const options = resolveBaselineOptions({}, defaultConfig)
    const fast = await benchmark('sum', () => Math.sqrt(3), { time: 60, warmupTime: 0 })
    expect((await checkBaseline(fast, context, options)).written).toBe('recorded')
    // Ten times slower: regressed in any other mode; here it is one more run of the recording.
    const slow = { ...fast, samples: fast.samples.map((x) => x * 10), rounds: fast.rounds.map((x) => x * 10) }
    const added = await checkBaseline(slow, context, options)
    expect(added.written).toBe('added')
    expect(added.pass).toBe(true)
    // Passed, but said: a run this far off widens the entry for good.
    expect(added.warnings[0]).toMatch(/^perfgate: the run added to "k" was \+\d+% off the ones before \(it would be `regressed` against them\): if the code was slower/)
    expect(file.get('k', fast.environment.id)?.runs).toHaveLength(2)
    await checkBaseline(fast, context, options)
    expect(file.get('k', fast.environment.id)?.runs).toHaveLength(3)

    // CI never writes, PERFGATE_RECORD or not: the slowdown is judged as usual.
    const ciFile = await BaselineFile.open(fileSystem, join(root, 'baselines', 'add.json'), 'none')
    const inCi = await checkBaseline(slow, { ...context, file: ciFile, updateMode: 'none' }, options)
    expect(inCi.comparison).not.toBeNull()
    expect(inCi.written).toBeNull()
    expect(ciFile.get('k', fast.environment.id)?.runs).toHaveLength(3)
  })

  it('never prints a control character of a key: terminal escapes in test names are shown escaped', async () => {
    const file = await BaselineFile.open(memoryBaselineFileSystem(), join(root, 'baselines', 'esc.json'), 'none')
    const hostile = 'evil \u001b]0;pwned\u0007 title\r erased \u009b2J'
    const record = await checkBaseline(
      () => 1,
      { site, key: hostile, file, shownPath: 'baselines/esc.json', rootDir: root, updateMode: 'none', recordMode: 'replace', missingBaseline: 'warn' },
      resolveBaselineOptions({}, defaultConfig),
    )
    const warning = record.warnings.join('\n')
    // eslint-disable-next-line no-control-regex
    expect(warning).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
    expect(warning).toContain('evil \\u001b]0;pwned\\u0007 title\\u000d erased \\u009b2J')
  })

  it('checkBaseline says missing without measuring when nothing may be written', async () => {
    const file = await BaselineFile.open(memoryBaselineFileSystem(), join(root, 'baselines', 'none.json'), 'none')
    let called = false
    const record = await checkBaseline(
      () => (called = true),
      { site, key: 'k', file, shownPath: 'baselines/none.json', rootDir: root, updateMode: 'none', recordMode: 'replace', missingBaseline: 'warn' },
      resolveBaselineOptions({}, defaultConfig),
    )
    expect(record).toMatchObject({ verdict: 'missing', pass: true, measurement: null, written: null })
    expect(record.warnings[0]).toMatch(/no baseline for "k"/)
    expect(called).toBe(false)
  })

  it('checkLatency and checkLoad judge a target against a budget and a floor', async () => {
    const target = resolveTarget(`${server.url}/fast`)
    const latency = await checkLatency(
      target,
      { budgetMs: 0.000001, statistic: 'median', confidence: undefined, allowFailures: 0 },
      resolveMeasureOptions({ samples: 4, warmup: 0 }, 'options'),
      site,
      false,
    )
    expect(latency.stopped).toBe(false)
    expect(!latency.stopped && latency.record).toMatchObject({ kind: 'latency', pass: false, statistic: 'median', count: 4, line: 7 })

    const load = await checkLoad(target, { minRate: 0.5, confidence: 0.9 }, resolveLoadOptions({ requests: 8, concurrency: 2 }), site, false)
    expect(!load.stopped && load.record).toMatchObject({ kind: 'load', pass: true, total: 8, confidence: 0.9 })
    expect(!load.stopped && load.record.lowerBound).toBeGreaterThan(0.5)
  })

  it('a run stopped by its deadline is not judged and keeps no record', async () => {
    const controller = new AbortController()
    controller.abort()
    const before = keptRecords().length
    const check = await checkLoad(
      resolveTarget(`${server.url}/fast`),
      { minRate: 1, confidence: undefined },
      resolveLoadOptions({ requests: 5, concurrency: 1 }),
      site,
      false,
      { signal: controller.signal, stoppedRun: () => true },
    )
    expect(check.stopped).toBe(true)
    expect(keptRecords()).toHaveLength(before)
  })
})
