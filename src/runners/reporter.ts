/**
 * perfgate's Vitest reporter: at the end of the run it gathers every perf assertion's record
 * from the tests' meta (which Vitest carries from any pool's workers to the reporters) and
 * writes the reports. `perfgate()` from `perfgate/plugin` adds it beside your own reporters;
 * listed by hand it is `reporters: ['default', 'perfgate/reporter']`.
 */
import { relative, resolve } from 'node:path'
import { printableName } from '../common/validate.js'
import { readConfigFile, resolveConfig, validateUserConfig } from '../config/config.js'
import type { PerfgateConfig, PerfgateUserConfig } from '../config/config.js'
import { withoutCaughtErrors } from '../gate/records.js'
import { projectRoot } from '../gate/session.js'
import type { PerfRecord } from '../gate/records.js'
import { finishRun } from '../report/write.js'
import { ProgressListener, progressSocketVariable, wantsProgress } from './progress-channel.js'
import type { FinishedRun } from '../report/write.js'

/** The parts of Vitest's objects the reporter reads (Vitest 3.2 to 5). */
interface VitestLike {
  readonly version?: string
  readonly config: {
    readonly root: string
    readonly reporters?: readonly unknown[]
    env?: Record<string, string>
    /** Set by `--shard=index/count`. */
    readonly shard?: { readonly index: number; readonly count: number }
  }
}
interface TestCaseLike {
  meta(): Record<string, unknown>
  result?(): { readonly state: string }
}
interface TestModuleLike {
  meta(): Record<string, unknown>
  readonly children: { allTests(): Iterable<TestCaseLike> }
  /** The test file (Vitest 3 and up); one per project that includes it. */
  readonly moduleId?: string
  readonly project?: { readonly name?: string }
  state?(): string
}

/** Records handed over in a task's meta (structurally checked: the meta is any JSON). */
function recordsIn(meta: Record<string, unknown>): PerfRecord[] {
  const value = meta['perfgate']
  return Array.isArray(value) ? (value as PerfRecord[]) : []
}

/** Options of the reporter: any configuration key, above the config file (the plugin passes its own). */
export type PerfgateReporterOptions = PerfgateUserConfig

export class PerfgateReporter {
  private readonly options: PerfgateUserConfig | undefined
  private vitest: VitestLike | undefined
  private progress: ProgressListener | undefined
  /** The last run's result, for tests and tools. */
  lastRun: FinishedRun | undefined

  constructor(options?: PerfgateReporterOptions) {
    this.options = options === undefined ? undefined : validateUserConfig(options, 'perfgate reporter options')
  }

  onInit(vitest: VitestLike): void {
    this.vitest = vitest
    // The workers leave the end-of-file notes (obsolete entries) to this reporter.
    process.env['PERFGATE_REPORTER'] = '1'
    if (vitest.config.env !== undefined) vitest.config.env['PERFGATE_REPORTER'] = '1'
    // Long runs show progress in an interactive terminal: the workers send it here.
    if (this.progress === undefined && wantsProgress(process.stdout)) {
      this.progress = new ProgressListener(process.stdout)
      process.env[progressSocketVariable] = this.progress.path
      if (vitest.config.env !== undefined) vitest.config.env[progressSocketVariable] = this.progress.path
    }
  }

  async onTestRunEnd(testModules: readonly TestModuleLike[]): Promise<void> {
    const vitest = this.vitest
    if (vitest === undefined) return
    const rootDir = resolve(projectRoot(process.env, vitest.config.root))
    const records: PerfRecord[] = []
    const obsolete: { file: string; keys: string[] }[] = []
    const shared = sharedModules(testModules, rootDir)
    for (const module of testModules) {
      const meta = module.meta()
      // The file's own records (hooks, concurrent tests on the global expect) carry no test: an
      // error among them that no test failed on was caught (or never thrown into a test).
      const filePassed = module.state?.() === 'passed'
      records.push(...recordsIn(meta).filter((record) => !(filePassed && record.kind === 'error' && record.testName === '')))
      const stale = meta['perfgateObsolete'] as { file: string; keys: string[] } | undefined
      // Each project's run of a shared file sees the other's entries as obsolete: they are not.
      if (stale !== undefined && !shared.has(module.moduleId ?? '')) obsolete.push(stale)
      for (const test of module.children.allTests()) records.push(...withoutCaughtErrors(recordsIn(test.meta()), test.result?.().state === 'passed'))
    }
    let config: PerfgateConfig
    try {
      config = resolveConfig((await readConfigFile(rootDir)).config, this.options)
    } catch (error) {
      // The plugin and the tests report a broken config file; the reports need one.
      process.stderr.write(`perfgate: no reports: ${(error as Error).message}\n`)
      return
    }
    const runnerAnnotatesFailures = (vitest.config.reporters ?? []).some((reporter) => reporterName(reporter) === 'github-actions')
    this.lastRun = await finishRun(
      { runner: { name: 'vitest', version: vitest.version ?? null }, rootDir, records, obsolete, shard: vitest.config.shard },
      { config, out: process.stdout, runnerAnnotatesFailures },
    )
  }
}

/**
 * The test files that ran in more than one Vitest project and used perfgate there, warned about
 * once: their projects share one baseline file, so each project's run calls the other's entries
 * obsolete, and `-u` removes them.
 */
function sharedModules(testModules: readonly TestModuleLike[], rootDir: string): Set<string> {
  const projects = new Map<string, string[]>()
  for (const module of testModules) {
    if (module.moduleId === undefined) continue
    const used = recordsIn(module.meta()).length > 0 || module.meta()['perfgateObsolete'] !== undefined || [...module.children.allTests()].some((test) => recordsIn(test.meta()).length > 0)
    if (!used) continue
    projects.set(module.moduleId, [...(projects.get(module.moduleId) ?? []), module.project?.name || '(unnamed)'])
  }
  const shared = new Set<string>()
  for (const [file, names] of projects) {
    if (names.length < 2) continue
    shared.add(file)
    process.stderr.write(
      `perfgate: ${printableName(relative(rootDir, file))} ran in ${names.length} Vitest projects (${names.map(printableName).join(', ')}), which share its one baseline file: ` +
        "tests named alike in both compare with each other's records, and entries only one project asks for look obsolete to the other (not reported here) and are removed by -u. " +
        'Include a perf test file in one project only.\n',
    )
  }
  return shared
}

function reporterName(reporter: unknown): string | undefined {
  if (typeof reporter === 'string') return reporter
  if (Array.isArray(reporter) && typeof reporter[0] === 'string') return reporter[0]
  const name = (reporter as { constructor?: { name?: string } } | null)?.constructor?.name
  return name === 'GithubActionsReporter' ? 'github-actions' : undefined
}

// `reporters: ['perfgate/reporter']` loads this module's default export.
// eslint-disable-next-line no-restricted-syntax
export default PerfgateReporter
