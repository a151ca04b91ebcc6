/**
 * `perfgate compare <base.json> <head.json>`: two run files, compared entry by entry; exit 1 on
 * a regression, 2 on bad usage, an unreadable file, or two runs with nothing in common. The
 * records come from a real benchmark() through checkBaseline, the code path of toMatchBaseline,
 * in two scratch checkouts; slowdowns are planted on copies of that one measurement (10×) or on
 * synthetic rounds (1.5×), so no verdict depends on how busy the machine is.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BaselineFile, memoryBaselineFileSystem } from '../../src/baselines/store.js'
import { compareCommand } from '../../src/cli/compare.js'
import { runCli } from '../../src/cli/main.js'
import { defaultConfig } from '../../src/config/config.js'
import { checkBaseline, resolveBaselineOptions } from '../../src/gate/check-baseline.js'
import type { BaselineCheckRecord, PerfRecord } from '../../src/gate/records.js'
import { benchmark } from '../../src/measure/benchmark.js'
import type { BenchmarkResult } from '../../src/measure/benchmark.js'
import { buildRunReport, serializeRunReport } from '../../src/report/build.js'
import { summarizeSorted } from '../../src/stats/index.js'
import { baselineRecord, erroredBaseline, fastEndpoint, rootDir as fixtureRoot, syntheticMeasurement } from '../unit/report-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'perfgate-cli-compare-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The baseline check of `measured` in a scratch checkout `root`, as toMatchBaseline makes it (recorded: a first run). */
async function checked(root: string, key: string, measured: BenchmarkResult): Promise<BaselineCheckRecord> {
  const shownPath = join('baselines', 'test', 'sum.perf.ts.json')
  const file = await BaselineFile.open(memoryBaselineFileSystem(), join(root, shownPath), 'new')
  const site = { testFile: join(root, 'test', 'sum.perf.ts'), testName: key, line: 3 }
  const context = { site, key, file, shownPath, rootDir: root, updateMode: 'new', recordMode: 'replace', missingBaseline: 'fail' } as const
  return checkBaseline(measured, context, resolveBaselineOptions({}, defaultConfig))
}

/** A run file of `records` made in checkout `root`. */
function runFile(name: string, root: string, records: readonly PerfRecord[]): string {
  const path = join(dir, name)
  writeFileSync(path, serializeRunReport(buildRunReport({ runner: { name: 'vitest', version: '4' }, rootDir: root, records })))
  return path
}

/** The same measurement, every sample and round `factor` times slower. */
function slowed(result: BenchmarkResult, factor: number): BenchmarkResult {
  const samples = result.samples.map((x) => x * factor)
  return { ...result, samples, summary: summarizeSorted(samples), rounds: result.rounds.map((x) => x * factor) }
}

/** A recorded baseline entry at `center` ms, 10 rounds within ±3% (synthetic, for planted changes of 1.5×). */
function synthetic(key: string, center: number): BaselineCheckRecord {
  return baselineRecord(key, 'new', null, {
    written: 'recorded',
    measurement: syntheticMeasurement(center),
  })
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } })
  return { code, stdout, stderr }
}

const baseRoot = join(dir, 'base-checkout')
const headRoot = join(dir, 'head-checkout')
let measured: BenchmarkResult
let aa: { base: string; head: string }
let tenfold: string

beforeAll(async () => {
  measured = await benchmark('sum', () => {
    let total = 0
    for (let i = 0; i < 200; i++) total += Math.sqrt(i)
    return total
  }, { time: 100, warmupTime: 20 })
  aa = {
    base: runFile('aa-base.json', baseRoot, [await checked(baseRoot, 'sum > adds', measured)]),
    head: runFile('aa-head.json', headRoot, [await checked(headRoot, 'sum > adds', measured)]),
  }
  tenfold = runFile('tenfold-head.json', headRoot, [await checked(headRoot, 'sum > adds', slowed(measured, 10))])
})

describe('perfgate compare', () => {
  it('reads what a baseline check records: the rounds, the machine while measuring, and the options it decided with', async () => {
    const record = await checked(baseRoot, 'sum > reads', measured)
    expect(record.measurement).toMatchObject({ rounds: measured.rounds, machine: measured.machine })
    expect(record.compareOptions).toEqual({ threshold: 0.1, alpha: 0.01, statistic: 'median', environment: 'strict' })
  })

  it('exits 0 with no regression when both runs hold the same measurement (A/A), matched across two checkouts', async () => {
    const result = await cli('compare', aa.base, aa.head)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('1 entry compared')
    expect(result.stdout).toContain('sum > adds')
    expect(result.stdout).not.toContain('regressed')
    // The same file twice compares, and says so: most often a typo in a script.
    const itself = await cli('compare', aa.base, aa.base)
    expect(itself.code).toBe(0)
    expect(itself.stderr).toBe(`perfgate: base and head are the same file (${aa.base}): every entry compares with itself\n`)
  })

  it('exits 1 when the head is the same measurement made 10× slower', async () => {
    const result = await cli('compare', aa.base, tenfold)
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/sum > adds .*\+900% .*regressed/)
  })

  it('exits 1 on a planted 1.5× slowdown, with the table in text or Markdown, to stdout or --out', async () => {
    const base = runFile('planted-base.json', fixtureRoot, [synthetic('parse', 1), synthetic('sort', 2)])
    const head = runFile('planted-head.json', fixtureRoot, [synthetic('parse', 1), synthetic('sort', 3)])
    const text = await cli('compare', base, head)
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/^ +sort +2\.00 ms +3\.00 ms +\+50% .* regressed/m)
    expect(text.stdout).toMatch(/^ +parse +1\.00 ms +1\.00 ms .* unchanged/m)

    const md = await cli('compare', base, head, '--format', 'md')
    expect(md.code).toBe(1)
    expect(md.stdout).toMatch(/^\| name \| base \| head \|/m)
    expect(md.stdout).toMatch(/^\| sort<br>.*❌ \*\*regressed\*\* \|/m)

    // Into a folder that does not exist yet: made (it crashed with exit 1, read as a regression).
    const out = join(dir, 'out', 'compare.md')
    const written = await cli('compare', base, head, '--format', 'md', '--out', out)
    expect(written.code).toBe(1)
    expect(written.stdout).toBe('')
    expect(readFileSync(out, 'utf8')).toBe(md.stdout)

    // A threshold above the slowdown lets it through.
    expect((await cli('compare', base, head, '--threshold', '0.6')).code).toBe(0)
  })

  it('exits 1 when a latency budget met on the base fails on the head', async () => {
    const base = runFile('latency-base.json', fixtureRoot, [fastEndpoint])
    const head = runFile('latency-head.json', fixtureRoot, [{ ...fastEndpoint, pass: false, value: 250 }])
    const result = await cli('compare', base, head)
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/pass: p95 .* ≤ 200 ms +fail: p95 250 ms > 200 ms +regressed/)
  })

  it('takes the threshold of perfgate.config.json5 in the current directory for records that do not carry their own', async () => {
    const old = (record: BaselineCheckRecord): BaselineCheckRecord => ({ ...record, compareOptions: undefined })
    const base = runFile('old-base.json', fixtureRoot, [old(synthetic('sort', 2))])
    const head = runFile('old-head.json', fixtureRoot, [old(synthetic('sort', 3))])
    const project = join(dir, 'project')
    mkdirSync(project, { recursive: true })
    writeFileSync(join(project, 'perfgate.config.json5'), '{ threshold: 0.6 }\n')
    const io = { stdout: { write: () => true }, stderr: { write: () => true } }
    expect(await compareCommand([base, head], io, project)).toBe(0)
    expect(await compareCommand([base, head], io, dir)).toBe(1)
  })

  it('exits 1 when the head run broke a perf check that the base measured: it stopped with an error there', async () => {
    const base = runFile('measured-base.json', fixtureRoot, [synthetic('parse', 1)])
    const head = runFile('broken-head.json', fixtureRoot, [erroredBaseline])
    const result = await cli('compare', base, head)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('0 entries compared; 1 stopped with an error in the head run only')
    expect(result.stdout).toContain('head run only (counted as a regression): test/parser.perf.ts: parser > tokenizes a line')
  })

  it('exits 2 for two runs with no entry in common, saying what each holds', async () => {
    const base = runFile('only-a.json', fixtureRoot, [synthetic('parse', 1), synthetic('sort', 1)])
    const head = runFile('only-b.json', fixtureRoot, [synthetic('encode', 1), fastEndpoint])
    const result = await cli('compare', base, head)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('only-a.json and ')
    expect(result.stderr).toContain('have no entry in common')
    expect(result.stderr).toMatch(/only-a\.json holds 2 baseline entries \(test\/parser\.perf\.ts: parse, test\/parser\.perf\.ts: sort\), no latency budget, no load run/)
    expect(result.stderr).toMatch(/only-b\.json holds 1 baseline entry \(test\/parser\.perf\.ts: encode\), 1 latency budget \(test\/api\.perf\.ts: /)

    const empty = runFile('empty-run.json', fixtureRoot, [])
    expect((await cli('compare', empty, head)).stderr).toContain('empty-run.json holds no perf assertion')
  })

  it('exits 2 when the entries in common were measured in neither run, saying why', async () => {
    const unmeasured = { ...synthetic('parse', 1), verdict: 'missing', pass: false, measurement: null, written: null } as const
    const file = runFile('unmeasured.json', fixtureRoot, [unmeasured])
    const result = await cli('compare', file, file)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('have 1 entry in common, and none could be compared')
    expect(result.stderr).toContain('run both in measure-only mode, PERFGATE_MODE=measure')
  })

  it.each([
    ['a missing base', () => [join(dir, 'nope.json'), aa.head], 'nope.json: no such file'],
    ['an empty head', () => [aa.base, write('empty.json', '')], 'empty.json: the file is empty'],
    ['a truncated head', () => [aa.base, write('truncated.json', readFileSync(aa.head, 'utf8').slice(0, 200))], 'truncated.json: not JSON'],
    ['a run of another version', () => [write('v2.json', '{"version":2,"records":[]}'), aa.head], 'v2.json: a run report of format version 2'],
  ])('exits 2 for %s, naming the file', async (_label, files, message) => {
    const result = await cli('compare', ...files())
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stdout).toBe('')
  })

  it('exits 2 for bad usage; --help exits 0', async () => {
    expect((await cli('compare', aa.base)).stderr).toContain('compare needs two run files, the base and the head (got 1)')
    expect((await cli('compare', aa.base, aa.head, tenfold)).code).toBe(2)
    expect((await cli('compare', aa.base, aa.head, '--format', 'html')).stderr).toContain('--format must be text or md, not "html"')
    expect((await cli('compare', aa.base, aa.head, '--threshold', 'ten')).stderr).toContain('--threshold must be a number above 0')
    expect((await cli('compare', aa.base, aa.head, '--alpha', '0.7')).code).toBe(2)
    const help = await cli('compare', '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: perfgate compare <base.json> <head.json>')
    expect((await cli('--help')).stdout).toContain('compare <base.json> <head.json>')
  })

  it('runs as the package bin with a real Node (the built dist)', () => {
    const bin = fileURLToPath(new URL('../../bin/perfgate.js', import.meta.url))
    expect(existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url))), 'run `npm run build` first (npm test does)').toBe(true)
    const regressed = spawnSync(process.execPath, [bin, 'compare', aa.base, tenfold], { encoding: 'utf8', timeout: 60_000 })
    expect(regressed.status, regressed.stderr).toBe(1)
    expect(regressed.stdout).toContain('regressed')
  })
})

function write(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}
