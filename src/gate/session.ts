import { BaselineFile, nodeBaselineFileSystem } from '../baselines/store.js'
import type { UpdateMode } from '../baselines/types.js'
import { checkBaselineDirInside, readConfigFile, resolveConfig, validateUserConfig } from '../config/config.js'
import type { PerfgateConfig, PerfgateUserConfig } from '../config/config.js'
import { gitCommit } from '../baselines/provenance.js'
import type { AssertionSite, PerfRecord } from './records.js'
import { performance } from 'node:perf_hooks'

/** Per-process state shared by perfgate's ESM and CommonJS builds. */
interface SessionState {
  readonly configs: Map<string, Promise<PerfgateConfig>>
  readonly files: Map<string, Promise<BaselineFile>>
  /** The runner's test object → its attempt and how often each key base was used in it. */
  readonly occurrences: WeakMap<object, { attempt: number; counts: Map<string, number> }>
  /** Where the runner gives no test object: testFile → the test seen last, and its counts. */
  readonly occurrencesByName: Map<string, { test: string; counts: Map<string, number> }>
  /** testFile → a key base (titles and name) → the first test object that keyed a baseline under it. */
  readonly keyingTests: Map<string, Map<string, object>>
  /** Every perf assertion of this process that finished, in order: what the reports render. */
  readonly records: PerfRecord[]
  /** Which test each record came from (the runner's test object), where known. */
  readonly recordTests: WeakMap<PerfRecord, object>
  /** The latest attempt (retry) of each test that kept a record. */
  readonly attempts: WeakMap<object, number>
  /** Records already handed to the runner's channel (a test's meta, a worker file). */
  readonly claimed: WeakSet<PerfRecord>
  /** rootDir → its git commit, looked up once (it spawns git). */
  readonly commits: Map<string, string | null>
  /** What was already said once in this process. */
  readonly said: Set<string>
  /** One controller per running test (by the runner's test object), aborted when the test ends. */
  readonly testEnds: Map<object, AbortController>
  /** Tests that ended: a run asking for one of them gets a signal that has already fired. */
  readonly endedTests: WeakSet<object>
  /** When each test's current attempt started (`performance.now()`): a retry or repeat has its own timeout. */
  readonly attemptStarts: WeakMap<object, number>
  /** How {@link warn} shows a warning, set by a runner adapter; unset, `console.warn`. */
  warningWriter?: (message: string) => void
}

const sessionKey = Symbol.for('perfgate.session.v7')

/** The process's session, created on first use; the same object whichever build asks. */
export function session(): SessionState {
  const holder = globalThis as { [sessionKey]?: SessionState }
  holder[sessionKey] ??= { configs: new Map(), files: new Map(), occurrences: new WeakMap(), occurrencesByName: new Map(), keyingTests: new Map(), records: [], recordTests: new WeakMap(), attempts: new WeakMap(), claimed: new WeakSet(), commits: new Map(), said: new Set(), testEnds: new Map(), endedTests: new WeakSet(), attemptStarts: new WeakMap() }
  return holder[sessionKey]
}

/**
 * The project root: `PERFGATE_ROOT` (what the plugin says, or the user), else `fallback` (the
 * runner's root; by default the working directory the runner started in).
 */
export function projectRoot(env: NodeJS.ProcessEnv = process.env, fallback: string = process.cwd()): string {
  // Empty is unset, as for perfgate's other variables (a script may blank it).
  return env['PERFGATE_ROOT'] || fallback
}

/** How errors name the plugin's options. */
const pluginOptionsSource = 'perfgate() plugin options'

/** Plugin options, handed to the test workers by the plugin as JSON in the environment. */
function pluginLayer(env: NodeJS.ProcessEnv): PerfgateUserConfig | undefined {
  const text = env['PERFGATE_PLUGIN_OPTIONS']
  return text === undefined || text === '' ? undefined : validateUserConfig(JSON.parse(text), pluginOptionsSource)
}

/** The configuration of a project root: defaults < config file < plugin options, read once. */
export function projectConfig(rootDir: string, env: NodeJS.ProcessEnv = process.env): Promise<PerfgateConfig> {
  const configs = session().configs
  let config = configs.get(rootDir)
  if (config === undefined) {
    config = readConfigFile(rootDir).then(({ config: fileLayer }) => {
      const plugin = pluginLayer(env)
      if (plugin !== undefined) checkBaselineDirInside(plugin, rootDir, pluginOptionsSource)
      return resolveConfig(fileLayer, plugin)
    })
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

/**
 * 1 for the first use of `keyBase` in the running test, 2 for the second, and so on. Counted per
 * test object where the runner gives one (exact when tests run at once), and afresh for each
 * retry or repeat; otherwise per file and test name.
 */
export function nextOccurrence(site: AssertionSite, keyBase: string): number {
  let counts: Map<string, number>
  if (site.test !== undefined) {
    const { occurrences } = session()
    let perTest = occurrences.get(site.test.token)
    if (perTest === undefined || perTest.attempt !== site.test.attempt) {
      perTest = { attempt: site.test.attempt, counts: new Map() }
      occurrences.set(site.test.token, perTest)
    }
    counts = perTest.counts
  } else {
    const { occurrencesByName } = session()
    let perFile = occurrencesByName.get(site.testFile)
    if (perFile === undefined || perFile.test !== site.testName) {
      perFile = { test: site.testName, counts: new Map() }
      occurrencesByName.set(site.testFile, perFile)
    }
    counts = perFile.counts
  }
  const count = (counts.get(keyBase) ?? 0) + 1
  counts.set(keyBase, count)
  return count
}

/**
 * The other test of the same file that keyed a baseline under `keyBase` (its titles and `name`,
 * first occurrence) before this one, or undefined. Two such tests would share one entry: a
 * \`test.each\` without a placeholder in its title, or two tests named alike, each with an
 * anonymous (or the same named) baseline.
 */
export function namesakeTest(testFile: string, keyBase: string, token: object): object | undefined {
  const { keyingTests } = session()
  let perFile = keyingTests.get(testFile)
  if (perFile === undefined) keyingTests.set(testFile, (perFile = new Map()))
  const first = perFile.get(keyBase)
  if (first === undefined) perFile.set(keyBase, token)
  return first === undefined || first === token ? undefined : first
}

/** Forgets which tests of a file keyed baselines, at the file's end (a watch-mode rerun has new test objects). */
export function forgetKeyingTests(testFile: string): void {
  session().keyingTests.delete(testFile)
}

/** The git commit of a project root, asked of git once per process. */
export function projectCommit(rootDir: string): string | null {
  const commits = session().commits
  if (!commits.has(rootDir)) commits.set(rootDir, gitCommit(rootDir))
  return commits.get(rootDir) ?? null
}

/** Keeps an assertion's record for the reports, with the test it came from where the site names one. */
export function keepRecord(record: PerfRecord, site?: AssertionSite): void {
  const state = session()
  if (site?.test !== undefined) {
    const { token, attempt } = site.test
    const last = state.attempts.get(token)
    // A later attempt of a retried test: the earlier attempts' records are set aside, as the
    // runner reports the last attempt. Done here, not only in a hook: Jest runs no beforeEach
    // for test.concurrent, whose retries Jest 30 runs too.
    if (last === undefined || attempt > last) {
      if (last !== undefined) dropRecordsOf(token)
      state.attempts.set(token, attempt)
    }
    state.recordTests.set(record, token)
  }
  state.records.push(record)
}

/**
 * Hands over the records not handed over yet that `belongs` accepts (given the record and its
 * test object, when known), in the order they were kept. Each record is handed over once: the
 * runners pass them on to their reporter (Vitest: the test's meta; Jest: a file per test file).
 */
export function claimRecords(belongs: (record: PerfRecord, test: object | undefined) => boolean): PerfRecord[] {
  const { records, recordTests, claimed } = session()
  const taken: PerfRecord[] = []
  for (const record of records) {
    if (claimed.has(record) || !belongs(record, recordTests.get(record))) continue
    claimed.add(record)
    taken.push(record)
  }
  return taken
}

/**
 * Sets aside the records the test `token` kept so far, unhanded: a retry (jest.retryTimes) runs
 * the test again, and as the runner reports only its last attempt, the reports hold only that
 * attempt's records (a retried test that passed showed its failed first attempt as failed).
 */
export function dropRecordsOf(token: object): void {
  const { records, recordTests, claimed } = session()
  for (const record of records) if (recordTests.get(record) === token) claimed.add(record)
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

/** The reason a test's end signal gives: a run stopped by it was cut short by its test's end, not by the deadline. */
export const testEndedReason = 'the test ended'

/**
 * A signal that fires when the test `token` ends (its runner's afterEach hook calls `endTest`),
 * so that no perfgate work outlives its test.
 */
export function testEndSignal(token: object): AbortSignal {
  const { testEnds, endedTests } = session()
  // A test that ended (timed out, with its body still going on) starts nothing more.
  if (endedTests.has(token)) return AbortSignal.abort(new Error(testEndedReason))
  let controller = testEnds.get(token)
  if (controller === undefined) testEnds.set(token, (controller = new AbortController()))
  return controller.signal
}

/** Marks the test `token` as started (again, on a retry): its runs get a live end signal. */
export function startTest(token: object): void {
  const { endedTests, attemptStarts } = session()
  endedTests.delete(token)
  attemptStarts.set(token, performance.now())
}

/**
 * When the test `token`'s current attempt started (its runner's beforeEach, a `performance.now()`
 * time), or undefined. The runner gives each retry and repeat its own timeout, while Vitest's
 * `result.startTime` is the first attempt's.
 */
export function attemptStartedAt(token: object): number | undefined {
  return session().attemptStarts.get(token)
}

/** Stops every perfgate run of the test `token`; with no token, of every test still running. */
export function endTest(token?: object): void {
  const { testEnds, endedTests } = session()
  for (const [key, controller] of testEnds) {
    if (token !== undefined && key !== token) continue
    controller.abort(new Error(testEndedReason))
    testEnds.delete(key)
  }
  if (token !== undefined) endedTests.add(token)
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
