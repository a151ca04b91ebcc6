/**
 * Sharded runs for the compatibility matrix (matrix.test.ts): a cell runs generated test files
 * unsharded, then as `--shard=1/2` and `--shard=2/2`; `perfgate merge` (the installed package's
 * bin) merges the shards' perfgate-report.json, and the merged report must equal the unsharded
 * one apart from timings and measured values: the records (which, in what order, with what
 * verdict), the stale baselines, and everything else the report says about the run.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { relative } from 'node:path'
import { expect, it } from 'vitest'
import type { Cell, Env, Run } from './matrix-cells.js'

export interface ShardMergeOptions {
  readonly cell: Cell
  /** Runs the cell's test runner with extra arguments and environment. */
  readonly run: (name: string, args: readonly string[], env?: Env) => Promise<Run>
  /** Arguments that select the generated files (`shards/`) and, where needed, perfgate's reporter. */
  readonly select: readonly string[]
  /** The generated test file of `name` (`s1`…`s3`, and `gone`), relative to the project. */
  readonly testFile: (name: string) => string
  /** Its text: latency, load and baseline assertions; a seed run records the baseline `old` instead of `current`. */
  readonly testText: (name: string) => string
  /** The Node that runs the perfgate bin. */
  readonly node: () => Promise<string | undefined>
  readonly timeoutMs: number
}

/** The test files each run has (three: the shards get two and one); `gone` exists only in the seed run, so its baseline file is orphaned after. */
const testNames = ['s1', 's2', 's3']

interface ReportJson {
  readonly createdAt: string
  readonly records: readonly Record<string, unknown>[]
  readonly stale: { readonly obsoleteEntries: readonly { file: string; keys: string[] }[]; readonly orphanedFiles: readonly string[] } | null
  readonly shard?: { readonly index: number; readonly count: number }
  readonly [field: string]: unknown
}

/** What a record says apart from timings and measured values. */
const recordFields = [
  'kind',
  'testFile',
  'testName',
  'line',
  'pass',
  'negated',
  'key',
  'baselineFile',
  'environmentId',
  'updateMode',
  'verdict',
  'written',
  'target',
  'budgetMs',
  'statistic',
  'model',
  'minRate',
  'concurrency',
  'total',
]

/** The report without its timings: `createdAt` gone, each record cut to `recordFields`. */
function withoutTimings(report: ReportJson): Record<string, unknown> {
  const { createdAt: _createdAt, records, ...rest } = report
  return { ...rest, records: records.map((record) => Object.fromEntries(recordFields.filter((field) => field in record).map((field) => [field, record[field]]))) }
}

/**
 * Defines the test: a seed run records the baseline entries that later runs leave unasked
 * (obsolete) and a baseline file whose test file is then deleted (orphaned); before each later
 * run the baselines go back to the seed, so every run starts from the same files and records its
 * `current` entries afresh (verdict `new`, whatever the timings).
 */
export function defineShardMerge(options: ShardMergeOptions): void {
  const { cell, run, select } = options
  it('a run in two shards (--shard=1/2, --shard=2/2), merged with `perfgate merge`, equals the unsharded run apart from timings', { timeout: options.timeoutMs }, async () => {
    const dir = await cell.dir()
    const path = (...segments: string[]): Promise<string> => cell.path(...segments)
    const scratch = ['shards', 'baselines', '.perfgate', '.seed-baselines', 'merge-inputs']
    for (const name of scratch) await rm(await path(name), { recursive: true, force: true })
    await mkdir(await path('shards'), { recursive: true })
    await mkdir(await path('merge-inputs'), { recursive: true })
    try {
      for (const name of [...testNames, 'gone']) await writeFile(await path(options.testFile(name)), options.testText(name))
      const seed = await run('shards: seed', select, { PERFGATE_UPDATE: 'new', PERFGATE_E2E_SEED: '1' })
      expect(seed.result.code, seed.transcript).toBe(0)
      await rm(await path(options.testFile('gone')))
      await cp(await path('baselines'), await path('.seed-baselines'), { recursive: true })

      /** A run from the seed baselines; its report copied to merge-inputs/<name>.json. */
      const runFromSeed = async (name: string, args: readonly string[]): Promise<{ file: string; report: ReportJson }> => {
        await rm(await path('baselines'), { recursive: true, force: true })
        await rm(await path('.perfgate'), { recursive: true, force: true })
        await cp(await path('.seed-baselines'), await path('baselines'), { recursive: true })
        const result = await run(`shards: ${name}`, [...select, ...args], { PERFGATE_UPDATE: 'new' })
        expect(result.result.code, result.transcript).toBe(0)
        const file = `merge-inputs/${name}.json`
        await cp(await path('.perfgate', 'perfgate-report.json'), await path(file))
        return { file, report: JSON.parse(await readFile(await path(file), 'utf8')) as ReportJson }
      }
      const unsharded = await runFromSeed('unsharded', [])
      const shards = [await runFromSeed('shard-1', ['--shard=1/2']), await runFromSeed('shard-2', ['--shard=2/2'])]

      // The scenario has what it is about: records of every kind, obsolete entries in every file, an orphaned file.
      const testFiles = (report: ReportJson): string[] => [...new Set(report.records.map((record) => String(record.testFile)))].sort()
      expect(testFiles(unsharded.report).map((file) => relative(dir, file))).toEqual(testNames.map((name) => options.testFile(name)))
      expect(new Set(unsharded.report.records.map((record) => record.kind))).toEqual(new Set(['latency', 'load', 'baseline']))
      expect(unsharded.report.stale?.obsoleteEntries.map((entry) => entry.keys)).toEqual(testNames.map((name) => [`${name}: baseline >> old`]))
      expect(unsharded.report.stale?.orphanedFiles).toEqual([`baselines/${options.testFile('gone')}.json`])
      expect('shard' in unsharded.report).toBe(false)
      // Each shard ran some of the files, none twice, and says which shard it was.
      for (const [i, { report }] of shards.entries()) {
        expect(report.shard).toEqual({ index: i + 1, count: 2 })
        expect(testFiles(report).length).toBeGreaterThan(0)
      }
      expect(shards.flatMap(({ report }) => testFiles(report)).sort()).toEqual(testFiles(unsharded.report))

      const merge = await cell.run('shards: perfgate merge', 'perfgate', ['merge', ...shards.map((shard) => shard.file), '--out', 'merge-inputs/merged.json'], {
        node: await options.node(),
      })
      expect(merge.result.code, merge.transcript).toBe(0)
      expect(merge.result.stderr, merge.transcript).toBe('')
      const merged = JSON.parse(await readFile(await path('merge-inputs', 'merged.json'), 'utf8')) as ReportJson
      expect(withoutTimings(merged)).toEqual(withoutTimings(unsharded.report))
      expect(merged.records.length).toBe(unsharded.report.records.length)

      // The other commands on these real runs' reports: report renders the merged run; compare
      // pairs every entry of the two runs (a threshold of 900% keeps noise from deciding: this
      // is about reading real reports); baselines check lists what the run found stale.
      const node = await options.node()
      const shown = await cell.run('shards: perfgate report', 'perfgate', ['report', 'merge-inputs/merged.json', '--format', 'md'], { node })
      expect(shown.result.code, shown.transcript).toBe(0)
      expect(shown.result.stdout, shown.transcript).toContain('### Baselines')
      const compared = await cell.run('shards: perfgate compare', 'perfgate', ['compare', unsharded.file, 'merge-inputs/merged.json', '--threshold', '9'], { node })
      expect(compared.result.code, compared.transcript).toBe(0)
      for (const name of testNames) expect(compared.result.stdout, compared.transcript).toContain(`${name}: baseline`)
      expect(compared.result.stdout, compared.transcript).not.toContain('regressed')
      const checked = await cell.run('shards: perfgate baselines check', 'perfgate', ['baselines', 'check', '--report', 'merge-inputs/merged.json'], { node })
      expect(checked.result.code, checked.transcript).toBe(1)
      for (const name of testNames) expect(checked.result.stdout, checked.transcript).toContain(`${name}: baseline >> old`)
      expect(checked.result.stdout, checked.transcript).toContain(`baselines/${options.testFile('gone')}.json`)
    } finally {
      for (const name of scratch) await rm(await path(name), { recursive: true, force: true })
    }
  })
}

/** A generated Vitest test file (TypeScript, ESM) of the sharded runs. */
export function vitestShardFile(name: string): string {
  return `import { expect, test } from 'vitest'

const quick = { time: 20, warmupTime: 0, rounds: 2 }
const baseline = process.env.PERFGATE_E2E_SEED === '1' ? 'old' : 'current'

test('${name}: latency and load', async () => {
  await expect(() => Math.sqrt(2)).toRespondWithin(1000, { samples: 5, warmup: 0 })
  await expect(() => new Promise((resolve) => setTimeout(resolve, 5))).not.toRespondWithin(1, { samples: 2, warmup: 0 })
  await expect(() => Math.sqrt(3)).toSustainSuccessRate(0.9, { requests: 10, concurrency: 2 })
})

test('${name}: baseline', async () => {
  await expect(() => Math.sqrt(5)).toMatchBaseline({ ...quick, name: baseline })
})
`
}

/** A generated Jest test file (CommonJS, Jest's globals) of the sharded runs. */
export function jestShardFile(name: string): string {
  return `/* global test, expect */
const quick = { time: 20, warmupTime: 0, rounds: 2 }
const baseline = process.env.PERFGATE_E2E_SEED === '1' ? 'old' : 'current'
const { sqrt } = Math

test('${name}: latency and load', async () => {
  await expect(() => sqrt(2)).toRespondWithin(1000, { samples: 5, warmup: 0 })
  await expect(() => new Promise((resolve) => setTimeout(resolve, 5))).not.toRespondWithin(1, { samples: 2, warmup: 0 })
  await expect(() => sqrt(3)).toSustainSuccessRate(0.9, { requests: 10, concurrency: 2 })
}, 60000)

test('${name}: baseline', async () => {
  await expect(() => sqrt(5)).toMatchBaseline({ ...quick, name: baseline })
}, 60000)
`
}
