import { PerfgateError, PerfgateTypeError } from '../common/errors.js'
import { takenInEndedTest } from '../common/test-scope.js'
import { keepRecord } from '../gate/session.js'
import { siteFields } from '../gate/records.js'
import type { ErrorRecord } from '../gate/records.js'
import { resolveTarget } from '../measure/target.js'
import { toRespondWithin } from './respond-within.js'
import { toSustainSuccessRate } from './success-rate.js'
import { toMatchBaseline } from './match-baseline.js'
import { assertionSite } from './context.js'
import type { MatcherContext, MatcherResult } from './context.js'

export type { RespondWithinOptions, LatencyStatistic } from './respond-within.js'
export type { SustainSuccessRateOptions } from './success-rate.js'
export type { MatchBaselineOptions } from './match-baseline.js'
export type { MatcherContext, MatcherResult, MatcherUtils } from './context.js'

type Matcher = (this: MatcherContext, received: unknown, ...args: unknown[]) => Promise<MatcherResult>

/** What a matcher was asked about, for its error record: the URL, the function's name, or the `benchmark()` result's name. */
function targetLabel(received: unknown): string | null {
  if (typeof received === 'object' && received !== null && 'kind' in received) {
    if ('target' in received && typeof received.target === 'string') return received.target
    if ('name' in received && typeof received.name === 'string') return received.name
  }
  try {
    return resolveTarget(received).label
  } catch {
    return null
  }
}

/**
 * The matcher, keeping an error record when it throws instead of deciding, so that the reports
 * count the assertion as failed rather than leave it out. The reporters drop the error records of
 * tests that passed (the test caught the error). In a hook or at a file's top level it is kept
 * under the file with no test name; with no test file at all (not under a runner), nothing is kept.
 */
function keepingErrors(matcherName: string, matcher: Matcher): Matcher {
  return async function (this: MatcherContext, received: unknown, ...args: unknown[]): Promise<MatcherResult> {
    // Not kept under the test running now: it is another test than the one that measured.
    if (takenInEndedTest(received)) throw takenAfterItsTest(matcherName, received)
    // Taken before the first await, while the test's `expect(…)` line is still on the stack.
    const call = new Error()
    try {
      return await matcher.call(this, received, ...args)
    } catch (thrown) {
      const error = withCallerFrames(thrown, call)
      const site = assertionSite(this) ?? (this.testPath === undefined ? undefined : { testFile: this.testPath, testName: this.currentTestName ?? '' })
      if (site !== undefined) {
        // Duck-typed: an error from another realm (Vitest's vm pools) is no `instanceof Error` here.
        const { name, message, code } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown; code?: unknown }
        const errorName = typeof name === 'string' ? name : 'Error'
        const record: ErrorRecord = {
          kind: 'error',
          ...siteFields(site),
          pass: false,
          // It failed whatever `.not` says: `negated ? pass : !pass` must read it as failed too.
          negated: false,
          matcher: matcherName,
          target: targetLabel(received),
          error: typeof code === 'string' ? `${errorName} ${code}` : errorName,
          message: typeof message === 'string' ? message : String(error),
        }
        keepRecord(record, site)
      }
      throw error
    }
  }
}

/**
 * The error for a result whose test ended before the matcher got it: a `measure()` cut short by
 * its test's timeout resolves with what it had, and the test's body goes on in the next test's
 * time, where the runner names the next test. Nothing is compared, recorded or written.
 */
function takenAfterItsTest(matcherName: string, received: unknown): PerfgateError {
  const what = typeof received === 'object' && received !== null && 'kind' in received && received.kind === 'latency' ? 'measure()' : 'benchmark()'
  const target = targetLabel(received)
  return new PerfgateError(
    'PERFGATE_TEST_ENDED',
    `${matcherName} received a ${what} result${target === null ? '' : ` (${target})`} taken in a test that has ended since ` +
      '(it passed, failed or timed out before this assertion ran). It was neither compared nor recorded: the runner is running another test now, ' +
      'whose baseline it is not. Assert in the test that measured (with more time if it timed out), or measure in beforeAll to share a result.',
  )
}

/**
 * perfgate's error thrown after an await, whose own stack ends in perfgate and Node's internals,
 * as a copy with the frames that called the matcher (the test's line among them) appended: the
 * runners show the code frame of the first frame outside node_modules, so without them a corrupt
 * baseline file or a stopped run pointed at no line of the test. A copy, because one error can
 * reach several tests (the baseline file and the config are opened once per process). Errors
 * thrown before the first await have those frames already; other errors (a user's) stay as thrown.
 */
function withCallerFrames(error: unknown, call: Error): unknown {
  if (!(error instanceof PerfgateError || error instanceof PerfgateTypeError)) return error
  // The first line is the message, the second this matcher's own frame: the rest called it.
  const callers = (call.stack ?? '').split('\n').slice(2)
  const stack = error.stack
  if (callers.length === 0 || typeof stack !== 'string' || stack.includes(callers[0] as string)) return error
  const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as Error
  Object.defineProperty(copy, 'stack', { value: `${stack}\n${callers.join('\n')}`, writable: true, configurable: true })
  return copy
}

/** Every perfgate matcher, ready for `expect.extend`. */
export const perfgateMatchers = {
  toRespondWithin: keepingErrors('toRespondWithin', toRespondWithin as Matcher),
  toSustainSuccessRate: keepingErrors('toSustainSuccessRate', toSustainSuccessRate as Matcher),
  toMatchBaseline: keepingErrors('toMatchBaseline', toMatchBaseline as Matcher),
}
