/**
 * End to end: the baseline workflow of `toMatchBaseline` in a new user's Vitest + TypeScript ESM
 * project (fixtures/projects/vitest-baselines), on the packed package: record on a first local
 * run, compare under CI, catch a planted slowdown, update with -u, and the error paths (missing
 * baseline in CI, a corrupted file, PERFGATE_UPDATE=none, obsolete entries, a config typo).
 *
 * The steps share one installed project and run in order. They never assert on durations: the
 * planted slowdown is 5× the work (3× for the -u step), far beyond the 10% threshold, and an
 * A/A run on unchanged code must never be called a regression.
 */
import { readFileSync } from 'node:fs'
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type * as PerfgateModule from '../../src/index.js'
import { installFixtureProject, plainText, runCommand, vitestTestCounts } from './harness.js'
import type { CommandResult, FixtureProject } from './harness.js'

/** A bound only a hang reaches; each run takes a few seconds. */
const runTimeoutMs = 120_000
/** Per step: up to two runs, on a loaded two-core machine. */
const stepTimeoutMs = 240_000

const baselineRelativePath = join('baselines', 'test', 'speed.test.ts.json')
const configFileName = 'perfgate.config.json5'
const perfgateVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** The keys test/speed.test.ts compares, as the file stores them (sorted). */
const expectedKeys = [
  'speed > sums square roots',
  'speed > sums square roots >> second',
  'speed > compares twice in one test',
  'speed > compares twice in one test #2',
].sort()
const obsoleteKey = 'speed > a test that was removed'

let project: FixtureProject | undefined
const runs: { name: string; result: CommandResult }[] = []

beforeAll(async () => {
  project = await installFixtureProject({
    template: 'vitest-baselines',
    tarball: inject('perfgateTarball'),
    dependencies: { vitest: '^4.1.0' },
  })
}, 300_000)

afterAll(async () => {
  await project?.remove()
})

function projectDir(): string {
  if (project === undefined) throw new Error('beforeAll did not finish')
  return project.dir
}

const baselinePath = (): string => join(projectDir(), baselineRelativePath)
const configPath = (): string => join(projectDir(), configFileName)

interface Run {
  readonly result: CommandResult
  /** stdout and stderr without colours. */
  readonly output: string
  /** Everything a failed expectation needs to be understood. */
  readonly transcript: string
}

/**
 * Runs `vitest run` (plus `args`) in the project. Nothing perfgate reads is inherited from this
 * process unless `env` sets it: CI is stripped by the harness, the rest here.
 */
async function vitest(name: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const result = await runCommand(join(projectDir(), 'node_modules', '.bin', 'vitest'), ['run', ...args], {
    cwd: projectDir(),
    env: { PERFGATE_UPDATE: undefined, PERFGATE_ROOT: undefined, PERFGATE_PLUGIN_OPTIONS: undefined, WORK_SCALE: undefined, ...env },
    timeoutMs: runTimeoutMs,
  })
  runs.push({ name, result })
  const output = plainText(`${result.stdout}\n${result.stderr}`)
  const transcript = `${name}: exit ${result.code}, signal ${result.signal}, timed out ${result.timedOut}\n--- stdout\n${plainText(result.stdout)}\n--- stderr\n${plainText(result.stderr)}`
  return { result, output, transcript }
}

/** The baseline file's bytes and identity, to tell "untouched" from "rewritten with the same text". */
async function snapshotOf(path: string): Promise<{ text: string; mtimeMs: number; ino: number }> {
  const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
  return { text, mtimeMs: info.mtimeMs, ino: info.ino }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false
      throw error
    },
  )
}

/** Files in the baseline file's folder: the baseline file at most, never a leftover temporary file. */
async function baselineFolder(): Promise<string[]> {
  const folder = join(projectDir(), 'baselines', 'test')
  return (await exists(folder)) ? (await readdir(folder)).sort() : []
}

interface StoredRecord {
  readonly unit: string
  readonly summary: Record<string, number>
  readonly sample: number[]
  readonly sampleCount: number
  readonly rounds: number[]
  readonly noise: number
  readonly environment: { readonly id: string }
  readonly recordedAt: string
  readonly perfgateVersion: string
  readonly gitCommit: string | null
}
interface StoredFile {
  readonly version: number
  readonly entries: Record<string, Record<string, StoredRecord>>
}

/** The file's only record of `key` (each key holds one environment's record here). */
function onlyRecord(content: StoredFile, key: string): StoredRecord {
  const records = Object.values(content.entries[key] ?? {})
  if (records.length !== 1 || records[0] === undefined) throw new Error(`expected one record under "${key}", found ${records.length}`)
  return records[0]
}

/**
 * The stable format, written independently of perfgate: `version` first, then keys sorted at every
 * level, 2-space indent, arrays of numbers on one line (`[1.2, 1.3]`), newline.
 */
function stableFormat(content: StoredFile): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted)
    if (typeof value !== 'object' || value === null) return value
    const record = value as Record<string, unknown>
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, sorted(record[key])]))
  }
  return `${JSON.stringify({ version: content.version, entries: sorted(content.entries) }, null, 2)}\n`.replace(
    /\[\n\s*([^[\]{}]*?)\n\s*\]/g,
    (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`,
  )
}

/** The packed perfgate, as installed in the project (not this repository's src/). */
async function packedPerfgate(): Promise<typeof PerfgateModule> {
  const entry = join(projectDir(), 'node_modules', 'perfgate', 'dist', 'index.js')
  return (await import(pathToFileURL(entry).href)) as typeof PerfgateModule
}

/** State carried from step to step. */
let recordedAtScale1: string | undefined

describe('toMatchBaseline in a new Vitest project (packed perfgate)', () => {
  it('a. records every baseline on the first local run, in the stable format', { timeout: stepTimeoutMs }, async () => {
    const startedAt = Date.now()
    expect(await exists(baselinePath())).toBe(false)
    const run = await vitest('first local run', [])
    expect(run.result.code, run.transcript).toBe(0)
    expect(vitestTestCounts(run.output), run.transcript).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 })
    expect(await baselineFolder(), run.transcript).toEqual(['speed.test.ts.json'])

    const text = await readFile(baselinePath(), 'utf8')
    recordedAtScale1 = text
    const content = JSON.parse(text) as StoredFile
    expect(content.version).toBe(1)
    expect(Object.keys(content).sort()).toEqual(['entries', 'version'])
    // Every key, in sorted order: the named one (` >> second`) and the counter (` #2`) included.
    expect(Object.keys(content.entries)).toEqual(expectedKeys)
    // Two-space indent, keys sorted at every level, trailing newline: the same bytes as an independent stable writer.
    expect(text).toBe(stableFormat(content))
    expect(text.endsWith('}\n') && !text.endsWith('\n\n')).toBe(true)
    expect(text.split('\n')[1]).toBe('  "version": 1,')

    const environmentIds = new Set<string>()
    for (const key of expectedKeys) {
      const records = content.entries[key] ?? {}
      expect(Object.keys(records), key).toHaveLength(1)
      const [environmentId] = Object.keys(records)
      const record = onlyRecord(content, key)
      environmentIds.add(environmentId ?? '')
      expect(record.environment.id, key).toBe(environmentId)
      expect(record.unit, key).toBe('ms')
      // A compact sorted sample: at most 256 positive points.
      expect(record.sample.length, key).toBeGreaterThanOrEqual(1)
      expect(record.sample.length, key).toBeLessThanOrEqual(256)
      expect(record.sample.every((x, i) => Number.isFinite(x) && x > 0 && (i === 0 || x >= (record.sample[i - 1] ?? 0))), key).toBe(true)
      expect(Number.isInteger(record.sampleCount) && record.sampleCount >= record.sample.length, key).toBe(true)
      expect(record.summary['count'], key).toBe(record.sampleCount)
      expect(record.summary['median'], key).toBeGreaterThan(0)
      // Several rounds, so the record knows its own noise floor.
      expect(record.rounds.length, key).toBeGreaterThanOrEqual(2)
      expect(record.rounds.every((x) => Number.isFinite(x) && x > 0), key).toBe(true)
      expect(Number.isFinite(record.noise) && record.noise >= 0, key).toBe(true)
      expect(record.perfgateVersion, key).toBe(perfgateVersion)
      const recordedAt = Date.parse(record.recordedAt)
      expect(new Date(recordedAt).toISOString(), key).toBe(record.recordedAt)
      expect(recordedAt, key).toBeGreaterThanOrEqual(startedAt - 1_000)
      expect(recordedAt, key).toBeLessThanOrEqual(Date.now() + 1_000)
      // The project is not a git repository.
      expect(record.gitCommit, key).toBeNull()
    }
    expect(environmentIds.size).toBe(1)

    // The packed package reads it back and writes the very same bytes.
    const { parseBaselineFile, serializeBaselineFile } = await packedPerfgate()
    expect(serializeBaselineFile(parseBaselineFile(text, baselinePath()))).toBe(text)
  })

  it('b. passes under CI on the same code, and leaves the file untouched', { timeout: stepTimeoutMs }, async () => {
    const before = await snapshotOf(baselinePath())
    const run = await vitest('CI, same code', [], { CI: 'true' })
    // Never `regressed` on unchanged code: if this fails, the message holds the numbers.
    expect(run.output, run.transcript).not.toMatch(/regressed/)
    expect(run.result.code, run.transcript).toBe(0)
    expect(vitestTestCounts(run.output), run.transcript).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 })
    expect(await snapshotOf(baselinePath()), run.transcript).toEqual(before)
    expect(await baselineFolder(), run.transcript).toEqual(['speed.test.ts.json'])
  })

  // 5×: a machine busier than at recording explains up to +200% for a function, and this step
  // once saw a planted 3× (+193%) `inconclusive` so, rightly; what this step checks is how a
  // caught slowdown fails (how small a one is caught, bench:quality and bench:ab measure).
  it('c. fails under CI on a planted 5× slowdown, with the evidence, and leaves the file untouched', { timeout: stepTimeoutMs }, async () => {
    const before = await snapshotOf(baselinePath())
    const run = await vitest('CI, WORK_SCALE=5', [], { CI: 'true', WORK_SCALE: '5' })
    expect(run.result.code, run.transcript).toBe(1)
    expect(vitestTestCounts(run.output), run.transcript).toEqual({ passed: 0, failed: 2, skipped: 0, total: 2 })
    expect(run.output, run.transcript).toContain('Verdict:  regressed')
    expect(run.output, run.transcript).toContain(`Baseline: "speed > sums square roots" in ${baselineRelativePath}`)
    const evidence = /median ([\d.]+) (?:ms|µs) vs ([\d.]+) (?:ms|µs) baseline, \+([\d.]+)% \[95% CI \+([\d.]+)%\.\.\+([\d.]+)%\], p < 0\.001, threshold 10%/.exec(
      run.output,
    )
    expect(evidence, run.transcript).not.toBeNull()
    // Beyond the threshold, and inside its own confidence interval.
    const [change, lower, upper] = [Number(evidence?.[3]), Number(evidence?.[4]), Number(evidence?.[5])]
    expect(change, run.transcript).toBeGreaterThan(10)
    expect(lower <= change && change <= upper, run.transcript).toBe(true)
    expect(run.output, run.transcript).toContain('If the slowdown is intended, update the baseline: run with -u')
    expect(await snapshotOf(baselinePath()), run.transcript).toEqual(before)
  })

  it('d. -u accepts the slowdown and rewrites the file, saying so under CI; CI then passes on the slower code', { timeout: stepTimeoutMs }, async () => {
    const before = await snapshotOf(baselinePath())
    const oldMedian = onlyRecord(JSON.parse(before.text) as StoredFile, 'speed > sums square roots').summary['median'] ?? Number.NaN

    // In CI too: an explicit -u wins, as for snapshots, and perfgate says so once.
    const update = await vitest('-u under CI, WORK_SCALE=3', ['-u'], { CI: 'true', WORK_SCALE: '3' })
    expect(update.result.code, update.transcript).toBe(0)
    expect(update.output, update.transcript).toContain("perfgate: CI is set, but update mode 'all' (from the runner's snapshot update mode: -u) rewrites every entry that changed, accepting regressions")
    expect(vitestTestCounts(update.output), update.transcript).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 })
    const after = await snapshotOf(baselinePath())
    expect(after.text, update.transcript).not.toBe(before.text)
    const content = JSON.parse(after.text) as StoredFile
    expect(Object.keys(content.entries)).toEqual(expectedKeys)
    expect(after.text).toBe(stableFormat(content))
    const newMedian = onlyRecord(content, 'speed > sums square roots').summary['median'] ?? Number.NaN
    expect(newMedian, update.transcript).toBeGreaterThan(oldMedian)
    expect(await baselineFolder(), update.transcript).toEqual(['speed.test.ts.json'])

    const ci = await vitest('CI, WORK_SCALE=3 after -u', [], { CI: 'true', WORK_SCALE: '3' })
    expect(ci.output, ci.transcript).not.toMatch(/regressed/)
    expect(ci.result.code, ci.transcript).toBe(0)
    expect(vitestTestCounts(ci.output), ci.transcript).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 })
    expect(await snapshotOf(baselinePath()), ci.transcript).toEqual(after)
  })

  it('e. fails under CI when the baseline is missing, says how to record it, and creates nothing', { timeout: stepTimeoutMs }, async () => {
    await rm(baselinePath())
    const run = await vitest('CI, no baseline file', [], { CI: 'true' })
    expect(run.result.code, run.transcript).toBe(1)
    expect(vitestTestCounts(run.output), run.transcript).toEqual({ passed: 0, failed: 2, skipped: 0, total: 2 })
    expect(run.output, run.transcript).toContain(
      "Verdict:  missing — no baseline for this test in this environment, and update mode 'none' does not record one.",
    )
    expect(run.output, run.transcript).toContain('Record it with a local run (update mode new) or with -u, and commit the baseline file')
    expect(run.output, run.transcript).toContain("The update mode came from the runner's snapshot update mode, which CI sets (the CI variable, or jest --ci).")
    expect(run.output, run.transcript).toContain("ci.missingBaseline to 'warn'")
    expect(await exists(baselinePath()), run.transcript).toBe(false)
    expect(await baselineFolder(), run.transcript).toEqual([])
  })

  it('f. fails on a corrupted file, naming the file, line and column, and never overwrites it', { timeout: stepTimeoutMs }, async () => {
    if (recordedAtScale1 === undefined) throw new Error('step a did not record a baseline')
    const text = recordedAtScale1
    /** Line and column (from 1) of an offset in `content`. */
    const position = (content: string, offset: number): string => {
      const lines = content.slice(0, offset).split('\n')
      return `line ${lines.length}, column ${(lines.at(-1) ?? '').length + 1}`
    }
    // Truncated mid-way, inside the first number of a sample: the error is at the end of the text.
    const sampleStart = /^ +"sample": \[\d+\.\d/gm
    sampleStart.lastIndex = Math.floor(text.length / 2)
    const middle = sampleStart.exec(text)
    if (middle === null) throw new Error(`no sample line in the second half of\n${text}`)
    const truncated = text.slice(0, middle.index + middle[0].length)
    // A merge conflict left in the file: the error is at the marker, mid-file.
    const conflictAt = text.indexOf('    "speed > sums square roots": {')
    const conflicted = `${text.slice(0, conflictAt)}<<<<<<< HEAD\n${text.slice(conflictAt)}`

    for (const [what, broken, at] of [
      ['truncated', truncated, position(truncated, truncated.length)],
      ['merge conflict', conflicted, position(conflicted, conflictAt)],
    ] as const) {
      await writeFile(baselinePath(), broken)
      const before = await snapshotOf(baselinePath())
      const run = await vitest(`local run, corrupted file (${what})`, [])
      expect(run.result.code, run.transcript).toBe(1)
      expect(vitestTestCounts(run.output), run.transcript).toEqual({ passed: 0, failed: 2, skipped: 0, total: 2 })
      expect(run.output, run.transcript).toContain('PerfgateError: Cannot parse the baseline file ')
      expect(run.output, run.transcript).toContain(`${baselineRelativePath} at ${at}: `)
      expect(run.output, run.transcript).toContain('perfgate will not overwrite it')
      // Thrown after an await, yet it points at the assertions' lines (the code frame of each test).
      for (const line of [23, 29]) expect(plainText(run.output), run.transcript).toMatch(new RegExp(`❯ test/speed\\.test\\.ts:${line}:\\d+`))
      // perfgate's own summary counts them as failed too (it said "all passed" beside the red run).
      expect(run.output, run.transcript).toContain('2 perf assertions: 2 failed (2 stopped with an error)')
      expect(await snapshotOf(baselinePath()), run.transcript).toEqual(before)
      expect(await baselineFolder(), run.transcript).toEqual(['speed.test.ts.json'])
    }
  })

  it('g. PERFGATE_UPDATE=none on a local run writes nothing and fails on a missing baseline', { timeout: stepTimeoutMs }, async () => {
    await rm(baselinePath())
    const run = await vitest('PERFGATE_UPDATE=none, no baseline file', [], { PERFGATE_UPDATE: 'none' })
    expect(run.result.code, run.transcript).toBe(1)
    expect(vitestTestCounts(run.output), run.transcript).toEqual({ passed: 0, failed: 2, skipped: 0, total: 2 })
    expect(run.output, run.transcript).toContain("Verdict:  missing — no baseline for this test in this environment, and update mode 'none'")
    expect(await exists(baselinePath()), run.transcript).toBe(false)
    expect(await baselineFolder(), run.transcript).toEqual([])
  })

  it('h. reports an obsolete entry and keeps it; -u removes it', { timeout: stepTimeoutMs }, async () => {
    if (recordedAtScale1 === undefined) throw new Error('step a did not record a baseline')
    // A valid file with one more key, for a test that no longer exists, written in the stable format.
    const { serializeBaselineFile } = await packedPerfgate()
    const content = JSON.parse(recordedAtScale1) as StoredFile
    const entries = { ...content.entries, [obsoleteKey]: content.entries['speed > sums square roots'] ?? {} }
    const text = serializeBaselineFile({ version: 1, entries } as unknown as PerfgateModule.BaselineFileContent)
    expect(text).toBe(stableFormat({ version: 1, entries }))
    await writeFile(baselinePath(), text)
    const before = await snapshotOf(baselinePath())

    const run = await vitest('local run, obsolete entry', [])
    expect(run.output, run.transcript).not.toMatch(/regressed/)
    expect(run.result.code, run.transcript).toBe(0)
    expect(vitestTestCounts(run.output), run.transcript).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 })
    // Said once, at the end, by perfgate's reporter (the plugin adds it).
    expect(run.output, run.transcript).toContain(`1 obsolete baseline entry (no test asked for it; -u removes it) in ${baselineRelativePath}: ${obsoleteKey}`)
    expect(await snapshotOf(baselinePath()), run.transcript).toEqual(before)

    const update = await vitest('-u, obsolete entry', ['-u'])
    expect(update.result.code, update.transcript).toBe(0)
    expect(vitestTestCounts(update.output), update.transcript).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 })
    expect(update.output, update.transcript).toContain(`perfgate: removed 1 obsolete baseline entry from ${baselineRelativePath}: ${obsoleteKey}`)
    const after = JSON.parse(await readFile(baselinePath(), 'utf8')) as StoredFile
    expect(Object.keys(after.entries), update.transcript).toEqual(expectedKeys)
    expect(await baselineFolder(), update.transcript).toEqual(['speed.test.ts.json'])
  })

  it('i. fails on an unknown key in perfgate.config.json5 at startup, once, naming the key and the file, with a suggestion', { timeout: stepTimeoutMs }, async () => {
    const original = await readFile(configPath(), 'utf8')
    const baselineBefore = await snapshotOf(baselinePath())
    try {
      await writeFile(configPath(), '// a typo\n{\n  thresold: 0.2,\n  benchmark: { time: 300 },\n}\n')
      const run = await vitest('local run, config typo', [])
      expect(run.result.code, run.transcript).toBe(1)
      // The plugin stops the run before any test: the error is shown once, not by each test.
      expect(vitestTestCounts(run.output), run.transcript).toBeUndefined()
      expect(run.output.split('Unknown key `thresold`').length - 1, run.transcript).toBe(1)
      expect(run.output, run.transcript).toContain(`Unknown key \`thresold\` in ${configPath()}`)
      expect(run.output, run.transcript).toContain(`${configFileName}; did you mean \`threshold\`? Known keys: baselineDir, threshold,`)
      expect(await snapshotOf(baselinePath()), run.transcript).toEqual(baselineBefore)
    } finally {
      await writeFile(configPath(), original)
    }
  })

  it('every nested run exited by itself (no run needed its timeout)', () => {
    expect(runs.length).toBe(12)
    for (const { name, result } of runs) {
      expect({ name, timedOut: result.timedOut, signal: result.signal }).toEqual({ name, timedOut: false, signal: null })
    }
  })
})
