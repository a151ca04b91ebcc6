import { BaselineFile, nodeBaselineFileSystem } from '../baselines/store.js'
import type { UpdateMode } from '../baselines/types.js'
import { readConfigFile, resolveConfig, validateUserConfig } from '../config/config.js'
import type { PerfgateConfig, PerfgateUserConfig } from '../config/config.js'
import { gitCommit } from '../baselines/provenance.js'
import type { PerfRecord } from './records.js'

/** Per-process state shared by perfgate's ESM and CommonJS builds. */
interface SessionState {
  readonly configs: Map<string, Promise<PerfgateConfig>>
  readonly files: Map<string, Promise<BaselineFile>>
  /** testFile → the test seen last and how often each key base was used in it. */
  readonly occurrences: Map<string, { test: string; counts: Map<string, number> }>
  /** Every perf assertion of this process that finished, in order: what the reports render. */
  readonly records: PerfRecord[]
  /** rootDir → its git commit, looked up once (it spawns git). */
  readonly commits: Map<string, string | null>
  /** What was already said once in this process. */
  readonly said: Set<string>
  /** How {@link warn} shows a warning, set by a runner adapter; unset, `console.warn`. */
  warningWriter?: (message: string) => void
}

const sessionKey = Symbol.for('perfgate.session.v2')

/** The process's session, created on first use; the same object whichever build asks. */
export function session(): SessionState {
  const holder = globalThis as { [sessionKey]?: SessionState }
  holder[sessionKey] ??= { configs: new Map(), files: new Map(), occurrences: new Map(), records: [], commits: new Map(), said: new Set() }
  return holder[sessionKey]
}

/** The project root: what the plugin says, else the working directory the runner started in. */
export function projectRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['PERFGATE_ROOT'] ?? process.cwd()
}

/** Plugin options, handed to the test workers by the plugin as JSON in the environment. */
function pluginLayer(env: NodeJS.ProcessEnv): PerfgateUserConfig | undefined {
  const text = env['PERFGATE_PLUGIN_OPTIONS']
  return text === undefined || text === '' ? undefined : validateUserConfig(JSON.parse(text), 'perfgate() plugin options')
}

/** The configuration of a project root: defaults < config file < plugin options, read once. */
export function projectConfig(rootDir: string, env: NodeJS.ProcessEnv = process.env): Promise<PerfgateConfig> {
  const configs = session().configs
  let config = configs.get(rootDir)
  if (config === undefined) {
    config = readConfigFile(rootDir).then(({ config: fileLayer }) => resolveConfig(fileLayer, pluginLayer(env)))
    // A config error is reported to every test that asks, not cached as a silent failure.
    config.catch(() => configs.delete(rootDir))
    configs.set(rootDir, config)
  }
  return config
}

/** The baseline file at `path`, opened once per process in the given mode. */
export function baselineFile(path: string, updateMode: UpdateMode): Promise<BaselineFile> {
  const files = session().files
  let file = files.get(path)
  if (file === undefined) {
    file = BaselineFile.open(nodeBaselineFileSystem(), path, updateMode)
    // An unreadable file stays an error for each test that uses it; nothing is written over it.
    file.catch(() => files.delete(path))
    files.set(path, file)
  }
  return file
}

/** 1 for the first use of `keyBase` in the running test, 2 for the second, and so on. */
export function nextOccurrence(testFile: string, testName: string, keyBase: string): number {
  const occurrences = session().occurrences
  let perFile = occurrences.get(testFile)
  if (perFile === undefined || perFile.test !== testName) {
    perFile = { test: testName, counts: new Map() }
    occurrences.set(testFile, perFile)
  }
  const count = (perFile.counts.get(keyBase) ?? 0) + 1
  perFile.counts.set(keyBase, count)
  return count
}

/** The git commit of a project root, asked of git once per process. */
export function projectCommit(rootDir: string): string | null {
  const commits = session().commits
  if (!commits.has(rootDir)) commits.set(rootDir, gitCommit(rootDir))
  return commits.get(rootDir) ?? null
}

/** Keeps an assertion's record for the reports. */
export function keepRecord(record: PerfRecord): void {
  session().records.push(record)
}

/** The records this process kept so far. */
export function keptRecords(): readonly PerfRecord[] {
  return session().records
}

/** True the first time `what` is asked about in this process: for warnings said once per run. */
export function firstTime(what: string): boolean {
  const said = session().said
  if (said.has(what)) return false
  said.add(what)
  return true
}

/**
 * Shows a warning to the person running the tests: through `console.warn` (which Vitest shows
 * under the test that printed it), or the way the runner adapter chose with
 * {@link useWarningWriter}.
 */
export function warn(message: string): void {
  const writer = session().warningWriter
  if (writer === undefined) console.warn(message)
  else writer(message)
}

/** Makes {@link warn} write through `writer` in this process (Jest's adapter does: see runners/jest.ts). */
export function useWarningWriter(writer: (message: string) => void): void {
  session().warningWriter = writer
}
