import './jest-guard.js'
import { PerfgateError } from '../common/errors.js'
import { finishTestFile } from '../gate/file-end.js'
import { useTestEndSignal } from '../common/test-scope.js'
import { claimRecords, dropRecordsOf, endTest, startTest, testEndSignal, useWarningWriter } from '../gate/session.js'
import { handOverJestRecords } from './jest-records.js'
import { sendProgressToReporter } from './progress-channel.js'
import { jestFullRun, jestRunningTest, jestTestLine } from './jest-state.js'
import type { JestExpectState } from './jest-state.js'
import { perfgateMatchers } from '../matchers/index.js'
import type { MatcherContext, MatcherResult } from '../matchers/index.js'
import type { PerfgateMatchers } from '../matchers/types.js'
// Brings the 'expect' package (installed with Jest) into the program, for the augmentation below.
import type {} from 'expect'

type Matcher = (this: MatcherContext, received: unknown, ...args: unknown[]) => Promise<MatcherResult>

interface JestGlobals {
  readonly expect?: { extend(matchers: Record<string, Matcher>): void; getState(): { testPath?: string; snapshotState?: unknown } }
  readonly afterAll?: (fn: () => Promise<void>) => void
  readonly afterEach?: (fn: () => void) => void
  readonly beforeEach?: (fn: () => void) => void
}

const { expect, afterAll, afterEach, beforeEach } = globalThis as JestGlobals
if (expect === undefined || afterAll === undefined || afterEach === undefined || beforeEach === undefined) {
  throw new PerfgateError(
    'PERFGATE_WRONG_RUNNER',
    "perfgate/jest needs Jest's globals (expect, afterAll): list it in setupFilesAfterEnv (not setupFiles), and keep injectGlobals on.",
  )
}

// The adapter only tells the core which Jest test is asking (and names it `describe > test`, as
// Vitest does); everything else is the core's.
function withJestTestName(matcher: Matcher): Matcher {
  return function (this: MatcherContext & JestExpectState, received, ...args) {
    const test = jestRunningTest(this)
    // No running test (a hook between tests): Jest keeps the last test's name, which is not this one's.
    const currentTestName = test === 'ambiguous' ? this.currentTestName : test === undefined ? undefined : test.titles.join(' > ')
    // Jest gives matchers no deadline; its test entry has the timeout and the start.
    const task =
      test === undefined || test === 'ambiguous'
        ? undefined
        : { timeout: test.timeout, result: { startTime: test.startTime }, location: { line: jestTestLine(test, this.testPath) } }
    const context = Object.create(this, {
      currentTestName: { value: currentTestName },
      perfgateTest: { value: test },
      task: { value: task },
    }) as MatcherContext
    return matcher.call(context, received, ...args)
  }
}

// Jest prints a console.warn with the stack frame of its caller, which would be perfgate's own
// code in node_modules; a warning goes straight to stderr instead, as one line.
useWarningWriter((message) => {
  process.stderr.write(`${message}\n`)
})

// Long runs' progress goes to perfgate's reporter, when it draws it (an interactive terminal).
sendProgressToReporter()

expect.extend(Object.fromEntries(Object.entries(perfgateMatchers).map(([name, matcher]) => [name, withJestTestName(matcher as Matcher)])))

/** The running test's entry in jest-circus, or undefined when none or which one is unknown. */
const runningTestToken = (): object | undefined => {
  const test = jestRunningTest(expect.getState() as JestExpectState)
  return test === undefined || test === 'ambiguous' ? undefined : test.token
}

// A standalone measure(), benchmark() or runLoad() stops when the test that started it ends.
useTestEndSignal(() => {
  const token = runningTestToken()
  return token === undefined ? undefined : testEndSignal(token)
})

// A retry (jest.retryTimes) runs the same test entry again: its records replace the earlier attempt's.
beforeEach(() => {
  const token = runningTestToken()
  if (token === undefined) return
  startTest(token)
  dropRecordsOf(token)
})

// When a test ends (passed, failed or timed out), its perfgate runs stop: nothing outlives it.
// (Jest runs no afterEach for test.concurrent tests: theirs stop at their deadline, or below.)
afterEach(() => {
  endTest(runningTestToken())
})

// A setup file's hooks run for each test file: the file's baselines are settled at its end.
afterAll(async () => {
  endTest()
  const { testPath, snapshotState } = expect.getState()
  if (testPath === undefined) return
  const ended = await finishTestFile(testPath, jestFullRun(), snapshotState)
  // The file's records (and obsolete entries) go to perfgate's reporter, when one runs.
  handOverJestRecords({
    testFile: testPath,
    records: claimRecords((record) => record.testFile === testPath),
    obsolete: ended !== null && ended.obsolete.length > 0 && ended.removed.length === 0 ? { file: ended.path, keys: ended.obsolete } : null,
  })
})

// Types for both styles Jest users have: `@jest/globals` (the `expect` package's Matchers) and
// `@types/jest` (the global `jest.Matchers`). Their type parameters must match Jest's exactly.
declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends PerfgateMatchers<R> {}
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends PerfgateMatchers<R> {}
  }
}

export type { PerfgateMatchers }
