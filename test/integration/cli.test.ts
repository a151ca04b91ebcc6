/**
 * The `perfgate` command: `report` renders stored runs with the reporters' renderers; `merge`
 * joins the shards of a run into one report; bad usage and unreadable or unmergeable inputs exit
 * 2 with a message naming the file and what is wrong. In-process through runCli, and through the
 * package's bin with a real Node.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main.js'
import { buildRunReport, serializeRunReport } from '../../src/report/build.js'
import type { RunReport } from '../../src/report/model.js'
import { fastEndpoint, regressed, steadyLoad } from '../unit/report-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'perfgate-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const runFile = join(dir, 'run.json')
writeFileSync(runFile, serializeRunReport(buildRunReport({ runner: { name: 'vitest', version: '4' }, rootDir: dir, records: [regressed, fastEndpoint] })))
const shardFile = join(dir, 'shard.json')
writeFileSync(shardFile, serializeRunReport(buildRunReport({ runner: { name: 'vitest', version: '4' }, rootDir: dir, records: [steadyLoad] })))

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } })
  return { code, stdout, stderr }
}

describe('perfgate report', () => {
  it('renders a stored run as the terminal table, without colour when not on a terminal', async () => {
    const result = await cli('report', runFile)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Baselines')
    expect(result.stdout).toContain('regressed')
    expect(result.stdout).toContain('Latency budgets')
    // eslint-disable-next-line no-control-regex
    expect(result.stdout).not.toMatch(/\u001b\[/)
  })

  it('renders several runs (shards) as one, in Markdown, JSON or HTML, to a file with --out', async () => {
    const md = await cli('report', runFile, shardFile, '--format', 'md')
    expect(md.code).toBe(0)
    expect(md.stdout).toMatch(/^\|.*\|$/m)
    expect(md.stdout).toContain('Load')
    // Its folder is made when missing (it crashed with exit 1, the code of a regression).
    const out = join(dir, 'reports', 'new', 'out.html')
    expect((await cli('report', runFile, '--format', 'html', '--out', out)).code).toBe(0)
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/i)
    // Without --format, the format follows --out's extension (it wrote the terminal table into an .html file).
    for (const [file, start] of [['by-extension.html', /^<!doctype html>/i], ['by-extension.md', /^\*\*perfgate\*\* · /], ['by-extension.json', /^\{\n {2}"version": 1/]] as const) {
      expect((await cli('report', runFile, '--out', join(dir, file))).code).toBe(0)
      expect(readFileSync(join(dir, file), 'utf8')).toMatch(start)
    }
    const unwritable = await cli('report', runFile, '--out', join(runFile, 'out.md'))
    expect(unwritable.code).toBe(2)
    expect(unwritable.stderr).toContain(`${join(runFile, 'out.md')}: cannot be written (EEXIST)`)
    const json = await cli('report', runFile, shardFile, '--format', 'json')
    expect((JSON.parse(json.stdout) as { records: unknown[] }).records).toHaveLength(3)
    // A repeated option is a usage error (the last one won, in silence).
    const twice = await cli('report', runFile, '--format', 'md', '--format', 'html')
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('perfgate: --format is given more than once')
  })

  it.each([
    ['a missing file', () => join(dir, 'nope.json'), 'nope.json: no such file'],
    ['an empty file', () => write('empty.json', ''), 'empty.json: the file is empty'],
    ['a file that is not JSON', () => write('text.json', 'hello'), 'text.json: not JSON'],
    ['another version', () => write('v2.json', '{"version":2,"records":[]}'), 'v2.json: a run report of format version 2; this perfgate reads version 1'],
    ['a directory', () => dirPath('folder.json'), 'folder.json: a directory, not a run file'],
  ])('exits 2 for %s, naming the file and the problem', async (_label, file, message) => {
    const result = await cli('report', file())
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stdout).toBe('')
  })

  it('exits 2 for bad usage, with the usage; --help exits 0', async () => {
    expect((await cli()).code).toBe(2)
    const unknown = await cli('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "frobnicate"')
    const format = await cli('report', runFile, '--format', 'pdf')
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('--format must be text, md, html or json, not "pdf"')
    // The misused command's own help, not the list of commands.
    expect(format.stderr).toContain('Usage: perfgate report <run.json…>')
    expect(format.stderr).not.toContain('Commands:')
    expect(unknown.stderr).toContain('Commands:')
    // Names of Object.prototype are unknown commands too, with the list of commands.
    const inherited = await cli('constructor')
    expect(inherited.stderr).toContain('unknown command "constructor"')
    expect(inherited.stderr).toContain('Commands:')
    const compare = await cli('compare', 'a.json', 'b.json', '--threshold', '20')
    expect(compare.code).toBe(2)
    expect(compare.stderr).toContain('Usage: perfgate compare <base.json> <head.json>')
    expect((await cli('report')).stderr).toContain('report needs at least one run file')
    expect((await cli('report', '--bogus', runFile)).code).toBe(2)
    const help = await cli('report', '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: perfgate report <run.json…>')
    expect((await cli('--help')).code).toBe(0)
  })

  it('runs as the package bin with a real Node (the built dist)', () => {
    const bin = fileURLToPath(new URL('../../bin/perfgate.js', import.meta.url))
    expect(existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url))), 'run `npm run build` first (npm test does)').toBe(true)
    const ok = spawnSync(process.execPath, [bin, 'report', runFile], { encoding: 'utf8', timeout: 60_000 })
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('Baselines')
    const bad = spawnSync(process.execPath, [bin, 'report', join(dir, 'nope.json')], { encoding: 'utf8', timeout: 60_000 })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('nope.json: no such file')
  })
})

describe('perfgate merge', () => {
  // The fixture records lie in three test files: parser (regressed), api (fastEndpoint), load (steadyLoad).
  const runner = { name: 'vitest', version: '4' } as const
  const at = new Date('2026-11-29T16:00:00.000Z')
  const obsolete = [{ file: 'baselines/test/parser.perf.ts.json', keys: ['parser > old'] }]
  const orphanedFiles = ['baselines/test/gone.perf.ts.json']
  const unsharded = buildRunReport({ runner, rootDir: dir, records: [steadyLoad, regressed, fastEndpoint], obsolete, orphanedFiles, createdAt: at })
  const shardOne = write('shard-1.json', serializeRunReport(buildRunReport({ runner, rootDir: dir, records: [regressed], obsolete, orphanedFiles, shard: { index: 1, count: 2 }, createdAt: at })))
  const shardTwo = write('shard-2.json', serializeRunReport(buildRunReport({ runner, rootDir: dir, records: [steadyLoad, fastEndpoint], orphanedFiles, shard: { index: 2, count: 2 }, createdAt: at })))
  const readReport = (file: string): RunReport => JSON.parse(readFileSync(file, 'utf8')) as RunReport

  it('writes the report of the unsharded run to --out, and perfgate report renders it', async () => {
    const out = join(dir, 'merged.json')
    const result = await cli('merge', shardTwo, shardOne, '--out', out)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toBe(`perfgate: merged 2 runs (3 records) into ${out}\n`)
    expect(readFileSync(out, 'utf8')).toBe(serializeRunReport(unsharded))
    const shown = await cli('report', out)
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('regressed')
  })

  it('merges what it has when a shard is missing, and says so', async () => {
    const out = join(dir, 'half.json')
    const result = await cli('merge', shardOne, '--out', out)
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('perfgate: no report of shard 2/2 among the inputs; merged the others (a shard without perf assertions writes no report)\n')
    expect(readReport(out).records).toHaveLength(1)
  })

  it('exits 2 naming the file when the runs cannot be one run: a test file in two, another root', async () => {
    const out = join(dir, 'refused.json')
    const overlap = await cli('merge', shardOne, runFile, '--out', out)
    expect(overlap.code).toBe(2)
    // (the fixture records' test files lie outside this root: shown whole)
    expect(overlap.stderr).toBe(`perfgate: ${runFile}: /repo/test/parser.perf.ts is in ${shardOne} too; a test file runs in one shard only\n`)
    const elsewhere = write('elsewhere.json', serializeRunReport({ ...readReport(shardTwo), rootDir: '/elsewhere' }))
    const root = await cli('merge', shardOne, elsewhere, '--out', out)
    expect(root.code).toBe(2)
    expect(root.stderr).toContain(`perfgate: ${elsewhere}: project root /elsewhere, but ${shardOne} has ${dir}`)
    // --out naming one of the inputs would write the merge over that shard's only report.
    const before = readFileSync(shardOne, 'utf8')
    const overInput = await cli('merge', shardOne, shardTwo, '--out', shardOne)
    expect(overInput.code).toBe(2)
    expect(overInput.stderr).toContain(`perfgate: --out ${shardOne} is one of the run files merged`)
    expect(readFileSync(shardOne, 'utf8')).toBe(before)
    // Also through a link to it (a path compare let it through).
    const link = join(dir, 'shard-1-link.json')
    symlinkSync(shardOne, link)
    const overLink = await cli('merge', shardOne, shardTwo, '--out', link)
    expect(overLink.code).toBe(2)
    expect(readFileSync(shardOne, 'utf8')).toBe(before)
    // report, too: --format md --out into its input would replace the run with Markdown.
    const overReport = await cli('report', shardOne, '--format', 'md', '--out', shardOne)
    expect(overReport.code).toBe(2)
    expect(overReport.stderr).toContain(`perfgate: --out ${shardOne} is one of the run files rendered`)
    expect(readFileSync(shardOne, 'utf8')).toBe(before)
    const missing = await cli('merge', shardOne, join(dir, 'nope.json'), '--out', out)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('nope.json: no such file')
    expect(existsSync(out)).toBe(false)
  })

  it('exits 2 for bad usage (no --out, no files, an unknown option) and an --out it cannot write; --help exits 0', async () => {
    const noOut = await cli('merge', shardOne, shardTwo)
    expect(noOut.code).toBe(2)
    expect(noOut.stderr).toContain('perfgate: merge needs --out <file> for the merged report')
    expect((await cli('merge', '--out', join(dir, 'x.json'))).stderr).toContain('merge needs the run files of the shards')
    expect((await cli('merge', shardOne, '--bogus', '--out', join(dir, 'x.json'))).code).toBe(2)
    // Under a file, not a folder: no folder can be made there.
    const unwritable = await cli('merge', shardOne, shardTwo, '--out', join(shardOne, 'merged.json'))
    expect(unwritable.code).toBe(2)
    expect(unwritable.stderr).toContain(`${join(shardOne, 'merged.json')}: cannot be written (EEXIST)`)
    // A folder that does not exist yet is made.
    expect((await cli('merge', shardOne, shardTwo, '--out', join(dir, 'new-dir', 'merged.json'))).code).toBe(0)
    expect(readFileSync(join(dir, 'new-dir', 'merged.json'), 'utf8')).toContain('"records"')
    const help = await cli('merge', '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: perfgate merge <run.json…> --out <merged.json>')
    expect((await cli('--help')).stdout).toMatch(/^ {2}merge <run\.json…>/m)
  })

  it('runs as the package bin with a real Node (the built dist)', () => {
    const bin = fileURLToPath(new URL('../../bin/perfgate.js', import.meta.url))
    const out = join(dir, 'bin-merged.json')
    const ok = spawnSync(process.execPath, [bin, 'merge', shardOne, shardTwo, '--out', out], { encoding: 'utf8', timeout: 60_000 })
    expect(ok.status, ok.stderr).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe(serializeRunReport(unsharded))
    const bad = spawnSync(process.execPath, [bin, 'merge', shardOne, shardOne, '--out', out], { encoding: 'utf8', timeout: 60_000 })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain(`${shardOne}: shard 1/2 again`)
  })
})

function write(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

function dirPath(name: string): string {
  const path = join(dir, name)
  mkdirSync(path, { recursive: true })
  return path
}
