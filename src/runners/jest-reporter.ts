/**
 * perfgate's Jest reporter: `reporters: ['default', 'perfgate/jest-reporter']`. Jest has no
 * channel from a test to the reporters, so each test file's setup (perfgate/jest) writes its
 * records to a file in a folder this reporter makes for the run; at the end the reporter reads
 * them all, removes the folder, and writes the reports.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { readConfigFile, resolveConfig, validateUserConfig } from '../config/config.js'
import type { PerfgateConfig, PerfgateUserConfig } from '../config/config.js'
import type { PerfRecord } from '../gate/records.js'
import { projectRoot } from '../gate/session.js'
import { finishRun } from '../report/write.js'
import { ProgressListener, progressSocketVariable, wantsProgress } from './progress-channel.js'
import type { FinishedRun } from '../report/write.js'
import { jestRunDirVariable } from './jest-records.js'
import type { JestFileRecords } from './jest-records.js'

/** The parts of Jest's global config the reporter reads. */
interface JestGlobalConfigLike {
  readonly rootDir: string
  readonly reporters?: readonly unknown[]
  /** Set by `--shard=index/count` (Jest 28 and up). */
  readonly shard?: { readonly shardIndex: number; readonly shardCount: number }
}

/** The parts of Jest's result of one test file the reporter reads. */
interface JestTestFileResultLike {
  readonly testFilePath: string
  readonly testResults: readonly { readonly ancestorTitles: readonly string[]; readonly title: string; readonly status: string }[]
  readonly numFailingTests?: number
  /** An error of the file itself (a hook, the file's top level), apart from its tests. */
  readonly testExecError?: unknown
}

/** Options of the reporter: any configuration key, above the config file. */
export type PerfgateJestReporterOptions = PerfgateUserConfig

export class PerfgateJestReporter {
  private readonly rootDir: string
  private readonly options: PerfgateUserConfig | undefined
  private readonly runDir: string
  private readonly annotatedByJest: boolean
  private readonly shard: { index: number; count: number } | undefined
  /** The last run's result, for tests and tools. */
  lastRun: FinishedRun | undefined
  /** Test files and names (`describe > test`, as the records name them) of the tests that passed, and of those that did not. */
  private readonly passedTests = new Set<string>()
  private readonly failedTests = new Set<string>()
  /** Test files with no failed test and no error of their own. */
  private readonly passedFiles = new Set<string>()

  constructor(globalConfig: JestGlobalConfigLike, options?: PerfgateJestReporterOptions) {
    this.rootDir = resolve(projectRoot(process.env, globalConfig.rootDir))
    const given = options !== undefined && Object.keys(options).length > 0 ? options : undefined
    this.options = given === undefined ? undefined : validateUserConfig(given, 'perfgate/jest-reporter options')
    // Workers start after the reporters, and inherit this.
    this.runDir = mkdtempSync(join(tmpdir(), 'perfgate-jest-run-'))
    process.env[jestRunDirVariable] = this.runDir
    process.env['PERFGATE_REPORTER'] = '1'
    // Long runs show progress in an interactive terminal: the workers send it here.
    // The listener serves the whole run; its socket goes at exit.
    if (wantsProgress(process.stderr)) process.env[progressSocketVariable] = new ProgressListener(process.stderr).path
    const shard = globalConfig.shard
    this.shard = typeof shard?.shardIndex === 'number' ? { index: shard.shardIndex, count: shard.shardCount } : undefined
    this.annotatedByJest = (globalConfig.reporters ?? []).some((reporter) => {
      const name = Array.isArray(reporter) ? reporter[0] : reporter
      return name === 'github-actions'
    })
  }

  /** Jest calls it after each test file: which of its tests passed. */
  onTestResult(_test: unknown, result: JestTestFileResultLike): void {
    if ((result.numFailingTests ?? 0) === 0 && (result.testExecError === undefined || result.testExecError === null)) this.passedFiles.add(result.testFilePath)
    for (const test of result.testResults ?? []) {
      const key = testKey(result.testFilePath, [...test.ancestorTitles, test.title].join(' > '))
      if (test.status === 'passed') this.passedTests.add(key)
      else this.failedTests.add(key)
    }
  }

  async onRunComplete(): Promise<void> {
    const records: PerfRecord[] = []
    const obsolete: { file: string; keys: readonly string[] }[] = []
    try {
      for (const name of (await readdir(this.runDir)).sort()) {
        const part = JSON.parse(await readFile(join(this.runDir, name), 'utf8')) as JestFileRecords
        // A passing test caught what a matcher threw: its error records are no failures.
        records.push(...part.records.filter((record) => record.kind !== 'error' || !this.caught(record.testFile, record.testName)))
        if (part.obsolete !== null) obsolete.push(part.obsolete)
      }
    } finally {
      rmSync(this.runDir, { recursive: true, force: true })
    }
    let config: PerfgateConfig
    try {
      config = resolveConfig((await readConfigFile(this.rootDir)).config, this.options)
    } catch (error) {
      process.stderr.write(`perfgate: no reports: ${(error as Error).message}\n`)
      return
    }
    this.lastRun = await finishRun(
      { runner: { name: 'jest', version: jestVersion(this.rootDir) }, rootDir: this.rootDir, records, obsolete, shard: this.shard },
      { config, out: process.stderr, runnerAnnotatesFailures: this.annotatedByJest },
    )
  }

  /**
   * Whether a test of this name passed and none of it failed (two tests may share a name, or a
   * file two projects); for an error outside any test (a hook), whether its file failed nothing.
   */
  private caught(testFile: string, testName: string): boolean {
    if (testName === '') return this.passedFiles.has(testFile)
    const key = testKey(testFile, testName)
    return this.passedTests.has(key) && !this.failedTests.has(key)
  }

  /** Jest asks reporters whether the run should fail; perfgate's failures are the tests' own. */
  getLastError(): Error | undefined {
    return undefined
  }
}

function testKey(testFile: string, testName: string): string {
  return `${resolve(testFile)}\u0000${testName}`
}

/** The project's Jest version, looked up from its root (perfgate itself does not depend on Jest). */
function jestVersion(rootDir: string): string | null {
  try {
    const version = (createRequire(join(rootDir, 'package.json'))('jest/package.json') as { version?: unknown }).version
    return typeof version === 'string' ? version : null
  } catch {
    return null
  }
}

// `reporters: ['perfgate/jest-reporter']` loads this module's default export (module.exports in CommonJS).
// eslint-disable-next-line no-restricted-syntax
export default PerfgateJestReporter
