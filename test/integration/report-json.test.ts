/**
 * The run report as JSON: built from real records of all three matchers (a real server on
 * loopback, real benchmarks), valid against the JSON Schema shipped in the package, read back
 * unchanged, and refused with a clear message when it is not a report of this version.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { withoutCaughtErrors } from '../../src/gate/records.js'
import { keptRecords } from '../../src/gate/session.js'
import { buildRunReport, orphanedBaselineFiles, parseRunReport, serializeRunReport } from '../../src/report/build.js'
import '../../src/runners/vitest.js'
import { useScratchRoot } from './scratch-root.js'

const root = useScratchRoot('perfgate-report-json-')
const schema = JSON.parse(readFileSync(new URL('../../schema/perfgate-report.schema.json', import.meta.url), 'utf8')) as object
let server: FixtureServer

beforeAll(async () => {
  server = await startFixtureServer()
})

afterAll(async () => {
  await server.close()
})

describe('perfgate-report.json', () => {
  // Run twice (a repeat keeps the key): the first run records the baseline, the second compares
  // with it. Only the record matters here, not its verdict (40 ms of sampling decides little).
  it('a baseline, recorded then compared', { repeats: 1 }, async () => {
    await expect(() => Math.sqrt(2))
      .toMatchBaseline({ time: 40, warmupTime: 0, rounds: 4 })
      .catch(() => undefined)
  })

  it('holds every record of the three matchers and of one that stopped with an error, valid against the shipped schema, and reads back the same', async () => {
    await expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 10, warmup: 1 })
    await expect(`${server.url}/status/503`).not.toSustainSuccessRate(0.9, { requests: 10, concurrency: 2 })
    // An assertion that stops with an error (here a wrong argument) keeps an error record; this
    // test catches it and passes, so the reporters drop it again (withoutCaughtErrors).
    await expect(expect(`${server.url}/fast`).toRespondWithin(-5)).rejects.toThrow(TypeError)
    await expect(expect(`${server.url}/fast`).not.toSustainSuccessRate(2)).rejects.toThrow(TypeError)
    const records = keptRecords().filter((record) => record.testFile === import.meta.filename)
    expect(records.map((record) => record.kind)).toEqual(['baseline', 'baseline', 'latency', 'load', 'error', 'error'])
    expect(records[4]).toMatchObject({ kind: 'error', pass: false, negated: false, matcher: 'toRespondWithin', target: `${server.url}/fast`, error: 'TypeError PERFGATE_INVALID_ARGUMENT' })
    expect(records[4]?.kind === 'error' && records[4].message).toMatch(/^Expected `budgetMs`/)
    // Under .not too it is a failure, by the rule every reader applies: negated ? pass : !pass.
    expect(records[5]).toMatchObject({ kind: 'error', pass: false, negated: false, matcher: 'toSustainSuccessRate' })
    expect(withoutCaughtErrors(records, true).map((record) => record.kind)).toEqual(['baseline', 'baseline', 'latency', 'load'])
    expect(withoutCaughtErrors(records, false)).toHaveLength(6)

    const report = buildRunReport({ runner: { name: 'vitest', version: '4' }, rootDir: root, records })
    const text = serializeRunReport(report)
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema)
    const data = JSON.parse(text) as unknown
    expect(validate(data), JSON.stringify(validate.errors, null, 2)).toBe(true)
    expect(parseRunReport(text, 'perfgate-report.json')).toEqual(data)
    expect(report).toMatchObject({ version: 1, tool: { name: 'perfgate' }, runner: { name: 'vitest' }, stale: { obsoleteEntries: [], orphanedFiles: [] } })
    // The second comparison of the same function: it has a baseline and a comparison to draw.
    const compared = report.records[1]
    expect(compared?.kind === 'baseline' && compared.baseline !== null && compared.baseline.sample.length > 0).toBe(true)
  })

  it('is refused, naming the file and the problem, when empty, not JSON, not a report, or another version', () => {
    expect(() => parseRunReport('', 'a.json')).toThrow('a.json: the file is empty')
    expect(() => parseRunReport('{', 'a.json')).toThrow(/a\.json: not JSON/)
    expect(() => parseRunReport('[]', 'a.json')).toThrow('a.json: not a perfgate run report (expected a JSON object)')
    expect(() => parseRunReport('{"version":2,"records":[]}', 'a.json')).toThrow('a.json: a run report of format version 2; this perfgate reads version 1')
  })

  it('lists baseline files whose test file is gone, and no other', async () => {
    const dir = join(root, 'orphans')
    mkdirSync(join(dir, 'baselines', 'test'), { recursive: true })
    mkdirSync(join(dir, 'test'), { recursive: true })
    writeFileSync(join(dir, 'test', 'kept.test.ts'), '')
    writeFileSync(join(dir, 'baselines', 'test', 'kept.test.ts.json'), '{}')
    writeFileSync(join(dir, 'baselines', 'test', 'deleted.test.ts.json'), '{}')
    expect(await orphanedBaselineFiles(dir, 'baselines')).toEqual([join(dir, 'baselines', 'test', 'deleted.test.ts.json')])
    expect(await orphanedBaselineFiles(dir, 'nowhere')).toEqual([])
  })
})
