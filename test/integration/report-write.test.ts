/**
 * Writing the reports at the end of a run: every format lands in report.dir; a directory that
 * cannot be written is said at the end, naming it and why, without throwing (the test results
 * are the runner's, untouched) and without losing the other outputs.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { finishRun } from '../../src/report/write.js'
import { fastEndpoint, regressed } from '../unit/report-fixtures.js'

const root = mkdtempSync(join(tmpdir(), 'perfgate-report-write-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function capture(): Writable & { text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString())
      done()
    },
  }) as Writable & { text: () => string }
  stream.text = () => chunks.join('')
  return stream
}

const records = [regressed, fastEndpoint]

describe('finishRun', () => {
  it('writes the three files and prints the table and where they are', async () => {
    const out = capture()
    const run = await finishRun(
      { runner: { name: 'vitest', version: '4' }, rootDir: root, records },
      { config: resolveConfig({ report: { dir: 'out' } }), out, runnerAnnotatesFailures: false, env: {} },
    )
    expect(run.problems).toEqual([])
    expect(run.written.map((path) => path.slice(root.length + 1)).sort()).toEqual(['out/perfgate-report.html', 'out/perfgate-report.json', 'out/perfgate-report.md'])
    const report = JSON.parse(readFileSync(join(root, 'out', 'perfgate-report.json'), 'utf8')) as { version: number; records: { kind: string }[] }
    expect(report.version).toBe(1)
    expect(report.records.map((record) => record.kind).sort()).toEqual(['baseline', 'latency'])
    expect(out.text()).toContain('perfgate: reports in ')
  })

  it('leaves the last perf run\'s files alone in a run without perf assertions, still printing its notes', async () => {
    const dir = mkdtempSync(join(root, 'unit-only-'))
    mkdirSync(join(dir, 'baselines', 'test'), { recursive: true })
    writeFileSync(join(dir, 'baselines', 'test', 'gone.test.ts.json'), '{}')
    const config = resolveConfig({ report: { dir: 'out' } })
    await finishRun({ runner: { name: 'vitest', version: '4' }, rootDir: dir, records }, { config, out: capture(), runnerAnnotatesFailures: false, env: {} })
    const before = readFileSync(join(dir, 'out', 'perfgate-report.json'), 'utf8')
    const summary = join(dir, 'summary.md')
    const out = capture()
    const run = await finishRun({ runner: { name: 'vitest', version: '4' }, rootDir: dir, records: [] }, { config, out, runnerAnnotatesFailures: false, env: { GITHUB_STEP_SUMMARY: summary } })
    expect(run.written).toEqual([])
    expect(readFileSync(join(dir, 'out', 'perfgate-report.json'), 'utf8')).toBe(before)
    expect(existsSync(summary)).toBe(false)
    expect(out.text()).toContain('1 orphaned baseline file')
    expect(out.text()).toMatch(/perfgate: no perf assertion ran, so the reports in .*out \(if any\) were left as they were/)
  })

  it('says at the end that report.dir cannot be written, naming it and why, and still prints the table and the job summary', async () => {
    writeFileSync(join(root, 'blocked'), 'a file where the directory should be')
    const summary = join(root, 'summary.md')
    const out = capture()
    const run = await finishRun(
      { runner: { name: 'vitest', version: '4' }, rootDir: root, records },
      { config: resolveConfig({ report: { dir: 'blocked' } }), out, runnerAnnotatesFailures: false, env: { GITHUB_STEP_SUMMARY: summary } },
    )
    expect(run.written).toEqual([])
    expect(run.problems).toHaveLength(1)
    expect(run.problems[0]).toContain(`could not create the report directory ${join(root, 'blocked')} (report.dir): EEXIST: file already exists`)
    expect(run.problems[0]).not.toContain('EEXIST: EEXIST')
    expect(out.text()).toContain(`perfgate: could not create the report directory ${join(root, 'blocked')}`)
    expect(out.text()).toContain('Baselines')
    expect(readFileSync(summary, 'utf8')).toContain('## perfgate')
  })
})
