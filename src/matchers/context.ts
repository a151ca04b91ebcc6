import type { AssertionSite, RunDeadline } from '../gate/records.js'

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
  readonly task?:
    | {
        readonly timeout?: number
        readonly result?: { readonly startTime?: number }
        /** Where the test is declared (Vitest with `includeTaskLocation`). */
        readonly location?: { readonly line?: number }
      }
    | undefined
}

/** Where the assertion runs, for its record; undefined outside a test. */
export function assertionSite(context: MatcherContext): AssertionSite | undefined {
  const testName = context.currentTestName
  const testFile = context.testPath
  if (testName === undefined || testName === '' || testFile === undefined) return undefined
  return { testFile, testName, line: context.task?.location?.line }
}

/** When the running test ends, as a signal for a run to stop at. */
export interface TestDeadline extends RunDeadline {
  readonly testTimeoutMs: number
  /** Milliseconds until the signal fires (negative once it is past). */
  msLeft(): number
}

/**
 * The running test's deadline, so that a run against a slow or hanging target stops in time to
 * fail with perfgate's reasons instead of the runner's bare "timed out". Undefined when the
 * runner does not say when the test ends. The margin (a tenth of the test's timeout, at most
 * 500 ms) leaves time to close the sockets and report.
 */
export function testDeadline(context: MatcherContext): TestDeadline | undefined {
  const timeout = context.task?.timeout
  const startTime = context.task?.result?.startTime
  if (timeout === undefined || startTime === undefined || !(timeout > 0) || !Number.isFinite(timeout)) return undefined
  const margin = Math.min(500, timeout / 10)
  const stopAt = startTime + timeout - margin
  // AbortSignal.timeout takes whole milliseconds only (testTimeout: 2345 gave a RangeError).
  const signal = AbortSignal.timeout(Math.max(0, Math.floor(stopAt - Date.now())))
  let running = true
  let stopped = false
  // Registered before the run's own listener, so it sees the run still going.
  signal.addEventListener('abort', () => (stopped = running), { once: true })
  return {
    signal,
    testTimeoutMs: timeout,
    msLeft: () => stopAt - Date.now(),
    stoppedRun: () => {
      running = false
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
