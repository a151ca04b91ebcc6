/**
 * Helpers for the compatibility matrix (matrix.test.ts): fixture projects installed a few at a
 * time, runs of their test runner on a chosen Node, test counts from Jest's summary, and the
 * baseline round trip every cell goes through.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import pLimit from 'p-limit'
import { expect, it } from 'vitest'
import { installFixtureProject, plainText, runCommand } from './harness.js'
import type { CommandResult, FixtureProject } from './harness.js'

export type Env = Record<string, string | undefined>

export interface Run {
  readonly name: string
  readonly result: CommandResult
  /** stdout and stderr without colours. */
  readonly output: string
  /** Everything a failed expectation needs to be understood. */
  readonly transcript: string
}

export interface TestCounts {
  readonly passed: number
  readonly failed: number
  readonly skipped: number
  readonly total: number
}

/** A Jest run's test counts, from its summary line (`Tests:       1 failed, 4 passed, 5 total`). */
export function jestTestCounts(output: string): TestCounts | undefined {
  const line = /^Tests:\s+(.+?)\s*$/m.exec(plainText(output))?.[1]
  if (line === undefined) return undefined
  const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0)
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), total: count('total') }
}

/** Variables the nested runs must not inherit from this process: perfgate's own, and the cells' knobs. */
const cleanEnv: Env = {
  PERFGATE_UPDATE: undefined,
  PERFGATE_ROOT: undefined,
  PERFGATE_PLUGIN_OPTIONS: undefined,
  WORK_SCALE: undefined,
  EXPECTED_NODE_MAJOR: undefined,
  NODE_OPTIONS: undefined,
}

/** Every nested run of the matrix, in order, for the final "exited by itself" check. */
export const allRuns: Run[] = []

/** Installs go through this: a few `npm install`s at once share the machine and the npm cache. */
const installSlots = pLimit(3)

/** One fixture project (a folder under fixtures/projects), installed with the packed perfgate. */
export class Cell {
  private installing: Promise<FixtureProject> | undefined
  private installed: FixtureProject | undefined

  constructor(
    readonly template: string,
    readonly dependencies: Record<string, string>,
  ) {}

  /** Starts the install (queued behind the others); settles when it is done, never rejects. */
  install(tarball: string): Promise<void> {
    this.installing = installSlots(() => installFixtureProject({ template: this.template, tarball, dependencies: this.dependencies }))
    return this.installing.then(
      (project) => {
        this.installed = project
      },
      () => undefined,
    )
  }

  /** The installed project's folder; throws the install's error when it failed. */
  async dir(): Promise<string> {
    if (this.installing === undefined) throw new Error(`${this.template}: not installed (beforeAll did not run)`)
    return (await this.installing).dir
  }

  /** The path of a file in the installed project. */
  async path(...segments: string[]): Promise<string> {
    return join(await this.dir(), ...segments)
  }

  /**
   * Runs one of the project's binaries (node_modules/.bin) in the project, with `node` first on
   * PATH when given (so the runner and its workers run on that Node).
   */
  async run(name: string, bin: string, args: readonly string[], options: { env?: Env; node?: string | undefined } = {}): Promise<Run> {
    const dir = await this.dir()
    const result = await runCommand(join(dir, 'node_modules', '.bin', bin), args, {
      cwd: dir,
      env: { ...cleanEnv, ...options.env },
      // A bound only a hang reaches; each run takes seconds.
      timeoutMs: 120_000,
      ...(options.node === undefined ? {} : { node: options.node }),
    })
    const output = plainText(`${result.stdout}\n${result.stderr}`)
    const label = `${this.template}: ${name}`
    const transcript = `${label}: exit ${result.code}, signal ${result.signal}, timed out ${result.timedOut}\n--- stdout\n${plainText(result.stdout)}\n--- stderr\n${plainText(result.stderr)}`
    const run = { name: label, result, output, transcript }
    allRuns.push(run)
    return run
  }

  async remove(): Promise<void> {
    await this.installed?.remove()
  }
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false
      throw error
    },
  )
}

/** Every file under `dir` (relative paths, sorted); none when it does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return []
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

/** A file's bytes and identity, to tell "untouched" from "rewritten with the same text". */
export async function snapshotOf(path: string): Promise<{ text: string; mtimeMs: number; ino: number }> {
  const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
  return { text, mtimeMs: info.mtimeMs, ino: info.ino }
}

interface StoredRecord {
  readonly summary: { readonly median: number }
  readonly environment: { readonly id: string }
  readonly recordedAt: string
}

/** The only record stored under `key`, and its environment id. */
export function onlyRecord(text: string, key: string): StoredRecord {
  const content = JSON.parse(text) as { entries?: Record<string, Record<string, StoredRecord>> }
  const records = Object.values(content.entries?.[key] ?? {})
  const [record] = records
  if (records.length !== 1 || record === undefined) throw new Error(`expected one record under "${key}", found ${records.length} in\n${text}`)
  return record
}

export interface RoundTripOptions {
  /** Shown in the test names, e.g. "Node 22". */
  readonly label: string
  readonly cell: Cell
  /** Runs the cell's test runner with extra arguments and environment. */
  readonly run: (name: string, args: readonly string[], env?: Env) => Promise<Run>
  readonly counts: (output: string) => TestCounts | undefined
  /** Tests in the cell's run; exactly one of them compares with the baseline. */
  readonly tests: number
  /** The baseline file, relative to the project. */
  readonly baselineFile: string
  /** The key the comparing test stores its record under. */
  readonly key: string
  /** The Node major the runs happen on: the record's environment id names it. */
  readonly nodeMajor: number
  /** `full`: record, CI compare, -u rewrite, CI with the file missing; `record-and-compare`: the first two. */
  readonly steps: 'full' | 'record-and-compare'
  readonly timeoutMs: number
}

/**
 * Defines the baseline round trip as consecutive tests: (1) a local run records the baseline,
 * (2) a `CI=true` run compares and passes, leaving the file byte for byte as it was, (3) `-u`
 * with three times the work passes and rewrites the record, (4) `CI=true` without the file fails
 * with the "missing" verdict and creates nothing.
 */
export function defineRoundTrip(options: RoundTripOptions): void {
  const { cell, run, counts, tests, key, label, timeoutMs } = options
  const baselinePath = (): Promise<string> => cell.path(options.baselineFile)
  const baselineDir = (): Promise<string> => cell.path('baselines')
  const allPassed = { passed: tests, failed: 0, skipped: 0, total: tests }
  let recorded: string | undefined

  it(`${label}: a local run records the baseline`, { timeout: timeoutMs }, async () => {
    await rm(await baselineDir(), { recursive: true, force: true })
    const local = await run('local run', [])
    expect(local.result.code, local.transcript).toBe(0)
    expect(counts(local.output), local.transcript).toEqual(allPassed)
    expect(await filesUnder(await baselineDir()), local.transcript).toEqual([options.baselineFile.replace(/^baselines\//, '')])
    recorded = await readFile(await baselinePath(), 'utf8')
    const record = onlyRecord(recorded, key)
    expect(record.environment.id, recorded).toContain(`-node${options.nodeMajor}-`)
    expect(record.summary.median, recorded).toBeGreaterThan(0)
  })

  it(`${label}: CI=true compares and passes, and leaves the file byte for byte as it was`, { timeout: timeoutMs }, async () => {
    if (recorded === undefined) throw new Error('the local run did not record a baseline')
    const before = await snapshotOf(await baselinePath())
    expect(before.text).toBe(recorded)
    const ci = await run('CI=true', [], { CI: 'true' })
    // Never `regressed` on unchanged code: if this fails, the message holds the numbers.
    expect(ci.output, ci.transcript).not.toMatch(/regressed/)
    expect(ci.result.code, ci.transcript).toBe(0)
    // The TypeErrors the tests catch (wrong arguments) failed no assertion: perfgate's summary
    // agrees, where the cell's run has perfgate's reporter (the Vitest cells).
    expect(ci.output, ci.transcript).not.toMatch(/stopped with an error/)
    if (/perf assertions?: /.test(ci.output)) expect(ci.output, ci.transcript).toMatch(/perf assertions?: all passed/)
    expect(counts(ci.output), ci.transcript).toEqual(allPassed)
    expect(await snapshotOf(await baselinePath()), ci.transcript).toEqual(before)
    expect(await filesUnder(await baselineDir()), ci.transcript).toEqual([options.baselineFile.replace(/^baselines\//, '')])
  })

  if (options.steps === 'record-and-compare') return

  it(`${label}: -u with three times the work passes and rewrites the record`, { timeout: timeoutMs }, async () => {
    if (recorded === undefined) throw new Error('the local run did not record a baseline')
    const old = onlyRecord(recorded, key)
    const update = await run('-u, WORK_SCALE=3', ['-u'], { WORK_SCALE: '3' })
    expect(update.result.code, update.transcript).toBe(0)
    expect(counts(update.output), update.transcript).toEqual(allPassed)
    const text = await readFile(await baselinePath(), 'utf8')
    expect(text, update.transcript).not.toBe(recorded)
    const record = onlyRecord(text, key)
    expect(record.environment.id, update.transcript).toBe(old.environment.id)
    expect(record.recordedAt, update.transcript).not.toBe(old.recordedAt)
    expect(record.summary.median, `${update.transcript}\n--- before\n${recorded}\n--- after\n${text}`).toBeGreaterThan(old.summary.median)
  })

  it(`${label}: CI=true without the baseline file fails with "missing" and creates nothing`, { timeout: timeoutMs }, async () => {
    await rm(await baselinePath())
    const ci = await run('CI=true, no baseline file', [], { CI: 'true' })
    expect(ci.result.code, ci.transcript).toBe(1)
    expect(counts(ci.output), ci.transcript).toEqual({ passed: tests - 1, failed: 1, skipped: 0, total: tests })
    expect(ci.output, ci.transcript).toContain(
      "Verdict:  missing — no baseline for this test in this environment, and update mode 'none' does not record one.",
    )
    expect(ci.output, ci.transcript).toContain(`"${key}" in ${options.baselineFile}`)
    expect(await filesUnder(await baselineDir()), ci.transcript).toEqual([])
  })
}
