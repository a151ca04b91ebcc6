/**
 * Merging the run reports of a sharded suite: the shards of a run merge into the report the
 * unsharded run gives (timings apart), whatever order they are given in; runs that cannot be one
 * run are refused naming the file; a missing shard or another environment is only said.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import type { PerfRecord } from '../../src/gate/records.js'
import { buildRunReport, parseRunReport, serializeRunReport } from '../../src/report/build.js'
import type { RunInput } from '../../src/report/build.js'
import { mergeRunReports } from '../../src/report/merge.js'
import type { RunReport } from '../../src/report/model.js'
import { everyRecord, rootDir, runReport } from './report-fixtures.js'

const files = {
  parser: `${rootDir}/test/parser.perf.ts`,
  api: `${rootDir}/test/api.perf.ts`,
  load: `${rootDir}/test/load.perf.ts`,
  serializer: `${rootDir}/test/serializer.perf.ts`,
  search: `${rootDir}/test/search.perf.ts`,
}
// Obsolete entries of two fully run files, and an orphaned baseline file every shard sees.
const apiObsolete = { file: 'baselines/test/api.perf.ts.json', keys: ['api > gone'] }
const obsolete = [{ file: 'baselines/test/parser.perf.ts.json', keys: ['parser > old', 'parser > older'] }, apiObsolete]
const orphanedFiles = ['baselines/test/removed.perf.ts.json']
const createdAt = new Date('2026-11-29T16:00:00.000Z')

/** The run of the test files in `testFiles`, as a run of them alone writes it. */
function runOf(testFiles: readonly string[], fields: Partial<RunInput> = {}): RunReport {
  const own = (file: string): boolean => testFiles.includes(file)
  return buildRunReport({
    runner: { name: 'vitest', version: '4.1.12' },
    rootDir,
    records: everyRecord.filter((record) => own(record.testFile)),
    obsolete: obsolete.filter((entry) => own(`${rootDir}/${entry.file.slice('baselines/'.length, -'.json'.length)}`)),
    orphanedFiles,
    createdAt,
    ...fields,
  })
}

const allFiles = Object.values(files)
const shardOne = [files.parser, files.load, files.search]
const shardTwo = [files.api, files.serializer]
const unsharded = runOf(allFiles)

function named(...reports: RunReport[]): { file: string; report: RunReport }[] {
  return reports.map((report, i) => ({ file: `shard-${i + 1}.json`, report }))
}

describe('mergeRunReports', () => {
  it('merges the shards of a run into the report of the unsharded run, timings apart', () => {
    const one = runOf(shardOne, { shard: { index: 1, count: 2 }, createdAt: new Date('2026-11-29T16:01:00.000Z') })
    const two = runOf(shardTwo, { shard: { index: 2, count: 2 }, createdAt: new Date('2026-11-29T16:03:00.000Z') })
    expect(one.shard).toEqual({ index: 1, count: 2 })
    // Each shard has the obsolete entries of its own files only.
    expect(one.stale?.obsoleteEntries.map((entry) => entry.file)).toEqual(['baselines/test/parser.perf.ts.json'])
    for (const order of [named(one, two), named(two, one)]) {
      const { report, warnings } = mergeRunReports(order)
      expect(warnings).toEqual([])
      expect({ ...report, createdAt: unsharded.createdAt }).toEqual(unsharded)
      expect(serializeRunReport({ ...report, createdAt: unsharded.createdAt })).toBe(serializeRunReport(unsharded))
      // The run ended when its last shard did.
      expect(report.createdAt).toBe('2026-11-29T16:03:00.000Z')
      expect('shard' in report).toBe(false)
    }
  })

  it('keeps each file\'s records in the order its shard finished them, files in path order', () => {
    const [first, second] = everyRecord.filter((record) => record.testFile === files.parser)
    if (first === undefined || second === undefined) throw new Error('the fixtures have two parser records')
    const reversed = buildRunReport({ runner: { name: 'vitest', version: '4.1.12' }, rootDir, records: [second, first], createdAt })
    const other = runOf([files.api])
    const { report } = mergeRunReports(named(reversed, other))
    const names = (records: readonly PerfRecord[]): string[] => records.map((record) => `${record.testFile.slice(rootDir.length + 1)}: ${record.testName}`)
    expect(names(report.records)).toEqual(names([...other.records, second, first]))
  })

  it('merges one report into itself without its shard, and says which shards are missing', () => {
    const one = runOf(shardOne, { shard: { index: 1, count: 3 } })
    const { report, warnings } = mergeRunReports(named(one))
    expect(report.records).toEqual(one.records)
    expect('shard' in report).toBe(false)
    expect(warnings).toEqual(['no report of shard 2/3, 3/3 among the inputs; merged the others (a shard without perf assertions writes no report)'])
  })

  it('says when the shards ran in different environments, and keeps the first one\'s', () => {
    const one = runOf(shardOne)
    const two = { ...runOf(shardTwo), environment: { ...one.environment, id: 'linux-x64-node22-4c-abcdef' } }
    const { report, warnings } = mergeRunReports(named(one, two))
    expect(report.environment).toEqual(one.environment)
    expect(warnings).toEqual([`the shards ran in different environments (shard-1.json: ${one.environment.id}; shard-2.json: linux-x64-node22-4c-abcdef); the merged report names the first one's`])
  })

  it('gives stale null when any shard does not know it', () => {
    const one = runOf(shardOne)
    const two = { ...runOf(shardTwo), stale: null }
    expect(mergeRunReports(named(one, two)).report.stale).toBeNull()
  })

  it.each([
    ['another runner', { runner: { name: 'jest', version: '30.2.0' } }, 'shard-2.json: a run of jest 30.2.0, but shard-1.json is one of vitest 4.1.12; only the shards of one run merge'],
    ['another runner version', { runner: { name: 'vitest', version: '4.0.0' } }, 'shard-2.json: a run of vitest 4.0.0, but shard-1.json is one of vitest 4.1.12'],
    ['another perfgate version', { tool: { name: 'perfgate', version: '0.0.9' } }, 'shard-2.json: written by perfgate 0.0.9, but shard-1.json by perfgate'],
    ['another root', { rootDir: '/elsewhere' }, 'shard-2.json: project root /elsewhere, but shard-1.json has /repo; the shards of one run share their root'],
    ['another commit', { git: { commit: 'b'.repeat(40) } }, `shard-2.json: made at commit ${'b'.repeat(40)}, but shard-1.json at ${'a'.repeat(40)}`],
  ] as const)('refuses %s, naming the file', (_label, fields, message) => {
    const one = { ...runOf(shardOne), git: { commit: 'a'.repeat(40) } }
    const two = { ...runOf(shardTwo), git: { commit: 'a'.repeat(40) }, ...fields } as RunReport
    expect(() => mergeRunReports(named(one, two))).toThrow(expect.objectContaining({ code: 'PERFGATE_REPORT_MERGE', message: expect.stringContaining(message) }))
  })

  it('merges a shard without a commit with one that has it, but not two others with two commits', () => {
    const one = { ...runOf([files.parser]), git: { commit: null } }
    const two = { ...runOf([files.api]), git: { commit: 'a'.repeat(40) } }
    expect(mergeRunReports(named(one, two)).report.git.commit).toBe('a'.repeat(40))
    const three = { ...runOf([files.load]), git: { commit: 'b'.repeat(40) } }
    expect(() => mergeRunReports(named(one, two, three))).toThrow(`shard-3.json: made at commit ${'b'.repeat(40)}, but shard-2.json at ${'a'.repeat(40)}`)
  })

  it('refuses a test file in two runs (an unsharded run among shards), naming it', () => {
    const whole = runOf(allFiles)
    const two = runOf(shardTwo, { shard: { index: 2, count: 2 } })
    expect(() => mergeRunReports(named(whole, two))).toThrow(
      expect.objectContaining({ code: 'PERFGATE_REPORT_MERGE', message: 'shard-2.json: test/api.perf.ts is in shard-1.json too; a test file runs in one shard only' }),
    )
  })

  it('refuses the obsolete entries of one baseline file in two runs: its test file ran in both', () => {
    const one = { ...runOf([files.load]), stale: { obsoleteEntries: [apiObsolete], orphanedFiles } }
    const two = runOf([files.api])
    expect(() => mergeRunReports(named(one, two))).toThrow('shard-2.json: the test file of baselines/test/api.perf.ts.json ran in shard-1.json too')
  })

  it('refuses shards of different splits, and the same shard twice', () => {
    const one = runOf(shardOne, { shard: { index: 1, count: 2 } })
    const ofThree = runOf(shardTwo, { shard: { index: 2, count: 3 } })
    expect(() => mergeRunReports(named(one, ofThree))).toThrow('shard-2.json: shard 2/3, but shard-1.json is a shard of 2; only the shards of one split merge')
    const again = runOf(shardTwo, { shard: { index: 1, count: 2 } })
    expect(() => mergeRunReports(named(one, again))).toThrow('shard-2.json: shard 1/2 again (shard-1.json is that shard too)')
  })

  it('refuses nothing to merge, and a report without the fields it reads', () => {
    expect(() => mergeRunReports([])).toThrow('no run reports to merge')
    const bare = { version: 1, records: [] } as unknown as RunReport
    expect(() => mergeRunReports(named(runReport([]), bare))).toThrow(expect.objectContaining({ code: 'PERFGATE_REPORT_INVALID', message: expect.stringContaining('shard-2.json: not a perfgate run report') }))
  })
})

describe('the shard field of a run report', () => {
  it('is written only for a shard, valid against the shipped schema, and read back', () => {
    expect('shard' in unsharded).toBe(false)
    const one = runOf(shardOne, { shard: { index: 1, count: 2 } })
    const schema = JSON.parse(readFileSync(new URL('../../schema/perfgate-report.schema.json', import.meta.url), 'utf8')) as object
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema)
    expect(validate(JSON.parse(serializeRunReport(one))), JSON.stringify(validate.errors, null, 2)).toBe(true)
    expect(validate(JSON.parse(serializeRunReport({ ...one, shard: { index: 0, count: 2 } })))).toBe(false)
    expect(parseRunReport(serializeRunReport(one), 'a.json').shard).toEqual({ index: 1, count: 2 })
  })

  it.each([{ index: 0, count: 2 }, { index: 3, count: 2 }, { index: 1.5, count: 2 }, { index: 1 }, null, 'one of two'])('is refused when malformed: %j', (shard) => {
    const text = JSON.stringify({ ...runReport([]), shard })
    expect(() => parseRunReport(text, 'a.json')).toThrow('a.json: "shard" must be { "index", "count" }: whole numbers with 1 ≤ index ≤ count')
  })
})
