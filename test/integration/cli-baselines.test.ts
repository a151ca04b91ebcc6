/**
 * `perfgate baselines check | prune | merge` on real projects in temporary folders, in-process
 * through runCli: what each lists, removes and writes, file by file, and the bad inputs that
 * exit 2 naming the file (and leave every file as it was).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { serializeBaselineFile } from '../../src/baselines/format.js'
import type { BaselineRecord } from '../../src/baselines/types.js'
import { runCli } from '../../src/cli/main.js'
import { buildRunReport, serializeRunReport } from '../../src/report/build.js'
import { missing } from '../unit/report-fixtures.js'

const scratch = mkdtempSync(join(tmpdir(), 'perfgate-cli-baselines-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const laptop = 'darwin-arm64-node22-10c-b41e07'
const ci = 'linux-x64-node20-2c-3f9a1c'

/** A valid record of environment `envId`, recorded at `recordedAt`, around `median` ms. */
function record(envId: string, recordedAt: string, median = 1.2): BaselineRecord {
  return {
    unit: 'ms',
    summary: { count: 400, mean: median, median, sd: 0.05, mad: 0.03, min: median * 0.9, max: median * 1.2, p50: median, p75: median * 1.05, p90: median * 1.1, p95: median * 1.15, p99: median * 1.18 },
    sample: [median * 0.9, median, median * 1.2],
    sampleCount: 400,
    rounds: [median, median * 1.01],
    noise: 0.01,
    environment: { id: envId, os: envId.split('-')[0]!, arch: 'x64', cpuModel: 'Test CPU', cores: 2, nodeMajor: 20 },
    recordedAt,
    perfgateVersion: '0.1.0',
    gitCommit: null,
  }
}

type Entries = Record<string, Record<string, BaselineRecord>>

function baselineText(entries: Entries): string {
  return serializeBaselineFile({ version: 1, entries })
}

function write(file: string, text: string): string {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
  return file
}

let projects = 0
/** A project root with these test files (empty) and baseline files (path under baselines/ → entries or raw text). */
function project(testFiles: readonly string[], baselines: Record<string, Entries | string>): { root: string; baseline: (name: string) => string } {
  const root = join(scratch, `project-${++projects}`)
  for (const file of testFiles) write(join(root, file), '')
  for (const [name, content] of Object.entries(baselines)) write(join(root, 'baselines', name), typeof content === 'string' ? content : baselineText(content))
  return { root, baseline: (name) => join(root, 'baselines', name) }
}

/** Writes `.perfgate/perfgate-report.json` as the reporter would after a full run; `stale: null` for one that is not. */
function writeReport(root: string, options: { obsolete?: { file: string; keys: string[] }[]; missingKeys?: { file: string; key: string }[]; notFull?: boolean; measuredKeys?: { file: string; key: string }[] }): string {
  const records = [
    ...(options.missingKeys ?? []).map(({ file, key }) => ({ ...missing, key, testName: key, baselineFile: file, environmentId: ci })),
    ...(options.measuredKeys ?? []).map(({ file, key }) => ({ ...missing, verdict: 'measured' as const, pass: true, key, testName: key, baselineFile: file, environmentId: ci })),
  ]
  const report = buildRunReport({ runner: { name: 'vitest', version: '4' }, rootDir: root, records, obsolete: options.obsolete ?? [] })
  return write(join(root, '.perfgate', 'perfgate-report.json'), serializeRunReport(options.notFull === true ? { ...report, stale: null } : report))
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } })
  return { code, stdout, stderr }
}

const old = '2026-01-10T09:00:00.000Z'
const newer = '2026-02-20T09:00:00.000Z'
const broken = '{\n  "version": 1,\n  "entries": {\n    "parser > parses": }\n}\n'
/** A file that parses, with one record that does not validate (no rounds). */
const invalidRecord = baselineText({ 'cache > warm': { [laptop]: record(laptop, old) } }).replace(/"rounds": \[[^\]]*\]/, '"rounds": []')

describe('perfgate baselines check', () => {
  it('lists per file the unreadable files (line and column), unreadable records, orphaned files, and the obsolete and missing entries of the run report; exits 1', async () => {
    const { root } = project(['test/a.test.ts', 'test/b.test.ts', 'test/c.test.ts'], {
      'test/a.test.ts.json': { 'parser > parses': { [laptop]: record(laptop, old) }, 'parser > gone test': { [laptop]: record(laptop, old) } },
      'test/b.test.ts.json': broken,
      'test/c.test.ts.json': invalidRecord,
      'test/deleted.test.ts.json': { 'x': { [laptop]: record(laptop, old) } },
    })
    writeReport(root, {
      obsolete: [{ file: 'baselines/test/a.test.ts.json', keys: ['parser > gone test', 'parser > already removed'] }],
      missingKeys: [{ file: 'baselines/test/a.test.ts.json', key: 'parser > new one' }, { file: 'baselines/test/a.test.ts.json', key: 'parser > parses' }],
    })
    const result = await cli('baselines', 'check', '--root', root)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(1)
    const lines = result.stdout.split('\n')
    expect(lines.slice(0, 10)).toEqual([
      'baselines/test/a.test.ts.json',
      '  obsolete: "parser > gone test" (no test asked for it)',
      `  missing: "parser > new one" for ${ci} (its test found no baseline to compare with)`,
      `  missing: "parser > parses" for ${ci} (its test found no baseline to compare with)`,
      'baselines/test/b.test.ts.json',
      expect.stringMatching(/^ {2}unreadable: Cannot parse the baseline file baselines\/test\/b\.test\.ts\.json at line 4, column 24: /),
      'baselines/test/c.test.ts.json',
      `  unreadable record: entries["cache > warm"]["${laptop}"].rounds must hold at least one number`,
      'baselines/test/deleted.test.ts.json',
      '  orphaned: its test file test/deleted.test.ts no longer exists',
    ])
    expect(result.stdout).toContain('Obsolete and missing entries: from the run report .perfgate/perfgate-report.json (vitest, ')
    expect(result.stdout).toContain('6 problems in 4 files (of 4 in baselines/).')
    expect(result.stdout).toContain('`perfgate baselines prune` removes them')
  })

  it('exits 0 on clean baselines, and says what it could not check without a run report', async () => {
    const { root } = project(['test/a.test.ts'], { 'test/a.test.ts.json': { 'parser > parses': { [laptop]: record(laptop, old) } } })
    const result = await cli('baselines', 'check', '--root', root)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Not checked: obsolete entries (no test asks for them) and missing ones (a test found none) need the report of a full run, and there is none at .perfgate/perfgate-report.json.')
    expect(result.stdout).toContain('No problems found in 1 baseline file in baselines/.')
  })

  it('says obsolete entries were not checked when the report is not from a full run, and still lists missing ones', async () => {
    const { root } = project(['test/a.test.ts'], { 'test/a.test.ts.json': { 'parser > parses': { [laptop]: record(laptop, old) } } })
    writeReport(root, { notFull: true, missingKeys: [{ file: 'baselines/test/b.test.ts.json', key: 'b > one' }] })
    const result = await cli('baselines', 'check', '--root', root)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`baselines/test/b.test.ts.json\n  missing: "b > one" for ${ci}`)
    expect(result.stdout).toContain('Not checked: obsolete entries. The report is not from a full run')
  })

  it('says obsolete and missing entries were not checked when the report is from a measure-only run (what perfgate ab leaves behind)', async () => {
    const { root } = project(['test/a.test.ts'], { 'test/a.test.ts.json': { 'parser > parses': { [laptop]: record(laptop, old) }, 'parser > gone': { [laptop]: record(laptop, old) } } })
    writeReport(root, { measuredKeys: [{ file: 'baselines/test/a.test.ts.json', key: 'parser > parses' }] })
    const result = await cli('baselines', 'check', '--root', root)
    expect(result.stdout).toContain('Not checked: obsolete and missing entries. That run was in measure-only mode (PERFGATE_MODE=measure')
    expect(result.stdout).not.toContain('The report lists obsolete entries only for')
  })

  it('exits 2 for a missing root, a missing or unreadable --report, and arguments it does not take', async () => {
    const missingRoot = await cli('baselines', 'check', '--root', join(scratch, 'nowhere'))
    expect(missingRoot.code).toBe(2)
    expect(missingRoot.stderr).toContain(`--root ${join(scratch, 'nowhere')}: no such directory`)
    const { root } = project(['test/a.test.ts'], {})
    const noReport = await cli('baselines', 'check', '--root', root, '--report', join(root, 'nope.json'))
    expect(noReport.code).toBe(2)
    expect(noReport.stderr).toContain('nope.json: no such file')
    const notJson = await cli('baselines', 'check', '--root', root, '--report', write(join(root, 'bad.json'), 'hello'))
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toContain('bad.json: not JSON')
    const extra = await cli('baselines', 'check', '--root', root, 'some-file')
    expect(extra.code).toBe(2)
    expect(extra.stderr).toContain('baselines check takes no file arguments (got some-file)')
    expect(extra.stderr).toContain('Usage: perfgate baselines check')
  })
})

describe('perfgate baselines prune', () => {
  it('removes orphaned files and the obsolete entries of a full run through the store, and says what it removed', async () => {
    const kept = { 'parser > parses': { [laptop]: record(laptop, old) } }
    const { root, baseline } = project(['test/a.test.ts', 'test/b.test.ts'], {
      'test/a.test.ts.json': { ...kept, 'parser > old': { [laptop]: record(laptop, old) }, 'parser > older': { [ci]: record(ci, old) } },
      'test/b.test.ts.json': { 'b > only': { [laptop]: record(laptop, old) } },
      'test/deleted.test.ts.json': { 'x': { [laptop]: record(laptop, old) } },
    })
    writeReport(root, {
      obsolete: [
        { file: 'baselines/test/a.test.ts.json', keys: ['parser > old', 'parser > older'] },
        { file: 'baselines/test/b.test.ts.json', keys: ['b > only'] },
      ],
    })
    const result = await cli('baselines', 'prune', '--root', root)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')).toEqual([
      'removed 2 obsolete entries from baselines/test/a.test.ts.json: "parser > old", "parser > older"',
      'removed 1 obsolete entry from baselines/test/b.test.ts.json (no entries left: the file goes too): "b > only"',
      'removed baselines/test/deleted.test.ts.json: its test file test/deleted.test.ts no longer exists',
      'Removed 2 files and 3 entries.',
      '',
    ])
    expect(readFileSync(baseline('test/a.test.ts.json'), 'utf8')).toBe(baselineText(kept))
    expect(existsSync(baseline('test/b.test.ts.json'))).toBe(false)
    expect(existsSync(baseline('test/deleted.test.ts.json'))).toBe(false)
    expect(existsSync(`${baseline('test/a.test.ts.json')}.lock`)).toBe(false)
    expect((await cli('baselines', 'prune', '--root', root)).stdout).toBe('Nothing to prune.\n')
  })

  it('with --dry-run says what it would remove and writes nothing', async () => {
    const entries = { 'parser > parses': { [laptop]: record(laptop, old) }, 'parser > old': { [laptop]: record(laptop, old) } }
    const { root, baseline } = project(['test/a.test.ts'], { 'test/a.test.ts.json': entries, 'test/deleted.test.ts.json': { 'x': { [laptop]: record(laptop, old) } } })
    writeReport(root, { obsolete: [{ file: 'baselines/test/a.test.ts.json', keys: ['parser > old'] }] })
    const result = await cli('baselines', 'prune', '--root', root, '--dry-run')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('would remove 1 obsolete entry from baselines/test/a.test.ts.json: "parser > old"')
    expect(result.stdout).toContain('would remove baselines/test/deleted.test.ts.json')
    expect(result.stdout).toContain('Dry run: would remove 1 file and 1 entry; nothing was written.')
    expect(readFileSync(baseline('test/a.test.ts.json'), 'utf8')).toBe(baselineText(entries))
    expect(existsSync(baseline('test/deleted.test.ts.json'))).toBe(true)
  })

  it('never touches an unreadable file, orphaned or listed obsolete, and exits 1 saying so', async () => {
    const { root, baseline } = project(['test/a.test.ts', 'test/c.test.ts'], {
      'test/a.test.ts.json': broken,
      'test/c.test.ts.json': invalidRecord,
      'test/deleted.test.ts.json': broken,
      'test/deleted-too.test.ts.json': invalidRecord,
    })
    writeReport(root, { obsolete: [{ file: 'baselines/test/a.test.ts.json', keys: ['parser > parses'] }, { file: 'baselines/test/c.test.ts.json', keys: ['cache > warm'] }] })
    const result = await cli('baselines', 'prune', '--root', root)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`not touched baselines/test/c.test.ts.json: perfgate cannot read all of it (entries["cache > warm"]["${laptop}"].rounds must hold at least one number)`)
    expect(result.stdout).toMatch(/^not touched baselines\/test\/deleted-too\.test\.ts\.json: /m)
    expect(readFileSync(baseline('test/c.test.ts.json'), 'utf8')).toBe(invalidRecord)
    expect(readFileSync(baseline('test/deleted-too.test.ts.json'), 'utf8')).toBe(invalidRecord)
    expect(result.stdout).toMatch(/^not touched baselines\/test\/a\.test\.ts\.json: perfgate cannot read all of it \(Cannot parse the baseline file baselines\/test\/a\.test\.ts\.json at line 4, column 24: /m)
    expect(result.stdout).toMatch(/^not touched baselines\/test\/deleted\.test\.ts\.json: /m)
    expect(result.stdout).toContain('Nothing pruned.')
    expect(readFileSync(baseline('test/a.test.ts.json'), 'utf8')).toBe(broken)
    expect(readFileSync(baseline('test/deleted.test.ts.json'), 'utf8')).toBe(broken)
  })

  it('refuses (exit 2) a report that is not from a full run, and removes nothing', async () => {
    const { root, baseline } = project(['test/a.test.ts'], { 'test/deleted.test.ts.json': { 'x': { [laptop]: record(laptop, old) } } })
    writeReport(root, { notFull: true })
    const result = await cli('baselines', 'prune', '--root', root)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('perfgate: not pruning: the run report .perfgate/perfgate-report.json is not from a full run')
    expect(result.stdout).toBe('')
    expect(existsSync(baseline('test/deleted.test.ts.json'))).toBe(true)
  })

  it('refuses (exit 2) a report made in another project root', async () => {
    const { root } = project(['test/a.test.ts'], {})
    const other = project([], {})
    const report = writeReport(other.root, { obsolete: [] })
    const result = await cli('baselines', 'prune', '--root', root, '--report', report)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`was made in ${other.root}, not in ${root}`)
  })

  it('leaves a file changed after the report for the next full run, and a read-only one, exiting 1', async () => {
    const entries = { 'parser > parses': { [laptop]: record(laptop, old) }, 'parser > old': { [laptop]: record(laptop, old) } }
    const { root, baseline } = project(['test/a.test.ts'], { 'test/a.test.ts.json': entries, 'test/deleted.test.ts.json': { 'x': { [laptop]: record(laptop, old) } } })
    writeReport(root, { obsolete: [{ file: 'baselines/test/a.test.ts.json', keys: ['parser > old'] }] })
    const later = new Date(Date.now() + 60_000)
    utimesSync(baseline('test/a.test.ts.json'), later, later)
    chmodSync(baseline('test/deleted.test.ts.json'), 0o444)
    const result = await cli('baselines', 'prune', '--root', root)
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('not touched baselines/test/a.test.ts.json: it changed after the run report .perfgate/perfgate-report.json was made; run the whole suite again, then prune')
    expect(result.stdout).toMatch(/^not pruned baselines\/test\/deleted\.test\.ts\.json: The baseline file .*deleted\.test\.ts\.json is read-only/m)
    expect(readFileSync(baseline('test/a.test.ts.json'), 'utf8')).toBe(baselineText(entries))
    expect(existsSync(baseline('test/deleted.test.ts.json'))).toBe(true)
  })

  it('without a run report removes orphaned files only, and says why', async () => {
    const { root, baseline } = project(['test/a.test.ts'], { 'test/deleted.test.ts.json': { 'x': { [laptop]: record(laptop, old) } } })
    const result = await cli('baselines', 'prune', '--root', root)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Obsolete entries not pruned: there is no run report at .perfgate/perfgate-report.json')
    expect(existsSync(baseline('test/deleted.test.ts.json'))).toBe(false)
  })
})

describe('perfgate baselines merge', () => {
  it("adds the incoming environment's records, replaces older ones, keeps the project's newer ones and its other records byte for byte", async () => {
    const committed: Entries = {
      'parser > parses': { [laptop]: record(laptop, newer, 1.2), [ci]: record(ci, old, 2.5) },
      'parser > tokenizes': { [laptop]: record(laptop, newer, 0.4) },
    }
    const { root, baseline } = project(['test/a.test.ts', 'test/b.test.ts'], { 'test/a.test.ts.json': committed })
    const before = readFileSync(baseline('test/a.test.ts.json'), 'utf8')
    const download = join(scratch, `download-${projects}`)
    // The CI runner's checkout: the laptop record it had (older than the project's now) and its own, newer.
    write(join(download, 'test/a.test.ts.json'), baselineText({
      'parser > parses': { [laptop]: record(laptop, old, 9.9), [ci]: record(ci, newer, 2.6) },
      'parser > tokenizes': { [ci]: record(ci, newer, 0.8) },
      'parser > streams': { [ci]: record(ci, newer, 5) },
    }))
    write(join(download, 'test/b.test.ts.json'), baselineText({ 'b > one': { [ci]: record(ci, newer, 3) } }))

    const result = await cli('baselines', 'merge', download, '--root', root)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')).toEqual([
      `baselines/test/a.test.ts.json, from ${join(download, 'test/a.test.ts.json')}`,
      `  kept "parser > parses" for ${laptop}: the project's record (${newer}) is newer than the incoming one (${old})`,
      `  replaced "parser > parses" for ${ci} (recorded ${newer}; the project's was recorded ${old})`,
      `  added "parser > streams" for ${ci}`,
      `  added "parser > tokenizes" for ${ci}`,
      `baselines/test/b.test.ts.json (new file), from ${join(download, 'test/b.test.ts.json')}`,
      `  added "b > one" for ${ci}`,
      "Merged: 3 records added, 1 replaced and 1 kept (the project's newer). Review the diff and commit baselines/.",
      '',
    ])
    const merged = readFileSync(baseline('test/a.test.ts.json'), 'utf8')
    expect(merged).toBe(baselineText({
      'parser > parses': { [laptop]: record(laptop, newer, 1.2), [ci]: record(ci, newer, 2.6) },
      'parser > streams': { [ci]: record(ci, newer, 5) },
      'parser > tokenizes': { [laptop]: record(laptop, newer, 0.4), [ci]: record(ci, newer, 0.8) },
    }))
    // The laptop records' lines are the committed ones, unchanged.
    const laptopBlock = (text: string, key: string): string => {
      const start = text.indexOf(`"${laptop}": {`, text.indexOf(`"${key}": {`))
      return text.slice(start, text.indexOf('\n      }', start))
    }
    expect(laptopBlock(merged, 'parser > parses')).toBe(laptopBlock(before, 'parser > parses'))
    expect(readFileSync(baseline('test/b.test.ts.json'), 'utf8')).toBe(baselineText({ 'b > one': { [ci]: record(ci, newer, 3) } }))

    const again = await cli('baselines', 'merge', download, '--root', root)
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Nothing to merge: the project already has every incoming record (or a newer one).')
    expect(readFileSync(baseline('test/a.test.ts.json'), 'utf8')).toBe(merged)
  })

  it('merges a single file into the project file of the same name, and skips files for tests the project does not have', async () => {
    const { root, baseline } = project(['test/a.test.ts'], { 'test/a.test.ts.json': { 'a': { [laptop]: record(laptop, old) } } })
    const single = write(join(scratch, `single-${projects}`, 'a.test.ts.json'), baselineText({ 'a': { [ci]: record(ci, newer) } }))
    const result = await cli('baselines', 'merge', single, '--root', root)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`  added "a" for ${ci}`)
    expect(readFileSync(baseline('test/a.test.ts.json'), 'utf8')).toBe(baselineText({ 'a': { [laptop]: record(laptop, old), [ci]: record(ci, newer) } }))

    const download = join(scratch, `download-skip-${projects}`)
    write(join(download, 'test/a.test.ts.json'), baselineText({ 'b': { [ci]: record(ci, newer) } }))
    write(join(download, 'test/removed.test.ts.json'), baselineText({ 'r': { [ci]: record(ci, newer) } }))
    const skipping = await cli('baselines', 'merge', download, '--root', root)
    expect(skipping.code).toBe(0)
    expect(skipping.stdout).toContain(`skipped ${join(download, 'test/removed.test.ts.json')}: this project has no test file test/removed.test.ts for it`)
    expect(existsSync(baseline('test/removed.test.ts.json'))).toBe(false)
  })

  it('exits 2 naming an unreadable incoming file and its position, and writes nothing', async () => {
    const committed = { 'a': { [laptop]: record(laptop, old) } }
    const { root, baseline } = project(['test/a.test.ts', 'test/b.test.ts'], { 'test/a.test.ts.json': committed })
    const download = join(scratch, `download-broken-${projects}`)
    write(join(download, 'test/a.test.ts.json'), baselineText({ 'a': { [ci]: record(ci, newer) } }))
    write(join(download, 'test/b.test.ts.json'), broken)
    const result = await cli('baselines', 'merge', download, '--root', root)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`perfgate: Cannot parse the baseline file ${join(download, 'test/b.test.ts.json')} at line 4, column 24:`)
    expect(result.stdout).toBe('')
    expect(readFileSync(baseline('test/a.test.ts.json'), 'utf8')).toBe(baselineText(committed))
    expect(existsSync(baseline('test/b.test.ts.json'))).toBe(false)
  })

  it("exits 2 naming the project's own unreadable file, and writes nothing", async () => {
    const { root, baseline } = project(['test/a.test.ts', 'test/b.test.ts'], { 'test/b.test.ts.json': broken })
    const download = join(scratch, `download-target-${projects}`)
    write(join(download, 'test/a.test.ts.json'), baselineText({ 'a': { [ci]: record(ci, newer) } }))
    write(join(download, 'test/b.test.ts.json'), baselineText({ 'b': { [ci]: record(ci, newer) } }))
    const result = await cli('baselines', 'merge', download, '--root', root)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('perfgate: Cannot parse the baseline file baselines/test/b.test.ts.json at line 4, column 24:')
    expect(readFileSync(baseline('test/b.test.ts.json'), 'utf8')).toBe(broken)
    expect(existsSync(baseline('test/a.test.ts.json'))).toBe(false)
  })

  it('exits 2 for a missing folder, the baseline folder itself, a file it cannot place, and no argument', async () => {
    const { root } = project(['test/a.test.ts'], { 'test/a.test.ts.json': { 'a': { [laptop]: record(laptop, old) } } })
    const nowhere = await cli('baselines', 'merge', join(scratch, 'no-such-download'), '--root', root)
    expect(nowhere.code).toBe(2)
    expect(nowhere.stderr).toContain(`${join(scratch, 'no-such-download')}: no such file or directory`)
    const itself = await cli('baselines', 'merge', join(root, 'baselines'), '--root', root)
    expect(itself.code).toBe(2)
    expect(itself.stderr).toContain("overlaps the project's baseline folder baselines")
    const stray = write(join(scratch, `stray-${projects}`, 'other.test.ts.json'), baselineText({}))
    const unplaced = await cli('baselines', 'merge', stray, '--root', root)
    expect(unplaced.code).toBe(2)
    expect(unplaced.stderr).toContain('no baseline file of the project is named other.test.ts.json')
    const none = await cli('baselines', 'merge', '--root', root)
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("merge needs the folder (or files) holding the other environment's baseline files")
  })
})

describe('perfgate baselines --help', () => {
  it('prints the usage of the command and of each subcommand, exit 0; no or an unknown subcommand exits 2', async () => {
    const help = await cli('baselines', '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: perfgate baselines <check|prune|merge> [options]')
    for (const [subcommand, usage] of [
      ['check', 'Usage: perfgate baselines check [--root dir] [--report file]'],
      ['prune', 'Usage: perfgate baselines prune [--root dir] [--report file] [--dry-run]'],
      ['merge', 'Usage: perfgate baselines merge <dir|file…> [--root dir] [--dry-run]'],
    ] as const) {
      const result = await cli('baselines', subcommand, '--help')
      expect(result.code).toBe(0)
      expect(result.stdout.startsWith(usage)).toBe(true)
    }
    expect((await cli('--help')).stdout).toContain('baselines check|prune|merge    list, prune or bring in baseline entries')
    const bare = await cli('baselines')
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('Usage: perfgate baselines')
    const unknown = await cli('baselines', 'tidy')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown baselines command "tidy"')
  })
})
