import { relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { AssertionSite, RunDeadline, TestIdentity } from '../gate/records.js'
import { attemptStartedAt, firstTime, projectRoot, testEndSignal, testEndedReason, warn } from '../gate/session.js'
import { printableName } from '../common/validate.js'
import { clearTimeout, setTimeout, wallClockNow } from '../common/timers.js'

/** The parts of Vitest's and Jest's matcher `this` that perfgate uses (both provide them). */
export interface MatcherContext {
  /** Vitest leaves this undefined when the assertion is not negated. */
  readonly isNot: boolean | undefined
  readonly promise: string
  readonly utils: MatcherUtils
  readonly currentTestName?: string | undefined
  readonly testPath?: string | undefined
  /** The runner's snapshot state; its update mode is read by the baseline matcher. */
  readonly snapshotState?: unknown
  /** Vitest's running test (Vitest 4.1; not under Jest, nor with the global `expect` in concurrent tests). */
  readonly task?: VitestTask | undefined
  /** Set by perfgate's Jest adapter: the running Jest test, or 'ambiguous' when Jest cannot tell. */
  readonly perfgateTest?: TestIdentity | 'ambiguous' | undefined
}

/** The parts of a Vitest test (task) that perfgate reads. */
export interface VitestTask {
  readonly name?: string
  readonly type?: string
  readonly timeout?: number
  readonly concurrent?: boolean
  readonly result?: { readonly startTime?: number; readonly retryCount?: number; readonly repeatCount?: number }
  /** Where the test is declared (Vitest with `includeTaskLocation`). */
  readonly location?: { readonly line?: number }
  /** The describe block (suite) it is in; the file's own suite has no `suite`. */
  readonly suite?: VitestTask | undefined
  /** Only the file's own suite has one. */
  readonly filepath?: string
  /** `_local` is true once the test used its context's `expect` (Vitest 3.2 to 5). */
  readonly context?: { readonly _local?: boolean }
}

/**
 * Where the assertion runs, for its record; undefined outside a test. `keepsVerdict`: the caller
 * keeps a verdict record there, and is told (once per file) when it cannot name the test.
 */
export function assertionSite(context: MatcherContext, options: { readonly keepsVerdict?: boolean } = {}): AssertionSite | undefined {
  const testName = context.currentTestName
  const testFile = context.testPath
  if (testName === undefined || testName === '' || testFile === undefined) return undefined
  const test = runningTest(context)
  if (test === 'ambiguous') {
    // The global `expect` names the test started last, not the one asking: the record goes with
    // the file, under no test, rather than under another test's name.
    if (options.keepsVerdict === true && firstTime(`ambiguous test in ${testFile}`)) {
      warn(
        `perfgate: in ${printableName(relative(projectRoot(), testFile))}, a perf matcher ran in concurrent tests where the runner cannot say which test is asking: ` +
          "its result is reported under no test name. Under Vitest, use the test context's expect: test.concurrent('…', async ({ expect }) => { … }).",
      )
    }
    return { testFile, testName: '' }
  }
  return { testFile, testName, line: context.task?.location?.line, test }
}

/**
 * The running test, as exactly as the runner tells it: 'ambiguous' when several tests run at
 * once and the assertion came from the shared global `expect` (Vitest's `describe.concurrent`
 * without the test context's `expect`), undefined when the runner gives no test object.
 */
export function runningTest(context: MatcherContext): TestIdentity | 'ambiguous' | undefined {
  if (context.perfgateTest !== undefined) return context.perfgateTest
  const task = context.task
  if (task === undefined || task.type !== 'test' || typeof task.name !== 'string') return undefined
  // The global `expect` gives the test started last, whichever test is asking.
  if (task.concurrent === true && task.context?._local !== true) return 'ambiguous'
  // As Vitest names a test: its own and its suites' non-empty names, without the file's.
  const titles: string[] = []
  for (let entry: VitestTask | undefined = task; entry !== undefined && entry.filepath === undefined; entry = entry.suite) {
    if (entry.name !== undefined && entry.name !== '') titles.unshift(entry.name)
  }
  if (titles.length === 0 || titles.join(' > ') !== context.currentTestName) return undefined
  const attempt = (task.result?.retryCount ?? 0) * 1000 + (task.result?.repeatCount ?? 0)
  return { titles, token: task, attempt }
}

/** When the running test ends, as a signal for a run to stop at. */
export interface TestDeadline extends RunDeadline {
  readonly testTimeoutMs: number
  /** True once the test ended before the deadline (its body returned: a matcher not awaited, say); then that stopped the run. */
  testEnded(): boolean
  /** Milliseconds until the signal fires (negative once it is past). */
  msLeft(): number
}

/**
 * The running test's deadline, so that a run against a slow or hanging target stops in time to
 * fail with perfgate's reasons instead of the runner's bare "timed out". It also fires when the
 * test ends first (a runner's timeout, a failed assertion elsewhere): the setup files' afterEach
 * ends the test's runs, so no perfgate work outlives its test. Undefined when the runner does
 * not say when the test ends. The margin (a tenth of the test's timeout, at most 500 ms) leaves
 * time to close the sockets and report.
 */
export function testDeadline(context: MatcherContext): TestDeadline | undefined {
  const timeout = context.task?.timeout
  const test = runningTest(context)
  // The current attempt's start, on the monotonic clock, where the setup file's beforeEach saw it
  // (always after the runner's own start): a retry or repeat gets its own timeout, while
  // Vitest's startTime is the first attempt's. Else the runner's start, on the wall clock.
  const attemptStart = test === undefined || test === 'ambiguous' ? undefined : attemptStartedAt(test.token)
  const firstStart = context.task?.result?.startTime
  if (timeout === undefined || (attemptStart === undefined && firstStart === undefined) || !(timeout > 0) || !Number.isFinite(timeout)) return undefined
  const margin = Math.min(500, timeout / 10)
  const sinceStart = attemptStart !== undefined ? performance.now() - attemptStart : wallClockNow() - (firstStart as number)
  // Whole milliseconds (AbortSignal.timeout took only those: testTimeout 2345 gave a RangeError).
  const remainingMs = Math.max(0, Math.floor(timeout - margin - sinceStart))
  const endsAt = performance.now() + remainingMs
  // One controller for both ends (AbortSignal.any fired ~150 ms late on Node 20 while a run yields with setImmediate).
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error("the test's deadline passed")), remainingMs)
  timer.unref()
  // Released when the run returns, so that a test's many runs do not pile up listeners on its end signal.
  const release = new AbortController()
  if (test !== undefined && test !== 'ambiguous') {
    const ended = testEndSignal(test.token)
    if (ended.aborted) controller.abort(ended.reason)
    else ended.addEventListener('abort', () => controller.abort(ended.reason), { once: true, signal: release.signal })
  }
  const signal = controller.signal
  let running = true
  // A test that ended before the matcher got here (a missing `await`: the body returned while
  // the matcher read its config) stops the run before it starts: that is a stop too.
  let stopped = signal.aborted
  // Registered before the run's own listener, so it sees the run still going.
  signal.addEventListener('abort', () => (stopped = running), { once: true })
  return {
    signal,
    endsAt,
    testTimeoutMs: timeout,
    testEnded: () => signal.aborted && signal.reason instanceof Error && signal.reason.message === testEndedReason,
    msLeft: () => endsAt - performance.now(),
    stoppedRun: () => {
      running = false
      clearTimeout(timer)
      release.abort()
      return stopped
    },
  }
}

/** The `this.utils` helpers of both runners that perfgate's messages are built with. */
export interface MatcherUtils {
  matcherHint(matcherName: string, received?: string, expected?: string, options?: { isNot?: boolean | undefined; promise?: string }): string
  printExpected(value: unknown): string
  printReceived(value: unknown): string
  EXPECTED_COLOR(text: string): string
  RECEIVED_COLOR(text: string): string
  DIM_COLOR(text: string): string
}

/** What a matcher returns to the runner. */
export interface MatcherResult {
  readonly pass: boolean
  readonly message: () => string
}
