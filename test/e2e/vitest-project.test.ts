/**
 * End to end: the packed package, installed into a fresh Vitest + TypeScript ESM project
 * (fixtures/projects/vitest-esm-ts), type-checks and runs there against the fixture server.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { installFixtureProject, plainText, runCommand, vitestTestCounts } from './harness.js'
import type { CommandResult, FixtureProject } from './harness.js'

/** The tests in the fixture project's test/ folder; update when adding some there. */
const fixtureTestCount = 24
/** A bound only a hang reaches; the runs take seconds. */
const runTimeoutMs = 120_000

let project: FixtureProject | undefined
let server: FixtureServer | undefined
const runs: { name: string; result: CommandResult }[] = []

beforeAll(async () => {
  server = await startFixtureServer()
  project = await installFixtureProject({
    template: 'vitest-esm-ts',
    tarball: inject('perfgateTarball'),
    dependencies: { vitest: '^4.1.0', typescript: '~5.9.3', '@types/node': '^20' },
  })
}, 300_000)

afterAll(async () => {
  await server?.close()
  await project?.remove()
})

/** Runs one of the fixture project's binaries there, with the server's URL in its environment. */
async function run(name: string, bin: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CommandResult> {
  if (project === undefined || server === undefined) throw new Error('beforeAll did not finish')
  const result = await runCommand(join(project.dir, 'node_modules', '.bin', bin), args, {
    cwd: project.dir,
    env: { PERFGATE_E2E_URL: server.url, ...env },
    timeoutMs: runTimeoutMs,
  })
  runs.push({ name, result })
  return result
}

/** Everything a failed expectation needs to be understood. */
function transcript(result: CommandResult): string {
  return `exit ${result.code}, signal ${result.signal}, timed out ${result.timedOut}\n--- stdout\n${plainText(result.stdout)}\n--- stderr\n${plainText(result.stderr)}`
}

describe('perfgate packed and installed in a Vitest 4 + TypeScript ESM project', () => {
  it('type-checks (tsc --noEmit), @ts-expect-error lines included', async () => {
    const result = await run('tsc', 'tsc', ['--noEmit', '-p', 'tsconfig.json'])
    expect(result.code, transcript(result)).toBe(0)
  })

  it('type-checks with "perfgate/vitest" in compilerOptions.types under NodeNext resolution', async () => {
    // TypeScript resolves a `types` entry as a require: this reads the CommonJS declarations.
    const result = await run('tsc nodenext', 'tsc', ['--noEmit', '-p', 'tsconfig.nodenext.json'])
    expect(result.code, transcript(result)).toBe(0)
  })

  it('passes `vitest run` with CI=true', async () => {
    const result = await run('vitest CI=true', 'vitest', ['run'], { CI: 'true' })
    expect(result.code, transcript(result)).toBe(0)
    expect(vitestTestCounts(result.stdout), transcript(result)).toEqual({ passed: fixtureTestCount, failed: 0, skipped: 0, total: fixtureTestCount })
    // test/arguments.test.ts catches the matchers' TypeErrors: those tests passed, so perfgate's
    // summary counts no error; its 2 failures are the budgets latency.test.ts fails on purpose and catches.
    expect(plainText(result.stdout), transcript(result)).toMatch(/perfgate {2}\d+ perf assertions: 2 failed {2}/)
  })

  it('passes `vitest run` without CI', async () => {
    const result = await run('vitest', 'vitest', ['run'])
    expect(result.code, transcript(result)).toBe(0)
    expect(vitestTestCounts(result.stdout), transcript(result)).toEqual({ passed: fixtureTestCount, failed: 0, skipped: 0, total: fixtureTestCount })
    // A warning shows under the test that caused it, as console.warn output, with no stack frame.
    const output = plainText(`${result.stdout}\n${result.stderr}`)
    expect(output, transcript(result)).toMatch(
      // (with the test's location, which the plugin turns on)
      /stderr \| test\/latency\.test\.ts:\d+:\d+ > toRespondWithin > measures a function\r?\nperfgate: percentile 0\.5 means p0\.5, almost the fastest request/,
    )
    expect(output, transcript(result)).not.toMatch(/perfgate\/dist\//)
  })

  it('reports an error in perfgate.config.json5 once, at startup, naming the file (not in each of the 3 test files)', async () => {
    if (project === undefined) throw new Error('beforeAll did not finish')
    const configPath = join(project.dir, 'perfgate.config.json5')
    await writeFile(configPath, '// a typo\n{\n  thresold: 0.2,\n}\n')
    try {
      const result = await run('vitest, config typo', 'vitest', ['run'])
      const output = plainText(`${result.stdout}\n${result.stderr}`)
      expect(result.code, transcript(result)).toBe(1)
      expect(output.split('Unknown key `thresold`').length - 1, transcript(result)).toBe(1)
      expect(output, transcript(result)).toContain(`Unknown key \`thresold\` in ${configPath}; did you mean \`threshold\`?`)
      expect(output, transcript(result)).toContain('Startup Error')
      // No test file ran.
      expect(vitestTestCounts(result.stdout), transcript(result)).toBeUndefined()
    } finally {
      await rm(configPath, { force: true })
    }
  })

  it('a perf test file included by two Vitest projects: says so once, and reports no obsolete entries', async () => {
    if (project === undefined) throw new Error('beforeAll did not finish')
    const dir = join(project.dir, 'dual')
    await mkdir(dir, { recursive: true })
    const configPath = join(project.dir, 'vitest.dual.config.ts')
    await writeFile(
      join(dir, 'named.test.ts'),
      "import { expect, test } from 'vitest'\n" +
        "test(`sum ${process.env['IMPL']}`, async () => {\n" +
        '  await expect(() => Math.sqrt(2)).toMatchBaseline({ time: 50, warmupTime: 0 })\n' +
        '})\n',
    )
    await writeFile(
      configPath,
      "import { defineConfig } from 'vitest/config'\nimport { perfgate } from 'perfgate/plugin'\n" +
        'export default defineConfig({\n  plugins: [perfgate()],\n  test: {\n    projects: [\n' +
        "      { extends: true, test: { name: 'fast-impl', include: ['dual/*.test.ts'], env: { IMPL: 'fast' } } },\n" +
        "      { extends: true, test: { name: 'slow-impl', include: ['dual/*.test.ts'], env: { IMPL: 'slow' } } },\n" +
        '    ],\n  },\n})\n',
    )
    try {
      // The first run records both entries; in the second each project's run finds the other's entry in the file.
      for (const name of ['records', 'compares']) {
        const result = await run(`vitest, one file in two projects, ${name}`, 'vitest', ['run', '--config', configPath])
        const output = plainText(`${result.stdout}\n${result.stderr}`)
        expect(result.code, transcript(result)).toBe(0)
        expect(output, transcript(result)).toContain('perfgate: dual/named.test.ts ran in 2 Vitest projects (')
        expect(output.split('ran in 2 Vitest projects').length - 1, transcript(result)).toBe(1)
        expect(output, transcript(result)).not.toContain('obsolete baseline entr')
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
      await rm(configPath, { force: true })
      await rm(join(project.dir, 'baselines', 'dual'), { recursive: true, force: true })
    }
  })

  it('fails the expected-failures file with exit code 1 and messages that give the numbers', async () => {
    const result = await run('vitest expected-failures', 'vitest', ['run', '--dir', 'expected-failures'], { CI: 'true' })
    const output = plainText(`${result.stdout}\n${result.stderr}`)
    expect(result.code, transcript(result)).toBe(1)
    expect(vitestTestCounts(output), transcript(result)).toEqual({ passed: 0, failed: 3, skipped: 0, total: 3 })
    // The too-slow endpoint: budget and measured p95 (at least the server's 50 ms delay).
    expect(output).toContain('Expected: p95 ≤ 10 ms, no failed request')
    const received = /Received: p95 ([\d.]+) ms/.exec(output)
    expect(received, output).not.toBeNull()
    expect(Number(received?.[1])).toBeGreaterThanOrEqual(50)
    // The hanging endpoint: every request timed out.
    expect(output).toContain('Received: no successful request')
    expect(output).toContain('Failures: 2 of 2 requests failed (allowed 0)')
    expect(output).toContain('timeout: no answer within 200 ms')
    // The failing load run.
    expect(output).toMatch(/Expected: success rate ≥ 99(\.0)?%/)
    expect(output).toContain('Received: 0% (0 of 10)')
  })

  it('on GitHub Actions: the job summary gets the Markdown, and failures one annotation each (perfgate\'s when Vitest does not annotate)', async () => {
    if (project === undefined) throw new Error('beforeAll did not finish')
    const summary = join(project.dir, '.tmp-step-summary.md')
    await rm(summary, { force: true })
    const github = { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: project.dir }
    // Only the default reporter: Vitest annotates nothing, so perfgate does, once per failure.
    const plain = await run('vitest expected-failures, GitHub, default reporter', 'vitest', ['run', '--dir', 'expected-failures', '--reporter=default'], github)
    expect(plain.code, transcript(plain)).toBe(1)
    const ours = plain.stdout.split('\n').filter((line) => line.startsWith('::error ') && line.includes('title=perfgate'))
    expect(ours.length, transcript(plain)).toBeGreaterThanOrEqual(2)
    for (const line of ours) expect(line).toMatch(/^::error file=expected-failures\/fail\.test\.ts,line=\d+,title=perfgate::/)
    const text = await readFile(summary, 'utf8')
    expect(text).toContain('## perfgate')
    expect(text).toMatch(/^\|.*\|$/m)
    // Vitest's defaults on GitHub Actions include its github-actions reporter, which annotates failed tests: perfgate adds no second one.
    const annotated = await run('vitest expected-failures, GitHub, Vitest annotates', 'vitest', ['run', '--dir', 'expected-failures'], github)
    expect(annotated.code, transcript(annotated)).toBe(1)
    expect(annotated.stdout, transcript(annotated)).toMatch(/^::error /m)
    expect(annotated.stdout.split('\n').filter((line) => line.startsWith('::error ') && line.includes('title=perfgate')), transcript(annotated)).toEqual([])
  })

  it('a long load run shows progress in an interactive terminal (a pseudo-terminal from `script`), and none when output is not a terminal', async () => {
    if (project === undefined) throw new Error('beforeAll did not finish')
    const dir = join(project.dir, 'progress')
    await mkdir(dir, { recursive: true })
    await writeFile(
      join(dir, 'long.test.ts'),
      `import { expect, test } from 'vitest'

test('a 3 s load run', async () => {
  await expect(() => new Promise((resolve) => setTimeout(resolve, 5))).toSustainSuccessRate(1, { duration: 3000, concurrency: 2 })
}, 20_000)
`,
    )
    const vitestBin = join(project.dir, 'node_modules', '.bin', 'vitest')
    // util-linux `script` runs the command in a pseudo-terminal: Vitest's output is a TTY, as in a person's terminal.
    const interactive = await runCommand('script', ['-qec', `${vitestBin} run --dir progress`, '/dev/null'], {
      cwd: project.dir,
      env: { PERFGATE_E2E_URL: server?.url, CI: undefined },
      timeoutMs: runTimeoutMs,
    })
    runs.push({ name: 'vitest progress, terminal', result: interactive })
    expect(interactive.code, transcript(interactive)).toBe(0)
    const lines = plainText(interactive.stdout).split(/\r?\n/).filter((line) => line.includes('perfgate ▸'))
    expect(lines.length, transcript(interactive)).toBeGreaterThanOrEqual(1)
    expect(lines[0], transcript(interactive)).toMatch(/perfgate ▸ .+ \(load\) {2}\d+\.\d s \/ 3\.0 s {2}[\d\s]+ requests?/)
    const piped = await run('vitest progress, piped', 'vitest', ['run', '--dir', 'progress'], { CI: undefined })
    expect(piped.code, transcript(piped)).toBe(0)
    expect(piped.stdout + piped.stderr, transcript(piped)).not.toContain('perfgate ▸')
  })

  // Issue 12: every perf assertion reaches the reporter, from every pool's workers.
  for (const pool of ['forks', 'threads', 'vmThreads'] as const) {
    it(`reports: 8 files × 10 assertions (and 2 concurrent tests on the global expect) under pool ${pool} give 82 records, the table and the three files`, async () => {
      if (project === undefined) throw new Error('beforeAll did not finish')
      const dir = join(project.dir, 'reports')
      await rm(dir, { recursive: true, force: true })
      await rm(join(project.dir, '.perfgate'), { recursive: true, force: true })
      // Each pool's run records afresh: the count is the point here, not a verdict.
      await rm(join(project.dir, 'baselines', 'reports'), { recursive: true, force: true })
      await mkdir(dir, { recursive: true })
      for (let file = 1; file <= 8; file++) await writeFile(join(dir, `r${file}.test.ts`), reportsTestFile(file))
      const result = await run(`vitest reports, pool ${pool}`, 'vitest', ['run', '--dir', 'reports', '--pool', pool], { PERFGATE_UPDATE: 'new' })
      expect(result.code, transcript(result)).toBe(0)
      expect(vitestTestCounts(result.stdout), transcript(result)).toEqual({ passed: 10, failed: 0, skipped: 0, total: 10 })
      const report = JSON.parse(await readFile(join(project.dir, '.perfgate', 'perfgate-report.json'), 'utf8')) as {
        records: { kind: string; testFile: string; testName: string; line: number | null }[]
        runner: { name: string }
      }
      expect(report.runner.name).toBe('vitest')
      // The plugin turns on Vitest's task locations: every record of a named test names its line.
      expect(new Set(report.records.filter((record) => record.testName !== '').map((record) => record.line))).toEqual(new Set([5]))
      expect(report.records.length, transcript(result)).toBe(82)
      const kinds = report.records.reduce<Record<string, number>>((counts, record) => ({ ...counts, [record.kind]: (counts[record.kind] ?? 0) + 1 }), {})
      // No error record: the concurrent tests caught theirs.
      expect(kinds, transcript(result)).toEqual({ baseline: 24, latency: 34, load: 24 })
      expect(report.records.filter((record) => record.testName === '').map((record) => record.kind)).toEqual(['latency', 'latency'])
      expect(plainText(result.stdout), transcript(result)).toContain('82 perf assertions: all passed')
      expect(new Set(report.records.map((record) => record.testFile)).size).toBe(8)
      for (const name of ['perfgate-report.md', 'perfgate-report.html']) {
        expect((await readFile(join(project.dir, '.perfgate', name), 'utf8')).length, name).toBeGreaterThan(100)
      }
      // The terminal table comes after Vitest's own summary.
      const output = plainText(result.stdout)
      expect(output.indexOf('perfgate: reports in .perfgate'), transcript(result)).toBeGreaterThan(output.indexOf(' Tests '))
    })
  }

  it('every nested run exited by itself (no run needed its timeout)', async () => {
    expect(runs.map(({ name }) => name)).toEqual([
      'tsc',
      'tsc nodenext',
      'vitest CI=true',
      'vitest',
      'vitest, config typo',
      'vitest, one file in two projects, records',
      'vitest, one file in two projects, compares',
      'vitest expected-failures',
      'vitest expected-failures, GitHub, default reporter',
      'vitest expected-failures, GitHub, Vitest annotates',
      'vitest progress, terminal',
      'vitest progress, piped',
      'vitest reports, pool forks',
      'vitest reports, pool threads',
      'vitest reports, pool vmThreads',
    ])
    for (const { name, result } of runs) {
      expect({ name, timedOut: result.timedOut, signal: result.signal }).toEqual({ name, timedOut: false, signal: null })
    }
    // …and the timeout would have caught a hang: it kills the whole process group.
    const hang = await runCommand(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: project?.dir ?? '.', timeoutMs: 500 })
    expect(hang).toMatchObject({ timedOut: true, signal: 'SIGTERM' })
  })
})

/** A generated test file with 10 quick perf assertions: 4 latency budgets, 3 load runs, 3 baselines. */
function reportsTestFile(file: number): string {
  return `import { beforeAll, expect, test } from 'vitest'

const quick = { time: 20, warmupTime: 0, rounds: 2 }

test('file ${file}', async () => {
  for (let i = 0; i < 4; i++) await expect(() => i).toRespondWithin(1000, { samples: 5, warmup: 0 })
  for (let i = 0; i < 3; i++) await expect(() => i).toSustainSuccessRate(0.9, { requests: 10, concurrency: 2 })
  for (let i = 0; i < 3; i++) await expect(() => Math.sqrt(i)).toMatchBaseline({ ...quick, name: 'n' + i })
})
${
  file === 1
    ? `
// Concurrent tests on the global expect: a budget is kept under no test name (never under the
// test started last), and toMatchBaseline's refusal, caught, is no failure in the reports.
test.concurrent.each([1, 2])('concurrent %i', async (n) => {
  await expect(expect(() => n).toMatchBaseline(quick)).rejects.toThrow(/test context's expect/)
  await expect(() => n).toRespondWithin(1000, { samples: 5, warmup: 0 })
})
`
    : ''
}// After the test, so that its line stays 5: a matcher's error caught in a hook of a file that
// fails nothing is no failure in the reports either.
${file === 2 ? 'beforeAll(async () => {\n  await expect(expect(() => 1).toRespondWithin(-1)).rejects.toThrow(TypeError)\n})\n' : ''}`
}
