/**
 * End to end: the compatibility matrix. Each cell is a real project (fixtures/projects/<cell>)
 * that installs the packed perfgate, runs its tests with a real runner on a real Node, and
 * exercises the three matchers against the bundled fixture server (127.0.0.1) and function
 * targets, plus a baseline round trip (record, CI compare, -u, CI with the file missing):
 *
 * | cell            | runner, mode                             | Node   | round trip      | also                                        |
 * |-----------------|------------------------------------------|--------|-----------------|---------------------------------------------|
 * | vitest5-ts      | Vitest 5, ESM, TypeScript                | 22     | full            | tsc; perfgate/jest under Vitest fails       |
 * | jest-cjs        | Jest 30, CommonJS, plain JavaScript      | 20, 22 | full, on each   | jest --ci; perfgate/vitest under Jest fails |
 * | jest-esm        | Jest 30, ESM (--experimental-vm-modules) | 22     | full            |                                             |
 * | jest-ts-globals | Jest 30 + ts-jest, `@jest/globals`       | 20     | record, compare | tsc, with and without the types line        |
 * | jest-ts-types   | Jest 30 + ts-jest, `@types/jest`         | 20     | record, compare | tsc, with and without the types line        |
 *
 * The full round trip: a local run records, `CI=true` compares and passes without touching the
 * file, `-u` with three times the work rewrites the record, `CI=true` without the file fails
 * with "missing" and creates nothing (see defineRoundTrip in matrix-cells.ts).
 *
 * Node 22 comes from the npm package `node@22`, a devDependency of the vitest5-ts cell
 * (node_modules/node/bin/node): the Jest cells on Node 22 use that one install too.
 * The runs never assert on durations.
 *
 * vitest5-ts and jest-cjs also run generated files unsharded and in two shards, and the shards'
 * reports merged by `perfgate merge` must equal the unsharded one (shard-merge.ts).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { plainText, runCommand, vitestTestCounts } from './harness.js'
import { Cell, allRuns, defineRoundTrip, exists, filesUnder, jestTestCounts } from './matrix-cells.js'
import type { Env, Run } from './matrix-cells.js'
import { defineShardMerge, jestShardFile, vitestShardFile } from './shard-merge.js'

/** Per test: one or two runs (each bounded by matrix-cells.ts' run timeout), on a loaded two-core machine. */
const stepTimeoutMs = 300_000
/** The machine's Node, which runs this file (20 here); the runs that do not use Node 22 use this one. */
const machineNode = process.execPath
const machineNodeMajor = Number(process.versions.node.split('.')[0])

const vitest5 = new Cell('vitest5-ts', { vitest: '^5', '@types/node': '^22', typescript: '~5.9.3', node: '^22' })
const jestCjs = new Cell('jest-cjs', { jest: '^30' })
const jestEsm = new Cell('jest-esm', { jest: '^30', '@jest/globals': '^30' })
const jestTsGlobals = new Cell('jest-ts-globals', {
  jest: '^30',
  'ts-jest': '^29.4',
  '@jest/globals': '^30',
  typescript: '~5.9.3',
  '@types/node': '^20',
})
const jestTsTypes = new Cell('jest-ts-types', { jest: '^30', 'ts-jest': '^29.4', '@types/jest': '^30', typescript: '~5.9.3', '@types/node': '^20' })
// vitest5 first: its node@22 serves the Jest cells on Node 22 as well.
const cells = [vitest5, jestCjs, jestEsm, jestTsGlobals, jestTsTypes]

let server: FixtureServer | undefined

beforeAll(async () => {
  server = await startFixtureServer()
  const tarball = inject('perfgateTarball')
  // At most three installs at once (see matrix-cells.ts); a failed one fails only its own cell.
  await Promise.all(cells.map((cell) => cell.install(tarball)))
}, 600_000)

afterAll(async () => {
  await server?.close()
  await Promise.all(cells.map((cell) => cell.remove()))
})

function serverUrl(): string {
  if (server === undefined) throw new Error('beforeAll did not start the fixture server')
  return server.url
}

/** The Node 22 executable installed by the vitest5-ts cell's `node@22` devDependency. */
async function node22(): Promise<string> {
  return vitest5.path('node_modules', 'node', 'bin', 'node')
}

/** `tsc --noEmit -p <tsconfig>` in a cell. */
function tsc(cell: Cell, tsconfig: string, node?: string): Promise<Run> {
  return cell.run(`tsc -p ${tsconfig}`, 'tsc', ['--noEmit', '-p', tsconfig], { node })
}

/** Writes a tsconfig that extends the cell's own with other settings (into the installed copy only). */
async function writeTsconfig(cell: Cell, name: string, content: Record<string, unknown>): Promise<void> {
  await writeFile(await cell.path(name), `${JSON.stringify({ extends: './tsconfig.json', ...content }, null, 2)}\n`)
}

/** What tsc says when perfgate's matcher types did not reach `expect`. */
const missingMatcherTypes = /error TS2339: Property 'toRespondWithin' does not exist on type/

describe('Vitest 5 on Node 22 (ESM, TypeScript): vitest5-ts', () => {
  const vitest = async (name: string, args: readonly string[], env: Env = {}): Promise<Run> =>
    vitest5.run(name, 'vitest', ['run', ...args], { node: await node22(), env: { PERFGATE_E2E_URL: serverUrl(), ...env } })

  it('node@22 installed a real Node 22 binary at node_modules/node/bin/node (and .bin/node)', async () => {
    const result = await runCommand(await node22(), ['--version'], { cwd: await vitest5.dir() })
    expect(result.stdout, result.stderr).toMatch(/^v22\./)
    expect(await exists(await vitest5.path('node_modules', '.bin', 'node'))).toBe(true)
  })

  it('type-checks with tsc --noEmit: the three matchers on Vitest 5, and @ts-expect-error lines for wrong arguments', { timeout: stepTimeoutMs }, async () => {
    const run = await tsc(vitest5, 'tsconfig.json', await node22())
    expect(run.result.code, run.transcript).toBe(0)
    // …and it is perfgate-env.d.ts (`/// <reference types="perfgate/vitest" />`) that brings them.
    await writeTsconfig(vitest5, 'tsconfig.no-perfgate-types.json', { include: ['test'] })
    const without = await tsc(vitest5, 'tsconfig.no-perfgate-types.json', await node22())
    expect(without.result.code, without.transcript).not.toBe(0)
    expect(without.output, without.transcript).toMatch(missingMatcherTypes)
  })

  defineRoundTrip({
    label: 'Node 22',
    cell: vitest5,
    run: vitest,
    counts: vitestTestCounts,
    tests: 5,
    baselineFile: 'baselines/test/perf.test.ts.json',
    key: 'perf > matches its baseline',
    nodeMajor: 22,
    steps: 'full',
    timeoutMs: stepTimeoutMs,
  })

  it("the wrong setup file (setupFiles: ['perfgate/jest']) stops the run with advice naming perfgate/vitest", { timeout: stepTimeoutMs }, async () => {
    await rm(await vitest5.path('baselines'), { recursive: true, force: true })
    const run = await vitest('wrong setup file', ['--config', 'vitest.wrong.config.ts'])
    expect(run.result.code, run.transcript).toBe(1)
    expect(run.output, run.transcript).toContain('PerfgateError: perfgate/jest is the setup file for Jest, but this is Vitest')
    expect(run.output, run.transcript).toContain("use setupFiles: ['perfgate/vitest']")
    expect(await filesUnder(await vitest5.path('baselines')), run.transcript).toEqual([])
  })
})

describe('Jest 30, CommonJS, plain JavaScript: jest-cjs', () => {
  const jestOn =
    (nodeMajor: number) =>
    async (name: string, args: readonly string[], env: Env = {}): Promise<Run> =>
      jestCjs.run(`${name} (Node ${nodeMajor})`, 'jest', args, {
        node: nodeMajor === 22 ? await node22() : machineNode,
        env: { PERFGATE_E2E_URL: serverUrl(), EXPECTED_NODE_MAJOR: String(nodeMajor), ...env },
      })

  for (const nodeMajor of [machineNodeMajor, 22]) {
    defineRoundTrip({
      label: `Node ${nodeMajor}`,
      cell: jestCjs,
      run: jestOn(nodeMajor),
      counts: jestTestCounts,
      tests: 5,
      baselineFile: 'baselines/test/perf.test.js.json',
      key: 'perf > matches its baseline',
      nodeMajor,
      steps: 'full',
      timeoutMs: stepTimeoutMs,
    })
  }

  it('jest --ci (without CI set) writes nothing either: a missing baseline fails; jest --ci -u writes, and says so', { timeout: stepTimeoutMs }, async () => {
    await rm(await jestCjs.path('baselines'), { recursive: true, force: true })
    const run = await jestOn(machineNodeMajor)('jest --ci, no baseline file', ['--ci'])
    expect(run.result.code, run.transcript).toBe(1)
    expect(jestTestCounts(run.output), run.transcript).toEqual({ passed: 4, failed: 1, skipped: 0, total: 5 })
    expect(run.output, run.transcript).toContain("Verdict:  missing — no baseline for this test in this environment, and update mode 'none'")
    expect(await filesUnder(await jestCjs.path('baselines')), run.transcript).toEqual([])
    // With -u it writes, as snapshots do, and the global setup says so (the workers cannot see --ci).
    const update = await jestOn(machineNodeMajor)('jest --ci -u', ['--ci', '-u'])
    expect(update.result.code, update.transcript).toBe(0)
    expect(update.output, update.transcript).toContain("perfgate: Jest's CI mode (--ci) is on, but update mode 'all' (from the runner's snapshot update mode: -u) rewrites every entry")
    expect(await filesUnder(await jestCjs.path('baselines')), update.transcript).toEqual(['test/perf.test.js.json'])
  })

  it('test.concurrent: five tests with two anonymous baselines each get ten exact keys', { timeout: stepTimeoutMs }, async () => {
    await rm(await jestCjs.path('baselines'), { recursive: true, force: true })
    const run = await jestOn(machineNodeMajor)('test.concurrent keys', ['--testMatch', '**/scenarios/keys.scenario.js'])
    expect(run.result.code, run.transcript).toBe(0)
    expect(jestTestCounts(run.output), run.transcript).toEqual({ passed: 5, failed: 0, skipped: 0, total: 5 })
    const text = await readFile(await jestCjs.path('baselines', 'scenarios', 'keys.scenario.js.json'), 'utf8')
    const keys = Object.keys((JSON.parse(text) as { entries: Record<string, unknown> }).entries)
    expect(keys.sort(), run.transcript).toEqual([1, 2, 3, 4, 5].flatMap((n) => [`conc > t${n}`, `conc > t${n} #2`]).sort())
    await rm(await jestCjs.path('baselines'), { recursive: true, force: true })
  })

  it('hanging targets fail with perfgate\'s reason before Jest\'s timeout, and Jest exits by itself', { timeout: stepTimeoutMs }, async () => {
    await rm(await jestCjs.path('baselines'), { recursive: true, force: true })
    const run = await jestOn(machineNodeMajor)('hanging targets', ['--testMatch', '**/scenarios/hang.scenario.js'])
    // Before, the requests went on after the tests had timed out, and Jest waited for them (100 s and more).
    expect(run.result.timedOut, run.transcript).toBe(false)
    expect(run.output, run.transcript).not.toContain('did not exit one second after the test run has completed')
    expect(run.result.code, run.transcript).toBe(1)
    expect(jestTestCounts(run.output), run.transcript).toEqual({ passed: 0, failed: 3, skipped: 0, total: 3 })
    for (const matcher of ['toRespondWithin', 'toSustainSuccessRate', 'toMatchBaseline']) {
      expect(run.output, run.transcript).toContain(`${matcher} stopped before the test's timeout (3000 ms)`)
    }
    expect(run.output, run.transcript).not.toContain('Exceeded timeout of 3000 ms')
    expect(await filesUnder(await jestCjs.path('baselines')), run.transcript).toEqual([])
  })

  it('a measure() called in a test stops when Jest times the test out: the next test sees no more of its requests', { timeout: stepTimeoutMs }, async () => {
    const run = await jestOn(machineNodeMajor)('standalone run', ['--testMatch', '**/scenarios/standalone.scenario.js'])
    // Before, it went on sending through the next test (whose wait for quiet then never ended), and touched
    // perfgate's state on globalThis after Jest had torn the file's environment down.
    expect(run.result.timedOut, run.transcript).toBe(false)
    expect(run.result.code, run.transcript).toBe(1)
    expect(jestTestCounts(run.output), run.transcript).toEqual({ passed: 1, failed: 1, skipped: 0, total: 2 })
    expect(run.output, run.transcript).toContain('Exceeded timeout of 1500 ms')
    expect(run.output, run.transcript).not.toContain('soft deleted')
  })

  it('under fake timers on before perfgate loads (enableGlobally), its runs keep real time and an HTTP target is refused saying why', { timeout: stepTimeoutMs }, async () => {
    const run = await jestOn(machineNodeMajor)('fake timers', ['--config', 'scenarios/fake-timers.config.js'])
    // Before, tinybench sampled on the fake clock: the benchmark never ended and Jest hung.
    expect(run.result.timedOut, run.transcript).toBe(false)
    expect(run.result.code, run.transcript).toBe(0)
    expect(jestTestCounts(run.output), run.transcript).toEqual({ passed: 4, failed: 0, skipped: 0, total: 4 })
  })

  it('perfgate/jest-reporter: 8 files × 10 assertions in 4 workers give 80 records, the table and the three files; a caught matcher error is left out, an uncaught one counted', { timeout: stepTimeoutMs }, async () => {
    const dir = await jestCjs.path('scenarios', 'reports')
    await rm(dir, { recursive: true, force: true })
    await rm(await jestCjs.path('.perfgate'), { recursive: true, force: true })
    await rm(await jestCjs.path('baselines'), { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    for (let file = 1; file <= 8; file++) await writeFile(join(dir, `r${file}.reports.js`), jestReportsTestFile(file))
    const run = await jestOn(machineNodeMajor)('jest reports, 4 workers', [
      '--testMatch',
      '**/scenarios/reports/*.reports.js',
      '--reporters',
      'default',
      '--reporters',
      'perfgate/jest-reporter',
      '--maxWorkers',
      '4',
    ])
    expect(run.result.code, run.transcript).toBe(1)
    expect(jestTestCounts(run.output), run.transcript).toEqual({ passed: 9, failed: 1, skipped: 0, total: 10 })
    const report = JSON.parse(await readFile(await jestCjs.path('.perfgate', 'perfgate-report.json'), 'utf8')) as {
      records: { kind: string; testFile: string; testName: string; line: number | null }[]
      runner: { name: string }
    }
    expect(report.runner.name).toBe('jest')
    const verdicts = report.records.filter((record) => record.kind !== 'error' && record.testName !== 'file 2 retried')
    // The test's line, from the stack jest-circus keeps for it.
    expect(new Set(verdicts.map((record) => record.line))).toEqual(new Set([5]))
    expect(verdicts.length, run.transcript).toBe(80)
    const kinds = report.records.reduce<Record<string, number>>((counts, record) => ({ ...counts, [record.kind]: (counts[record.kind] ?? 0) + 1 }), {})
    // The 8 caught errors are left out; the uncaught one is there; the retried test's last attempt only.
    expect(kinds, run.transcript).toEqual({ baseline: 24, latency: 33, load: 24, error: 1 })
    expect(report.records.find((record) => record.kind === 'error')?.testName).toBe('file 1 with a wrong threshold')
    expect(report.records.filter((record) => record.testName === 'file 2 retried').map((record) => (record as { pass?: boolean }).pass)).toEqual([true])
    expect(run.output, run.transcript).toContain('82 perf assertions: 1 failed (1 stopped with an error)')
    expect(new Set(report.records.map((record) => record.testFile)).size).toBe(8)
    for (const name of ['perfgate-report.md', 'perfgate-report.html']) {
      expect((await readFile(await jestCjs.path('.perfgate', name), 'utf8')).length, name).toBeGreaterThan(100)
    }
    expect(run.output, run.transcript).toContain('perfgate: reports in .perfgate')
    await rm(dir, { recursive: true, force: true })
    await rm(await jestCjs.path('baselines'), { recursive: true, force: true })
  })

  it('in an interactive terminal a long load run shows progress through perfgate/jest-reporter, and Jest (in band) exits by itself', { timeout: stepTimeoutMs }, async () => {
    const dir = await jestCjs.dir()
    const jestBin = join(dir, 'node_modules', '.bin', 'jest')
    // util-linux `script` gives Jest a pseudo-terminal, as in a person's terminal.
    const result = await runCommand(
      'script',
      ['-qec', `${jestBin} --testMatch '**/scenarios/progress.scenario.js' --reporters default --reporters perfgate/jest-reporter`, '/dev/null'],
      { cwd: dir, env: { PERFGATE_E2E_URL: serverUrl(), CI: undefined }, timeoutMs: 120_000, node: machineNode },
    )
    const output = plainText(result.stdout).replace(/\r/g, '\n')
    const transcript = `exit ${result.code}, timed out ${result.timedOut}\n${output}`
    // Before the listener let go of its sockets, an in-band worker's own progress connection kept Jest alive.
    expect(result.timedOut, transcript).toBe(false)
    expect(result.code, transcript).toBe(0)
    expect(output, transcript).toMatch(/perfgate ▸ function \(load\) {2}\d+\.\d s \/ 3\.0 s {2}[\d\s]+ requests?/)
    await rm(await jestCjs.path('.perfgate'), { recursive: true, force: true })
  })

  it('the wrong setup file (--setupFilesAfterEnv perfgate/vitest) stops the run with advice naming perfgate/jest', { timeout: stepTimeoutMs }, async () => {
    await rm(await jestCjs.path('baselines'), { recursive: true, force: true })
    const run = await jestOn(machineNodeMajor)('wrong setup file', ['--setupFilesAfterEnv', 'perfgate/vitest'])
    expect(run.result.code, run.transcript).toBe(1)
    expect(run.output, run.transcript).toContain('PerfgateError: perfgate/vitest is the setup file for Vitest, but this is Jest')
    expect(run.output, run.transcript).toContain("setupFilesAfterEnv: ['perfgate/jest']")
    expect(await filesUnder(await jestCjs.path('baselines')), run.transcript).toEqual([])
  })

  it("a warning shows as one line on stderr, without Jest's console.warn stack frame into perfgate", { timeout: stepTimeoutMs }, async () => {
    const run = await jestOn(machineNodeMajor)('warning', ['-t', 'responds within the budget'])
    expect(run.result.code, run.transcript).toBe(0)
    expect(run.output, run.transcript).toMatch(/^perfgate: percentile 0\.5 means p0\.5, almost the fastest request; for the 50th percentile write percentile: 50$/m)
    expect(run.output, run.transcript).not.toContain('console.warn')
    expect(run.output, run.transcript).not.toMatch(/perfgate\/dist\//)
  })

  it('an error in perfgate.config.json5 is reported once, by the global setup, in a run of two test files', { timeout: stepTimeoutMs }, async () => {
    const configPath = await jestCjs.path('perfgate.config.json5')
    const secondFile = await jestCjs.path('test', 'second.test.js')
    await writeFile(configPath, '// a typo\n{\n  thresold: 0.2,\n}\n')
    await writeFile(
      secondFile,
      "const { serverUrl } = require('./work')\ntest('second', async () => {\n  await expect(`${serverUrl()}/fast`).toRespondWithin(2_000, { samples: 3, warmup: 0 })\n})\n",
    )
    try {
      const run = await jestOn(machineNodeMajor)('config typo, two files', [])
      expect(run.result.code, run.transcript).toBe(1)
      expect(run.output.split('Unknown key `thresold`').length - 1, run.transcript).toBe(1)
      expect(run.output, run.transcript).toContain(`Unknown key \`thresold\` in ${configPath}; did you mean \`threshold\`?`)
      expect(run.output, run.transcript).toContain('globalSetup')
      // No test ran.
      expect(jestTestCounts(run.output), run.transcript).toBeUndefined()
    } finally {
      await rm(configPath, { force: true })
      await rm(secondFile, { force: true })
    }
  })
})

describe('Jest 30, ESM mode (--experimental-vm-modules) on Node 22: jest-esm', () => {
  defineRoundTrip({
    label: 'Node 22',
    cell: jestEsm,
    run: async (name, args, env = {}) =>
      jestEsm.run(name, 'jest', args, {
        node: await node22(),
        env: { PERFGATE_E2E_URL: serverUrl(), NODE_OPTIONS: '--experimental-vm-modules', ...env },
      }),
    counts: jestTestCounts,
    tests: 5,
    baselineFile: 'baselines/test/perf.test.js.json',
    key: 'perf > matches its baseline',
    nodeMajor: 22,
    steps: 'full',
    timeoutMs: stepTimeoutMs,
  })
})

const typeScriptCells = [
  {
    style: '@jest/globals',
    cell: jestTsGlobals,
    // The cell's tsconfig.json lists "types": ["node", "perfgate/jest"]. The other way works too:
    // a .d.ts with the reference; without either, the matchers are unknown.
    referenceFile: true,
    alternative: { compilerOptions: { types: ['node'] }, include: ['perfgate-env.d.ts', 'test'] },
    without: { compilerOptions: { types: ['node'] } },
  },
  {
    style: '@types/jest',
    cell: jestTsTypes,
    // The cell's perfgate-env.d.ts holds `/// <reference types="perfgate/jest" />`. The other
    // way works too: "types" in tsconfig.json; without either, the matchers are unknown.
    referenceFile: false,
    alternative: { compilerOptions: { types: ['node', 'jest', 'perfgate/jest'] }, include: ['test'] },
    without: { include: ['test'] },
  },
]

for (const { style, cell, referenceFile, alternative, without } of typeScriptCells) {
  describe(`Jest 30 + ts-jest, TypeScript in the ${style} style: ${cell.template}`, () => {
    it('type-checks with tsc --noEmit: the three matchers, .not, and @ts-expect-error lines for wrong arguments', { timeout: stepTimeoutMs }, async () => {
      const run = await tsc(cell, 'tsconfig.json', machineNode)
      expect(run.result.code, run.transcript).toBe(0)
    })

    it('the one line for the types: either way works, and without it the matchers are unknown', { timeout: stepTimeoutMs }, async () => {
      if (referenceFile) await writeFile(await cell.path('perfgate-env.d.ts'), '/// <reference types="perfgate/jest" />\n')
      await writeTsconfig(cell, 'tsconfig.alternative.json', alternative)
      const other = await tsc(cell, 'tsconfig.alternative.json', machineNode)
      expect(other.result.code, other.transcript).toBe(0)

      await writeTsconfig(cell, 'tsconfig.without.json', without)
      const none = await tsc(cell, 'tsconfig.without.json', machineNode)
      expect(none.result.code, none.transcript).not.toBe(0)
      expect(none.output, none.transcript).toMatch(missingMatcherTypes)
    })

    defineRoundTrip({
      label: `ts-jest on Node ${machineNodeMajor}`,
      cell,
      run: (name, args, env = {}) => cell.run(name, 'jest', args, { node: machineNode, env: { PERFGATE_E2E_URL: serverUrl(), ...env } }),
      counts: jestTestCounts,
      tests: 5,
      baselineFile: 'baselines/test/perf.test.ts.json',
      key: 'perf > matches its baseline',
      nodeMajor: machineNodeMajor,
      steps: 'record-and-compare',
      timeoutMs: stepTimeoutMs,
    })
  })
}

// Issue 13: the shards' reports, merged by the installed package's `perfgate merge`, equal the unsharded run's.
describe('sharded runs merged with perfgate merge', () => {
  describe('Vitest 5 on Node 22: vitest5-ts', () => {
    defineShardMerge({
      cell: vitest5,
      run: async (name, args, env = {}) => vitest5.run(name, 'vitest', ['run', ...args], { node: await node22(), env }),
      select: ['--dir', 'shards'],
      testFile: (name) => `shards/${name}.test.ts`,
      testText: vitestShardFile,
      node: node22,
      timeoutMs: stepTimeoutMs,
    })
  })

  describe(`Jest 30 on Node ${machineNodeMajor}: jest-cjs`, () => {
    defineShardMerge({
      cell: jestCjs,
      run: (name, args, env = {}) => jestCjs.run(name, 'jest', args, { node: machineNode, env }),
      select: ['--testMatch', '**/shards/*.shard.js', '--reporters', 'default', '--reporters', 'perfgate/jest-reporter'],
      testFile: (name) => `shards/${name}.shard.js`,
      testText: jestShardFile,
      node: () => Promise.resolve(machineNode),
      timeoutMs: stepTimeoutMs,
    })
  })
})

describe('the matrix', () => {
  it('every nested run exited by itself (no run needed its timeout)', () => {
    expect(allRuns.length).toBeGreaterThan(0)
    for (const { name, result } of allRuns) {
      expect({ name, timedOut: result.timedOut, signal: result.signal }).toEqual({ name, timedOut: false, signal: null })
    }
  })
})

/** A generated CommonJS Jest test file with 10 quick perf assertions (4 latency budgets, 3 load runs, 3 baselines) and a caught matcher error; file 1 has a second test whose matcher error is not caught, file 3 a hook that catches one. */
function jestReportsTestFile(file: number): string {
  return `/* global test, expect, beforeAll */
const quick = { time: 20, warmupTime: 0, rounds: 2 }
const { sqrt } = Math

test('file ${file}', async () => {
  for (let i = 0; i < 4; i++) await expect(() => i).toRespondWithin(1000, { samples: 5, warmup: 0 })
  for (let i = 0; i < 3; i++) await expect(() => i).toSustainSuccessRate(0.9, { requests: 10, concurrency: 2 })
  for (let i = 0; i < 3; i++) await expect(() => sqrt(i)).toMatchBaseline({ ...quick, name: 'n' + i })
  // A matcher's error the test catches: no failed assertion, so the reports leave it out.
  await expect(expect(() => 1).toRespondWithin(-1)).rejects.toThrow(TypeError)
}, 60000)
${
  file === 1
    ? `
// One that is not caught: the test fails, and the reports count it as stopped with an error.
test('file 1 with a wrong threshold', async () => {
  await expect(() => 1).toMatchBaseline({ threshold: 20 })
})
`
    : ''
}${
  file === 2
    ? `
// Failed once, passed on its retry: Jest reports the last attempt, and so do the reports.
jest.retryTimes(1)
let attempt = 0
test('file 2 retried', async () => {
  attempt++
  await expect(() => sqrt(attempt)).toRespondWithin(attempt === 1 ? 0.000001 : 1000, { samples: 5, warmup: 0 })
})
`
    : ''
}// After the test, so that its line stays 5: a matcher's error caught in a hook of a file that
// fails nothing is no failure in the reports either.
${file === 3 ? 'beforeAll(async () => {\n  await expect(expect(() => 1).toRespondWithin(-1)).rejects.toThrow(TypeError)\n})\n' : ''}`
}
